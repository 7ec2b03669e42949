/* Bayeux 1.0 long-polling server: clients, subscriptions, event queues, held connects. */
#include "bayeux.h"
#include "faults.h"
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_ID_LEN 32
#define CLIENT_IDLE_MS 60000    /* a client with no connect for this long is forgotten */
#define PEER_CHECK_MS 1000      /* how often a held connect looks whether its client hung up */

struct client {
    struct client *next;
    char id[CLIENT_ID_LEN + 1];
    char *user;
    char **subs;                /* subscription patterns */
    size_t nsubs, subcap;
    json_t *queue;              /* event messages; the pending ones start at qhead */
    size_t qhead;
    int64_t last_seen;          /* monotonic ms of the last handshake or connect */
    unsigned long connect_gen;  /* bumped by every connect, so an older held one can tell */
    int waiting;                /* connects currently held; such a client never expires */
};

struct bayeux {
    struct client *clients;
    unsigned long long next_event_id;
};

struct bayeux *bayeux_new(void)
{
    return calloc(1, sizeof(struct bayeux));
}

static void client_free(struct client *c)
{
    for (size_t i = 0; i < c->nsubs; i++)
        free(c->subs[i]);
    free(c->subs);
    free(c->user);
    json_decref(c->queue);
    free(c);
}

static size_t free_all(struct bayeux *b)
{
    size_t n = 0;
    while (b->clients) {
        struct client *c = b->clients;
        b->clients = c->next;
        client_free(c);
        n++;
    }
    return n;
}

void bayeux_free(struct bayeux *b)
{
    if (b) {
        free_all(b);
        free(b);
    }
}

size_t bayeux_forget_all(struct sim *sim)
{
    size_t n = free_all(sim->bayeux);
    sim_wake_all(sim);      /* held connects find their client gone and answer 402 */
    return n;
}

/* The client with this id bound to this user, or NULL. */
static struct client *find_client(struct bayeux *b, const char *id, const char *user)
{
    if (!id)
        return NULL;
    for (struct client *c = b->clients; c; c = c->next)
        if (strcmp(c->id, id) == 0)
            return strcmp(c->user, user) == 0 ? c : NULL;
    return NULL;
}

static void remove_client(struct bayeux *b, struct client *dead)
{
    for (struct client **pp = &b->clients; *pp; pp = &(*pp)->next)
        if (*pp == dead) {
            *pp = dead->next;
            client_free(dead);
            return;
        }
}

static void sweep_idle(struct bayeux *b)
{
    int64_t now = sim_now_ms();
    struct client **pp = &b->clients;
    while (*pp) {
        struct client *c = *pp;
        if (c->waiting == 0 && now - c->last_seen > CLIENT_IDLE_MS) {
            *pp = c->next;
            client_free(c);
        } else {
            pp = &c->next;
        }
    }
}

int bayeux_channel_matches(const char *pattern, const char *channel)
{
    size_t pl = strlen(pattern);
    if (pl >= 3 && strcmp(pattern + pl - 3, "/**") == 0)
        return strncmp(channel, pattern, pl - 2) == 0 && channel[pl - 2] != '\0';
    if (pl >= 2 && strcmp(pattern + pl - 2, "/*") == 0)
        return strncmp(channel, pattern, pl - 1) == 0 && channel[pl - 1] != '\0' &&
               strchr(channel + pl - 1, '/') == NULL;
    return strcmp(pattern, channel) == 0;
}

static int client_subscribed(const struct client *c, const char *channel)
{
    for (size_t i = 0; i < c->nsubs; i++)
        if (bayeux_channel_matches(c->subs[i], channel))
            return 1;
    return 0;
}

static size_t queue_pending(const struct client *c)
{
    return json_array_size(c->queue) - c->qhead;
}

/*
 * Queues {"channel","data","id"} for every client of `user` subscribed to `channel`.
 * Takes the reference to data. Each client gets its own message object (the data is
 * shared, and never modified) so a reply can be mangled without touching other queues.
 */
static void deliver(struct sim *sim, const char *user, const char *channel, json_t *data)
{
    struct bayeux *b = sim->bayeux;
    int recipients = 0;
    for (struct client *c = b->clients; c; c = c->next)
        if (strcmp(c->user, user) == 0 && client_subscribed(c, channel))
            recipients++;
    /* Only an event that would reach someone can be lost in transit. */
    if (recipients == 0 || faults_take_discard(sim->faults)) {
        json_decref(data);
        return;
    }
    char id[32];
    snprintf(id, sizeof id, "%llu", ++b->next_event_id);
    for (struct client *c = b->clients; c; c = c->next) {
        if (strcmp(c->user, user) != 0 || !client_subscribed(c, channel))
            continue;
        json_t *msg = json_pack("{s:s,s:O,s:s}", "channel", channel, "data", data, "id", id);
        if (!msg || json_array_append_new(c->queue, msg) != 0)
            continue;           /* out of memory: this copy is lost, like a network loss */
    }
    json_decref(data);
    sim_wake_all(sim);
}

