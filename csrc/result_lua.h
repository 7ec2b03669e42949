/* The Lua result table of a finished transfer (the shape is in docs/internals.md, section 1). */
#ifndef GWS_RESULT_LUA_H
#define GWS_RESULT_LUA_H

#include <lua.h>

#include "transfer.h"

/* Pushes the result table. Raises only for out of memory; the transfer is left as it was
 * either way. */
void result_push(lua_State *L, const struct transfer *t);

#endif
