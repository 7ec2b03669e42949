/*
 * The store's lifecycle, users and their contact-center state (GET/POST /me, channels),
 * and the small shared helpers: ids, referenceIds, clocks and answer bodies.
 */
#define _GNU_SOURCE     /* asprintf, vasprintf */
#include "store_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- helpers */

/* Makes room for `need` elements in a growable array (doubling, so appends are O(1)). */
int st_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    void *p = realloc(*arr, n * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = n;
    return 0;
}

long long st_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64*: ids only need to look random, not be unguessable. */
static uint64_t next_random(sim_store *s)
{
    uint64_t x = s->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* The counter half makes ids unique (it is saved with the state); the random half only
 * keeps ids of different simulator runs apart, as real ids would be. */
static void make_id(sim_store *s, char out[ID_LEN + 1], const char *digits, unsigned base)
{
    unsigned long long n = ++s->next_id;
    uint64_t r = next_random(s);
    for (int i = ID_LEN / 2 - 1; i >= 0; i--) {
        out[i] = digits[n % base];
        n /= base;
    }
    for (int i = ID_LEN / 2; i < ID_LEN; i++) {
        out[i] = digits[r % base];
        r /= base;
    }
    out[ID_LEN] = '\0';
}

void st_new_session_id(sim_store *s, char out[ID_LEN + 1])
{
    make_id(s, out, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 36);
}

void st_new_participant_id(sim_store *s, char out[ID_LEN + 1])
{
    make_id(s, out, "0123456789ABCDEF", 16);
}

static char *vformat(const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        return NULL;
    return msg;
}

json_t *st_status(int *http, int code, const char *fmt, ...)
{
    *http = 200;
    if (!fmt)
        return json_pack("{s:i}", "statusCode", code);
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    if (!msg)
        return NULL;
    json_t *r = json_pack("{s:i,s:s}", "statusCode", code, "statusMessage", msg);
    free(msg);
    return r;
}

json_t *st_ctl_error(int *http, int status, const char *fmt, ...)
{
    *http = status;
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    if (!msg)
        return NULL;
    json_t *r = json_pack("{s:s}", "error", msg);
    free(msg);
    return r;
}

/* ---------------------------------------------------------------- lifecycle */

sim_store *store_new(sim_publish_fn publish, void *ud, const char *base_url)
{
    sim_store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->publish = publish;
    s->ud = ud;
    s->base_url = strdup(base_url ? base_url : "");
    if (!s->base_url) {
        free(s);
        return NULL;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->rng = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid()
             ^ (uint64_t)(uintptr_t)s;
    if (!s->rng)
        s->rng = 0x9E3779B97F4A7C15ULL;     /* xorshift must not start at 0 */
    return s;
}

static void agent_free(struct agent *a)
{
    if (!a)
        return;
    if (a->password) {
        /* a freed password should not linger in the heap */
        volatile char *p = a->password;
        while (*p)
            *p++ = 0;
    }
    free(a->password);
    free(a->name);
    free(a);
}

/* Frees users and sessions, leaving an empty but valid store (store_load reuses this). */
void st_store_clear(sim_store *s)
{
    for (size_t i = 0; i < s->nagents; i++)
        agent_free(s->agents[i]);
    for (size_t i = 0; i < s->nsessions; i++)
        st_session_free(s->sessions[i]);
    free(s->agents);
    free(s->sessions);
    s->agents = NULL;
    s->sessions = NULL;
    s->nagents = s->cap_agents = s->nsessions = s->cap_sessions = 0;
    s->rr = 0;
}

void store_free(sim_store *s)
{
    if (!s)
        return;
    st_store_clear(s);
    free(s->base_url);
    free(s);
}

/* ---------------------------------------------------------------- users */

struct agent *st_agent(const sim_store *s, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < s->nagents; i++)
        if (strcmp(s->agents[i]->name, name) == 0)
            return s->agents[i];
    return NULL;
}

int store_add_user(sim_store *s, const char *name, const char *password)
{
    /* The name is also the last segment of the user's uri and path. */
    if (!name || !*name || strchr(name, '/') || !password || st_agent(s, name))
        return -1;
    if (st_grow((void **)&s->agents, &s->cap_agents, s->nagents + 1, sizeof *s->agents))
        return -1;
    struct agent *a = calloc(1, sizeof *a);
    if (!a)
        return -1;
    a->name = strdup(name);
    a->password = strdup(password);
    if (!a->name || !a->password) {
        agent_free(a);
        return -1;
    }
    s->agents[s->nagents++] = a;
    return 0;
}

/* Runs over the longer of the two strings whatever they hold, so the time taken does not
 * tell how much of a guessed password was right. */
static int const_time_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t n = la > lb ? la : lb;
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < n; i++) {
        unsigned char x = i < la ? (unsigned char)a[i] : 0;
        unsigned char y = i < lb ? (unsigned char)b[i] : 0;
        diff |= x ^ y;
    }
    return diff == 0;
}

