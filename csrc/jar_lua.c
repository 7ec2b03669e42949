/* Lua face of cookie jars (see jar_lua.h). */
#include <string.h>

#include <lauxlib.h>

#include "jar_lua.h"

#define JAR_MT "gws.core.jar"

/* At most this many names in one j:clear{...}: a jar holds a few hundred cookies at most. */
#define JAR_NAMES_MAX 64

static lua_Integer opt_bound(lua_State *L, int idx, const char *name, lua_Integer def)
{
    int isint = 0;
    if (lua_getfield(L, idx, name) == LUA_TNIL) {
        lua_pop(L, 1);
        return def;
    }
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    if (!isint || lua_type(L, -1) != LUA_TNUMBER || v <= 0)
        luaL_argerror(L, idx, lua_pushfstring(L, "%s: integer > 0 expected", name));
    lua_pop(L, 1);
    return v;
}

void jar_lua_push(lua_State *L, struct jar *j)
{
    struct jar **box = lua_newuserdatauv(L, sizeof *box, 1);
    *box = j;
    jar_retain(j);
    luaL_setmetatable(L, JAR_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
}

int jar_lua_new(lua_State *L, struct engine *e)
{
    (void)e;
    lua_Integer max_cookies = 200, max_bytes = 64 * 1024;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        max_cookies = opt_bound(L, 2, "max_cookies", max_cookies);
        max_bytes = opt_bound(L, 2, "max_bytes", max_bytes);
    }
    struct jar *j = jar_new((size_t)max_cookies, (size_t)max_bytes);
    if (j == NULL)
        return luaL_error(L, "jar: cannot create a curl share handle");
    jar_lua_push(L, j);
    jar_release(j); /* the object holds its own reference */
    return 1;
}

struct jar *jar_lua_opt(lua_State *L, int idx, int arg, const char *field)
{
    if (lua_isnoneornil(L, idx))
        return NULL;
    struct jar **box = luaL_testudata(L, idx, JAR_MT);
    if (box == NULL)
        luaL_argerror(L, arg, lua_pushfstring(L, "%s: eng:jar{...} expected, got %s", field,
                                                luaL_typename(L, idx)));
    lua_getiuservalue(L, idx, 1);
    int same = lua_rawequal(L, -1, 1);
    lua_pop(L, 1);
    if (!same)
        luaL_argerror(L, arg, lua_pushfstring(L, "%s: made by another engine's jar()", field));
    return *box;
}

/* The jar at index 1 and its engine, which must still be open. */
static struct jar *check_jar(lua_State *L, struct engine **e)
{
    struct jar **box = luaL_checkudata(L, 1, JAR_MT);
    lua_getiuservalue(L, 1, 1);
    *e = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (*e == NULL || !(*e)->open)
        luaL_error(L, "the jar's engine is closed");
    return *box;
}

static int forget(lua_State *L, struct engine *e, struct jar *j, const char *const *names,
                  size_t count)
{
    CURLcode rc = engine_forget_cookies(e, j, names, count);
    if (rc != CURLE_OK)
        return luaL_error(L, "clear: %s", curl_easy_strerror(rc));
    return 0;
}

/* j:clear() forgets every cookie; j:clear{ "JSESSIONID", ... } only those names (an HTTP
 * session ends, a load balancer's stickiness cookie stays). */
static int l_clear(lua_State *L)
{
    struct engine *e;
    struct jar *j = check_jar(L, &e);
    if (lua_isnoneornil(L, 2))
        return forget(L, e, j, NULL, 0);
    luaL_checktype(L, 2, LUA_TTABLE);
    const char *names[JAR_NAMES_MAX];
    lua_Integer n = luaL_len(L, 2);
    luaL_argcheck(L, n >= 1 && n <= JAR_NAMES_MAX, 2, "1 to 64 cookie names expected");
    for (lua_Integer i = 1; i <= n; i++) {
        /* Left on the stack, which keeps each string alive for the call. */
        if (lua_rawgeti(L, 2, i) != LUA_TSTRING)
            return luaL_argerror(L, 2, "cookie names must be strings");
        names[i - 1] = lua_tostring(L, -1);
    }
    return forget(L, e, j, names, (size_t)n);
}

/* j:drop(name): j:clear{ name }. */
static int l_drop(lua_State *L)
{
    struct engine *e;
    struct jar *j = check_jar(L, &e);
    const char *name = luaL_checkstring(L, 2);
    return forget(L, e, j, &name, 1);
}

/* j:stats() --> count, bytes, dropped: cookies held now, their size (as curl lists them,
 * one Netscape line each), and how many were ever dropped to keep within the bounds (a
 * caller compares with the last figure it saw and logs the difference). */
static int l_stats(lua_State *L)
{
    struct engine *e;
    struct jar *j = check_jar(L, &e);
    CURLcode rc = engine_update_jar(e, j);
    if (rc != CURLE_OK)
        return luaL_error(L, "stats: %s", curl_easy_strerror(rc));
    lua_pushinteger(L, (lua_Integer)j->count);
    lua_pushinteger(L, (lua_Integer)j->bytes);
    lua_pushinteger(L, (lua_Integer)j->dropped);
    return 3;
}

static int l_gc(lua_State *L)
{
    struct jar **box = luaL_checkudata(L, 1, JAR_MT);
    jar_release(*box);
    *box = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    struct jar **box = luaL_checkudata(L, 1, JAR_MT);
    lua_pushfstring(L, "%s (%p)", JAR_MT, (void *)*box);
    return 1;
}

void jar_lua_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "clear", l_clear }, { "drop", l_drop }, { "stats", l_stats }, { NULL, NULL },
    };
    static const luaL_Reg metamethods[] = {
        { "__gc", l_gc }, { "__tostring", l_tostring }, { NULL, NULL },
    };
    if (luaL_newmetatable(L, JAR_MT)) {
        luaL_setfuncs(L, metamethods, 0);
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
}
