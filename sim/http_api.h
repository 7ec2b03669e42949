/*
 * The GWS v2 API under /api/v2: Basic auth (already checked into rq->user), HTTP sessions
 * and CSRF, then the routes, which call the store (or Bayeux) under sim->lock.
 */
#ifndef GWS_SIM_HTTP_API_H
#define GWS_SIM_HTTP_API_H

#include "http_reply.h"
#include "http_request.h"

/* Looks at the Basic credentials and sets rq->user when they are valid. Lock held. */
void api_authenticate(struct request *rq);

void api_handle(struct request *rq, struct reply *out);

#endif
