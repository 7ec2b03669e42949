/*
 * The MHD daemon and its access handler: collects request bodies, dispatches each request
 * by path prefix (the one table `prefixes`): /api/v2 through the request log and the fault
 * pipeline to the API, /sim to the control API (/sim/ui and / to the console); then queues
 * the reply.
 */
#include "http.h"
#include "badanswer.h"
#include "bayeux.h"
#include "control.h"
#include "faults.h"
#include "hold.h"
#include "http_api.h"
#include "http_log.h"
#include "http_reply.h"
#include "http_request.h"
#include "traffic.h"
#include "ui.h"

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the 100 KiB header of bad_answer "huge_header": MHD builds headers in this pool. */
#define CONNECTION_MEMORY (512u << 10)

static bool has_prefix_dir(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * One request and what it needs across suspensions: the reply being built, its hold, the
 * step it has reached, and a parked Bayeux call. MHD's per-request pointer (con_cls).
 */
enum phase {
    PHASE_NEW,          /* nothing done yet */
    PHASE_STALLED,      /* logged; waits while the stall fault is on */
    PHASE_HELD,         /* a long poll parked by Bayeux */
    PHASE_DELAYED,      /* the answer is made and held by delay_ms / delay_path */
};

struct exchange {
    struct request *rq;
    struct reply out;
    struct hold hold;
    enum phase phase;
    bool stall_counted;
    bool finished;              /* answered (or dropped): log the traffic line, free `out` */
    enum bad_mode bad;
    struct bayeux_call *call;
};

static struct exchange *exchange_new(struct sim *sim, const char *raw_uri)
{
    struct exchange *ex = calloc(1, sizeof *ex);
    if (ex && !(ex->rq = request_new(sim, raw_uri))) {
        free(ex);
        return NULL;
    }
    if (ex)
        reply_init(&ex->out);
    return ex;
}

static void exchange_free(struct exchange *ex)
{
    if (!ex)
        return;
    bayeux_call_free(ex->call);
    reply_free(&ex->out);
    request_free(ex->rq);
    free(ex);
}

static bool stall_over(struct sim *sim)
{
    return faults_stall_until(sim->faults) <= sim_now_ms();
}

/*
 * With the lock held: parks the request while a stall is on (POST /sim/faults may move or
 * end it: the hold's `ready` test looks again on every change). True when parked.
 */
static bool park_while_stalled(struct exchange *ex)
{
    struct sim *sim = ex->rq->sim;
    int64_t until = faults_stall_until(sim->faults);
    if (until <= sim_now_ms())
        return false;
    if (!ex->stall_counted) {
        faults_count_stall(sim->faults);
        ex->stall_counted = true;
    }
    ex->hold = (struct hold){ .ready = stall_over };
    return hold_park(sim, &ex->hold, ex->rq->conn, until);
}

/*
 * The delay faults, delay_ms and delay_path, taken once the answer is made: it may then be
 * older than notifications published meanwhile, and a spec that sees the fault counted knows
 * the answer is made and held. The request is parked meanwhile, so other requests and long
 * polls go on. True when parked.
 */
static bool park_delayed(struct exchange *ex)
{
    struct sim *sim = ex->rq->sim;
    pthread_mutex_lock(&sim->lock);
    long delay = faults_take_delay(sim->faults) +
                 faults_take_path_delay(sim->faults, ex->rq->path);
    ex->hold = (struct hold){ .ready = NULL };
    bool parked = delay > 0 && hold_park(sim, &ex->hold, ex->rq->conn, sim_now_ms() + delay);
    pthread_mutex_unlock(&sim->lock);
    return parked;
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

/* True when a Bayeux reply carries an event (a message on a channel outside /meta/). */
static bool carries_events(const struct reply *r)
{
    size_t i;
    json_t *m;
    if (!json_is_array(r->json))
        return false;
    json_array_foreach(r->json, i, m) {
        const char *channel = json_string_value(json_object_get(m, "channel"));
        if (channel && strncmp(channel, "/meta/", 6) != 0)
            return true;
    }
    return false;
}

/* The answer is ready (and its delay over): the hostile version of it, or it as it is. */
static enum MHD_Result queue_answer(struct exchange *ex)
{
    ex->finished = true;
    if (ex->bad == BAD_NONE && strncmp(ex->rq->path, "/api/v2/notifications", 21) == 0 &&
        carries_events(&ex->out)) {
        /* lose_events: the events are gone from the server's queue and never arrive. */
        struct sim *sim = ex->rq->sim;
        pthread_mutex_lock(&sim->lock);
        if (faults_take_lose_events(sim->faults))
            ex->bad = BAD_RESET;
        pthread_mutex_unlock(&sim->lock);
    }
    if (ex->bad != BAD_NONE)
        return badanswer_queue(ex->rq->sim, ex->rq->conn, ex->bad, &ex->out);
    return reply_queue(ex->rq->conn, &ex->out);
}

/*
 * /api/v2: log, then the faults that act before processing (stall, drop, http_error,
 * replacing bad answers), the API itself, the delay, and the mangling bad answers. Each
 * wait parks the request and returns MHD_YES; MHD calls again once it is resumed, and the
 * phase says where to carry on.
 */
static enum MHD_Result respond_api(struct exchange *ex)
{
    struct request *rq = ex->rq;
    struct sim *sim = rq->sim;
    struct reply *out = &ex->out;
    switch (ex->phase) {
    case PHASE_NEW:
        pthread_mutex_lock(&sim->lock);
        api_authenticate(rq);
        reqlog_add(sim->log, rq->method, rq->path, rq->query, rq->user, rq->body, rq->len);
        pthread_mutex_unlock(&sim->lock);
        ex->phase = PHASE_STALLED;
        /* fall through */
    case PHASE_STALLED: {
        pthread_mutex_lock(&sim->lock);
        if (park_while_stalled(ex)) {
            pthread_mutex_unlock(&sim->lock);
            return MHD_YES;
        }
        bool drop = faults_take_drop(sim->faults);
        int error_status = drop ? 0 : faults_take_http_error(sim->faults);
        ex->bad = drop || error_status ? BAD_NONE
                                       : faults_take_bad_answer(sim->faults, rq->path);
        pthread_mutex_unlock(&sim->lock);
        if (drop) {
            ex->finished = true;
            return MHD_NO;      /* MHD closes the connection without answering */
        }
        if (error_status) {
            error_page(out, error_status);
        } else if (!bad_mode_replaces(ex->bad) && api_handle(rq, &ex->hold, out, &ex->call)) {
            ex->phase = PHASE_HELD;
            return MHD_YES;
        }
        break;
    }
    case PHASE_HELD:
        if (bayeux_resume(&ex->call, out) == BAYEUX_HELD)
            return MHD_YES;
        break;
    case PHASE_DELAYED:
        return queue_answer(ex);
    }
    ex->phase = PHASE_DELAYED;
    return park_delayed(ex) ? MHD_YES : queue_answer(ex);
}

/*
 * Where a request goes, by its path: the first prefix that is the whole path or a leading
 * run of its segments ("/sim" takes "/sim" and "/sim/…", not "/simple") answers. Put a
 * longer prefix before a shorter one it lies under. Other paths get GWS's 404.
 */
static const struct {
    const char *prefix;
    /*
     * One of the two: `respond` queues the reply itself (or parks the request, leaving
     * ex->finished false); `handle` fills it, sent as it is.
     */
    enum MHD_Result (*respond)(struct exchange *ex);
    void (*handle)(struct request *rq, struct reply *out);
} prefixes[] = {
    { "/api/v2", respond_api, NULL },
    { "/sim/ui", NULL, ui_handle },     /* the customer console (ui.h) */
    { "/sim", NULL, control_handle },
    { "/", NULL, ui_handle },           /* "/" only: a link to the console */
};

static enum MHD_Result respond(struct exchange *ex)
{
    struct request *rq = ex->rq;
    enum MHD_Result ret;
    size_t i = 0, n = sizeof prefixes / sizeof prefixes[0];
    while (i < n && !has_prefix_dir(rq->path, prefixes[i].prefix))
        i++;
    if (i < n && prefixes[i].respond) {
        ret = prefixes[i].respond(ex);
        if (!ex->finished)
            return ret;         /* parked: MHD calls again when it is resumed */
    } else {
        if (i < n)
            prefixes[i].handle(rq, &ex->out);
        else
            reply_gws_error(&ex->out, 404, 6, "Resource not found");
        ret = reply_queue(rq->conn, &ex->out);
    }
    traffic_request(rq, ret == MHD_NO ? 0 : ex->out.status);
    reply_free(&ex->out);
    return ret;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    (void)version;
    struct exchange *ex = *con_cls;
    if (!ex) {
        /* The URI log callback could not allocate; carry on without the raw URI. */
        if (!(ex = exchange_new(cls, NULL)))
            return MHD_NO;
        *con_cls = ex;
    }
    struct request *rq = ex->rq;
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
    return respond(ex);
}

/* Called before MHD parses the URI: the only place the raw query string is available. */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    return exchange_new(cls, uri);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    /* Never parked here: MHD does not complete a suspended request. */
    exchange_free(*con_cls);
    *con_cls = NULL;
}

/* Counts open connections (for the limit below). */
static void connection_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                              enum MHD_ConnectionNotificationCode code)
{
    struct sim *sim = cls;
    (void)conn;
    (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&sim->connections, 1);
    else
        atomic_fetch_sub(&sim->connections, 1);
}

