/* HTTP sessions (JSESSIONID + CSRF token). A small array is plenty for a test simulator. */
#include "http_session.h"
#include "sim.h"

#include <stdlib.h>
#include <string.h>

/* Clients that never send their cookie back create a session per request: cap the table. */
#define MAX_SESSIONS 4096

struct http_sessions {
    struct http_session **items;
    size_t n, cap;
    long long idle_ms;
};

struct http_sessions *sessions_new(long long idle_ms)
{
    struct http_sessions *ss = calloc(1, sizeof(struct http_sessions));
    if (ss)
        ss->idle_ms = idle_ms;
    return ss;
}

static void session_free(struct http_session *s)
{
    if (s) {
        free(s->user);
        free(s);
    }
}

size_t sessions_forget_all(struct http_sessions *ss)
{
    size_t n = ss->n;
    for (size_t i = 0; i < ss->n; i++)
        session_free(ss->items[i]);
    ss->n = 0;
    return n;
}

void sessions_free(struct http_sessions *ss)
{
    if (!ss)
        return;
    sessions_forget_all(ss);
    free(ss->items);
    free(ss);
}

int sessions_token_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

static void remove_at(struct http_sessions *ss, size_t i)
{
    session_free(ss->items[i]);
    ss->items[i] = ss->items[--ss->n];
}

const struct http_session *sessions_find(struct http_sessions *ss, const char *cookie,
                                         const char *user, bool *rotated)
{
    *rotated = false;
    if (!cookie || strlen(cookie) != SESSION_ID_LEN)
        return NULL;
    for (size_t i = 0; i < ss->n; i++) {
        struct http_session *s = ss->items[i];
        if (strcmp(s->id, cookie) == 0) {
            long long now = sim_now_ms();
            if (ss->idle_ms > 0 && now - s->last_used > ss->idle_ms) {
                remove_at(ss, i);       /* expired while idle: as unknown as a forgotten one */
                return NULL;
            }
            if (strcmp(s->user, user) != 0)
                return NULL;
            if (s->rotate && sim_random_hex(s->id, SESSION_ID_LEN / 2) == 0) {
                s->rotate = false;
                *rotated = true;
            }
            s->last_used = now;
            return s;
        }
    }
    return NULL;
}

size_t sessions_rotate_all(struct http_sessions *ss)
{
    for (size_t i = 0; i < ss->n; i++)
        ss->items[i]->rotate = true;
    return ss->n;
}

const struct http_session *sessions_create(struct http_sessions *ss, const char *user)
{
    if (ss->n == MAX_SESSIONS) {
        size_t oldest = 0;
        for (size_t i = 1; i < ss->n; i++)
            if (ss->items[i]->last_used < ss->items[oldest]->last_used)
                oldest = i;
        remove_at(ss, oldest);
    }
    if (ss->n == ss->cap) {
        size_t cap = ss->cap ? ss->cap * 2 : 16;
        struct http_session **items = realloc(ss->items, cap * sizeof *items);
        if (!items)
            return NULL;
        ss->items = items;
        ss->cap = cap;
    }
    struct http_session *s = calloc(1, sizeof *s);
    if (!s || !(s->user = strdup(user)) ||
        sim_random_hex(s->id, SESSION_ID_LEN / 2) != 0 ||
        sim_random_hex(s->csrf, SESSION_ID_LEN / 2) != 0) {
        session_free(s);
        return NULL;
    }
    s->last_used = sim_now_ms();
    ss->items[ss->n++] = s;
    return s;
}

void sessions_drop(struct http_sessions *ss, const char *id)
{
    for (size_t i = 0; i < ss->n; i++)
        if (strcmp(ss->items[i]->id, id) == 0) {
            remove_at(ss, i);
            return;
        }
}
