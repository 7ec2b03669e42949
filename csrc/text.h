/* Text the core puts into messages (err.message, json_error, raised errors) comes partly from
 * elsewhere: curl's error buffer quotes the host of a URL, and a header name or a decoder's
 * message may hold any byte. Lua code logs and concatenates these strings, so every one is
 * bounded and valid UTF-8 before it leaves C. Plain C. */
#ifndef GWS_TEXT_H
#define GWS_TEXT_H

#include <stddef.h>

/* What a message built by the core is cut to (bytes, the terminating NUL not counted). */
#define TEXT_MAX 200

/* Copies in[0..len) to out (room for cap bytes, cap >= 4), NUL-terminated: well-formed UTF-8
 * sequences as they are, every other byte (a stray or overlong sequence, a surrogate, a
 * control character other than tab) as '?', cut at a character boundary with "..." when it
 * does not fit. Returns the length written. */
size_t text_clean(char *out, size_t cap, const char *in, size_t len);

/* True when s[0..len) is well-formed UTF-8 without control characters other than tab (what
 * text_clean produces). */
int text_is_clean(const char *s, size_t len);

/* Writes "too many open files (limit N; raise it with ulimit -n)" into out (cap bytes), N the
 * soft RLIMIT_NOFILE, and returns out: what running out of file descriptors (EMFILE, ENFILE)
 * is reported as, wherever the core meets it. */
const char *text_fd_limit(char *out, size_t cap);

#endif
