/* Bounded, valid UTF-8 messages; see text.h for why. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "text.h"

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or 0 when the bytes there are not one. Control characters other
 * than tab count as not well-formed: a message is one line of text. */
static size_t sequence_length(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return (c >= 0x20 && c != 0x7f) || c == '\t' ? 1 : 0;
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (left < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    /* C1 controls (U+0080..U+009F) are as unwelcome in a log line as C0 ones. */
    if (c == 0xc2 && s[1] < 0xa0)
        return 0;
    return n;
}

size_t text_clean(char *out, size_t cap, const char *in, size_t len)
{
    static const char ellipsis[] = "...";
    const unsigned char *s = (const unsigned char *)in;
    /* Each byte in gives one byte out ('?' for a bad one), so the whole text fits or the
     * ellipsis needs its room kept. */
    size_t room = cap - 1;
    size_t limit = len <= room ? room : room - (sizeof ellipsis - 1);
    size_t o = 0, i = 0;
    while (i < len) {
        size_t n = sequence_length(s + i, len - i);
        size_t take = n > 0 ? n : 1;
        if (o + take > limit)
            break;
        if (n > 0)
            memcpy(out + o, s + i, n);
        else
            out[o] = '?';
        o += take;
        i += take;
    }
    if (i < len) {
        memcpy(out + o, ellipsis, sizeof ellipsis - 1);
        o += sizeof ellipsis - 1;
    }
    out[o] = '\0';
    return o;
}

int text_is_clean(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n = sequence_length((const unsigned char *)s + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

const char *text_fd_limit(char *out, size_t cap)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        snprintf(out, cap, "too many open files (limit %llu; raise it with ulimit -n)",
                 (unsigned long long)rl.rlim_cur);
    else
        snprintf(out, cap, "too many open files (raise the limit with ulimit -n)");
    return out;
}
