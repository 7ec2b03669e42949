/*
 * The control API under /sim (no auth, no CSRF): drive the customer side of sessions,
 * read the request log, set faults, check health. Test scripts only; never a GWS route.
 */
#ifndef GWS_SIM_CONTROL_H
#define GWS_SIM_CONTROL_H

#include "http_reply.h"
#include "http_request.h"

void control_handle(struct request *rq, struct reply *out);

#endif
