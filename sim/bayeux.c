/* Bayeux 1.0 long-polling server: the messages of the protocol and held connects. */
#include "bayeux.h"
#include "bayeux_clients.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static json_t *base_reply(const char *channel, const json_t *msg, const char *client_id,
                          int ok)
{
    json_t *r = json_pack("{s:s,s:b}", "channel", channel, "successful", ok);
    json_t *id = json_object_get(msg, "id");
    if (r && client_id)
        json_object_set_new(r, "clientId", json_string(client_id));
    if (r && id)
        json_object_set(r, "id", id);
    return r;
}

static void add_error(json_t *replies, const char *channel, const json_t *msg,
                      const char *error)
{
    json_t *r = base_reply(channel ? channel : "", msg, NULL, 0);
    if (r)
        json_object_set_new(r, "error", json_string(error));
    json_array_append_new(replies, r);
}

static void add_unknown_client(json_t *replies, const char *channel, const json_t *msg)
{
    json_t *r = base_reply(channel, msg, NULL, 0);
    if (r) {
        json_object_set_new(r, "error", json_string("402::Unknown client"));
        json_object_set_new(r, "advice", json_pack("{s:s,s:i}", "reconnect", "handshake",
                                                   "interval", 0));
    }
    json_array_append_new(replies, r);
}

/* CometD's advice: poll again at once, held up to `timeout`, forgotten after `maxInterval`
 * without a connect. */
static json_t *retry_advice(const struct sim *sim)
{
    return json_pack("{s:s,s:i,s:I,s:I}", "reconnect", "retry", "interval", 0, "timeout",
                     (json_int_t)sim->cfg->poll_timeout_ms, "maxInterval",
                     (json_int_t)sim->cfg->max_interval_ms);
}

/* CometD's browser cookie, set by the handshake reply unless the request has one. */
static void browser_cookie(struct request *rq, struct reply *out)
{
    char id[33], cookie[96];
    if (request_cookie(rq, "BAYEUX_BROWSER") || sim_random_hex(id, 16) != 0)
        return;
    snprintf(cookie, sizeof cookie, "BAYEUX_BROWSER=%s; Path=/; HttpOnly", id);
    reply_header(out, "Set-Cookie", cookie);
}

static void handshake(struct sim *sim, const char *user, const json_t *msg, json_t *replies)
{
    struct client *c = bayeux_add_client(sim, user);
    if (!c) {
        add_error(replies, "/meta/handshake", msg, "500::Out of memory");
        return;
    }
    json_t *r = base_reply("/meta/handshake", msg, c->id, 1);
    if (r) {
        json_object_set_new(r, "version", json_string("1.0"));
        json_object_set_new(r, "supportedConnectionTypes", json_pack("[s]", "long-polling"));
        json_object_set_new(r, "advice", retry_advice(sim));
    }
    json_array_append_new(replies, r);
}

/* A "subscription" is a channel pattern or a non-empty array of them. */
static int valid_subscription(const json_t *sub)
{
    size_t i;
    json_t *v;
    if (json_is_string(sub))
        return json_string_value(sub)[0] == '/';
    if (!json_is_array(sub) || json_array_size(sub) == 0)
        return 0;
    json_array_foreach(sub, i, v)
        if (!json_is_string(v) || json_string_value(v)[0] != '/')
            return 0;
    return 1;
}

static void subscribe(struct client *c, const char *channel, const json_t *msg,
                      json_t *replies, int add)
{
    json_t *sub = json_object_get(msg, "subscription");
    if (!valid_subscription(sub)) {
        add_error(replies, channel, msg, "400::Invalid subscription");
        return;
    }
    int failed = 0;
    size_t n = json_is_array(sub) ? json_array_size(sub) : 1;
    for (size_t i = 0; i < n; i++) {
        const char *p = json_string_value(json_is_array(sub) ? json_array_get(sub, i) : sub);
        if (add)
            failed |= bayeux_add_sub(c, p) != 0;
        else
            bayeux_remove_sub(c, p);
    }
    if (failed) {
        add_error(replies, channel, msg, "500::Out of memory");
        return;
    }
    json_t *r = base_reply(channel, msg, c->id, 1);
    if (r)
        json_object_set(r, "subscription", sub);
    json_array_append_new(replies, r);
}


