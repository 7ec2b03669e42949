/* JSON decoding as Lua sees it, differentially: gws.core's decode (csrc/json.c, our own
 * one-pass decoder) against what it replaced, lua-cjson 2.1 (decode_invalid_numbers off) plus
 * the second walk that turned integral floats (|n| <= 2^53) into integers. Over arbitrary
 * bytes, e.g. REST bodies and Bayeux batches (see the seed corpus):
 *   - core.decode never raises and answers (value) or (nil, message), the message short,
 *     valid UTF-8 and printable;
 *   - when both accept, the values are equal: same types, integers where the reference has
 *     integers, floats bit for bit, strings byte for byte, tables with the same keys;
 *   - when the reference refuses, so do we;
 *   - when only we refuse, the input is outside RFC 8259 where lua-cjson is lenient, and this
 *     harness finds why by itself: bytes that are not UTF-8 (Lua's own utf8.len), a control
 *     character (raw in a string, or a NUL where lua-cjson stops reading), or a number token
 *     that breaks the grammar ("1.", "-.5", "1.e5") where our message points.
 * Built with all of csrc; the module is opened with luaopen_gws_core as `require` would. */
#define FUZZ_WITH_LUA
#include "common.h"

#include <math.h>

int luaopen_gws_core(lua_State *L);

static lua_State *L;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    L = fuzz_lua_state();
    luaL_requiref(L, "gws.core", luaopen_gws_core, 0);
    lua_getfield(L, -1, "decode");
    lua_setglobal(L, "decode");
    /* The reference: a private cjson instance configured as gws.core's was. */
    if (luaL_dostring(L, "local c = require('cjson').new() c.decode_invalid_numbers(false) "
                         "reference = c.decode")
        != LUA_OK) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        abort();
    }
    lua_settop(L, 0);
    return 0;
}

/* The reference's second walk, as csrc/json.c did it before issue 14. */
static int integral(lua_State *L1, int idx, lua_Integer *out)
{
    if (lua_type(L1, idx) != LUA_TNUMBER || lua_isinteger(L1, idx))
        return 0;
    lua_Number n = lua_tonumber(L1, idx);
    if (n != floor(n) || fabs(n) > 9007199254740992.0)
        return 0;
    *out = (lua_Integer)n;
    return 1;
}

static void integerize(lua_State *L1, int idx)
{
    FUZZ_ASSERT(lua_checkstack(L1, 4));
    idx = lua_absindex(L1, idx);
    lua_pushnil(L1);
    while (lua_next(L1, idx)) {
        lua_Integer i;
        if (integral(L1, -1, &i)) {
            lua_pushvalue(L1, -2);
            lua_pushinteger(L1, i);
            lua_rawset(L1, idx);
        } else if (lua_type(L1, -1) == LUA_TTABLE) {
            integerize(L1, -1);
        }
        lua_pop(L1, 1);
    }
}

static void check_number(lua_State *L1, int idx)
{
    if (lua_isinteger(L1, idx))
        return;
    lua_Number n = lua_tonumber(L1, idx);
    /* Left a float: must not be an integer that fits 2^53. */
    FUZZ_ASSERT(!(n == floor(n) && fabs(n) <= 9007199254740992.0));
}

static void walk(lua_State *L1, int idx, int depth)
{
    FUZZ_ASSERT(depth <= 1001); /* the nesting limit is 1000, as lua-cjson's */
    if (lua_type(L1, idx) == LUA_TNUMBER) {
        check_number(L1, idx);
        return;
    }
    if (lua_type(L1, idx) != LUA_TTABLE)
        return;
    idx = lua_absindex(L1, idx);
    FUZZ_ASSERT(lua_checkstack(L1, 3));
    lua_pushnil(L1);
    while (lua_next(L1, idx)) {
        FUZZ_ASSERT(lua_type(L1, -2) == LUA_TSTRING || lua_isinteger(L1, -2));
        walk(L1, -1, depth + 1);
        lua_pop(L1, 1);
    }
}

