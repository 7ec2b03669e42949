/* The options of gws.core.new, read and checked before the engine exists (engine_lua.c). */
#ifndef GWS_OPTIONS_LUA_H
#define GWS_OPTIONS_LUA_H

#include <stddef.h>

#include <lua.h>

struct options {
    const char *username, *password, *ca_file, *user_agent, *proxy, *noproxy;
    int insecure;
    lua_Integer max_body, max_header, max_cookies, max_cookie_bytes;
    lua_Integer buffer_size; /* 0: libcurl's receive buffer size (16 KiB) */
    double connect_timeout;
    size_t keep_bytes; /* what the keep_headers list takes copied (0: no such option) */
};

/* Reads and checks the options table at index 1 (nil: all defaults), raising for a bad one.
 * The strings stay on the stack above it, so the pointers in o stay valid meanwhile. */
void options_read(lua_State *L, struct options *o);

/* The checked keep_headers list (o->keep_bytes > 0) as transfer_config holds it: lower-case
 * names, each NUL-terminated, then an empty one. NULL (and *failed set) on out of memory. */
char *options_keep_list(lua_State *L, size_t bytes, int *failed);

#endif
