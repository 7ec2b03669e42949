/* A whole HTTP response as the core turns it into the Lua result table: header lines through
 * transfer.c's header callback, the body through its write callback in chunks (against a
 * max_body that may be exceeded), both plain C, then result_push (result_lua.c, the only
 * part that needs the Lua state), which builds the headers table and decodes the body
 * (json.c). Input: 1 flag byte, the header block up to the first
 * empty line (CRLF CRLF), then the body. Built with csrc/headers.c, json.c and result_lua.c. */
#define FUZZ_WITH_LUA
#include "common.h"

#include "../csrc/transfer.c"
#include "../csrc/json.h"
#include "../csrc/result_lua.h"

static lua_State *L;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    L = fuzz_lua_state();
    return 0;
}

static int push(lua_State *L1)
{
    struct transfer *t = lua_touserdata(L1, 1);
    result_push(L1, t);
    return 1;
}

/* Feeds `len` bytes as curl would: a fresh exactly-sized buffer per call. */
static size_t feed(size_t (*cb)(char *, size_t, size_t, void *), struct transfer *t,
                   const uint8_t *p, size_t len)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, p, len);
    size_t got = cb(copy, 1, len, t);
    free(copy);
    return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t body_limits[] = { 16 * 1048576, 1, 100, 1000 };
    static const CURLcode results[] = { CURLE_OK, CURLE_OK, CURLE_OK, CURLE_OK,
                                        CURLE_OPERATION_TIMEDOUT, CURLE_WRITE_ERROR,
                                        CURLE_FILESIZE_EXCEEDED, CURLE_COULDNT_CONNECT };
    struct reader r = { data, size };
    uint8_t flags = rd_byte(&r);
    struct transfer t;
    memset(&t, 0, sizeof t);
    t.max_body = body_limits[flags & 3];
    t.max_header = 256 * 1024;
    t.status = 200;
    t.id = 1;
    size_t chunk = ((flags >> 2) & 7) * 7 + 1;

    /* Headers: one call per line, up to and including the blank one. */
    int stopped = 0;
    while (r.left > 0 && !stopped) {
        const uint8_t *lf = memchr(r.p, '\n', r.left);
        size_t n = lf ? (size_t)(lf - r.p) + 1 : r.left;
        int blank = (n == 1) || (n == 2 && r.p[0] == '\r');
        if (feed(on_header, &t, r.p, n) != n)
            stopped = 1;
        r.p += n;
        r.left -= n;
        if (blank)
            break;
    }
    /* Body, in chunks. */
    size_t kept = 0;
    while (r.left > 0 && !stopped) {
        size_t n = r.left < chunk ? r.left : chunk;
        size_t got = feed(on_body, &t, r.p, n);
        if (got != n) {
            FUZZ_ASSERT(got == 0 && t.aborted == ABORT_BODY && kept + n > t.max_body);
            stopped = 1;
            break;
        }
        kept += n;
        r.p += n;
        r.left -= n;
    }
    FUZZ_ASSERT(t.body.len == kept && kept <= t.max_body);
    t.result = stopped ? CURLE_WRITE_ERROR : results[flags >> 5];

    /* Twice: as every request has it, then as with keep_body = false (no body string once
     * the JSON decoded; kept as is otherwise). */
    for (int drop = 0; drop <= 1; drop++) {
        t.drop_body = drop;
        lua_settop(L, 0);
        lua_pushcfunction(L, push);
        lua_pushlightuserdata(L, &t);
        FUZZ_ASSERT(lua_pcall(L, 1, 1, 0) == LUA_OK);
        FUZZ_ASSERT(lua_istable(L, 1));
        /* Header names as kept, distinct ones only: a duplicate's last value wins. */
        lua_getfield(L, 1, "headers");
        FUZZ_ASSERT(lua_istable(L, -1));
        int keys = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            FUZZ_ASSERT(lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING);
            keys++;
            lua_pop(L, 1);
        }
        FUZZ_ASSERT(keys <= t.header_count);
        lua_pop(L, 1);
        lua_getfield(L, 1, "json");
        int dropped = drop && t.result == CURLE_OK && !lua_isnil(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, 1, "body");
        FUZZ_ASSERT(lua_type(L, -1) == (dropped ? LUA_TNIL : LUA_TSTRING));
        size_t blen = 0;
        const char *b = dropped ? NULL : lua_tolstring(L, -1, &blen);
        lua_getfield(L, 1, "err");
        int failed = !lua_isnil(L, -1);
        FUZZ_ASSERT(failed == (t.result != CURLE_OK));
        if (failed) {
            FUZZ_ASSERT(blen == 0);
            lua_getfield(L, -1, "kind");
            FUZZ_ASSERT(lua_type(L, -1) == LUA_TSTRING);
            lua_getfield(L, -2, "message");
            FUZZ_ASSERT(lua_type(L, -1) == LUA_TSTRING);
        } else {
            FUZZ_ASSERT(dropped ||
                        (blen == kept && (kept == 0 || memcmp(b, t.body.data, kept) == 0)));
            lua_getfield(L, 1, "json");
            lua_getfield(L, 1, "json_error");
            int has_json = !lua_isnil(L, -2), has_error = !lua_isnil(L, -1);
            /* A body that decodes to JSON null still counts as JSON (cjson.null). */
            FUZZ_ASSERT(kept == 0 ? !has_json && !has_error : has_json != has_error);
            FUZZ_ASSERT(!has_error || lua_type(L, -1) == LUA_TSTRING);
        }
    }
    lua_settop(L, 0);
    free(t.body.data);
    free(t.headers.data);
    return 0;
}
