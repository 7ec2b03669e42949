/*
 * The Bayeux server's clients: each bound to the user who handshook, with its subscription
 * patterns and its queue of event messages waiting for a /meta/connect. Events reach it
 * through bayeux_deliver (from the store's publish callback, a client's publish, or the
 * control API's POST /sim/publish). A client with no connect pending for longer than
 * advice.maxInterval (--max-interval, CometD's 10 s by default) is forgotten, as CometD does.
 * Not thread-safe: every function here is called with sim->lock held.
 */
#ifndef GWS_SIM_BAYEUX_CLIENTS_H
#define GWS_SIM_BAYEUX_CLIENTS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "hold.h"
#include "sim.h"

#define CLIENT_ID_LEN 32

struct client {
    struct client *next;
    char id[CLIENT_ID_LEN + 1];
    char *user;
    char **subs;                /* subscription patterns */
    size_t nsubs, subcap;
    json_t *queue;              /* event messages; the pending ones start at qhead */
    size_t qhead;
    int64_t last_seen;          /* monotonic ms of the handshake or the last connect's answer */
    unsigned long connect_gen;  /* bumped by every connect, so an older held one can tell */
    int waiting;                /* connects currently held; such a client never expires */
    struct hold *held;          /* the parked connect that events release, or NULL */
};

struct bayeux {
    struct client *clients;
    unsigned long long next_event_id;
};

struct bayeux *bayeux_new(void);
void bayeux_free(struct bayeux *b);

/* A new client of `user` with a fresh random id, or NULL when out of memory. */
struct client *bayeux_add_client(struct sim *sim, const char *user);
/* The client with this id bound to this user, or NULL (another user's id is unknown too). */
struct client *bayeux_find_client(struct bayeux *b, const char *id, const char *user);
/* Forgets a client; its parked connect, if any, is released (and answers 402). */
void bayeux_remove_client(struct sim *sim, struct client *dead);
/* Forgets the clients silent for longer than maxInterval (never one with a held connect). */
void bayeux_sweep_idle(struct sim *sim);
/* Forgets every client and releases their polls (they answer 402). Returns how many. */
size_t bayeux_forget_all(struct sim *sim);

/*
 * True when `channel` matches `pattern`: equal, or the pattern ends in a segment "*" (one
 * more segment) or "**" (one or more segments, any depth).
 */
int bayeux_channel_matches(const char *pattern, const char *channel);
/* Adds a subscription pattern (once). 0 ok, -1 out of memory. */
int bayeux_add_sub(struct client *c, const char *pattern);
void bayeux_remove_sub(struct client *c, const char *pattern);

/* Events queued for the client and not yet taken. */
size_t bayeux_pending(const struct client *c);
/* Moves up to max_batch queued events into `replies`. */
void bayeux_take_events(struct client *c, long max_batch, json_t *replies);

/*
 * Queues {"channel","data","id"} for every client of `user` subscribed to `channel` (unless
 * the discard_events fault takes it) and releases their parked long polls. Takes the
 * reference to data.
 */
void bayeux_deliver(struct sim *sim, const char *user, const char *channel, json_t *data);

/*
 * The store's publish callback (ud is the struct sim), also used by POST /sim/publish.
 * Called with sim->lock held: queues a private copy of `data` (it takes the reference).
 */
void bayeux_store_publish(void *ud, const char *user, const char *channel, json_t *data);

#endif
