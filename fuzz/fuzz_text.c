/* Messages made safe (csrc/text.c): whatever bytes go in, text_clean's output fits the room it
 * was given, is NUL-terminated, and is well-formed UTF-8 without control characters (checked by
 * a decoder of this harness's own, not text.c's); clean input that fits comes out unchanged,
 * and input cut short ends in "...". Input: 1 byte choosing the room, then the text. */
#include "common.h"

#include "../csrc/text.c"

/* Code points of s[0..len), the independent way: returns -1 at the first ill-formed
 * sequence (overlong, surrogate, above U+10FFFF, truncated) or control character. */
static long decode_all(const unsigned char *s, size_t len)
{
    long count = 0;
    for (size_t i = 0; i < len; count++) {
        unsigned long cp;
        size_t n;
        if (s[i] < 0x80) {
            cp = s[i];
            n = 1;
        } else if ((s[i] & 0xe0) == 0xc0) {
            cp = s[i] & 0x1f;
            n = 2;
        } else if ((s[i] & 0xf0) == 0xe0) {
            cp = s[i] & 0x0f;
            n = 3;
        } else if ((s[i] & 0xf8) == 0xf0) {
            cp = s[i] & 0x07;
            n = 4;
        } else {
            return -1;
        }
        if (i + n > len)
            return -1;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return -1;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        static const unsigned long least[] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return -1;
        if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f))
            return -1;
        i += n;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t rooms[] = { 4, 5, 8, 64, TEXT_MAX + 1 };
    struct reader r = { data, size };
    size_t cap = rooms[rd_byte(&r) % 5];
    char *out = malloc(cap); /* exactly the room, so ASan sees any overrun */
    size_t n = text_clean(out, cap, (const char *)r.p, r.left);
    FUZZ_ASSERT(n < cap && out[n] == '\0' && strlen(out) == n);
    FUZZ_ASSERT(decode_all((const unsigned char *)out, n) >= 0);
    FUZZ_ASSERT(text_is_clean(out, n));
    int clean = decode_all(r.p, r.left) >= 0;
    FUZZ_ASSERT(clean == text_is_clean((const char *)r.p, r.left));
    if (clean && r.left < cap)
        FUZZ_ASSERT(n == r.left && memcmp(out, r.p, n) == 0);
    if (n < r.left && !(clean && r.left < cap) && decode_all(r.p, r.left) >= 0)
        FUZZ_ASSERT(n >= 3 && memcmp(out + n - 3, "...", 3) == 0);
    free(out);
    return 0;
}
