/*
 * The MHD daemon and its access handler: collects request bodies, dispatches each request
 * by path prefix (the one table `prefixes`): /api/v2 through the request log and the fault
 * pipeline to the API, /sim to the control API (/sim/ui and / to the console); then queues
 * the reply.
 */
#include "http.h"
#include "badanswer.h"
#include "control.h"
#include "faults.h"
#include "http_api.h"
#include "http_log.h"
#include "http_reply.h"
#include "http_request.h"
#include "traffic.h"
#include "ui.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

/* Room for the 100 KiB header of bad_answer "huge_header": MHD builds headers in this pool. */
#define CONNECTION_MEMORY (512u << 10)

static bool has_prefix_dir(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* With the lock held: waits while a stall is on (POST /sim/faults may move or end it). */
static void hold_while_stalled(struct sim *sim)
{
    bool counted = false;
    while (!sim->shutting_down) {
        int64_t until = faults_stall_until(sim->faults);
        if (until <= sim_now_ms())
            return;
        if (!counted) {
            faults_count_stall(sim->faults);
            counted = true;
        }
        sim_wait_until(sim, until);
    }
}

/*
 * The delay faults, delay_ms and delay_path, taken once the answer is made: it may then be
 * older than notifications published meanwhile, and a spec that sees the fault counted knows
 * the answer is made and held. The lock is released while waiting (sim_wait_until), so other
 * requests and long polls go on.
 */
static void delay_response(struct sim *sim, const char *path)
{
    pthread_mutex_lock(&sim->lock);
    long delay = faults_take_delay(sim->faults) + faults_take_path_delay(sim->faults, path);
    int64_t deadline = sim_now_ms() + delay;
    while (delay > 0 && !sim->shutting_down && sim_now_ms() < deadline)
        sim_wait_until(sim, deadline);
    pthread_mutex_unlock(&sim->lock);
}

static void error_page(struct reply *out, int status)
{
    char page[512];
    const char *reason = MHD_get_reason_phrase_for((unsigned int)status);
    snprintf(page, sizeof page,
             "<html><head><title>%d %s</title></head><body><h1>%d %s</h1>"
             "<hr><address>gws-sim</address></body></html>\n",
             status, reason, status, reason);
    reply_text(out, status, CT_HTML, page);
}

/*
 * /api/v2: log, then the faults that act before processing (stall, drop, http_error,
 * replacing bad answers), the API itself, the delay, and the mangling bad answers.
 */
static enum MHD_Result respond_api(struct request *rq, struct reply *out)
{
    struct sim *sim = rq->sim;
    pthread_mutex_lock(&sim->lock);
    api_authenticate(rq);
    reqlog_add(sim->log, rq->method, rq->path, rq->query, rq->user, rq->body, rq->len);
    hold_while_stalled(sim);
    bool drop = faults_take_drop(sim->faults);
    int error_status = drop ? 0 : faults_take_http_error(sim->faults);
    enum bad_mode bad = drop || error_status ? BAD_NONE
                                             : faults_take_bad_answer(sim->faults, rq->path);
    pthread_mutex_unlock(&sim->lock);

    if (drop)
        return MHD_NO;          /* MHD closes the connection without answering */
    if (error_status)
        error_page(out, error_status);
    else if (!bad_mode_replaces(bad))
        api_handle(rq, out);
    delay_response(sim, rq->path);
    if (bad != BAD_NONE)
        return badanswer_queue(sim, rq->conn, bad, out);
    return reply_queue(rq->conn, out);
}

/*
 * Where a request goes, by its path: the first prefix that is the whole path or a leading
 * run of its segments ("/sim" takes "/sim" and "/sim/…", not "/simple") answers. Put a
 * longer prefix before a shorter one it lies under. Other paths get GWS's 404.
 */
static const struct {
    const char *prefix;
    /* One of the two: `respond` queues the reply itself; `handle` fills it, sent as it is. */
    enum MHD_Result (*respond)(struct request *rq, struct reply *out);
    void (*handle)(struct request *rq, struct reply *out);
} prefixes[] = {
    { "/api/v2", respond_api, NULL },
    { "/sim/ui", NULL, ui_handle },     /* the customer console (ui.h) */
    { "/sim", NULL, control_handle },
    { "/", NULL, ui_handle },           /* "/" only: a link to the console */
};

static enum MHD_Result respond(struct request *rq)
{
    struct reply out;
    enum MHD_Result ret;
    reply_init(&out);
    size_t i = 0, n = sizeof prefixes / sizeof prefixes[0];
    while (i < n && !has_prefix_dir(rq->path, prefixes[i].prefix))
        i++;
    if (i < n && prefixes[i].respond) {
        ret = prefixes[i].respond(rq, &out);
    } else {
        if (i < n)
            prefixes[i].handle(rq, &out);
        else
            reply_gws_error(&out, 404, 6, "Resource not found");
        ret = reply_queue(rq->conn, &out);
    }
    traffic_request(rq, ret == MHD_NO ? 0 : out.status);
    reply_free(&out);
    return ret;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    (void)version;
    struct request *rq = *con_cls;
    if (!rq) {
        /* The URI log callback could not allocate; carry on without the raw URI. */
        if (!(rq = request_new(cls, NULL)))
            return MHD_NO;
        *con_cls = rq;
    }
    if (!rq->started) {
        /* First call: headers only. Answering later lets MHD send 100-continue. */
        rq->started = true;
        rq->conn = conn;
        rq->method = method;
        rq->path = url;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (request_append(rq, upload_data, *upload_data_size) != 0)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return respond(rq);
}

/* Called before MHD parses the URI: the only place the raw query string is available. */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    return request_new(cls, uri);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    request_free(*con_cls);
    *con_cls = NULL;
}

int http_start(struct sim *sim, int listen_fd)
{
    /* Thread per connection: a long poll may block its own thread on the condvar. */
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                         MHD_USE_POLL;
    if (!sim->cfg->quiet)
        flags |= MHD_USE_ERROR_LOG;
    struct MHD_OptionItem opts[8];
    int n = 0;
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, listen_fd, NULL };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_URI_LOG_CALLBACK,
                                         (intptr_t)uri_logger, sim };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED,
                                         (intptr_t)request_completed, sim };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                         CONNECTION_MEMORY, NULL };
    if (sim->tls_cert_pem) {
        flags |= MHD_USE_TLS;
        opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, sim->tls_cert_pem };
        opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, sim->tls_key_pem };
    }
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
    sim->daemon = MHD_start_daemon(flags, 0, NULL, NULL, access_handler, sim,
                                   MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    return sim->daemon ? 0 : -1;
}

void http_stop(struct sim *sim)
{
    if (!sim->daemon)
        return;
    /* MHD_stop_daemon joins the connection threads: release every waiting one first. */
    pthread_mutex_lock(&sim->lock);
    sim->shutting_down = true;
    sim_wake_all(sim);
    pthread_mutex_unlock(&sim->lock);
    MHD_stop_daemon(sim->daemon);
    sim->daemon = NULL;
}
