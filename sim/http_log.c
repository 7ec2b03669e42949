/* The request log: a ring of immutable JSON entries. */
#include "http_log.h"

#include <stdlib.h>
#include <string.h>

struct reqlog {
    json_t **ring;
    size_t cap, head, n;        /* entries live at ring[(head + i) % cap], i < n */
    long long next_seq;
};

struct reqlog *reqlog_new(size_t max_entries)
{
    struct reqlog *log = calloc(1, sizeof *log);
    if (!log)
        return NULL;
    log->ring = calloc(max_entries, sizeof *log->ring);
    if (!log->ring) {
        free(log);
        return NULL;
    }
    log->cap = max_entries;
    log->next_seq = 1;
    return log;
}

void reqlog_clear(struct reqlog *log)
{
    for (size_t i = 0; i < log->n; i++)
        json_decref(log->ring[(log->head + i) % log->cap]);
    log->head = log->n = 0;
}

void reqlog_free(struct reqlog *log)
{
    if (!log)
        return;
    reqlog_clear(log);
    free(log->ring);
    free(log);
}

/* Length of the valid UTF-8 sequence at p (at most `avail` bytes), or 0 if invalid/cut. */
static size_t utf8_seq_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;     /* allowed range of the second byte */
    if (c < 0x80)
        return 1;
    else if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;           /* overlong */
        if (c == 0xED) hi = 0x9F;           /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;           /* overlong */
        if (c == 0xF4) hi = 0x8F;           /* beyond U+10FFFF */
    } else
        return 0;
    if (avail < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

char *utf8_sanitize(const char *in, size_t len, size_t max, size_t *out_len)
{
    size_t limit = len < max ? len : max;
    char *out = malloc(limit * 3 + 1);      /* worst case: every byte becomes U+FFFD */
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0;
    while (i < limit) {
        size_t n = utf8_seq_len(p + i, len - i);
        if (n > 0 && i + n > limit)
            break;                          /* a character cut by the limit */
        if (n == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, p + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

void reqlog_add(struct reqlog *log, const char *method, const char *path, const char *query,
                const char *user, const char *body, size_t len)
{
    long long seq = log->next_seq++;
    size_t text_len = 0;
    char *text = utf8_sanitize(body ? body : "", body ? len : 0, REQLOG_MAX_BODY, &text_len);
    size_t path_len = 0;
    char *path_text = utf8_sanitize(path, strlen(path), strlen(path), &path_len);
    /* The method too: MHD passes on any bytes there, and jansson refuses non-UTF-8, which
     * would silently drop the entry of the very request a test wants to see. */
    size_t method_len = 0;
    char *method_text = utf8_sanitize(method, strlen(method), strlen(method), &method_len);
    json_t *e = NULL;
    if (text && path_text && method_text)
        e = json_pack("{s:I,s:s%,s:s%,s:s?,s:s%}", "seq", (json_int_t)seq, "method",
                      method_text, method_len, "path", path_text, path_len, "user", user,
                      "body", text, text_len);
    if (e && query && *query) {
        size_t q_len = 0;
        char *q = utf8_sanitize(query, strlen(query), strlen(query), &q_len);
        if (!q || json_object_set_new(e, "query", json_stringn(q, q_len)) != 0) {
            json_decref(e);
            e = NULL;
        }
        free(q);
    }
    free(text);
    free(path_text);
    free(method_text);
    if (!e)
        return;                             /* out of memory: the entry is lost, not the run */
    if (log->n == log->cap) {
        json_decref(log->ring[log->head]);
        log->head = (log->head + 1) % log->cap;
        log->n--;
    }
    log->ring[(log->head + log->n) % log->cap] = e;
    log->n++;
}

json_t *reqlog_since(const struct reqlog *log, long long since)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (size_t i = 0; i < log->n; i++) {
        json_t *e = log->ring[(log->head + i) % log->cap];
        if (json_integer_value(json_object_get(e, "seq")) > since &&
            json_array_append(arr, e) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return json_pack("{s:o}", "requests", arr);
}
