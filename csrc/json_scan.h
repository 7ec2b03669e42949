/* The lexical half of JSON (RFC 8259) for json.c: strings and numbers, read and checked in
 * plain C; json.c builds the Lua values from what these report. */
#ifndef GWS_JSON_SCAN_H
#define GWS_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

/* Bytes a string may hold as they are: printable ASCII but '"' and '\'. And JSON whitespace.
 * Filled by json_scan_init. */
extern unsigned char json_plain[256];
extern unsigned char json_space[256];

/* Once per process before anything below (thread-safe, cheap after the first call). */
void json_scan_init(void);

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
