/* The CSRF header pair (spec section 1) as the C reference programs capture it from GET
 * /api/v2/me: a curl header callback fills csrf_name and csrf_value. One process, one
 * server: plain statics are enough for a benchmark program. */
#ifndef GWS_BENCH_CSRF_H
#define GWS_BENCH_CSRF_H

#include <string.h>
#include <strings.h>

static char csrf_name[128] = "X-CSRF-TOKEN";
static char csrf_value[512];

static void copy_value(char *dst, size_t cap, const char *p, size_t n)
{
    const char *v = memchr(p, ':', n);
    if (v == NULL)
        return;
    v++;
    const char *end = p + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t len = (size_t)(end - v);
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, v, len);
    dst[len] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    (void)ud;
    size_t len = size * n;
    if (len > 13 && strncasecmp(p, "x-csrf-token:", 13) == 0)
        copy_value(csrf_value, sizeof csrf_value, p, len);
    else if (len > 14 && strncasecmp(p, "x-csrf-header:", 14) == 0)
        copy_value(csrf_name, sizeof csrf_name, p, len);
    return len;
}

#endif
