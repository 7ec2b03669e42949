/* JSON comes from lua-cjson rather than a parser of our own: it is fast, fuzzed and already the
 * encoder the Lua side uses, so both directions agree on numbers, nulls and escapes. */
#include <lauxlib.h>
#include <math.h>

#include "json.h"
#include "text.h"

/* lua-cjson 2.1.0 pushes every number as a float (0.0, 17.0, 1.7e12). JSON has one number
 * type, so integral values that a double holds exactly become Lua integers: statusCode,
 * referenceId and index then compare, format and key tables the way users expect. */
static int integral(lua_State *L, int idx, lua_Integer *out)
{
    if (lua_type(L, idx) != LUA_TNUMBER || lua_isinteger(L, idx))
        return 0;
    lua_Number n = lua_tonumber(L, idx);
    if (n != floor(n) || fabs(n) > 9007199254740992.0) /* 2^53 */
        return 0;
    *out = (lua_Integer)n;
    return 1;
}

/* Depth is bounded by cjson's own nesting limit; stack space is checked, never raised for. */
static void integerize(lua_State *L, int idx)
{
    if (!lua_checkstack(L, 4))
        return;
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_Integer i;
        if (integral(L, -1, &i)) {
            /* Assigning to an existing field during lua_next is allowed. */
            lua_pushvalue(L, -2);
            lua_pushinteger(L, i);
            lua_rawset(L, idx);
        } else if (lua_type(L, -1) == LUA_TTABLE) {
            integerize(L, -1);
        }
        lua_pop(L, 1);
    }
}

void json_push_decoder(lua_State *L)
{
    int top = lua_gettop(L);

    /* The raising cjson, not cjson.safe: json_decode_string calls it under its own pcall,
     * and cjson.safe would add a second protected call per body. */
    lua_getglobal(L, "require");
    lua_pushliteral(L, "cjson");
    lua_call(L, 1, 1);
    /* A private instance, so another library reconfiguring the shared cjson module (depth
     * limits, number handling) cannot change what our results look like. */
    lua_getfield(L, -1, "new");
    if (!lua_isfunction(L, -1))
        luaL_error(L, "gws.core: cjson has no new(); lua-cjson >= 2.1 is required");
    lua_call(L, 0, 1);

    /* Servers speak RFC 8259; NaN, Infinity and hex numbers mean a broken body, not data. */
    lua_getfield(L, -1, "decode_invalid_numbers");
    if (lua_isfunction(L, -1)) {
        lua_pushboolean(L, 0);
        lua_call(L, 1, 0);
    } else {
        lua_pop(L, 1);
    }

    lua_getfield(L, -1, "decode");
    if (!lua_isfunction(L, -1))
        luaL_error(L, "gws.core: cjson instance has no decode()");
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
}

int json_decode(lua_State *L, int decoder, const char *s, size_t len)
{
    lua_pushlstring(L, s, len);
    int rc = json_decode_string(L, decoder, -1);
    lua_remove(L, -3);
    return rc;
}

int json_decode_string(lua_State *L, int decoder, int idx)
{
    decoder = lua_absindex(L, decoder);
    idx = lua_absindex(L, idx);
    lua_pushvalue(L, decoder);
    lua_pushvalue(L, idx);
    /* pcall: whatever cjson raises (a syntax error, even out of memory) must not unwind
     * through our C frames while they hold curl handles. */
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        size_t len;
        const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (m == NULL) {
            lua_pop(L, 1);
            lua_pushliteral(L, "JSON decoder failed");
        } else if (len > TEXT_MAX || !text_is_clean(m, len)) {
            /* cjson's messages are its own, but this one reaches logs: bounded and UTF-8. */
            char clean[TEXT_MAX + 1];
            text_clean(clean, sizeof clean, m, len);
            lua_pop(L, 1);
            lua_pushstring(L, clean);
        }
        lua_pushnil(L);
        lua_insert(L, -2);
        return 0;
    }
    lua_Integer i;
    if (integral(L, -1, &i)) {
        lua_pop(L, 1);
        lua_pushinteger(L, i);
    } else if (lua_type(L, -1) == LUA_TTABLE) {
        integerize(L, -1);
    }
    lua_pushnil(L);
    return 1;
}
