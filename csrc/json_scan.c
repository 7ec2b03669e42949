/* JSON strings and numbers (RFC 8259), plain C: see json_scan.h. Stricter than lua-cjson
 * where the RFC is (docs/internals.md, section 1, JSON). */
#define _GNU_SOURCE /* strtod_l */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"

#define EXACT_DOUBLE 9007199254740992.0 /* 2^53: integers up to here are exact as doubles */

unsigned char json_plain[256];
unsigned char json_space[256];
static locale_t c_locale;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init(void)
{
    for (int c = 0x20; c < 0x80; c++)
        json_plain[c] = c != '"' && c != '\\';
    json_space[' '] = json_space['\t'] = json_space['\n'] = json_space['\r'] = 1;
    /* Numbers are read with '.' whatever locale the host program set (os.setlocale). */
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

void json_scan_init(void)
{
    pthread_once(&init_once, init);
}

static const unsigned char *fault_at(struct json_fault *f, const unsigned char *at, const char *why)
{
    f->why = why;
    f->at = at;
    return NULL;
}

/* Length of the UTF-8 sequence at s (RFC 3629: no overlong forms, surrogates or code points
 * above U+10FFFF), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
    size_t left = (size_t)(end - s);
    unsigned char c = s[0];
    if (c >= 0xc2 && c <= 0xdf)
        return left >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (left < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
            return 0;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (left < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
            return 0;
        return 4;
    }
    return 0;
}

/* Four hex digits at s (the caller has checked they are there), or -1. */
static long hex4(const unsigned char *s)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i] | 0x20u;
        if (s[i] >= '0' && s[i] <= '9')
            v = v * 16 + (s[i] - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (c - 'a' + 10);
        else
            return -1;
    }
    return v;
}

/* The escape at q (its backslash): returns the byte after it, or NULL. */
static const unsigned char *scan_escape(const unsigned char *q, const unsigned char *end,
                                        struct json_fault *f)
{
    if (end - q < 2)
        return fault_at(f, end, "unterminated string");
    switch (q[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return q + 2;
    case 'u':
        break;
    default:
        return fault_at(f, q, "invalid escape in a string");
    }
    long cp = end - q >= 6 ? hex4(q + 2) : -1;
    if (cp < 0)
        return fault_at(f, q, "invalid \\u escape");
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return fault_at(f, q, "invalid \\u escape (a lone low surrogate)");
    if (cp < 0xd800 || cp > 0xdbff)
        return q + 6;
    long lo = end - q >= 12 && q[6] == '\\' && q[7] == 'u' ? hex4(q + 8) : -1;
    if (lo < 0xdc00 || lo > 0xdfff)
        return fault_at(f, q, "invalid \\u escape (a high surrogate without its pair)");
    return q + 12;
}

const unsigned char *json_scan_string(const unsigned char *s, const unsigned char *end,
                                      int *escaped, struct json_fault *fault)
{
    const unsigned char *q = s;
    *escaped = 0;
    for (;;) {
        q = json_scan_plain(q, end);
        if (q == end)
            return fault_at(fault, q, "unterminated string");
        unsigned char c = *q;
        if (c == '"')
            return q;
        if (c == '\\') {
            *escaped = 1;
            if ((q = scan_escape(q, end, fault)) == NULL)
                return NULL;
        } else if (c < 0x80) {
            return fault_at(fault, q, "control character in a string");
        } else {
            size_t n = utf8_seq(q, end);
            if (n == 0)
                return fault_at(fault, q, "invalid UTF-8 in a string");
            q += n;
        }
    }
}

static size_t put_utf8(unsigned char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (unsigned char)(0xf0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t json_unescape(const unsigned char *s, const unsigned char *close, unsigned char *out)
{
    unsigned char *o = out;
    while (s < close) {
        const unsigned char *b = memchr(s, '\\', (size_t)(close - s));
        size_t run = (size_t)((b ? b : close) - s);
        memcpy(o, s, run);
        o += run;
        s += run;
        if (b == NULL)
            break;
        unsigned char e = s[1];
        s += 2;
        switch (e) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned long cp = (unsigned long)hex4(s);
            s += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned long)hex4(s + 2) - 0xdc00);
                s += 6;
            }
            o += put_utf8(o, cp);
            break;
        }
        default: *o++ = e; break; /* '"', '\\', '/' */
        }
    }
    return (size_t)(o - out);
}

static int is_digit(const unsigned char *q, const unsigned char *end)
{
    return q < end && *q >= '0' && *q <= '9';
}

int json_scan_number(const unsigned char *s, const unsigned char *end, const unsigned char **stop,
                     int64_t *integer, double *real, struct json_fault *fault)
{
    const unsigned char *q = s;
    int neg = *q == '-';
    q += neg;
    if (!is_digit(q, end)) {
        fault_at(fault, s, "invalid number");
        return -1;
    }
    const unsigned char *digits = q;
    if (*q == '0')
        q++;
    else
        while (is_digit(q, end))
            q++;
    int simple = 1;
    if (q < end && *q == '.') {
        if (!is_digit(++q, end)) {
            fault_at(fault, s, "invalid number");
            return -1;
        }
        while (is_digit(q, end))
            q++;
        simple = 0;
    }
    if (q < end && (*q | 0x20) == 'e') {
        q++;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        if (!is_digit(q, end)) {
            fault_at(fault, s, "invalid number");
            return -1;
        }
        while (is_digit(q, end))
            q++;
        simple = 0;
    }
    *stop = q;
    /* Up to 15 digits without fraction or exponent: exact, read here. */
    if (simple && q - digits <= 15) {
        int64_t v = 0;
        for (const unsigned char *d = digits; d < q; d++)
            v = v * 10 + (*d - '0');
        *integer = neg ? -v : v;
        return 1;
    }
    /* Anything else through strtod, as lua-cjson read it, on a NUL-terminated copy. */
    size_t len = (size_t)(q - s);
    char local[64];
    char *text = len < sizeof local ? local : malloc(len + 1);
    if (text == NULL) {
        fault_at(fault, s, "not enough memory to read a number");
        return -1;
    }
    memcpy(text, s, len);
    text[len] = '\0';
    double d = c_locale ? strtod_l(text, NULL, c_locale) : strtod(text, NULL);
    if (text != local)
        free(text);
    if (d == floor(d) && fabs(d) <= EXACT_DOUBLE) {
        *integer = (int64_t)d;
        return 1;
    }
    *real = d;
    return 0;
}
