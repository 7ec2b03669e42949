/* /sim/...: the control API (see control.h): one table of routes, mostly thin wrappers over
 * store_ctl_* under the lock. */
#include "control.h"
#include "bayeux_clients.h"
#include "faults.h"
#include "hold.h"
#include "http_log.h"
#include "http_session.h"
#include "sim.h"
#include "store_agent.h"
#include "store_ctl.h"

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

static void get_session(struct request *rq, const struct path_segments *p, struct reply *out)
{
    struct sim *sim = rq->sim;
    const char *id = p->seg[2];
    int status = 200;
    pthread_mutex_lock(&sim->lock);
    json_t *resp = store_ctl_get_session(sim->store, id, &status);
    reply_json_now(out, status ? status : 200, resp);
    pthread_mutex_unlock(&sim->lock);
}

/* GET reads the request log (since=SEQ), DELETE clears it. */
static void requests(struct request *rq, const struct path_segments *p, struct reply *out)
{
    (void)p;
    struct sim *sim = rq->sim;
    bool get = strcmp(rq->method, "GET") == 0;
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

/* With the lock held: the immediate actions of a fault POST, counted in the fault state. */
static void forget(struct sim *sim, const struct faults_forget *what)
{
    size_t clients = what->clients ? bayeux_forget_all(sim) : 0;
    size_t http_sessions = what->http_sessions ? sessions_forget_all(sim->sessions) : 0;
    faults_count_forgotten(sim->faults, clients, http_sessions);
    if (what->rotate_sessions)
        faults_count_rotated(sim->faults, sessions_rotate_all(sim->sessions));
}

/* GET shows the faults, POST merges a body into them, DELETE clears them. */
static void faults(struct request *rq, const struct path_segments *p, struct reply *out)
{
    (void)p;
    struct sim *sim = rq->sim;
    json_t *body = NULL;
    char err[256];
    struct faults_forget what = { .clients = false };
    if (strcmp(rq->method, "POST") == 0 && !(body = ctl_body(rq, out)))
        return;
    pthread_mutex_lock(&sim->lock);
    if (body && faults_apply(sim->faults, body, &what, err, sizeof err) != 0) {
        reply_ctl_error(out, 400, err);
    } else {
        forget(sim, &what);
        if (strcmp(rq->method, "DELETE") == 0)
            faults_clear(sim->faults);
        /* A shorter or cleared stall, or fewer drops, may release requests waiting now. */
        if (strcmp(rq->method, "GET") != 0)
            sim_wake_all(sim);
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
static void publish(struct request *rq, const struct path_segments *p, struct reply *out)
{
    (void)p;
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

static void health(struct request *rq, const struct path_segments *p, struct reply *out)
{
    (void)rq;
    (void)p;
    reply_json(out, 200, json_pack("{s:b}", "ok", 1));
}

/*
 * GET /sim/stats: what the simulator holds right now (open connections, parked requests such
 * as long polls, Bayeux clients) and its limits, so a load test can tell when every poll it
 * opened is held.
 */
static void stats(struct request *rq, const struct path_segments *p, struct reply *out)
{
    (void)p;
    struct sim *sim = rq->sim;
    pthread_mutex_lock(&sim->lock);
    size_t clients = 0;
    for (const struct client *c = sim->bayeux->clients; c; c = c->next)
        clients++;
    reply_json(out, 200, json_pack("{s:I,s:I,s:I,s:I,s:I}",
        "connections", (json_int_t)atomic_load(&sim->connections),
        "held_requests", (json_int_t)hold_count(sim),
        "bayeux_clients", (json_int_t)clients,
        "max_connections", (json_int_t)sim->cfg->max_connections,
        "threads", (json_int_t)sim->cfg->threads));
    pthread_mutex_unlock(&sim->lock);
}

static void create_session(struct request *rq, const struct path_segments *p,
                           struct reply *out)
{
    (void)p;
    store_op(rq, CTL_CREATE, NULL, out);
}

static void customer_message(struct request *rq, const struct path_segments *p,
                             struct reply *out)
{
    store_op(rq, CTL_MESSAGE, p->seg[2], out);
}

static void customer_typing(struct request *rq, const struct path_segments *p,
                            struct reply *out)
{
    store_op(rq, CTL_TYPING, p->seg[2], out);
}

static void customer_leave(struct request *rq, const struct path_segments *p,
                           struct reply *out)
{
    store_op(rq, CTL_LEAVE, p->seg[2], out);
}

static void flood(struct request *rq, const struct path_segments *p, struct reply *out)
{
    (void)p;
    store_op(rq, CTL_FLOOD, NULL, out);
}

/*
 * The routes: method and path pattern, where a segment "*" matches any one segment and a
 * last segment "**" any rest of the path (none included). The first match answers; a
 * request that matches none gets 404.
 */
static const struct ctl_route {
    const char *method;
    const char *pattern;
    void (*handle)(struct request *rq, const struct path_segments *p, struct reply *out);
} routes[] = {
    { "GET", "/sim/health", health },
    { "GET", "/sim/stats", stats },
    { "POST", "/sim/sessions", create_session },
    { "GET", "/sim/sessions/*", get_session },
    { "POST", "/sim/sessions/*/messages", customer_message },
    { "POST", "/sim/sessions/*/typing", customer_typing },
    { "POST", "/sim/sessions/*/leave", customer_leave },
    { "POST", "/sim/flood", flood },
    { "POST", "/sim/publish", publish },
    { "GET", "/sim/requests", requests },
    { "DELETE", "/sim/requests", requests },
    { "GET", "/sim/faults", faults },
    { "POST", "/sim/faults", faults },
    { "DELETE", "/sim/faults", faults },
};

/* True when the segments match `pattern` (see the table above). */
static bool path_matches(const struct path_segments *p, const char *pattern)
{
    int i = 0;
    for (const char *s = pattern + 1; *s; i++) {
        size_t n = strcspn(s, "/");
        if (n == 2 && strncmp(s, "**", 2) == 0)
            return true;
        if (i >= p->n || !((n == 1 && *s == '*') ||
                           (strlen(p->seg[i]) == n && strncmp(p->seg[i], s, n) == 0)))
            return false;
        s += n + (s[n] == '/');
    }
    return i == p->n;
}

void control_handle(struct request *rq, struct reply *out)
{
    struct path_segments p;
    if (path_split(&p, rq->path) != 0) {
        out->failed = true;
        return;
    }
    size_t i = 0, n = sizeof routes / sizeof routes[0];
    while (i < n && !(strcmp(rq->method, routes[i].method) == 0 &&
                      path_matches(&p, routes[i].pattern)))
        i++;
    if (i < n)
        routes[i].handle(rq, &p, out);
    else
        reply_ctl_error(out, 404, "no such control route");
    path_free(&p);
}
