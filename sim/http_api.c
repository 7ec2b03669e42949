/* /api/v2: authentication, HTTP sessions, CSRF and the routes into the store. */
#include "http_api.h"
#include "bayeux.h"
#include "http_session.h"
#include "sim.h"
#include "store_agent.h"
#include "store_me.h"
#include "store_ops.h"
#include "store_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LB_COOKIE "AWSELB"

/* What the route needs to know about the caller's HTTP session, copied out of the table. */
struct session_info {
    char id[SESSION_ID_LEN + 1];
    char csrf[SESSION_ID_LEN + 1];
    bool created;       /* new: send Set-Cookie */
    bool dropped;       /* ended by EndContactCenterSession: send no cookie or token */
};

void api_authenticate(struct request *rq)
{
    char *password = NULL;
    char *user = MHD_basic_auth_get_username_password(rq->conn, &password);
    if (user && password && store_check_password(rq->sim->store, user, password))
        rq->user = strdup(user);
    if (password) {
        /* The password never outlives this check. */
        memset(password, 0, strlen(password));
        MHD_free(password);
    }
    if (user)
        MHD_free(user);
}

static bool is_modifying(const char *method)
{
    return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
           strcmp(method, "DELETE") == 0;
}

/*
 * Finds or creates the caller's session. Returns false after filling `out` with the 403 a
 * modifying request gets without a known cookie and its token (it gets no new session).
 */
static bool check_session(struct request *rq, struct session_info *si, struct reply *out)
{
    struct sim *sim = rq->sim;
    const char *cookie = request_cookie(rq, "JSESSIONID");
    const char *token = request_header(rq, "X-CSRF-TOKEN");
    bool ok = true;
    pthread_mutex_lock(&sim->lock);
    bool rotated = false;
    const struct http_session *s = sessions_find(sim->sessions, cookie, rq->user, &rotated);
    si->created = rotated;      /* a rotated session's new id goes out like a new one's */
    if (sim->cfg->csrf && is_modifying(rq->method) &&
        (!s || !token || !sessions_token_equal(s->csrf, token))) {
        ok = false;
    } else if (!s) {
        s = sessions_create(sim->sessions, rq->user);
        si->created = s != NULL;
    }
    if (s) {
        memcpy(si->id, s->id, sizeof si->id);
        memcpy(si->csrf, s->csrf, sizeof si->csrf);
    }
    pthread_mutex_unlock(&sim->lock);
    if (!ok)
        reply_text(out, 403, CT_TEXT, "Missing or invalid Csrf token");
    else if (!s)
        out->failed = true;
    return ok;
}

/* Parses a JSON object body; on failure fills `out` with the 400 and returns NULL. */
static json_t *object_body(struct request *rq, struct reply *out, bool any_json)
{
    char err[200], msg[256];
    json_t *v = request_json(rq, NULL, err, sizeof err);
    if (!v) {
        snprintf(msg, sizeof msg, "Malformed JSON: %s", err);
        reply_gws_error(out, 400, 10, msg);
        return NULL;
    }
    if (!any_json && !json_is_object(v)) {
        json_decref(v);
        reply_gws_error(out, 400, 10, "Malformed JSON: the body must be a JSON object");
        return NULL;
    }
    return v;
}

static bool is_end_session(const json_t *body, const json_t *resp)
{
    const char *op = json_string_value(json_object_get(body, "operationName"));
    return op && strcmp(op, "EndContactCenterSession") == 0 &&
           json_integer_value(json_object_get(resp, "statusCode")) == 0;
}

static void post_me(struct request *rq, struct session_info *si, struct reply *out)
{
    struct sim *sim = rq->sim;
    json_t *body = object_body(rq, out, false);
    if (!body)
        return;
    int status = 200;
    pthread_mutex_lock(&sim->lock);
    json_t *resp = store_post_me(sim->store, rq->user, body, &status);
    /* Ending the contact-center session also invalidates the HTTP session (spec §2). */
    if (resp && is_end_session(body, resp)) {
        sessions_drop(sim->sessions, si->id);
        si->dropped = true;
    }
    /* Serialised under the lock: the value may share parts with the store's state. */
    reply_json_now(out, status, resp);
    pthread_mutex_unlock(&sim->lock);
    json_decref(body);
}

static void get_messages(struct request *rq, const char *id, struct reply *out)
{
    struct sim *sim = rq->sim;
    long start = 1, count = 0;
    const char *s = request_arg(rq, "startIndex"), *c = request_arg(rq, "count");
    if ((s && parse_long(s, &start) != 0) || (c && parse_long(c, &count) != 0)) {
        reply_gws_error(out, 400, 10, "startIndex and count must be integers");
        return;
    }
    int status = 200;
    pthread_mutex_lock(&sim->lock);
    json_t *resp = store_get_messages(sim->store, rq->user, id, start, count, &status);
    reply_json_now(out, status, resp);
    pthread_mutex_unlock(&sim->lock);
}

/* POST routes that pass an object body to the store: channel ops and SMS operations. */
static void post_op(struct request *rq, const char *channel, const char *id,
                    struct reply *out)
{
    struct sim *sim = rq->sim;
    json_t *body = object_body(rq, out, false);
    if (!body)
        return;
    int status = 200;
    pthread_mutex_lock(&sim->lock);
    json_t *resp = channel
        ? store_post_channel(sim->store, rq->user, channel, body, &status)
        : store_sms_operation(sim->store, rq->user, id, body, &status);
    reply_json_now(out, status, resp);
    pthread_mutex_unlock(&sim->lock);
    json_decref(body);
}

