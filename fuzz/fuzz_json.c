/* JSON decoding as Lua sees it: gws.core's decode (csrc/json.c: a private lua-cjson instance
 * plus the integer normalisation) over arbitrary bytes, e.g. REST bodies and Bayeux batches
 * (see the seed corpus). It must never raise, must answer (value) or (nil, message), and
 * no integral number a double holds exactly may be left a float anywhere in the result.
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
    lua_settop(L, 0);
    return 0;
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
    FUZZ_ASSERT(depth <= 1001); /* cjson's default nesting limit is 1000 */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lua_settop(L, 0);
    lua_getglobal(L, "decode");
    lua_pushlstring(L, (const char *)data, size);
    FUZZ_ASSERT(lua_pcall(L, 1, LUA_MULTRET, 0) == LUA_OK); /* never raises */
    int n = lua_gettop(L);
    if (lua_isnil(L, 1)) {
        FUZZ_ASSERT(n == 2 && lua_type(L, 2) == LUA_TSTRING);
    } else {
        FUZZ_ASSERT(n == 1);
        walk(L, 1, 0);
    }
    lua_settop(L, 0);
    return 0;
}