/*
 * The connection limit, ours rather than MHD's (which a thread pool splits per worker, and
 * which says nothing unless MHD's error log is on): beyond --max-connections a new
 * connection is closed at once, with one line on stderr each time the limit is reached.
 */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    struct sim *sim = cls;
    (void)addr;
    (void)addrlen;
    long open = atomic_load(&sim->connections), limit = sim->cfg->max_connections;
    if (open < limit) {
        /* Well below the limit again: the next time it is reached is worth a line. */
        if (open < limit - limit / 10)
            atomic_store(&sim->limit_logged, false);
        return MHD_YES;
    }
    if (!atomic_exchange(&sim->limit_logged, true))
        fprintf(stderr, "gws-sim: connection limit reached: %ld connections open "
                "(--max-connections %ld); refusing new connections until some close\n",
                open, limit);
    return MHD_NO;
}

int http_start(struct sim *sim, int listen_fd)
{
    /*
     * epoll with a pool of worker threads: a request that has to wait is suspended and
     * parked (hold.h), so a thousand long polls pin no thread. MHD_ALLOW_SUSPEND_RESUME
     * brings the inter-thread channel a resume needs.
     */
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                         MHD_ALLOW_SUSPEND_RESUME;
    if (!sim->cfg->quiet)
        flags |= MHD_USE_ERROR_LOG;
    /* MHD splits its own limit between the workers; ours (accept_policy) is the real one. */
    long mhd_limit = sim->cfg->max_connections * sim->cfg->threads + 64;
    struct MHD_OptionItem opts[12];
    int n = 0;
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, listen_fd, NULL };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_URI_LOG_CALLBACK,
                                         (intptr_t)uri_logger, sim };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED,
                                         (intptr_t)request_completed, sim };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION,
                                         (intptr_t)connection_notify, sim };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                         CONNECTION_MEMORY, NULL };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE,
                                         sim->cfg->threads, NULL };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, mhd_limit, NULL };
    if (sim->tls_cert_pem) {
        flags |= MHD_USE_TLS;
        opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, sim->tls_cert_pem };
        opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, sim->tls_key_pem };
    }
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
    if (hold_start(sim) != 0)
        return -1;
    sim->daemon = MHD_start_daemon(flags, 0, accept_policy, sim, access_handler, sim,
                                   MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    return sim->daemon ? 0 : -1;
}

void http_stop(struct sim *sim)
{
    /* Nothing parks any more, and every parked request is resumed: MHD_stop_daemon must
     * find no suspended connection. */
    pthread_mutex_lock(&sim->lock);
    sim->shutting_down = true;
    pthread_mutex_unlock(&sim->lock);
    hold_stop(sim);
    if (!sim->daemon)
        return;
    MHD_stop_daemon(sim->daemon);
    sim->daemon = NULL;
}
