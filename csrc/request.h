/* What the engine is asked to send: one checked request, in plain C. Filled in by
 * request_lua.c from a Lua table (or by a fuzz harness directly). */
#ifndef GWS_REQUEST_H
#define GWS_REQUEST_H

#include <stddef.h>

#include "headers.h"
#include "jar.h"

struct request {
    const char *method;     /* "GET", "POST", "PUT" or "DELETE" */
    const char *url;        /* http:// or https://, no space, control character or NUL */
    const char *body;       /* NULL when the request has none */
    size_t body_len;
    double timeout;         /* seconds, > 0 and finite */
    /* The lines to send, built with the engine's base lines (header_list_build); NULL: the
     * engine's base lines alone. Borrowed: a transfer takes a reference of its own. */
    struct header_list *headers;
    /* The cookie jar to send from and store into; NULL: the engine's own. Borrowed, like
     * headers. */
    struct jar *jar;
    /* The request's keep_body = false: a result whose JSON was decoded carries no `body`
     * string (it would be one more long string per answer for the collector). 0: kept. */
    int drop_body;
};

#endif
