/* Shared by the libFuzzer harnesses: a byte reader over the input and a Lua state that can
 * `require "cjson.safe"` (lua-cjson from the system). Header-only: each harness is one
 * translation unit plus the sources it tests (see scripts/fuzz.sh). */
#ifndef GWS_FUZZ_COMMON_H
#define GWS_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A harness-detected violation of a documented invariant: report and crash, so libFuzzer
 * saves the input exactly as for a sanitizer finding. */
#define FUZZ_ASSERT(cond)                                                                  \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

struct reader {
    const uint8_t *p;
    size_t left;
};

static inline uint8_t rd_byte(struct reader *r)
{
    if (r->left == 0)
        return 0;
    r->left--;
    return *r->p++;
}

/* A length-prefixed chunk (1-byte length), or what is left when shorter. */
static inline const char *rd_chunk(struct reader *r, size_t *len)
{
    size_t n = rd_byte(r);
    if (n > r->left)
        n = r->left;
    const char *s = (const char *)r->p;
    r->p += n;
    r->left -= n;
    *len = n;
    return s;
}

/* Everything up to (not including) the next `sep` byte, which is consumed; or the rest. */
static inline const char *rd_until(struct reader *r, uint8_t sep, size_t *len)
{
    const uint8_t *end = memchr(r->p, sep, r->left);
    size_t n = end ? (size_t)(end - r->p) : r->left;
    const char *s = (const char *)r->p;
    r->p += n;
    r->left -= n;
    if (end) {
        r->p++;
        r->left--;
    }
    *len = n;
    return s;
}

#ifdef FUZZ_WITH_LUA
#include <lauxlib.h>
#include <lualib.h>

/* One state for the whole run: opening the standard libraries and lua-cjson per input would
 * cost more than the code under test. */
static inline lua_State *fuzz_lua_state(void)
{
    lua_State *L = luaL_newstate();
    if (L == NULL)
        abort();
    luaL_openlibs(L);
    return L;
}
#endif

#endif
