/* gws-sim --verbose: the traffic log (see traffic.h for what it prints and never prints). */
#include "traffic.h"
#include "bayeux_clients.h"
#include "sim.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define LINE_MAX_LEN 1024

/* Query parameter names whose values are never printed (case-insensitive substrings). */
static const char *const SECRET_NAMES[] = { "pass", "token", "secret", "auth", "key",
                                            "session", "cookie", "csrf", "client", NULL };

static bool looks_secret(const char *name, size_t len)
{
    char lower[64];
    if (len >= sizeof lower)
        return true;            /* an odd name: safer not to show its value */
    for (size_t i = 0; i < len; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    lower[len] = '\0';
    for (int i = 0; SECRET_NAMES[i]; i++)
        if (strstr(lower, SECRET_NAMES[i]))
            return true;
    return false;
}

/* Appends `s` (n bytes) to out, printable ASCII only: a log line stays one line. */
static size_t put(char *out, size_t size, size_t at, const char *s, size_t n)
{
    for (size_t i = 0; i < n && at + 1 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        out[at++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[at < size ? at : size - 1] = '\0';
    return at;
}

/* Copies a query string into out[size], each name=value whose name looks secret as name=***. */
static void redact_query(const char *in, char *out, size_t size)
{
    size_t at = 0;
    out[0] = '\0';
    while (in && *in) {
        size_t n = strcspn(in, "&");
        const char *eq = memchr(in, '=', n);
        if (eq && looks_secret(in, (size_t)(eq - in))) {
            at = put(out, size, at, in, (size_t)(eq - in) + 1);
            at = put(out, size, at, "***", 3);
        } else {
            at = put(out, size, at, in, n);
        }
        in += n;
        if (*in == '&') {
            at = put(out, size, at, "&", 1);
            in++;
        }
    }
}

static size_t put_str(char *out, size_t size, size_t at, const char *s)
{
    return s ? put(out, size, at, s, strlen(s)) : at;
}

static size_t put_time(char *out, size_t size, size_t at)
{
    struct timeval tv;
    struct tm tm;
    char stamp[32];
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    snprintf(stamp + n, sizeof stamp - n, ".%03ld ", (long)(tv.tv_usec / 1000));
    return put_str(out, size, at, stamp);
}

/* The session id in an API or control path (…/smssessions/ID… or /sim/sessions/ID…). */
static const char *session_in_path(const char *path, size_t *len)
{
    static const char *const marks[] = { "/smssessions/", "/sim/sessions/", NULL };
    for (int i = 0; marks[i]; i++) {
        const char *p = strstr(path, marks[i]);
        if (p) {
            p += strlen(marks[i]);
            *len = strcspn(p, "/?");
            return *len ? p : NULL;
        }
    }
    return NULL;
}

/* " op=X" for an operation body, " bayeux=/meta/connect,…" for a Bayeux batch. */
static size_t put_body_summary(char *out, size_t size, size_t at, const struct request *rq)
{
    if (!rq->body || !rq->len)
        return at;
    json_t *v = json_loadb(rq->body, rq->len, 0, NULL);
    if (!v)
        return at;
    const char *op = json_string_value(json_object_get(v, "operationName"));
    if (op) {
        at = put_str(out, size, at, " op=");
        at = put_str(out, size, at, op);
    }
    json_t *batch = json_is_array(v) ? v : NULL, *one = NULL;
    if (!batch && json_object_get(v, "channel")) {
        one = json_array();
        json_array_append(one, v);
        batch = one;
    }
    size_t i;
    json_t *msg;
    json_array_foreach(batch, i, msg) {
        const char *ch = json_string_value(json_object_get(msg, "channel"));
        if (!ch)
            continue;
        at = put_str(out, size, at, i == 0 ? " bayeux=" : ",");
        at = put_str(out, size, at, ch);
    }
    json_decref(one);
    json_decref(v);
    return at;
}

static void emit(const char *line)
{
    /* One fprintf per line: stdio locks the stream, so lines from threads never interleave. */
    fprintf(stderr, "%s\n", line);
}

void traffic_request(const struct request *rq, int status)
{
    if (!rq->sim->cfg->verbose || !rq->method || !rq->path)
        return;
    /* The console polls twice a second: its own traffic would drown everything else. */
    if (strncmp(rq->path, "/sim/ui/", 8) == 0 && strcmp(rq->method, "GET") == 0)
        return;
    char line[LINE_MAX_LEN];
    size_t at = put_time(line, sizeof line, 0);
    at = put_str(line, sizeof line, at, "> ");
    at = put_str(line, sizeof line, at, rq->method);
    at = put_str(line, sizeof line, at, " ");
    at = put_str(line, sizeof line, at, rq->path);
    if (rq->query) {
        char q[512];
        redact_query(rq->query, q, sizeof q);
        at = put_str(line, sizeof line, at, "?");
        at = put_str(line, sizeof line, at, q);
    }
    char num[32];
    if (status > 0)
        snprintf(num, sizeof num, " %d", status);
    else
        snprintf(num, sizeof num, " dropped");
    at = put_str(line, sizeof line, at, num);
    if (rq->user) {
        at = put_str(line, sizeof line, at, " user=");
        at = put_str(line, sizeof line, at, rq->user);
    }
    at = put_body_summary(line, sizeof line, at, rq);
    size_t idlen = 0;
    const char *id = session_in_path(rq->path, &idlen);
    if (id) {
        at = put_str(line, sizeof line, at, " session=");
        at = put(line, sizeof line, at, id, idlen);
    }
    (void)at;
    emit(line);
}

void traffic_publish(void *ud, const char *user, const char *channel, json_t *data)
{
    struct sim *sim = ud;
    if (sim->cfg->verbose) {
        char line[LINE_MAX_LEN];
        size_t at = put_time(line, sizeof line, 0);
        at = put_str(line, sizeof line, at, "< notify ");
        at = put_str(line, sizeof line, at, user);
        at = put_str(line, sizeof line, at, " ");
        at = put_str(line, sizeof line, at, channel);
        at = put_str(line, sizeof line, at, " ");
        at = put_str(line, sizeof line, at, json_string_value(json_object_get(data, "notificationType")));
        const json_t *s = json_object_get(data, "smssession");
        const char *id = json_string_value(json_object_get(s, "id"));
        size_t idlen = id ? strlen(id) : 0;
        if (!id) {
            const char *uri = json_string_value(json_object_get(data, "smssessionUri"));
            const char *slash = uri ? strrchr(uri, '/') : NULL;
            id = slash ? slash + 1 : NULL;
            idlen = id ? strlen(id) : 0;
        }
        if (id) {
            at = put_str(line, sizeof line, at, " session=");
            at = put(line, sizeof line, at, id, idlen);
        }
        const char *state = json_string_value(json_object_get(s, "state"));
        if (state) {
            at = put_str(line, sizeof line, at, " state=");
            at = put_str(line, sizeof line, at, state);
        }
        const json_t *msgs = json_object_get(data, "messages");
        if (json_is_array(msgs)) {
            char n[48];
            snprintf(n, sizeof n, " messages=%zu", json_array_size(msgs));
            at = put_str(line, sizeof line, at, n);
        }
        (void)at;
        emit(line);
    }
    bayeux_store_publish(ud, user, channel, data);
}