int store_has_user(const sim_store *s, const char *name)
{
    return st_agent(s, name) != NULL;
}

int store_check_password(const sim_store *s, const char *name, const char *password)
{
    const struct agent *a = st_agent(s, name);
    if (!a || !password)
        return 0;
    return const_time_equal(a->password, password);
}

/* ---------------------------------------------------------------- /me */

json_t *store_get_me(sim_store *s, const char *user, int *http_status)
{
    const struct agent *a = st_agent(s, user);
    if (!a)
        return st_status(http_status, 6, "User %s not found", user ? user : "");
    *http_status = 200;
    return json_pack("{s:i,s:{s:s,s:s,s:s,s:s,s:[s],s:s++,s:s+}}", "statusCode", 0, "user",
                     "id", a->name, "userName", a->name, "firstName", a->name,
                     "lastName", "Sim", "roles", "ROLE_AGENT",
                     "uri", s->base_url, "/api/v2/users/", a->name,
                     "path", "/users/", a->name);
}

/* Starts the channels named in `channels`; unknown ones are collected for statusCode 7. */
static json_t *start_cc_session(struct agent *a, const json_t *body, int *http)
{
    const json_t *channels = json_object_get(body, "channels");
    const json_t *place = json_object_get(body, "place");
    if (!channels)
        return st_status(http, 1, "Missing required parameter: channels");
    if (!json_is_array(channels))
        return st_status(http, 10, "Parameter channels must be an array of strings");
    size_t i;
    const json_t *ch;
    json_array_foreach(channels, i, ch) {
        if (!json_is_string(ch))
            return st_status(http, 10, "Parameter channels must be an array of strings");
    }
    if (json_array_size(channels) == 0)
        return st_status(http, 1, "Parameter channels must name at least one channel");
    if (place && !json_is_string(place))
        return st_status(http, 10, "Parameter place must be a string");

    a->cc_started = true;
    char *bad = NULL;
    json_array_foreach(channels, i, ch) {
        const char *name = json_string_value(ch);
        if (strcmp(name, "sms") == 0) {
            a->sms_started = true;
            a->sms_ready = false;
            continue;
        }
        char *more = NULL;
        if (asprintf(&more, "%s%s%s", bad ? bad : "", bad ? ", " : "", name) < 0)
            more = NULL;
        free(bad);
        bad = more;
        if (!bad)
            return NULL;
    }
    if (!bad)
        return st_status(http, 0, NULL);
    json_t *r = st_status(http, 7, "Channel(s) not supported: %s", bad);
    free(bad);
    return r;
}

json_t *store_post_me(sim_store *s, const char *user, const json_t *body, int *http_status)
{
    struct agent *a = st_agent(s, user);
    if (!a)
        return st_status(http_status, 6, "User %s not found", user ? user : "");
    const char *op = json_string_value(json_object_get(body, "operationName"));
    if (!op)
        return st_status(http_status, 1, "Missing required parameter: operationName");
    if (strcmp(op, "StartContactCenterSession") == 0)
        return start_cc_session(a, body, http_status);
    if (strcmp(op, "EndContactCenterSession") == 0) {
        a->cc_started = a->sms_started = a->sms_ready = false;
        return st_status(http_status, 0, NULL);
    }
    return st_status(http_status, 10, "Unknown operationName %s", op);
}

/* ---------------------------------------------------------------- channels */

json_t *store_get_channels(sim_store *s, const char *user, int *http_status)
{
    const struct agent *a = st_agent(s, user);
    if (!a)
        return st_status(http_status, 6, "User %s not found", user ? user : "");
    const char *st = a->sms_ready ? "Ready" : "NotReady";
    *http_status = 200;
    return json_pack("{s:i,s:[{s:s,s:{s:s,s:s}}]}", "statusCode", 0, "channels",
                     "channel", "sms", "userState", "state", st, "displayName", st);
}

json_t *store_post_channel(sim_store *s, const char *user, const char *channel,
                           const json_t *body, int *http_status)
{
    struct agent *a = st_agent(s, user);
    if (!a)
        return st_status(http_status, 6, "User %s not found", user ? user : "");
    if (!a->cc_started)
        return st_status(http_status, 2, "No contact center session is started");
    if (!channel || strcmp(channel, "sms") != 0 || !a->sms_started)
        return st_status(http_status, 6, "Channel %s is not started", channel ? channel : "");
    const json_t *opv = json_object_get(body, "operationName");
    if (!opv)
        return st_status(http_status, 1, "Missing required parameter: operationName");
    const char *op = json_string_value(opv);
    if (op && strcmp(op, "Ready") == 0) {
        a->sms_ready = true;
        /* Being Ready is what pulls queued sessions to an agent. */
        st_agent_ready(s, a);
        return st_status(http_status, 0, NULL);
    }
    if (op && strcmp(op, "NotReady") == 0) {
        a->sms_ready = false;
        return st_status(http_status, 0, NULL);
    }
    return st_status(http_status, 10, "Unknown operationName %s", op ? op : "(not a string)");
}
