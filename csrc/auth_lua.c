/* Lua face of per-agent credentials (see auth_lua.h). */
#include <string.h>

#include <lauxlib.h>

#include "auth_lua.h"

#define AUTH_MT "gws.core.credentials"

static const char *check_part(lua_State *L, int idx)
{
    size_t len;
    const char *s = luaL_checklstring(L, idx, &len);
    /* C strings from here on: a NUL would silently cut the pair short. */
    luaL_argcheck(L, strlen(s) == len, idx, "must not contain NUL");
    return s;
}

int auth_lua_new(lua_State *L)
{
    const char *username = check_part(L, 2);
    const char *password = check_part(L, 3);
    /* RFC 7617: the user-id ends at the first colon, so one inside it would change who we are. */
    luaL_argcheck(L, strchr(username, ':') == NULL, 2, "must not contain ':'");
    struct credentials *c = lua_newuserdatauv(L, sizeof *c, 1);
    memset(c, 0, sizeof *c);
    luaL_setmetatable(L, AUTH_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    c->line = header_auth_line(username, password);
    if (c->line == NULL)
        return luaL_error(L, "credentials: out of memory");
    return 1;
}

struct credentials *auth_lua_opt(lua_State *L, int idx, int arg, const char *field)
{
    if (lua_isnoneornil(L, idx))
        return NULL;
    struct credentials *c = luaL_testudata(L, idx, AUTH_MT);
    if (c == NULL)
        luaL_argerror(L, arg, lua_pushfstring(L, "%s: eng:credentials(...) expected, got %s", field,
                                                luaL_typename(L, idx)));
    lua_getiuservalue(L, idx, 1);
    int same = lua_rawequal(L, -1, 1);
    lua_pop(L, 1);
    if (!same)
        luaL_argerror(L, arg, lua_pushfstring(L, "%s: made by another engine's credentials()", field));
    if (c->line == NULL)
        luaL_argerror(L, arg, lua_pushfstring(L, "%s: the credentials are closed", field));
    return c;
}

struct header_list *auth_plain(struct credentials *c, const struct header_base *base)
{
    if (c->plain == NULL)
        c->plain = header_list_build(NULL, 0, base, c->line);
    return c->plain;
}

/* c:close(), also __gc and __close: wipes the line. Lists already built with it (prepared
 * headers, transfers in flight) hold copies of their own, wiped when they are freed. */
static int l_close(lua_State *L)
{
    struct credentials *c = luaL_checkudata(L, 1, AUTH_MT);
    header_line_free(c->line);
    c->line = NULL;
    header_list_release(c->plain);
    c->plain = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    struct credentials *c = luaL_checkudata(L, 1, AUTH_MT);
    /* Never the line: this is what a log line or an error would show. */
    lua_pushfstring(L, "%s (%s)", AUTH_MT, c->line != NULL ? "set" : "closed");
    return 1;
}

void auth_lua_open(lua_State *L)
{
    static const luaL_Reg methods[] = { { "close", l_close }, { NULL, NULL } };
    static const luaL_Reg metamethods[] = {
        { "__gc", l_close }, { "__close", l_close }, { "__tostring", l_tostring }, { NULL, NULL },
    };
    if (luaL_newmetatable(L, AUTH_MT)) {
        luaL_setfuncs(L, metamethods, 0);
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
}