void bayeux_store_publish(void *ud, const char *user, const char *channel, json_t *data)
{
    struct sim *sim = ud;
    if (!data)
        return;
    /*
     * The reply is written out after the lock is released, and the store may share parts
     * of `data` with its own state and change them later: queue a private copy.
     */
    json_t *copy = json_deep_copy(data);
    json_decref(data);
    if (!copy)
        return;
    data = copy;
    sweep_idle(sim->bayeux);
    deliver(sim, user, channel, data);
}

/* {"channel", "successful", "clientId"?, "id"?}: the common part of every reply. */
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
    struct client *c = calloc(1, sizeof *c);
    if (!c || !(c->user = strdup(user)) || !(c->queue = json_array()) ||
        sim_random_hex(c->id, CLIENT_ID_LEN / 2) != 0) {
        if (c)
            client_free(c);
        add_error(replies, "/meta/handshake", msg, "500::Out of memory");
        return;
    }
    c->last_seen = sim_now_ms();
    c->next = sim->bayeux->clients;
    sim->bayeux->clients = c;
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

static int add_sub(struct client *c, const char *pattern)
{
    for (size_t i = 0; i < c->nsubs; i++)
        if (strcmp(c->subs[i], pattern) == 0)
            return 0;
    if (c->nsubs == c->subcap) {
        size_t cap = c->subcap ? c->subcap * 2 : 4;
        char **subs = realloc(c->subs, cap * sizeof *subs);
        if (!subs)
            return -1;
        c->subs = subs;
        c->subcap = cap;
    }
    if (!(c->subs[c->nsubs] = strdup(pattern)))
        return -1;
    c->nsubs++;
    return 0;
}

static void remove_sub(struct client *c, const char *pattern)
{
    for (size_t i = 0; i < c->nsubs; i++)
        if (strcmp(c->subs[i], pattern) == 0) {
            free(c->subs[i]);
            c->subs[i] = c->subs[--c->nsubs];
            return;
        }
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
            failed |= add_sub(c, p) != 0;
        else
            remove_sub(c, p);
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

/* Moves up to max_batch queued events into the reply. */
static void take_events(struct client *c, long max_batch, json_t *replies)
{
    size_t n = queue_pending(c);
    if ((long)n > max_batch)
        n = (size_t)max_batch;
    for (size_t i = 0; i < n; i++)
        json_array_append(replies, json_array_get(c->queue, c->qhead + i));
    c->qhead += n;
    /* Compact now and then instead of shifting the array on every reply. */
    if (c->qhead == json_array_size(c->queue)) {
        json_array_clear(c->queue);
        c->qhead = 0;
    } else if (c->qhead > 4096 && c->qhead * 2 > json_array_size(c->queue)) {
        json_t *rest = json_array();
        if (!rest)
            return;
        for (size_t i = c->qhead; i < json_array_size(c->queue); i++)
            json_array_append(rest, json_array_get(c->queue, i));
        json_decref(c->queue);
        c->queue = rest;
        c->qhead = 0;
    }
}

/* Holds the connect (the lock is released while waiting) until there is a reason to answer. */
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
        c = find_client(sim->bayeux, id, user);
        if (!c || sim->shutting_down || c->connect_gen != gen || sim_now_ms() >= deadline)
            break;
        /* Events taken by a poll whose client hung up would be lost: leave them queued. */
        if ((gone = request_peer_closed(rq)) || queue_pending(c) > 0)
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
        take_events(c, sim->cfg->max_batch, replies);
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
    deliver(sim, user, channel, copy);
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
    struct client *c = find_client(sim->bayeux, json_string_value(json_object_get(msg,
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
        remove_client(sim->bayeux, c);
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
    sweep_idle(sim->bayeux);
    for (size_t i = 0; i < n; i++)
        handle_message(rq, json_is_array(body) ? json_array_get(body, i) : body, replies);
    pthread_mutex_unlock(&sim->lock);
    /* Every message object in the reply is ours alone; it is safe to serialise later. */
    reply_json(out, 200, replies);
}
