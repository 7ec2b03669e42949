/*
 * The customer console: a small web page gws-sim serves at /sim/ui/ (and a link to it at /).
 * The page (the files in sim/ui/, embedded in the binary by ui_assets.c) plays customers through the
 * control API and reads everything it shows from GET /sim/ui/state, polled twice a second.
 */
#ifndef GWS_SIM_UI_H
#define GWS_SIM_UI_H

#include "http_reply.h"
#include "http_request.h"

/* Answers "/" (a link to the console), "/sim/ui" and everything under "/sim/ui/"; http.c
 * routes those paths here. */
void ui_handle(struct request *rq, struct reply *out);

#endif
