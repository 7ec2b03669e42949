/* Request validation, the Lua-facing half of a request (request.h is the C half). Everything a caller passes is checked here, before curl sees it, because
 * a CR or LF in a URL or header would let a value smuggle extra headers or requests onto the
 * wire, and a half-built transfer is harder to unwind than a refusal up front. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#include "request_lua.h"
#include "text.h"

/* The request table is argument 2 of eng:submit(req); luaL_argerror renumbers for methods. */
#define REQ_ARG 2

static int field_error(lua_State *L, const char *field, const char *what)
{
    return luaL_argerror(L, REQ_ARG, lua_pushfstring(L, "%s: %s", field, what));
}

/* The string is left on the stack, which keeps the returned pointer valid for the whole
 * of submit() even if the caller's table were changed meanwhile. */
static const char *check_string_field(lua_State *L, int idx, const char *field, size_t *len,
                                      int required)
{
    int t = lua_getfield(L, idx, field);
    if (t == LUA_TNIL && !required) {
        lua_pop(L, 1);
        return NULL;
    }
    /* Strictly strings: a number would be converted in place, which surprises callers. */
    if (t != LUA_TSTRING)
        field_error(L, field, lua_pushfstring(L, "string expected, got %s", lua_typename(L, t)));
    return lua_tolstring(L, -1, len);
}

/* CR, LF or NUL anywhere: compared directly, this runs on every header of every request. */
static int has_crlf_nul(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\r' || c == '\n' || c == '\0')
            return 1;
    }
    return 0;
}

/* RFC 9110 token characters: anything else in a name could end the header early. */
static int is_token(const char *s, size_t len)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if (c == '\0' || strchr(extra, c) == NULL)
            return 0;
    }
    return 1;
}

static void check_method(lua_State *L, int idx, struct request *req)
{
    static const char *const methods[] = { "GET", "POST", "PUT", "DELETE" };
    size_t len;
    const char *m = check_string_field(L, idx, "method", &len, 1);
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        if (strcmp(m, methods[i]) == 0 && strlen(methods[i]) == len) {
            req->method = methods[i];
            return;
        }
    }
    field_error(L, "method", "expected GET, POST, PUT or DELETE");
}

static void check_url(lua_State *L, int idx, struct request *req)
{
    size_t len;
    const char *u = check_string_field(L, idx, "url", &len, 1);
    if (strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0)
        field_error(L, "url", "must start with http:// or https://");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)u[i];
        /* Control bytes and spaces never belong in a URL on the request line. */
        if (c <= ' ' || c == 0x7f)
            field_error(L, "url", "contains a space, control character or NUL");
    }
    req->url = u;
}

/* Fields beyond the inline ones go to a userdata, so a raise in mid-check (a bad header
 * further on) leaves nothing for us to free: the collector owns it. */
static void add_field(lua_State *L, struct header_fields *f, const char *name, size_t nlen,
                      const char *value, size_t vlen)
{
    if (f->count == f->cap) {
        luaL_checkstack(L, 1, "headers");
        size_t cap = f->cap * 2;
        struct header_field *grown = lua_newuserdatauv(L, cap * sizeof *grown, 0);
        memcpy(grown, f->items, f->count * sizeof *grown);
        /* Below the key and value lua_next is working with; one slot however often it grows. */
        if (f->slot == 0) {
            lua_insert(L, -3);
            f->slot = lua_absindex(L, -3);
        } else {
            lua_replace(L, f->slot);
        }
        f->items = grown;
        f->cap = cap;
    }
    f->items[f->count++] = (struct header_field){ name, value, nlen, vlen };
}

static void fields_init(struct header_fields *f)
{
    f->items = f->inline_items;
    f->count = 0;
    f->cap = REQUEST_FIELDS_INLINE;
    f->slot = 0;
}

