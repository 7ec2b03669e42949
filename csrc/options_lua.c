/* The options of gws.core.new: read and checked in full before any C resource exists. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "options_lua.h"



static int option_error(lua_State *L, const char *name, const char *what)
{
    return luaL_argerror(L, 1, lua_pushfstring(L, "%s: %s", name, what));
}

/* The string stays on the stack, which keeps the returned pointer valid until it is copied. */
static const char *opt_string(lua_State *L, const char *name, const char *def)
{
    int t = lua_getfield(L, 1, name);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return def;
    }
    if (t != LUA_TSTRING)
        option_error(L, name, lua_pushfstring(L, "string expected, got %s", lua_typename(L, t)));
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    /* C strings from here on: a NUL would silently cut a password or a path short. */
    if (strlen(s) != len)
        option_error(L, name, "must not contain NUL");
    return s;
}

static lua_Integer opt_size(lua_State *L, const char *name, lua_Integer def)
{
    int isint = 0;
    lua_getfield(L, 1, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return def;
    }
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    if (!isint || lua_type(L, -1) != LUA_TNUMBER || v <= 0)
        option_error(L, name, "integer > 0 expected");
    lua_pop(L, 1);
    return v;
}

/* keep_headers = { "Content-Type", ... }: checked here (the names are only compared, but a
 * space, colon or control byte can never match a header); copied by options_keep_list once the
 * engine exists. Returns the bytes the copy takes, 0 when the option is absent. */
static size_t opt_keep_headers(lua_State *L)
{
    int t = lua_getfield(L, 1, "keep_headers");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (t != LUA_TTABLE)
        option_error(L, "keep_headers", lua_pushfstring(L, "array of header names expected, got %s",
                                                         lua_typename(L, t)));
    size_t total = 1; /* the empty name that ends the list */
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
        size_t len;
        if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
            option_error(L, "keep_headers", "header names must be strings");
        const char *s = lua_tolstring(L, -1, &len);
        int ok = len > 0 && len <= 256;
        for (size_t k = 0; ok && k < len; k++)
            ok = (unsigned char)s[k] > ' ' && (unsigned char)s[k] < 0x7f && s[k] != ':';
        if (!ok)
            option_error(L, "keep_headers", "a header name is 1 to 256 visible characters, no ':'");
        total += len + 1;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return total;
}

/* The checked keep_headers list as transfer_config holds it: lower-case names, each
 * NUL-terminated, then an empty one. NULL (and *failed) on out of memory. */
char *options_keep_list(lua_State *L, size_t bytes, int *failed)
{
    char *list = malloc(bytes), *p = list;
    if (list == NULL) {
        *failed = 1;
        return NULL;
    }
    /* Read again, after the engine's userdata was allocated (a collection may have run, and
     * an options table with an __index may answer differently now): the copy never writes
     * past `bytes` and takes only strings, whatever the second read gives. */
    const char *end = list + bytes - 1; /* the last byte ends the list */
    lua_Integer n = lua_getfield(L, 1, "keep_headers") == LUA_TTABLE
                        ? (lua_Integer)lua_rawlen(L, -1) : 0;
    for (lua_Integer i = 1; i <= n; i++) {
        size_t len = 0;
        const char *s = lua_rawgeti(L, -1, i) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (s == NULL || len >= (size_t)(end - p)) {
            lua_pop(L, 1);
            break;
        }
        for (size_t k = 0; k < len; k++)
            *p++ = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + ('a' - 'A') : s[k]);
        *p++ = '\0';
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    *p = '\0';
    return list;
}

void options_read(lua_State *L, struct options *o)
{
    memset(o, 0, sizeof *o);
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    } else {
        luaL_checktype(L, 1, LUA_TTABLE);
    }
    lua_settop(L, 1);
    o->username = opt_string(L, "username", NULL);
    o->password = opt_string(L, "password", NULL);
    o->ca_file = opt_string(L, "ca_file", NULL);
    o->proxy = opt_string(L, "proxy", NULL);
    o->noproxy = opt_string(L, "noproxy", NULL);
    o->user_agent = opt_string(L, "user_agent", "gws-sms/" GWS_VERSION);
    /* Sent as a header line of its own: a CR or LF would start another header. */
    if (strpbrk(o->user_agent, "\r\n") != NULL)
        option_error(L, "user_agent", "must not contain CR or LF");
    o->max_body = opt_size(L, "max_body", 16 * 1048576);
    o->max_header = opt_size(L, "max_header", 256 * 1024);
    o->max_cookies = opt_size(L, "max_cookies", 200);
    o->max_cookie_bytes = opt_size(L, "max_cookie_bytes", 64 * 1024);
    o->buffer_size = opt_size(L, "buffer_size", 0);
    o->keep_bytes = opt_keep_headers(L);

    int t = lua_getfield(L, 1, "insecure");
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        option_error(L, "insecure", lua_pushfstring(L, "boolean expected, got %s",
                                                    lua_typename(L, t)));
    o->insecure = lua_toboolean(L, -1);
    lua_pop(L, 1);

    t = lua_getfield(L, 1, "connect_timeout");
    o->connect_timeout = 10;
    if (t != LUA_TNIL) {
        o->connect_timeout = lua_tonumber(L, -1);
        if (t != LUA_TNUMBER || !(o->connect_timeout > 0) || !isfinite(o->connect_timeout))
            option_error(L, "connect_timeout", "finite number of seconds > 0 expected");
    }
    lua_pop(L, 1);
}
