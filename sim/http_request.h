/*
 * One HTTP request as the handlers see it: method, path, raw query, accumulated body and
 * the authenticated user. Lives from the URI log callback to MHD's completion callback.
 */
#ifndef GWS_SIM_HTTP_REQUEST_H
#define GWS_SIM_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <microhttpd.h>

struct sim;

#define MAX_BODY (8u << 20)         /* larger request bodies get HTTP 413 */
#define MAX_SEGMENTS 16

struct request {
    struct sim *sim;
    struct MHD_Connection *conn;
    char *raw_uri;                  /* as sent (path?query), or NULL */
    const char *query;              /* inside raw_uri, after '?'; NULL if none */
    const char *method;             /* owned by MHD, valid for the whole request */
    const char *path;               /* owned by MHD, percent-decoded */
    char *body;
    size_t len, cap;
    bool too_large;
    bool started;                   /* the access handler has seen this request */
    char *user;                     /* authenticated /api/v2 user, else NULL */
};

/* A path cut at '/': "/api/v2/me" -> {"api","v2","me"}. A trailing slash is ignored. */
struct path_segments {
    char *buf;
    const char *seg[MAX_SEGMENTS];
    int n;                          /* -1 when the path has too many segments */
};

struct request *request_new(struct sim *sim, const char *raw_uri);
void request_free(struct request *rq);

/* Appends upload data, remembering (not storing) anything past MAX_BODY. 0 ok, -1 no memory. */
int request_append(struct request *rq, const char *data, size_t len);

/* The body parsed as JSON, or NULL with a message in *err. An empty body is `empty`. */
json_t *request_json(const struct request *rq, const char *empty, char *err, size_t errlen);

/* A query argument, or NULL. */
const char *request_arg(const struct request *rq, const char *name);
/* A request header, or NULL. */
const char *request_header(const struct request *rq, const char *name);
/* A cookie the request carries, or NULL. */
const char *request_cookie(const struct request *rq, const char *name);

int path_split(struct path_segments *ps, const char *path);
void path_free(struct path_segments *ps);
/* True when segment i exists and equals s. */
bool path_is(const struct path_segments *ps, int i, const char *s);

/*
 * True when the client has closed its end (a held long poll then should not take events it
 * can never receive). Never blocks.
 */
bool request_peer_closed(const struct request *rq);

/* Parses a whole decimal long; 0 ok, -1 not a number. */
int parse_long(const char *s, long *out);

#endif
