/* lua5.4 for profiles: Debian's /usr/bin/lua5.4 is stripped, so callgrind names its
 * functions by address. This is the same interpreter core (Debian's liblua5.4.a, which keeps
 * its symbols: luaV_execute, luaH_new, internshrstr...) under the least of a lua.c: `arg`,
 * the script, generational GC as lua.c 5.4 sets it, a traceback on error. Linked with -Wl,-E
 * so C modules (gws.core, cjson) bind to this core. Built by bench/profile/run.sh.
 *
 *   lua_syms SCRIPT [ARGS...] */
#include <stdio.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

static int traceback(lua_State *L)
{
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: lua_syms SCRIPT [ARGS...]\n");
        return 2;
    }
    lua_State *L = luaL_newstate();
    if (L == NULL)
        return 1;
    luaL_openlibs(L);
    lua_gc(L, LUA_GCRESTART);
    lua_gc(L, LUA_GCGEN, 0, 0); /* as lua.c 5.4 does */
    lua_createtable(L, argc, 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1); /* arg[-1] = interpreter, arg[0] = script */
    }
    lua_setglobal(L, "arg");
    lua_pushcfunction(L, traceback);
    if (luaL_loadfile(L, argv[1]) != LUA_OK) {
        fprintf(stderr, "lua_syms: %s\n", lua_tostring(L, -1));
        return 1;
    }
    for (int i = 2; i < argc; i++)
        lua_pushstring(L, argv[i]);
    int rc = lua_pcall(L, argc - 2, 0, 1);
    if (rc != LUA_OK)
        fprintf(stderr, "lua_syms: %s\n", lua_tostring(L, -1));
    lua_close(L);
    return rc == LUA_OK ? 0 : 1;
}
