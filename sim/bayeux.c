/* Bayeux 1.0 long-polling server: the messages of the protocol and held connects. */
#include "bayeux.h"
#include "bayeux_clients.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEER_CHECK_MS 1000      /* how often a held connect looks whether its client hung up */

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

static json_t *retry_advice(const struct sim *sim)
{
    return json_pack("{s:s,s:i,s:I}", "reconnect", "retry", "interval", 0, "timeout",
                     (json_int_t)sim->cfg->poll_timeout_ms);
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


static void hold_connect(struct request *rq, struct client *c, const json_t *msg,
                         json_t *replies)
{
    struct sim *sim = rq->sim;
    const char *user = rq->user;
    long timeout = sim->cfg->poll_timeout_ms;
    /* A client may ask for less, e.g. CometD's first connect says advice.timeout = 0. */
    json_t *adv = json_object_get(json_object_get(msg, "advice"), "timeout");
    if (json_is_integer(adv) && json_integer_value(adv) >= 0 &&
        json_integer_value(adv) < timeout)
        timeout = (long)json_integer_value(adv);

    char id[CLIENT_ID_LEN + 1];
    memcpy(id, c->id, sizeof id);
    unsigned long gen = ++c->connect_gen;
    c->waiting++;
    c->last_seen = sim_now_ms();
    sim_wake_all(sim);          /* an older connect of this client answers now */
    int64_t deadline = c->last_seen + timeout;
    bool gone = false;
    for (;;) {
        /* Look the client up again after every wait: it may have been forgotten meanwhile. */
        c = bayeux_find_client(sim->bayeux, id, user);
        if (!c || sim->shutting_down || c->connect_gen != gen || sim_now_ms() >= deadline)
            break;
        /* Events taken by a poll whose client hung up would be lost: leave them queued. */
        if ((gone = request_peer_closed(rq)) || bayeux_pending(c) > 0)
            break;
        int64_t check = sim_now_ms() + PEER_CHECK_MS;
        sim_wait_until(sim, check < deadline ? check : deadline);
    }
    if (!c) {
        add_unknown_client(replies, "/meta/connect", msg);
        return;
    }
    c->waiting--;
    c->last_seen = sim_now_ms();
    json_t *r = base_reply("/meta/connect", msg, c->id, 1);
    if (r)
        json_object_set_new(r, "advice", retry_advice(sim));
    json_array_append_new(replies, r);
    /* A superseded connect leaves the events to the newer one. */
    if (c->connect_gen == gen && !gone)
        bayeux_take_events(c, sim->cfg->max_batch, replies);
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

static void handle_message(struct request *rq, const json_t *msg, json_t *replies)
{
    struct sim *sim = rq->sim;
    const char *user = rq->user;
    const char *channel = json_string_value(json_object_get(msg, "channel"));
    if (!json_is_object(msg) || !channel || channel[0] != '/') {
        add_error(replies, channel, msg, "400::Message without a valid channel");
        return;
    }
    if (strcmp(channel, "/meta/handshake") == 0) {
        handshake(sim, user, msg, replies);
        return;
    }
    struct client *c = bayeux_find_client(sim->bayeux, json_string_value(json_object_get(msg,
                                   "clientId")), user);
    if (!c)
        add_unknown_client(replies, channel, msg);
    else if (strcmp(channel, "/meta/connect") == 0)
        hold_connect(rq, c, msg, replies);
    else if (strcmp(channel, "/meta/subscribe") == 0)
        subscribe(c, channel, msg, replies, 1);
    else if (strcmp(channel, "/meta/unsubscribe") == 0)
        subscribe(c, channel, msg, replies, 0);
    else if (strcmp(channel, "/meta/disconnect") == 0) {
        json_array_append_new(replies, base_reply(channel, msg, c->id, 1));
        bayeux_remove_client(sim->bayeux, c);
        sim_wake_all(sim);
    } else if (strncmp(channel, "/meta/", 6) == 0)
        add_error(replies, channel, msg, "400::Unknown meta channel");
    else
        publish(sim, user, c, channel, msg, replies);
}

void bayeux_handle(struct request *rq, const json_t *body, struct reply *out)
{
    struct sim *sim = rq->sim;
    if (!json_is_array(body) && !json_is_object(body)) {
        reply_gws_error(out, 400, 10, "Bayeux body must be a message or an array of messages");
        return;
    }
    json_t *replies = json_array();
    if (!replies) {
        out->failed = true;
        return;
    }
    size_t n = json_is_array(body) ? json_array_size(body) : 1;
    pthread_mutex_lock(&sim->lock);
    bayeux_sweep_idle(sim->bayeux);
    for (size_t i = 0; i < n; i++)
        handle_message(rq, json_is_array(body) ? json_array_get(body, i) : body, replies);
    pthread_mutex_unlock(&sim->lock);
    /* Every message object in the reply is ours alone; it is safe to serialise later. */
    reply_json(out, 200, replies);
}

