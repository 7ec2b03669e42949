/* Module gws.core: moves bytes and decodes JSON; every decision about what a status or an
 * error means is taken in Lua. See docs/internals.md, section 1. */
#include <curl/curl.h>
#include <lauxlib.h>

#include "clock.h"
#include "engine_lua.h"
#include "json.h"

static int l_now(lua_State *L)
{
    lua_pushnumber(L, gws_monotonic());
    return 1;
}

/* core.decode(bytes) --> value | nil, message. Never raises: callers feed it whatever a
 * server sent, and a bad body is data to report, not a bug. */
static int l_decode(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING) {
        lua_pushnil(L);
        lua_pushfstring(L, "string expected, got %s", luaL_typename(L, 1));
        return 2;
    }
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    if (!json_decode(L, s, len))
        return 2;
    lua_pop(L, 1);
    return 1;
}

int luaopen_gws_core(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        { "now", l_now },
        { "decode", l_decode },
        { "new", engine_lua_new },
        { NULL, NULL },
    };
    /* Reference-counted inside curl, so opening the module in several lua_States is fine;
     * it is never undone because other libraries in the process may share curl. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return luaL_error(L, "gws.core: curl_global_init failed");
    engine_lua_open(L);
    luaL_newlibtable(L, funcs);
    luaL_setfuncs(L, funcs, 0);
    lua_pushliteral(L, "gws.core " GWS_VERSION); /* -DGWS_VERSION: see the Makefile */
    lua_setfield(L, -2, "_VERSION");
    return 1;
}
