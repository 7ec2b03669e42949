/* JSON decoding through a private lua-cjson instance. */
#ifndef GWS_JSON_H
#define GWS_JSON_H

#include <stddef.h>
#include <lua.h>

/* Pushes the decode function of a fresh cjson.safe instance; raises if lua-cjson is missing. */
void json_push_decoder(lua_State *L);

/* Decodes s[0..len) with the decoder at stack index `decoder`. Pushes exactly two values:
 * (value, nil) on success, (nil, message) on failure. Never raises for bad input. */
int json_decode(lua_State *L, int decoder, const char *s, size_t len);

/* The same for the Lua string at stack index `idx` (no copy of it is made). */
int json_decode_string(lua_State *L, int decoder, int idx);

#endif
