/* JSON text to Lua values (json.c): RFC 8259, lua-cjson's values with integral numbers as
 * integers, null as cjson.null. */
#ifndef GWS_JSON_H
#define GWS_JSON_H

#include <stddef.h>
#include <lua.h>

/* Decodes s[0..len), read in place: s must stay as it is until this returns (no Lua string
 * is made of it). Pushes exactly two values: (value, nil) on success, (nil, message) on
 * failure. Never raises for bad input; running out of memory while decoding is a failure too. */
int json_decode(lua_State *L, const char *s, size_t len);

/* The same for the Lua string at stack index `idx` (no copy of it is made). */
int json_decode_string(lua_State *L, int idx);

#endif
