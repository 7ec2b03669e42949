/*
 * The GWS v2 API under /api/v2: Basic auth (already checked into rq->user), HTTP sessions
 * and CSRF, then the routes, which call the store (or Bayeux) under sim->lock.
 */
#ifndef GWS_SIM_HTTP_API_H
#define GWS_SIM_HTTP_API_H

#include <stdbool.h>

#include "bayeux.h"
#include "hold.h"
#include "http_reply.h"
#include "http_request.h"

/* Looks at the Basic credentials and sets rq->user when they are valid. Lock held. */
void api_authenticate(struct request *rq);

/*
 * Answers the request into `out`. Returns true when the answer is held (a long poll parked
 * on `hold`; *call set): bayeux_resume finishes it once MHD resumes the request.
 */
bool api_handle(struct request *rq, struct hold *hold, struct reply *out,
                struct bayeux_call **call);

#endif
