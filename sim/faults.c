/* Fault state: validation, merging, reporting and per-request consumption. */
#include "faults.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct faults {
    json_int_t drop_connections;
    json_int_t delay_ms;
    json_int_t discard_events;
    json_int_t lose_events;             /* Bayeux replies carrying events to break mid-body */
    int http_error_status;
    json_int_t http_error_count;
    int64_t stall_until;                /* monotonic ms, 0 = none */
    enum bad_mode bad_mode;
    json_int_t bad_count;
    char *bad_path;                     /* prefix, or NULL = every path */
    char *delay_path;                   /* delay_path: prefix of the paths to delay */
    json_int_t delay_path_ms, delay_path_count;
    struct {                            /* what has been applied since the last DELETE */
        json_int_t clients_forgotten, sessions_forgotten, dropped_connections,
            delayed_responses, discarded_events, http_errors, stalled_requests, bad_answers,
            path_delays, sessions_rotated, lost_event_replies;
    } applied;
};

#define MAX_DELAY_MS 600000             /* beyond any sane client timeout */
#define MAX_STALL_SECONDS 3600.0

struct faults *faults_new(void)
{
    return calloc(1, sizeof(struct faults));
}

void faults_clear(struct faults *f)
{
    free(f->bad_path);
    free(f->delay_path);
    memset(f, 0, sizeof *f);
}

void faults_free(struct faults *f)
{
    if (f) {
        faults_clear(f);
        free(f);
    }
}

/* A non-negative integer no larger than max, or -1. */
static json_int_t count_value(const json_t *v, json_int_t max)
{
    if (!json_is_integer(v))
        return -1;
    json_int_t n = json_integer_value(v);
    return n >= 0 && n <= max ? n : -1;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)
#define MAX_COUNT ((json_int_t)1 << 40)

/* Checks every key without changing anything, so a bad POST is all-or-nothing. */
static int validate(const json_t *body, char *err, size_t errlen)
{
    const char *key;
    const json_t *v;
    if (!json_is_object(body))
        FAIL("body must be a JSON object");
    json_object_foreach((json_t *)body, key, v) {
        if (!strcmp(key, "forget_clients") || !strcmp(key, "forget_http_sessions") ||
            !strcmp(key, "rotate_http_session")) {
            if (!json_is_boolean(v))
                FAIL("%s must be a boolean", key);
        } else if (!strcmp(key, "drop_connections") || !strcmp(key, "discard_events") ||
                   !strcmp(key, "lose_events")) {
            if (count_value(v, MAX_COUNT) < 0)
                FAIL("%s must be a non-negative integer", key);
        } else if (!strcmp(key, "delay_ms")) {
            if (count_value(v, MAX_DELAY_MS) < 0)
                FAIL("delay_ms must be an integer from 0 to %d", MAX_DELAY_MS);
        } else if (!strcmp(key, "stall_seconds")) {
            if (!json_is_number(v) || json_number_value(v) < 0 ||
                json_number_value(v) > MAX_STALL_SECONDS)
                FAIL("stall_seconds must be a number from 0 to %g", MAX_STALL_SECONDS);
        } else if (!strcmp(key, "http_error")) {
            json_t *st = json_object_get(v, "status"), *n = json_object_get(v, "count");
            if (!json_is_object(v) || !json_is_integer(st) || json_integer_value(st) < 400 ||
                json_integer_value(st) > 599 || (n && count_value(n, MAX_COUNT) < 0))
                FAIL("http_error must be {\"status\": 400-599, \"count\": N}");
        } else if (!strcmp(key, "bad_answer")) {
            json_t *m = json_object_get(v, "mode"), *n = json_object_get(v, "count"),
                   *p = json_object_get(v, "path");
            if (!json_is_object(v) || !json_is_string(m))
                FAIL("bad_answer must be {\"mode\": M, \"count\": N, \"path\"?: P}");
            if (bad_mode_parse(json_string_value(m)) == BAD_NONE)
                FAIL("bad_answer: unknown mode '%s'", json_string_value(m));
            if ((n && count_value(n, MAX_COUNT) < 0) || (p && !json_is_string(p)))
                FAIL("bad_answer: count must be a non-negative integer, path a string");
        } else if (!strcmp(key, "delay_path")) {
            json_t *p = json_object_get(v, "path"), *ms = json_object_get(v, "ms"),
                   *n = json_object_get(v, "count");
            if (!json_is_object(v) || !json_is_string(p) || json_string_value(p)[0] != '/' ||
                count_value(ms, MAX_DELAY_MS) < 0 || (n && count_value(n, MAX_COUNT) < 0))
                FAIL("delay_path must be {\"path\": \"/api/v2/...\", \"ms\": 0-%d, "
                     "\"count\"?: N}", MAX_DELAY_MS);
        } else {
            FAIL("unknown fault '%s'", key);
        }
    }
    return 0;
}