struct bayeux_call {
    struct request *rq;
    bool handshook;             /* a handshake succeeded: the reply sets BAYEUX_BROWSER */
    struct hold *hold;
    json_t *body;               /* the request's messages */
    json_t *replies;
    size_t next;                /* the message being handled */
    /* The connect being held: its client, generation and message (in body). */
    char id[CLIENT_ID_LEN + 1];
    unsigned long gen;
    const json_t *msg;
};

/* How long this connect may be held: the poll timeout, or less if the client asks. */
static long connect_timeout(const struct sim *sim, const json_t *msg)
{
    long timeout = sim->cfg->poll_timeout_ms;
    /* A client may ask for less, e.g. CometD's first connect says advice.timeout = 0. */
    json_t *adv = json_object_get(json_object_get(msg, "advice"), "timeout");
    if (json_is_integer(adv) && json_integer_value(adv) >= 0 &&
        json_integer_value(adv) < timeout)
        timeout = (long)json_integer_value(adv);
    return timeout;
}

/* The connect's answer, once its wait is over (or at once, with nothing to wait for). */
static void finish_connect(struct bayeux_call *call, bool gone)
{
    struct sim *sim = call->rq->sim;
    /* Look the client up again: it may have been forgotten meanwhile. */
    struct client *c = bayeux_find_client(sim->bayeux, call->id, call->rq->user);
    if (!c) {
        add_unknown_client(call->replies, "/meta/connect", call->msg);
        return;
    }
    c->waiting--;
    c->last_seen = sim_now_ms();
    json_t *r = base_reply("/meta/connect", call->msg, c->id, 1);
    if (r)
        json_object_set_new(r, "advice", retry_advice(sim));
    json_array_append_new(call->replies, r);
    /* A superseded connect leaves the events to the newer one; events taken by a poll whose
     * client hung up would be lost, so they stay queued. */
    if (c->connect_gen == call->gen && !gone)
        bayeux_take_events(c, sim->cfg->max_batch, call->replies);
}

/* Starts a connect; true when it was parked (answered later by finish_connect). */
static bool start_connect(struct bayeux_call *call, struct client *c, const json_t *msg)
{
    struct sim *sim = call->rq->sim;
    long timeout = connect_timeout(sim, msg);
    memcpy(call->id, c->id, sizeof call->id);
    call->gen = ++c->connect_gen;
    call->msg = msg;
    c->waiting++;
    c->last_seen = sim_now_ms();
    hold_release(sim, c->held);     /* an older connect of this client answers now */
    if (timeout > 0 && bayeux_pending(c) == 0) {
        struct hold *h = call->hold;
        h->ready = NULL;
        h->watch_peer = true;
        h->owner = &c->held;
        if (hold_park(sim, h, call->rq->conn, c->last_seen + timeout)) {
            c->held = h;
            return true;
        }
        h->owner = NULL;
    }
    /* E.g. a connect that waited out a stall: its client may have given up on it meanwhile. */
    finish_connect(call, request_peer_closed(call->rq));
    return false;
}

static void publish(struct sim *sim, const char *user, struct client *c, const char *channel,
                    const json_t *msg, json_t *replies)
{
    json_t *data = json_object_get(msg, "data");
    json_t *copy = data ? json_deep_copy(data) : json_null();
    if (!copy) {
        add_error(replies, channel, msg, "500::Out of memory");
        return;
    }
    json_array_append_new(replies, base_reply(channel, msg, c->id, 1));
    bayeux_deliver(sim, user, channel, copy);
}