/* Where a request's answer stands after routing, and what a held one needs to carry on. */
struct route_state {
    struct hold *hold;
    struct bayeux_call **call;
    bool held;
};

static void notifications(struct request *rq, struct route_state *rs, struct reply *out)
{
    json_t *body = object_body(rq, out, true);
    if (body) {
        rs->held = bayeux_handle(rq, rs->hold, body, out, rs->call) == BAYEUX_HELD;
        json_decref(body);
    }
}

/* GET routes without a body: which store read, selected by the path shape. */
static void get_route(struct request *rq, const struct path_segments *p, struct reply *out)
{
    struct sim *sim = rq->sim;
    int status = 200;
    if (p->n == 6) {
        get_messages(rq, p->seg[4], out);
        return;
    }
    pthread_mutex_lock(&sim->lock);
    json_t *resp;
    if (p->n == 3)
        resp = store_get_me(sim->store, rq->user, &status);
    else if (path_is(p, 3, "channels"))
        resp = store_get_channels(sim->store, rq->user, &status);
    else if (p->n == 4)
        resp = store_list_sms(sim->store, rq->user, &status);
    else
        resp = store_get_sms(sim->store, rq->user, p->seg[4], &status);
    reply_json_now(out, status, resp);
    pthread_mutex_unlock(&sim->lock);
}

/*
 * The Bayeux endpoint: /api/v2/notifications, and the message-type sub-paths the official
 * CometD clients append (…/handshake, …/connect, …), which a CometD servlet mapped to
 * /notifications/(anything) accepts alike: the messages in the body say what they are.
 */
static bool is_bayeux_path(const struct path_segments *p)
{
    static const char *const SUB[] = { "handshake", "connect", "subscribe", "unsubscribe",
                                       "disconnect", NULL };
    if (!path_is(p, 2, "notifications"))
        return false;
    if (p->n == 3)
        return true;
    for (int i = 0; p->n == 4 && SUB[i]; i++)
        if (path_is(p, 3, SUB[i]))
            return true;
    return false;
}

static void route(struct request *rq, const struct path_segments *p, struct session_info *si,
                  struct route_state *rs, struct reply *out)
{
    bool get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;
    bool me = path_is(p, 2, "me");
    if (is_bayeux_path(p)) {
        if (post)
            notifications(rq, rs, out);
        else
            reply_gws_error(out, 405, 3, "Method not allowed");
        return;
    }
    bool channels = me && path_is(p, 3, "channels");
    bool sms = me && path_is(p, 3, "smssessions");
    bool known = (p->n == 3 && me) ||
                 ((channels || sms) && (p->n == 4 || p->n == 5)) ||
                 (sms && p->n == 6 && path_is(p, 5, "messages"));
    if (!known) {
        reply_gws_error(out, 404, 6, "Resource not found");
        return;
    }
    if (get && !(channels && p->n == 5)) {
        get_route(rq, p, out);
    } else if (post && p->n == 3) {
        post_me(rq, si, out);
    } else if (post && p->n == 5) {
        post_op(rq, channels ? p->seg[4] : NULL, p->seg[4], out);
    } else {
        reply_gws_error(out, 405, 3, "Method not allowed");
    }
}

/* The cookie and CSRF headers of the caller's HTTP session. */
static void session_headers(struct request *rq, const struct session_info *si,
                            struct reply *out)
{
    struct sim *sim = rq->sim;
    if (si->dropped)
        return;
    if (si->created) {
        char cookie[SESSION_ID_LEN + 64];
        snprintf(cookie, sizeof cookie, "JSESSIONID=%s; Path=/; HttpOnly", si->id);
        reply_header(out, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    }

    if (sim->cfg->csrf && strcmp(rq->method, "GET") == 0) {
        reply_header(out, "X-CSRF-HEADER", "X-CSRF-TOKEN");
        reply_header(out, "X-CSRF-TOKEN", si->csrf);
    }
}

/*
 * A load balancer's stickiness cookie, as the vendor's CSRF sample carries, on any answer to
 * a request without one (the balancer knows nothing of auth or CSRF): it is not the HTTP
 * session's, and a client that refreshes its session must keep it.
 */
static void lb_cookie(struct request *rq, struct reply *out)
{
    char lb[48];
    if (!request_cookie(rq, LB_COOKIE) && sim_random_hex(lb, 20) == 0) {
        char cookie[sizeof lb + 64];
        snprintf(cookie, sizeof cookie, "%s=%s; Path=/", LB_COOKIE, lb);
        reply_header(out, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    }
}

bool api_handle(struct request *rq, struct hold *hold, struct reply *out,
                struct bayeux_call **call)
{
    lb_cookie(rq, out);
    if (!rq->user) {
        reply_gws_error(out, 401, 20, "Not authenticated");
        reply_header(out, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"GWS\"");
        return false;
    }
    struct session_info si = { .created = false };
    if (!check_session(rq, &si, out))
        return false;
    struct path_segments p;
    if (path_split(&p, rq->path) != 0) {
        out->failed = true;
        return false;
    }
    struct route_state rs = { .hold = hold, .call = call, .held = false };
    if (rq->too_large)
        reply_gws_error(out, 413, 10, "Request body too large");
    else if (p.n < 0)
        reply_gws_error(out, 404, 6, "Resource not found");
    else
        route(rq, &p, &si, &rs, out);
    path_free(&p);
    /* A held answer keeps what it has so far in `out`: the headers go with it. */
    session_headers(rq, &si, out);
    return rs.held;
}
