/* Cookie jars as Lua userdata ("gws.core.jar"): eng:jar{...}, eng:cookies() and their
 * methods. A jar object holds one reference to a struct jar (jar.h) and has the engine that
 * made it as user value 1: curl reaches a jar only through that engine's handles. */
#ifndef GWS_JAR_LUA_H
#define GWS_JAR_LUA_H

#include <lua.h>

#include "engine.h"
#include "jar.h"

/* Creates the metatable in this lua_State's registry. */
void jar_lua_open(lua_State *L);

/* eng:jar([opts]) with the engine at index 1 and opts at 2: pushes a new jar. Raises for a
 * bad option or out of memory. */
int jar_lua_new(lua_State *L, struct engine *e);

/* Pushes a jar object for `j` (taking a reference of its own) made by the engine at index 1. */
void jar_lua_push(lua_State *L, struct jar *j);

/* The jar at `idx` (nil: NULL), which must have been made by the engine at index 1; raises (an argument
 * error of argument `arg` naming `field`) otherwise. */
struct jar *jar_lua_opt(lua_State *L, int idx, int arg, const char *field);

#endif
