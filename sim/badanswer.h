/*
 * Hostile answers for the bad_answer fault: replies a resilient client must survive
 * (garbage JSON, truncated or reset bodies, huge bodies or headers, trickling bytes...).
 *
 * Two kinds of mode: "replacing" modes answer instead of the simulator (the request never
 * reaches the store, like an error page from a proxy); "mangling" modes let the request be
 * processed normally and then damage the real answer on its way out, so the client cannot
 * know whether its request took effect.
 */
#ifndef GWS_SIM_BADANSWER_H
#define GWS_SIM_BADANSWER_H

#include <stdbool.h>
#include <microhttpd.h>

#include "http_reply.h"

struct sim;

enum bad_mode {
    BAD_NONE = 0,
    BAD_MALFORMED_JSON,     /* replace: 200 application/json `{"statusCode":0,` */
    BAD_TRUNCATED,          /* mangle: Content-Length larger than the body, then close */
    BAD_HTML,               /* replace: 200 text/html error page */
    BAD_WRONG_CONTENT_TYPE, /* mangle: the real JSON served as text/plain */
    BAD_HUGE_BODY,          /* replace: 200 application/json, 50 MiB, streamed */
    BAD_HUGE_HEADER,        /* mangle: the real answer plus a 100 KiB X-Padding header */
    BAD_TRICKLE,            /* mangle: the real answer, one byte per second */
    BAD_RESET,              /* mangle: part of the real body, then the stream breaks */
    BAD_BAYEUX_NOT_ARRAY,   /* mangle, notifications only: an object instead of an array */
    BAD_UNKNOWN_FIELDS,     /* mangle, notifications only: extra fields in every message */
    BAD_REDIRECT,           /* replace: 302 to another host (a client must not follow it) */
};

/* BAD_NONE for an unknown name. */
enum bad_mode bad_mode_parse(const char *name);
const char *bad_mode_name(enum bad_mode mode);

/* True when the mode answers instead of the simulator (the request is not processed). */
bool bad_mode_replaces(enum bad_mode mode);

/* True when the mode can apply to a request for `path` (some are for notifications only). */
bool bad_mode_fits_path(enum bad_mode mode, const char *path);

/*
 * Queues the hostile answer. `real` is the simulator's own reply (for mangling modes); it is
 * consumed. Returns what the access handler should return.
 */
enum MHD_Result badanswer_queue(struct sim *sim, struct MHD_Connection *conn,
                                enum bad_mode mode, struct reply *real);

#endif
