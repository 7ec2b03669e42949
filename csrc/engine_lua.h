/* The engine as a Lua userdata: core.new and the methods of "gws.core.engine". */
#ifndef GWS_ENGINE_LUA_H
#define GWS_ENGINE_LUA_H

#include <lua.h>

/* Creates the engine metatable in this lua_State's registry. */
void engine_lua_open(lua_State *L);

/* core.new(opts); expects the JSON decode function as upvalue 1. */
int engine_lua_new(lua_State *L);

#endif
