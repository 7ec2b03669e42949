/*
 * The store's small shared helpers: growable arrays, the wall clock, ids and answer bodies.
 * The bottom of the store's files: everything else in sim/store*.c may use it.
 */
#define _GNU_SOURCE     /* vasprintf */
#include "store_base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
