/* Per-agent credentials as Lua userdata ("gws.core.credentials"): eng:credentials(user,
 * password). The object holds only the rendered "Authorization: Basic ..." line (the plain
 * pair is wiped as soon as it is rendered; the line when the object is closed or collected)
 * and, made on first use, the engine's base lines with that line in place of the engine's
 * own, for requests that send no other headers. User value 1: the engine that made it. */
#ifndef GWS_AUTH_LUA_H
#define GWS_AUTH_LUA_H

#include <lua.h>

#include "headers.h"

struct credentials {
    char *line;                 /* NULL once closed */
    struct header_list *plain;  /* the engine's base lines with `line`; NULL until needed */
};

/* Creates the metatable in this lua_State's registry. */
void auth_lua_open(lua_State *L);

/* eng:credentials(username, password) with the engine at index 1: pushes the object. */
int auth_lua_new(lua_State *L);

/* The credentials at `idx` (nil: NULL), made by the engine at index 1 and not closed; raises (an argument
 * error of argument `arg` naming `field`) otherwise. */
struct credentials *auth_lua_opt(lua_State *L, int idx, int arg, const char *field);

/* The list to send for a request with these credentials and no headers of its own: built
 * from `base` on first use. NULL on out of memory. */
struct header_list *auth_plain(struct credentials *c, const struct header_base *base);

#endif
