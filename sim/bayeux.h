/*
 * Bayeux 1.0 over HTTP long-polling at POST /api/v2/notifications: handshake, subscribe,
 * unsubscribe, connect (held until an event, the poll timeout, a newer connect for the same
 * client, or shutdown), disconnect and publish. Clients are bound to the user who
 * handshook; another user's clientId is as unknown as an expired one.
 */
#ifndef GWS_SIM_BAYEUX_H
#define GWS_SIM_BAYEUX_H

#include <stddef.h>
#include <jansson.h>

#include "http_reply.h"
#include "http_request.h"

struct sim;
struct bayeux;

struct bayeux *bayeux_new(void);
void bayeux_free(struct bayeux *b);

/*
 * The store's publish callback (ud is the struct sim). Called with sim->lock held: queues
 * the event on every client of `user` subscribed to `channel` and wakes the long polls.
 */
void bayeux_store_publish(void *ud, const char *user, const char *channel, json_t *data);

/* With sim->lock held: forgets every client and wakes their polls. Returns how many. */
size_t bayeux_forget_all(struct sim *sim);

/*
 * Answers one POST /api/v2/notifications of the authenticated rq->user. Takes sim->lock
 * itself and may wait on sim->cond for a long poll. `body` is the parsed request (array or
 * object).
 */
void bayeux_handle(struct request *rq, const json_t *body, struct reply *out);

/*
 * True when `channel` matches `pattern`: equal, or the pattern ends in a segment "*" (one
 * more segment) or "**" (one or more segments, any depth).
 */
int bayeux_channel_matches(const char *pattern, const char *channel);

#endif
