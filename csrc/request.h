/* What submit() accepts: the request table, checked in full before anything is sent. */
#ifndef GWS_REQUEST_H
#define GWS_REQUEST_H

#include <stddef.h>
#include <curl/curl.h>
#include <lua.h>

#include "headers.h"

/* Metatable name of a prepared header list (eng:headers{...}, engine_lua.c). */
#define HEADERS_MT "gws.core.headers"

struct request {
    const char *method;     /* "GET", "POST", "PUT" or "DELETE" */
    const char *url;
    const char *body;       /* NULL when the request has none */
    size_t body_len;
    double timeout;         /* seconds, > 0 and finite */
    int headers;            /* stack index of the headers table or prepared list, 0: none */
    struct header_list *prepared; /* set when `headers` is a prepared list (eng:headers) */
};

/* Validates the table at `idx` and fills `req`; raises with the offending field's name.
 * Strings in `req` stay valid while the table stays on the stack. */
void request_check(lua_State *L, int idx, struct request *req);

/* Checks a table of header name -> value at `idx` (token names, values without CR, LF or
 * NUL); raises naming the field "headers". */
void request_check_header_table(lua_State *L, int idx);

#endif
