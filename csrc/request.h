/* What submit() accepts: the request table, checked in full before anything is sent. */
#ifndef GWS_REQUEST_H
#define GWS_REQUEST_H

#include <stddef.h>
#include <curl/curl.h>
#include <lua.h>

struct request {
    const char *method;     /* "GET", "POST", "PUT" or "DELETE" */
    const char *url;
    const char *body;       /* NULL when the request has none */
    size_t body_len;
    double timeout;         /* seconds, > 0 and finite */
    int headers;            /* stack index of the headers table, 0 when absent */
};

/* Validates the table at `idx` and fills `req`; raises with the offending field's name.
 * Strings in `req` stay valid while the table stays on the stack. */
void request_check(lua_State *L, int idx, struct request *req);

/* Builds the curl header list for a checked request. Never raises; NULL on out of memory. */
struct curl_slist *request_header_list(lua_State *L, const struct request *req);

#endif
