/*
 * Bayeux 1.0 over HTTP long-polling at POST /api/v2/notifications: handshake, subscribe,
 * unsubscribe, connect (held until an event, the poll timeout, a newer connect for the same
 * client, its client hanging up, or shutdown), disconnect and publish. Clients are bound to
 * the user who handshook; another user's clientId is as unknown as an expired one. The
 * clients and their queues are bayeux_clients.h's. A held connect pins no thread: the
 * request is parked (hold.h) and finished by bayeux_resume when it is resumed.
 */
#ifndef GWS_SIM_BAYEUX_H
#define GWS_SIM_BAYEUX_H

#include <jansson.h>

#include "hold.h"
#include "http_reply.h"
#include "http_request.h"

/* A request whose /meta/connect is parked: the messages, the replies so far, the connect. */
struct bayeux_call;

enum bayeux_result {
    BAYEUX_DONE,        /* `out` holds the answer */
    BAYEUX_HELD,        /* parked on `hold`: call bayeux_resume once MHD resumes it */
};

/*
 * Answers one POST /api/v2/notifications of the authenticated rq->user. Takes sim->lock
 * itself. `body` is the parsed request (array or object). A connect that must wait parks
 * the request on `hold` and returns BAYEUX_HELD with *call set.
 */
enum bayeux_result bayeux_handle(struct request *rq, struct hold *hold, const json_t *body,
                                 struct reply *out, struct bayeux_call **call);

/* Carries on with a resumed request; on BAYEUX_DONE the call is freed and *call NULL. */
enum bayeux_result bayeux_resume(struct bayeux_call **call, struct reply *out);

/* Frees a call that will not be resumed (NULL is fine). */
void bayeux_call_free(struct bayeux_call *call);

#endif