/* A caller's header name inside an error message: bounded and valid UTF-8 whatever it holds. */
static const char *quoted_name(lua_State *L, const char *name, size_t nlen)
{
    char quoted[64];
    text_clean(quoted, sizeof quoted, name, nlen);
    return lua_pushstring(L, quoted);
}

void request_check_header_table(lua_State *L, int h, struct header_fields *fields)
{
    h = lua_absindex(L, h);
    fields_init(fields);
    lua_pushnil(L);
    while (lua_next(L, h) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING)
            field_error(L, "headers", "names must be strings");
        size_t nlen, vlen;
        const char *name = lua_tolstring(L, -2, &nlen);
        if (!is_token(name, nlen))
            field_error(L, "headers", lua_pushfstring(L, "invalid header name '%s'",
                                                      quoted_name(L, name, nlen)));
        if (lua_type(L, -1) != LUA_TSTRING)
            field_error(L, "headers", lua_pushfstring(L, "value of '%s' must be a string",
                                                      quoted_name(L, name, nlen)));
        const char *value = lua_tolstring(L, -1, &vlen);
        if (has_crlf_nul(value, vlen))
            field_error(L, "headers", lua_pushfstring(L, "value of '%s' contains CR, LF or NUL",
                                                      quoted_name(L, name, nlen)));
        add_field(L, fields, name, nlen, value, vlen);
        lua_pop(L, 1);
    }
}

/* A table is checked here on every request; a prepared list was checked when it was made. */
static void check_headers(lua_State *L, int idx, const char *prepared_mt, struct request *req,
                          struct header_fields *fields, int *headers_idx)
{
    int t = lua_getfield(L, idx, "headers");
    fields_init(fields);
    *headers_idx = 0;
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    *headers_idx = lua_gettop(L);
    if (t == LUA_TUSERDATA) {
        struct header_list **p = luaL_testudata(L, -1, prepared_mt);
        if (p == NULL || *p == NULL)
            field_error(L, "headers", "table or eng:headers{...} expected, got another userdata");
        req->headers = *p;
    } else if (t == LUA_TTABLE) {
        request_check_header_table(L, -1, fields);
    } else {
        field_error(L, "headers", lua_pushfstring(L, "table expected, got %s", lua_typename(L, t)));
    }
}

static void check_body(lua_State *L, int idx, struct request *req)
{
    req->body = check_string_field(L, idx, "body", &req->body_len, 0);
    /* Refused rather than dropped: a GET body would be silently lost by curl. */
    if (req->body != NULL && strcmp(req->method, "GET") == 0)
        field_error(L, "body", "a GET request has no body");
}

static void check_timeout(lua_State *L, int idx, struct request *req)
{
    int t = lua_getfield(L, idx, "timeout");
    if (t != LUA_TNUMBER)
        field_error(L, "timeout", lua_pushfstring(L, "number expected, got %s", lua_typename(L, t)));
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    /* Every transfer needs a finite bound: an unbounded one could pin a connection forever. */
    if (!(v > 0) || !isfinite(v))
        field_error(L, "timeout", "must be a finite number of seconds > 0");
    req->timeout = v;
}

/* keep_body: absent or true keeps the body string; false drops it once the JSON is decoded. */
static void check_keep_body(lua_State *L, int idx, struct request *req)
{
    int t = lua_getfield(L, idx, "keep_body");
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        field_error(L, "keep_body", lua_pushfstring(L, "boolean expected, got %s",
                                                    lua_typename(L, t)));
    req->drop_body = t == LUA_TBOOLEAN && !lua_toboolean(L, -1);
    lua_pop(L, 1);
}

void request_check(lua_State *L, int idx, const char *prepared_mt, struct request *req,
                   struct header_fields *fields, int *headers_idx)
{
    idx = lua_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    memset(req, 0, sizeof *req);
    check_method(L, idx, req);
    check_url(L, idx, req);
    check_headers(L, idx, prepared_mt, req, fields, headers_idx);
    check_body(L, idx, req);
    check_timeout(L, idx, req);
    check_keep_body(L, idx, req);
}
