/* Response header parsing, in plain C: csrc/transfer.c's curl header callback (status lines,
 * interim responses, CSRF headers, Set-Cookie, folded lines, NULs, limits) and the pairs it
 * keeps. (The Lua table built from them is fuzz_response's.) Input: 1 byte selecting
 * max_header, then the raw header block; it is cut after each LF, the way curl hands over
 * one header line per call. Built with csrc/headers.c (see scripts/fuzz.sh). */
#include "common.h"

#include "../csrc/transfer.c"

/* The stored block must be "name\0value\0" pairs, names lower-case tokens of the line they
 * came from, no Set-Cookie, no surrounding whitespace. */
static size_t check_pairs(const struct buffer *b)
{
    size_t pairs = 0, i = 0;
    while (i < b->len) {
        const char *name = b->data + i;
        const char *nend = memchr(name, '\0', b->len - i);
        FUZZ_ASSERT(nend != NULL);
        size_t nlen = (size_t)(nend - name);
        FUZZ_ASSERT(nlen > 0);
        for (size_t k = 0; k < nlen; k++)
            FUZZ_ASSERT(!(name[k] >= 'A' && name[k] <= 'Z') && name[k] != ':');
        FUZZ_ASSERT(!(nlen == 10 && memcmp(name, "set-cookie", 10) == 0));
        FUZZ_ASSERT(!is_space(name[0]) && !is_space(name[nlen - 1]));
        i += nlen + 1;
        FUZZ_ASSERT(i < b->len);
        const char *value = b->data + i;
        const char *vend = memchr(value, '\0', b->len - i);
        FUZZ_ASSERT(vend != NULL);
        size_t vlen = (size_t)(vend - value);
        if (vlen > 0)
            FUZZ_ASSERT(!is_space(value[0]) && !is_space(value[vlen - 1]));
        i += vlen + 1;
        pairs++;
    }
    FUZZ_ASSERT(i == b->len);
    return pairs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t limits[] = { 256 * 1024, 64, 300, 4096 };
    struct reader r = { data, size };
    struct transfer t;
    memset(&t, 0, sizeof t);
    t.max_header = limits[rd_byte(&r) % 4];
    t.max_body = 1024;

    size_t total = 0;
    while (r.left > 0) {
        const uint8_t *lf = memchr(r.p, '\n', r.left);
        size_t n = lf ? (size_t)(lf - r.p) + 1 : r.left;
        /* curl hands over a writable copy; so do we, sized exactly, so ASan sees overreads. */
        char *line = malloc(n ? n : 1);
        memcpy(line, r.p, n);
        size_t got = on_header(line, 1, n, &t);
        free(line);
        r.p += n;
        r.left -= n;
        if (got != n) {
            FUZZ_ASSERT(got == 0 && t.aborted == ABORT_HEADER);
            FUZZ_ASSERT(total + n > t.max_header);
            break;
        }
        total += n;
        FUZZ_ASSERT(t.header_bytes == total && total <= t.max_header);
    }
    size_t pairs = check_pairs(&t.headers);
    FUZZ_ASSERT(pairs == (size_t)t.header_count);

    free(t.headers.data);
    return 0;
}
