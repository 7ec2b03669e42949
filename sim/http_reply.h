/*
 * A reply as the route handlers build it, before it becomes an MHD_Response. Keeping this
 * step separate lets faults and hostile answers (badanswer.c) rewrite or replace what a
 * route produced, and keeps MHD out of the routing code.
 */
#ifndef GWS_SIM_HTTP_REPLY_H
#define GWS_SIM_HTTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <microhttpd.h>

#define CT_JSON "application/json; charset=utf-8"
#define CT_TEXT "text/plain; charset=utf-8"
#define CT_HTML "text/html; charset=utf-8"

#define REPLY_MAX_HEADERS 8

struct reply {
    int status;               /* 0 until a handler fills the reply */
    const char *content_type; /* static string */
    json_t *json;             /* owned; serialised at send time unless `body` is set */
    char *body;               /* owned (malloc) text */
    size_t len;
    struct { char *name, *value; } headers[REPLY_MAX_HEADERS];
    int nheaders;
    bool failed;              /* an allocation failed on the way: send a bare 500 */
};

void reply_init(struct reply *r);
void reply_free(struct reply *r);

/* JSON reply; takes the reference. NULL json (allocation failure) marks the reply failed. */
void reply_json(struct reply *r, int status, json_t *json);
/*
 * JSON reply serialised right away; takes the reference. Used for values returned by the
 * store, which may share parts with the store's state: they must be written out while the
 * caller still holds the lock.
 */
void reply_json_now(struct reply *r, int status, json_t *json);
/* GWS error body {"statusCode":code,"statusMessage":msg}. */
void reply_gws_error(struct reply *r, int status, int code, const char *msg);
/* Control API error body {"error":msg}. */
void reply_ctl_error(struct reply *r, int status, const char *msg);
void reply_text(struct reply *r, int status, const char *content_type, const char *text);
/* Adds a response header (copied). */
void reply_header(struct reply *r, const char *name, const char *value);

/* Makes sure `body` holds the serialised reply. 0 ok, -1 (reply marked failed). */
int reply_serialize(struct reply *r);

/* Adds the reply's headers and Content-Type to an MHD response. 0 ok, -1 error. */
int reply_add_headers(const struct reply *r, struct MHD_Response *resp);

/* Sends the reply as it is. Consumes the body. */
enum MHD_Result reply_queue(struct MHD_Connection *conn, struct reply *r);

#endif
