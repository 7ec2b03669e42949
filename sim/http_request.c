/* Request bodies, query arguments and path segments. */
#include "http_request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct request *request_new(struct sim *sim, const char *raw_uri)
{
    struct request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->sim = sim;
    if (raw_uri) {
        /* Without a copy of the raw URI the request still works; only the log loses it. */
        rq->raw_uri = strdup(raw_uri);
        char *q = rq->raw_uri ? strchr(rq->raw_uri, '?') : NULL;
        if (q)
            rq->query = q + 1;
    }
    return rq;
}

void request_free(struct request *rq)
{
    if (!rq)
        return;
    free(rq->raw_uri);
    free(rq->body);
    free(rq->user);
    free(rq);
}

int request_append(struct request *rq, const char *data, size_t len)
{
    if (rq->too_large || len > MAX_BODY - rq->len) {
        rq->too_large = true;
        return 0;
    }
    if (rq->len + len + 1 > rq->cap) {
        size_t cap = rq->cap ? rq->cap : 1024;
        while (cap < rq->len + len + 1)
            cap *= 2;
        char *body = realloc(rq->body, cap);
        if (!body)
            return -1;
        rq->body = body;
        rq->cap = cap;
    }
    memcpy(rq->body + rq->len, data, len);
    rq->len += len;
    rq->body[rq->len] = '\0';
    return 0;
}

json_t *request_json(const struct request *rq, const char *empty, char *err, size_t errlen)
{
    json_error_t e;
    json_t *v;
    if (rq->len == 0 && empty)
        v = json_loads(empty, 0, &e);
    else
        v = json_loadb(rq->body ? rq->body : "", rq->len, 0, &e);
    if (!v)
        snprintf(err, errlen, "%s", e.text);
    return v;
}

const char *request_arg(const struct request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *request_header(const struct request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *request_cookie(const struct request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

int path_split(struct path_segments *ps, const char *path)
{
    ps->n = 0;
    ps->buf = strdup(path);
    if (!ps->buf)
        return -1;
    char *save = NULL;
    for (char *s = strtok_r(ps->buf, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
        if (ps->n == MAX_SEGMENTS) {
            ps->n = -1;
            break;
        }
        ps->seg[ps->n++] = s;
    }
    return 0;
}

void path_free(struct path_segments *ps)
{
    free(ps->buf);
    ps->buf = NULL;
}

bool path_is(const struct path_segments *ps, int i, const char *s)
{
    return i < ps->n && strcmp(ps->seg[i], s) == 0;
}

bool request_peer_closed(const struct request *rq)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return false;
    char c;
    /* 0 = orderly close; EAGAIN = still open; data = a pipelined request, still open. */
    ssize_t n = recv(ci->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}
