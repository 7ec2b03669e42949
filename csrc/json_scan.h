/* The lexical half of JSON (RFC 8259) for json.c: strings and numbers, read and checked in
 * plain C; json.c builds the Lua values from what these report. */
#ifndef GWS_JSON_SCAN_H
#define GWS_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Bytes a string may hold as they are: printable ASCII but '"' and '\'. And JSON whitespace.
 * Filled by json_scan_init. */
extern unsigned char json_plain[256];
extern unsigned char json_space[256];

/* Once per process before anything below (thread-safe, cheap after the first call). */
void json_scan_init(void);

/* The first byte from p on that is not plain (or end). Eight bytes at a time: `odd` flags
 * the bytes that are not plain (>= 0x80, < 0x20, a quote, a backslash); these bit tricks may
 * flag a plain byte only above a flagged one, so the lowest flag is the first byte that is
 * not plain. Byte by byte near the end. Inline: json.c calls it for every string. */
#define JSON_ONES 0x0101010101010101ull /* a byte's value times this: that byte in all 8 */
static inline const unsigned char *json_scan_plain(const unsigned char *p, const unsigned char *end)
{
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t quote = w ^ (JSON_ONES * '"'), bslash = w ^ (JSON_ONES * '\\');
        uint64_t odd = (w | ((w - JSON_ONES * 0x20) & ~w) | ((quote - JSON_ONES) & ~quote)
                        | ((bslash - JSON_ONES) & ~bslash)) & (JSON_ONES * 0x80);
        if (odd) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return p + (__builtin_ctzll(odd) >> 3);
#else
            while (json_plain[*p]) /* stops within the word: it holds a byte not plain */
                p++;
            return p;
#endif
        }
        p += 8;
    }
    while (p < end && json_plain[*p])
        p++;
    return p;
}

/* A problem found: what, and the offending byte. */
struct json_fault {
    const char *why;
    const unsigned char *at;
};

/* The string whose first byte (after its opening quote) is at s: returns its closing quote,
 * and whether it holds escapes; or NULL and the fault (not UTF-8, a raw control character, a
 * bad escape, an unpaired surrogate, no closing quote). */
const unsigned char *json_scan_string(const unsigned char *s, const unsigned char *end,
                                      int *escaped, struct json_fault *fault);

/* The bytes of a string json_scan_string accepted (s up to its closing quote), unescaped into
 * out, which must hold close - s bytes (an escape never makes more bytes than it takes).
 * Returns the length written. */
size_t json_unescape(const unsigned char *s, const unsigned char *close, unsigned char *out);

/* A number at s: 1 and *integer when it is integral and within 2^53 once read as a double
 * (as lua-cjson's float plus gws.core's normalisation made it), 0 and *real otherwise;
 * *stop is the byte after it. -1 when the grammar is broken (fault set). */
int json_scan_number(const unsigned char *s, const unsigned char *end, const unsigned char **stop,
                     int64_t *integer, double *real, struct json_fault *fault);

#endif