int faults_apply(struct faults *f, const json_t *body, struct faults_forget *forget,
                 char *err, size_t errlen)
{
    if (validate(body, err, errlen) != 0)
        return -1;
    json_t *v;
    /* The only allocations come first, so a failure leaves the state untouched. */
    char *path = NULL, *dpath = NULL;
    json_t *ba = json_object_get(body, "bad_answer"), *dp = json_object_get(body, "delay_path");
    if ((ba && json_object_get(ba, "path") &&
         !(path = strdup(json_string_value(json_object_get(ba, "path"))))) ||
        (dp && !(dpath = strdup(json_string_value(json_object_get(dp, "path")))))) {
        free(path);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    forget->clients = json_is_true(json_object_get(body, "forget_clients"));
    forget->http_sessions = json_is_true(json_object_get(body, "forget_http_sessions"));
    forget->rotate_sessions = json_is_true(json_object_get(body, "rotate_http_session"));
    if ((v = json_object_get(body, "drop_connections")))
        f->drop_connections = json_integer_value(v);
    if ((v = json_object_get(body, "discard_events")))
        f->discard_events = json_integer_value(v);
    if ((v = json_object_get(body, "lose_events")))
        f->lose_events = json_integer_value(v);
    if ((v = json_object_get(body, "delay_ms")))
        f->delay_ms = json_integer_value(v);
    if ((v = json_object_get(body, "stall_seconds"))) {
        double s = json_number_value(v);
        f->stall_until = s > 0 ? sim_now_ms() + (int64_t)(s * 1000.0 + 0.5) : 0;
    }
    if ((v = json_object_get(body, "http_error"))) {
        json_t *n = json_object_get(v, "count");
        f->http_error_status = (int)json_integer_value(json_object_get(v, "status"));
        f->http_error_count = n ? json_integer_value(n) : 1;
    }
    if (ba) {
        json_t *n = json_object_get(ba, "count");
        f->bad_mode = bad_mode_parse(json_string_value(json_object_get(ba, "mode")));
        f->bad_count = n ? json_integer_value(n) : 1;
        free(f->bad_path);
        f->bad_path = path;
    }
    if (dp) {
        json_t *n = json_object_get(dp, "count");
        free(f->delay_path);
        f->delay_path = dpath;
        f->delay_path_ms = json_integer_value(json_object_get(dp, "ms"));
        f->delay_path_count = n ? json_integer_value(n) : 1;
    }
    return 0;
}

void faults_count_rotated(struct faults *f, size_t http_sessions)
{
    f->applied.sessions_rotated += (json_int_t)http_sessions;
}

void faults_count_forgotten(struct faults *f, size_t clients, size_t http_sessions)
{
    f->applied.clients_forgotten += (json_int_t)clients;
    f->applied.sessions_forgotten += (json_int_t)http_sessions;
}

json_t *faults_to_json(const struct faults *f)
{
    int64_t now = sim_now_ms();
    double stall = f->stall_until > now ? (double)(f->stall_until - now) / 1000.0 : 0.0;
    return json_pack(
        "{s:I,s:I,s:I,s:I,s:f,s:{s:i,s:I},s:{s:s,s:I,s:s?},"
        "s:{s:s?,s:I,s:I},"
        "s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}}",
        "drop_connections", f->drop_connections, "delay_ms", f->delay_ms,
        "discard_events", f->discard_events, "lose_events", f->lose_events,
        "stall_seconds", stall,
        "http_error", "status", f->http_error_status, "count", f->http_error_count,
        "bad_answer", "mode", bad_mode_name(f->bad_mode), "count", f->bad_count,
        "path", f->bad_path,
        "delay_path", "path", f->delay_path, "ms", f->delay_path_ms,
        "count", f->delay_path_count,
        "applied", "clients_forgotten", f->applied.clients_forgotten,
        "sessions_forgotten", f->applied.sessions_forgotten,
        "dropped_connections", f->applied.dropped_connections,
        "delayed_responses", f->applied.delayed_responses,
        "discarded_events", f->applied.discarded_events,
        "http_errors", f->applied.http_errors,
        "stalled_requests", f->applied.stalled_requests,
        "bad_answers", f->applied.bad_answers,
        "path_delays", f->applied.path_delays,
        "sessions_rotated", f->applied.sessions_rotated,
        "lost_event_replies", f->applied.lost_event_replies);
}

int64_t faults_stall_until(const struct faults *f)
{
    return f->stall_until;
}

void faults_count_stall(struct faults *f)
{
    f->applied.stalled_requests++;
}

bool faults_take_drop(struct faults *f)
{
    if (f->drop_connections <= 0)
        return false;
    f->drop_connections--;
    f->applied.dropped_connections++;
    return true;
}

int faults_take_http_error(struct faults *f)
{
    if (f->http_error_count <= 0)
        return 0;
    f->http_error_count--;
    f->applied.http_errors++;
    return f->http_error_status;
}

enum bad_mode faults_take_bad_answer(struct faults *f, const char *path)
{
    if (f->bad_count <= 0 || !bad_mode_fits_path(f->bad_mode, path))
        return BAD_NONE;
    if (f->bad_path && strncmp(path, f->bad_path, strlen(f->bad_path)) != 0)
        return BAD_NONE;
    f->bad_count--;
    f->applied.bad_answers++;
    return f->bad_mode;
}

bool faults_take_lose_events(struct faults *f)
{
    if (f->lose_events <= 0)
        return false;
    f->lose_events--;
    f->applied.lost_event_replies++;
    return true;
}

long faults_take_delay(struct faults *f)
{
    if (f->delay_ms <= 0)
        return 0;
    f->applied.delayed_responses++;
    return (long)f->delay_ms;
}

long faults_take_path_delay(struct faults *f, const char *path)
{
    if (f->delay_path_count <= 0 || !f->delay_path ||
        strncmp(path, f->delay_path, strlen(f->delay_path)) != 0)
        return 0;
    f->delay_path_count--;
    f->applied.path_delays++;
    return (long)f->delay_path_ms;
}

bool faults_take_discard(struct faults *f)
{
    if (f->discard_events <= 0)
        return false;
    f->discard_events--;
    f->applied.discarded_events++;
    return true;
}
