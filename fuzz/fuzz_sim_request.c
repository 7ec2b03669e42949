/* The simulator's request intake: sim/http_request.c (raw URI and query split, body
 * accumulation from upload chunks, JSON parsing of the body, path segmentation, decimal
 * arguments) and sim/http_log.c (the request log: UTF-8 sanitising of path, query and body).
 * Input: 1 flag byte, the raw URI up to NUL, the method up to NUL, then the body, appended in
 * chunks as MHD would deliver it. Built with sim/http_request.c and sim/http_log.c. */
#include "common.h"

#include <errno.h>

#include "../sim/http_log.h"
#include "../sim/http_request.h"

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF); NUL allowed. */
static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        unsigned int cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        static const unsigned int min[] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

static void check_sanitize(const char *in, size_t len, size_t max)
{
    size_t out_len = 0;
    char *out = utf8_sanitize(in, len, max, &out_len);
    FUZZ_ASSERT(out != NULL);
    FUZZ_ASSERT(out[out_len] == '\0');
    FUZZ_ASSERT(out_len <= 3 * (len < max ? len : max));
    FUZZ_ASSERT(valid_utf8((const unsigned char *)out, out_len));
    /* Valid input within the limit comes back unchanged. */
    if (len <= max && valid_utf8((const unsigned char *)in, len))
        FUZZ_ASSERT(out_len == len && memcmp(out, in, len) == 0);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader r = { data, size };
    uint8_t flags = rd_byte(&r);
    size_t ulen, mlen;
    const char *u = rd_until(&r, 0, &ulen);
    const char *m = rd_until(&r, 0, &mlen);
    char *uri = strndup(u, ulen);
    char *method = strndup(m, mlen);
    FUZZ_ASSERT(uri && method);

    struct request *rq = request_new(NULL, uri);
    FUZZ_ASSERT(rq != NULL);
    const char *q = strchr(uri, '?');
    FUZZ_ASSERT(q ? rq->query && strcmp(rq->query, q + 1) == 0 : rq->query == NULL);
    /* MHD would give the path percent-decoded; the raw one is as good a string here. */
    char *path = strndup(uri, q ? (size_t)(q - uri) : ulen);
    rq->method = method;
    rq->path = path;

    /* Body: appended in chunks. */
    size_t chunk = (flags & 15) * 13 + 1;
    const char *body = (const char *)r.p;
    size_t blen = r.left;
    for (size_t off = 0; off < blen; off += chunk) {
        size_t n = blen - off < chunk ? blen - off : chunk;
        FUZZ_ASSERT(request_append(rq, body + off, n) == 0);
    }
    FUZZ_ASSERT(rq->len == blen && !rq->too_large);
    FUZZ_ASSERT(blen == 0 || (memcmp(rq->body, body, blen) == 0 && rq->body[blen] == '\0'));

    char err[200];
    json_t *v = request_json(rq, flags & 16 ? "{}" : NULL, err, sizeof err);
    if (v == NULL)
        FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
    json_decref(v);

    struct path_segments ps;
    FUZZ_ASSERT(path_split(&ps, path) == 0);
    FUZZ_ASSERT(ps.n >= -1 && ps.n <= MAX_SEGMENTS);
    for (int i = 0; i < ps.n; i++) {
        FUZZ_ASSERT(ps.seg[i][0] != '\0' && strchr(ps.seg[i], '/') == NULL);
        FUZZ_ASSERT(path_is(&ps, i, ps.seg[i]));
    }
    FUZZ_ASSERT(!path_is(&ps, ps.n < 0 ? 0 : ps.n, ""));
    path_free(&ps);

    long num;
    if (rq->query && parse_long(rq->query, &num) == 0) {
        char back[32];
        snprintf(back, sizeof back, "%ld", num);
        errno = 0;
        FUZZ_ASSERT(strtol(rq->query, NULL, 10) == num);
    }

    check_sanitize(body, blen, REQLOG_MAX_BODY);
    check_sanitize(body, blen, flags >> 5);
    check_sanitize(path, strlen(path), strlen(path));

    /* The request log must keep every entry, valid JSON all of it, the oldest dropped. */
    struct reqlog *log = reqlog_new(2);
    FUZZ_ASSERT(log != NULL);
    for (int i = 0; i < 3; i++)
        reqlog_add(log, method, path, rq->query, (flags & 32) ? "agent1" : NULL, rq->body,
                   rq->len);
    json_t *all = reqlog_since(log, 0);
    FUZZ_ASSERT(all != NULL);
    FUZZ_ASSERT(json_array_size(json_object_get(all, "requests")) == 2);
    char *dump = json_dumps(all, JSON_COMPACT);
    FUZZ_ASSERT(dump != NULL);
    free(dump);
    json_decref(all);
    reqlog_clear(log);
    reqlog_free(log);

    request_free(rq);
    free(path);
    free(method);
    free(uri);
    return 0;
}