/* Handles one message; true when it is a connect that was parked. */
static bool handle_message(struct bayeux_call *call, const json_t *msg)
{
    struct sim *sim = call->rq->sim;
    const char *user = call->rq->user;
    json_t *replies = call->replies;
    const char *channel = json_string_value(json_object_get(msg, "channel"));
    if (!json_is_object(msg) || !channel || channel[0] != '/') {
        add_error(replies, channel, msg, "400::Message without a valid channel");
        return false;
    }
    if (strcmp(channel, "/meta/handshake") == 0) {
        handshake(sim, user, msg, replies);
        call->handshook = true;
        return false;
    }
    struct client *c = bayeux_find_client(sim->bayeux, json_string_value(json_object_get(msg,
                                   "clientId")), user);
    if (!c)
        add_unknown_client(replies, channel, msg);
    else if (strcmp(channel, "/meta/connect") == 0)
        return start_connect(call, c, msg);
    else if (strcmp(channel, "/meta/subscribe") == 0)
        subscribe(c, channel, msg, replies, 1);
    else if (strcmp(channel, "/meta/unsubscribe") == 0)
        subscribe(c, channel, msg, replies, 0);
    else if (strcmp(channel, "/meta/disconnect") == 0) {
        json_array_append_new(replies, base_reply(channel, msg, c->id, 1));
        bayeux_remove_client(sim, c);
    } else if (strncmp(channel, "/meta/", 6) == 0)
        add_error(replies, channel, msg, "400::Unknown meta channel");
    else
        publish(sim, user, c, channel, msg, replies);
    return false;
}

/* With the lock held: the messages from call->next on, until one is parked. */
static enum bayeux_result run(struct bayeux_call *call)
{
    const json_t *body = call->body;
    size_t n = json_is_array(body) ? json_array_size(body) : 1;
    for (; call->next < n; call->next++)
        if (handle_message(call, json_is_array(body) ? json_array_get(body, call->next) : body))
            return BAYEUX_HELD;
    return BAYEUX_DONE;
}

void bayeux_call_free(struct bayeux_call *call)
{
    if (call) {
        json_decref(call->body);
        json_decref(call->replies);
        free(call);
    }
}

/* Every message object in the reply is ours alone; it is safe to serialise later. */
static enum bayeux_result done(struct bayeux_call **call, struct reply *out)
{
    if ((*call)->handshook)
        browser_cookie((*call)->rq, out);
    reply_json(out, 200, json_incref((*call)->replies));
    bayeux_call_free(*call);
    *call = NULL;
    return BAYEUX_DONE;
}

enum bayeux_result bayeux_handle(struct request *rq, struct hold *hold, const json_t *body,
                                 struct reply *out, struct bayeux_call **callp)
{
    struct sim *sim = rq->sim;
    *callp = NULL;
    if (!json_is_array(body) && !json_is_object(body)) {
        reply_gws_error(out, 400, 10, "Bayeux body must be a message or an array of messages");
        return BAYEUX_DONE;
    }
    struct bayeux_call *call = calloc(1, sizeof *call);
    if (!call || !(call->replies = json_array())) {
        free(call);
        out->failed = true;
        return BAYEUX_DONE;
    }
    call->rq = rq;
    call->hold = hold;
    call->body = json_incref((json_t *)body);
    *callp = call;
    pthread_mutex_lock(&sim->lock);
    bayeux_sweep_idle(sim);
    enum bayeux_result r = run(call);
    pthread_mutex_unlock(&sim->lock);
    return r == BAYEUX_HELD ? r : done(callp, out);
}

enum bayeux_result bayeux_resume(struct bayeux_call **callp, struct reply *out)
{
    struct bayeux_call *call = *callp;
    struct sim *sim = call->rq->sim;
    pthread_mutex_lock(&sim->lock);
    finish_connect(call, call->hold->peer_gone || request_peer_closed(call->rq));
    call->next++;
    enum bayeux_result r = run(call);
    pthread_mutex_unlock(&sim->lock);
    return r == BAYEUX_HELD ? r : done(callp, out);
}