/* Deep equality of the values at a and b, number subtypes included. */
static int same(lua_State *L1, int a, int b)
{
    a = lua_absindex(L1, a);
    b = lua_absindex(L1, b);
    int t = lua_type(L1, a);
    if (t != lua_type(L1, b))
        return 0;
    switch (t) {
    case LUA_TNUMBER:
        if (lua_isinteger(L1, a) != lua_isinteger(L1, b))
            return 0;
        if (lua_isinteger(L1, a))
            return lua_tointeger(L1, a) == lua_tointeger(L1, b);
        {
            lua_Number x = lua_tonumber(L1, a), y = lua_tonumber(L1, b);
            return memcmp(&x, &y, sizeof x) == 0;
        }
    case LUA_TSTRING:
    case LUA_TBOOLEAN:
    case LUA_TLIGHTUSERDATA:
        return lua_rawequal(L1, a, b);
    case LUA_TTABLE: {
        FUZZ_ASSERT(lua_checkstack(L1, 4));
        lua_Integer na = 0, nb = 0;
        lua_pushnil(L1);
        while (lua_next(L1, a)) {
            na++;
            lua_pushvalue(L1, -2);
            lua_rawget(L1, b);
            int ok = same(L1, -2, -1);
            lua_pop(L1, 2);
            if (!ok) {
                lua_pop(L1, 1);
                return 0;
            }
        }
        lua_pushnil(L1);
        while (lua_next(L1, b)) {
            nb++;
            lua_pop(L1, 1);
        }
        return na == nb;
    }
    default:
        return 0;
    }
}

/* The UTF-8 sequence starting at byte pos (1-based) is not one (Lua's own strict decoder). */
static int bad_utf8_at(const uint8_t *data, size_t size, size_t pos)
{
    lua_getglobal(L, "utf8");
    lua_getfield(L, -1, "len");
    lua_pushlstring(L, (const char *)data, size);
    lua_pushinteger(L, (lua_Integer)pos);
    lua_pushinteger(L, (lua_Integer)pos);
    lua_call(L, 3, 1);
    int bad = lua_isnil(L, -1);
    lua_pop(L, 2);
    return bad;
}

static int digit(const uint8_t *p, const uint8_t *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* The number token at p breaks RFC 8259's grammar (written apart from csrc/json.c's reader):
 * -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, then no digit, '.', 'e' or 'E'. */
static int bad_number_at(const uint8_t *p, const uint8_t *end)
{
    if (p < end && *p == '-')
        p++;
    if (!digit(p, end))
        return 1;
    if (*p == '0')
        p++;
    else
        while (digit(p, end))
            p++;
    if (p < end && *p == '.') {
        if (!digit(++p, end))
            return 1;
        while (digit(p, end))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!digit(p, end))
            return 1;
        while (digit(p, end))
            p++;
    }
    return p < end && (digit(p, end) || *p == '.' || *p == 'e' || *p == 'E');
}

static int clean_message(const char *m, size_t len)
{
    if (len == 0 || len > 200)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)m[i] < 0x20 || (unsigned char)m[i] >= 0x7f)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lua_settop(L, 0);
    lua_getglobal(L, "decode");
    lua_pushlstring(L, (const char *)data, size);
    FUZZ_ASSERT(lua_pcall(L, 1, LUA_MULTRET, 0) == LUA_OK); /* never raises */
    int n = lua_gettop(L);
    int ours_ok = !lua_isnil(L, 1);
    if (ours_ok) {
        FUZZ_ASSERT(n == 1);
        walk(L, 1, 0);
    } else {
        FUZZ_ASSERT(n == 2 && lua_type(L, 2) == LUA_TSTRING);
        size_t len;
        const char *m = lua_tolstring(L, 2, &len);
        FUZZ_ASSERT(clean_message(m, len));
    }

    int ref = lua_gettop(L) + 1;
    lua_getglobal(L, "reference");
    lua_pushlstring(L, (const char *)data, size);
    int ref_ok = lua_pcall(L, 1, 1, 0) == LUA_OK;
    if (ref_ok) {
        lua_Integer i;
        if (integral(L, ref, &i)) {
            lua_pop(L, 1);
            lua_pushinteger(L, i);
        } else if (lua_type(L, ref) == LUA_TTABLE) {
            integerize(L, ref);
        }
    }

    if (ours_ok && ref_ok) {
        FUZZ_ASSERT(same(L, 1, ref));
    } else if (ours_ok) {
        FUZZ_ASSERT(!"we accept what lua-cjson refuses");
    } else if (ref_ok) {
        /* Only we refuse: it must be for a reason RFC 8259 gives. */
        const char *m = lua_tostring(L, 2);
        const char *at = strstr(m, " at character ");
        FUZZ_ASSERT(at != NULL);
        size_t pos = (size_t)strtoull(at + 14, NULL, 10);
        FUZZ_ASSERT(pos >= 1 && pos <= size + 1);
        FUZZ_ASSERT(pos >= 1 && pos <= size);
        const uint8_t *p = data + pos - 1;
        int why = (strncmp(m, "invalid number", 14) == 0 && bad_number_at(p, data + size))
                  || (strncmp(m, "control character", 17) == 0 && *p < 0x20)
                  || (strncmp(m, "invalid UTF-8", 13) == 0 && bad_utf8_at(data, size, pos))
                  || *p == 0; /* lua-cjson reads up to the first NUL */
        FUZZ_ASSERT(why);
    }
    lua_settop(L, 0);
    return 0;
}
