/* Bayeux clients: their subscriptions, event queues and delivery (see bayeux_clients.h). */
#include "bayeux_clients.h"
#include "faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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
    /* Parked connects find their client gone when they resume, and answer 402. */
    for (struct client *c = sim->bayeux->clients; c; c = c->next)
        hold_release(sim, c->held);
    return free_all(sim->bayeux);
}

struct client *bayeux_find_client(struct bayeux *b, const char *id, const char *user)
{
    if (!id)
        return NULL;
    for (struct client *c = b->clients; c; c = c->next)
        if (strcmp(c->id, id) == 0)
            return strcmp(c->user, user) == 0 ? c : NULL;
    return NULL;
}

void bayeux_remove_client(struct sim *sim, struct client *dead)
{
    hold_release(sim, dead->held);
    for (struct client **pp = &sim->bayeux->clients; *pp; pp = &(*pp)->next)
        if (*pp == dead) {
            *pp = dead->next;
            client_free(dead);
            return;
        }
}

void bayeux_sweep_idle(struct sim *sim)
{
    int64_t now = sim_now_ms();
    long max_interval = sim->cfg->max_interval_ms;
    struct client **pp = &sim->bayeux->clients;
    while (*pp) {
        struct client *c = *pp;
        if (c->waiting == 0 && now - c->last_seen > max_interval) {
            *pp = c->next;
            client_free(c);
        } else {
            pp = &c->next;
        }
    }
}

struct client *bayeux_add_client(struct sim *sim, const char *user)
{
    struct client *c = calloc(1, sizeof *c);
    if (!c || !(c->user = strdup(user)) || !(c->queue = json_array()) ||
        sim_random_hex(c->id, CLIENT_ID_LEN / 2) != 0) {
        if (c)
            client_free(c);
        return NULL;
    }
    c->last_seen = sim_now_ms();
    c->next = sim->bayeux->clients;
    sim->bayeux->clients = c;
    return c;
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

static int subscribed(const struct client *c, const char *channel)
{
    for (size_t i = 0; i < c->nsubs; i++)
        if (bayeux_channel_matches(c->subs[i], channel))
            return 1;
    return 0;
}

size_t bayeux_pending(const struct client *c)
{
    return json_array_size(c->queue) - c->qhead;
}

/*
 * Queues {"channel","data","id"} for every client of `user` subscribed to `channel`.
 * Takes the reference to data. Each client gets its own message object (the data is
 * shared, and never modified) so a reply can be mangled without touching other queues.
 */
void bayeux_deliver(struct sim *sim, const char *user, const char *channel, json_t *data)
{
    struct bayeux *b = sim->bayeux;
    int recipients = 0;
    for (struct client *c = b->clients; c; c = c->next)
        if (strcmp(c->user, user) == 0 && subscribed(c, channel))
            recipients++;
    /* Only an event that would reach someone can be lost in transit. */
    if (recipients == 0 || faults_take_discard(sim->faults)) {
        json_decref(data);
        return;
    }
    char id[32];
    snprintf(id, sizeof id, "%llu", ++b->next_event_id);
    for (struct client *c = b->clients; c; c = c->next) {
        if (strcmp(c->user, user) != 0 || !subscribed(c, channel))
            continue;
        json_t *msg = json_pack("{s:s,s:O,s:s}", "channel", channel, "data", data, "id", id);
        if (!msg || json_array_append_new(c->queue, msg) != 0)
            continue;           /* out of memory: this copy is lost, like a network loss */
        /* Its parked connect answers now; events queued before it resumes go along too. */
        hold_release(sim, c->held);
    }
    json_decref(data);
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
    bayeux_sweep_idle(sim);
    bayeux_deliver(sim, user, channel, data);
}


int bayeux_add_sub(struct client *c, const char *pattern)
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

void bayeux_remove_sub(struct client *c, const char *pattern)
{
    for (size_t i = 0; i < c->nsubs; i++)
        if (strcmp(c->subs[i], pattern) == 0) {
            free(c->subs[i]);
            c->subs[i] = c->subs[--c->nsubs];
            return;
        }
}


void bayeux_take_events(struct client *c, long max_batch, json_t *replies)
{
    size_t n = bayeux_pending(c);
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


