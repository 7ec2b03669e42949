/* /sim/...: the control API, mostly thin wrappers over store_ctl_* under the lock. */
#include "control.h"
#include "bayeux.h"
#include "faults.h"
#include "http.h"
#include "http_log.h"

#include <stdio.h>
#include <string.h>

enum ctl_op { CTL_CREATE, CTL_MESSAGE, CTL_TYPING, CTL_LEAVE, CTL_FLOOD };

/* Parses the body (empty = {}); on failure fills `out` with the 400/413 and returns NULL. */
static json_t *ctl_body(struct request *rq, struct reply *out)
{
    char err[200], msg[256];
    if (rq->too_large) {
        reply_ctl_error(out, 413, "request body too large");
        return NULL;
    }
    json_t *v = request_json(rq, "{}", err, sizeof err);
    if (!v) {
        snprintf(msg, sizeof msg, "Malformed JSON: %s", err);
        reply_ctl_error(out, 400, msg);
    }
    return v;
}

/* The store_ctl_* calls that take a body (all but GET session). */
static void store_op(struct request *rq, enum ctl_op op, const char *id, struct reply *out)
{
    struct sim *sim = rq->sim;
    json_t *body = ctl_body(rq, out);
    if (!body)
        return;
    int status = 200;
    json_t *resp = NULL;
    pthread_mutex_lock(&sim->lock);
    switch (op) {
    case CTL_CREATE:  resp = store_ctl_create_session(sim->store, body, &status); break;
    case CTL_MESSAGE: resp = store_ctl_customer_message(sim->store, id, body, &status); break;
    case CTL_TYPING:  resp = store_ctl_customer_typing(sim->store, id, body, &status); break;
    case CTL_LEAVE:   resp = store_ctl_customer_leave(sim->store, id, &status); break;
    case CTL_FLOOD:   resp = store_ctl_flood(sim->store, body, &status); break;
    }
    /* Serialised under the lock: the value may share parts with the store's state. */
    reply_json_now(out, status ? status : 200, resp);
    pthread_mutex_unlock(&sim->lock);
    json_decref(body);
}

static void get_session(struct request *rq, const char *id, struct reply *out)
{
    struct sim *sim = rq->sim;
    int status = 200;
    pthread_mutex_lock(&sim->lock);
    json_t *resp = store_ctl_get_session(sim->store, id, &status);
    reply_json_now(out, status ? status : 200, resp);
    pthread_mutex_unlock(&sim->lock);
}

static void requests(struct request *rq, bool get, struct reply *out)
{
    struct sim *sim = rq->sim;
    long since = 0;
    const char *s = request_arg(rq, "since");
    if (get && s && parse_long(s, &since) != 0) {
        reply_ctl_error(out, 400, "since must be an integer");
        return;
    }
    pthread_mutex_lock(&sim->lock);
    if (get) {
        reply_json_now(out, 200, reqlog_since(sim->log, since));
    } else {
        reqlog_clear(sim->log);
        reply_json(out, 200, json_pack("{s:b}", "ok", 1));
    }
    pthread_mutex_unlock(&sim->lock);
}

static void faults(struct request *rq, const char *method, struct reply *out)
{
    struct sim *sim = rq->sim;
    json_t *body = NULL;
    char err[256];
    if (strcmp(method, "POST") == 0 && !(body = ctl_body(rq, out)))
        return;
    pthread_mutex_lock(&sim->lock);
    if (body && faults_apply(sim, body, err, sizeof err) != 0)
        reply_ctl_error(out, 400, err);
    else {
        if (strcmp(method, "DELETE") == 0) {
            faults_clear(sim->faults);
            sim_wake_all(sim);      /* a stall ends now */
        }
        reply_json(out, 200, faults_to_json(sim->faults));
    }
    pthread_mutex_unlock(&sim->lock);
    json_decref(body);
}

/*
 * POST /sim/publish {"agent","channel"?,"data"}: `data` goes out verbatim as one Bayeux
 * event, so specs can feed the client payloads the store would never produce (e.g. the
 * vendor's own samples).
 */
static void publish(struct request *rq, struct reply *out)
{
    struct sim *sim = rq->sim;
    json_t *body = ctl_body(rq, out);
    if (!body)
        return;
    json_t *data = json_object_get(body, "data");
    const json_t *agent = json_object_get(body, "agent"),
                 *channel = json_object_get(body, "channel");
    const char *ch = channel ? json_string_value(channel) : "/v2/me/sms";
    const char *error = NULL;
    if (!json_is_object(body))
        error = "body must be a JSON object";
    else if (!json_is_string(agent))
        error = "agent must be a user name (a string)";
    else if (!json_is_object(data))
        error = "data must be a JSON object (the event's data, sent verbatim)";
    else if (!ch || ch[0] != '/' || strncmp(ch, "/meta/", 6) == 0)
        error = "channel must be a string starting with '/' and not a /meta/ channel";
    pthread_mutex_lock(&sim->lock);
    if (!error && !store_has_user(sim->store, json_string_value(agent)))
        error = "agent is not a known user";
    if (error) {
        reply_ctl_error(out, 400, error);
    } else {
        /* The publish callback takes a reference and queues a private copy. */
        bayeux_store_publish(sim, json_string_value(agent), ch, json_incref(data));
        reply_json(out, 200, json_pack("{s:b}", "ok", 1));
    }
    pthread_mutex_unlock(&sim->lock);
    json_decref(body);
}

static bool method_is(const struct request *rq, const char *m)
{
    return strcmp(rq->method, m) == 0;
}

void control_handle(struct request *rq, struct reply *out)
{
    struct path_segments p;
    if (path_split(&p, rq->path) != 0) {
        out->failed = true;
        return;
    }
    bool get = method_is(rq, "GET"), post = method_is(rq, "POST"),
         del = method_is(rq, "DELETE");
    bool sessions = path_is(&p, 1, "sessions");
    const char *sub = p.n == 4 ? p.seg[3] : "";
    if (p.n == 2 && path_is(&p, 1, "health") && get)
        reply_json(out, 200, json_pack("{s:b}", "ok", 1));
    else if (p.n == 2 && sessions && post)
        store_op(rq, CTL_CREATE, NULL, out);
    else if (p.n == 3 && sessions && get)
        get_session(rq, p.seg[2], out);
    else if (p.n == 4 && sessions && post && strcmp(sub, "messages") == 0)
        store_op(rq, CTL_MESSAGE, p.seg[2], out);
    else if (p.n == 4 && sessions && post && strcmp(sub, "typing") == 0)
        store_op(rq, CTL_TYPING, p.seg[2], out);
    else if (p.n == 4 && sessions && post && strcmp(sub, "leave") == 0)
        store_op(rq, CTL_LEAVE, p.seg[2], out);
    else if (p.n == 2 && path_is(&p, 1, "flood") && post)
        store_op(rq, CTL_FLOOD, NULL, out);
    else if (p.n == 2 && path_is(&p, 1, "publish") && post)
        publish(rq, out);
    else if (p.n == 2 && path_is(&p, 1, "requests") && (get || del))
        requests(rq, get, out);
    else if (p.n == 2 && path_is(&p, 1, "faults") && (get || post || del))
        faults(rq, rq->method, out);
    else
        reply_ctl_error(out, 404, "no such control route");
    path_free(&p);
}
