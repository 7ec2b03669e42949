/*
 * Bayeux 1.0 over HTTP long-polling at POST /api/v2/notifications: handshake, subscribe,
 * unsubscribe, connect (held until an event, the poll timeout, a newer connect for the same
 * client, or shutdown), disconnect and publish. Clients are bound to the user who
 * handshook; another user's clientId is as unknown as an expired one. The clients and their
 * queues are bayeux_clients.h's.
 */
#ifndef GWS_SIM_BAYEUX_H
#define GWS_SIM_BAYEUX_H

#include <jansson.h>

#include "http_reply.h"
#include "http_request.h"

/*
 * Answers one POST /api/v2/notifications of the authenticated rq->user. Takes sim->lock
 * itself and may wait on sim->cond for a long poll. `body` is the parsed request (array or
 * object).
 */
void bayeux_handle(struct request *rq, const json_t *body, struct reply *out);

#endif
