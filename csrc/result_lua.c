/* Result tables. Built only after curl has finished with a transfer: curl callbacks run inside
 * curl, where a Lua error would longjmp over curl's frames, so they fill C buffers and all the
 * Lua work happens here, from engine_lua.c's step(). */
#include <errno.h>
#include <string.h>

#include <lauxlib.h>

#include "json.h"
#include "result_lua.h"
#include "text.h"

/* curl's message: its error buffer quotes our URL's host (which may hold any byte above
 * 0x7f) and, for some errors, what the server sent; so it is cleaned like any outside text. */
static void push_curl_message(lua_State *L, const struct transfer *t)
{
    char clean[TEXT_MAX + 1];
    /* curl reports a socket it could not open as a failed connect; say why instead. */
    if (t->socket_errno == EMFILE || t->socket_errno == ENFILE) {
        lua_pushstring(L, text_fd_limit(clean, sizeof clean));
        return;
    }
    const char *m = t->errbuf[0] ? t->errbuf : curl_easy_strerror(t->result);
    text_clean(clean, sizeof clean, m, strnlen(m, sizeof t->errbuf));
    lua_pushstring(L, clean);
}

static void push_error(lua_State *L, const struct transfer *t)
{
    const char *kind = "transport";
    lua_createtable(L, 0, 3);
    if (t->aborted == ABORT_BODY || t->result == CURLE_FILESIZE_EXCEEDED) {
        kind = "too_large";
        lua_pushfstring(L, "response body exceeds max_body (%I bytes)", (lua_Integer)t->max_body);
    } else if (t->aborted == ABORT_HEADER) {
        kind = "too_large";
        lua_pushfstring(L, "response headers exceed max_header (%I bytes)",
                        (lua_Integer)t->max_header);
    } else if (t->aborted == ABORT_MEMORY) {
        lua_pushliteral(L, "out of memory while buffering the response");
    } else {
        if (t->result == CURLE_OPERATION_TIMEDOUT)
            kind = "timeout";
        push_curl_message(L, t);
    }
    lua_setfield(L, -2, "message");
    lua_pushstring(L, kind);
    lua_setfield(L, -2, "kind");
    lua_pushinteger(L, (lua_Integer)t->result);
    lua_setfield(L, -2, "curl_code");
}

static void push_headers(lua_State *L, const struct buffer *b, int count)
{
    lua_createtable(L, 0, count);
    /* Pairs are in arrival order, so setting each in turn makes the last duplicate win. */
    for (size_t i = 0; i < b->len;) {
        const char *name = b->data + i;
        size_t nlen = strlen(name);
        const char *value = name + nlen + 1;
        size_t vlen = strlen(value);
        lua_pushlstring(L, value, vlen);
        lua_setfield(L, -2, name);
        i += nlen + vlen + 2;
    }
}

void result_push(lua_State *L, const struct transfer *t)
{
    /* Sized for what every result holds: id, status, headers, connects, time, body (unless
     * dropped: keep_body), and one of json, json_error or err. */
    lua_createtable(L, 0, 7);
    lua_pushinteger(L, t->id);
    lua_setfield(L, -2, "id");
    lua_pushinteger(L, t->status);
    lua_setfield(L, -2, "status");
    push_headers(L, &t->headers, t->header_count);
    lua_setfield(L, -2, "headers");
    lua_pushinteger(L, t->connects);
    lua_setfield(L, -2, "connects");
    lua_pushnumber(L, t->time);
    lua_setfield(L, -2, "time");

    if (t->result != CURLE_OK) {
        /* A failed transfer's body is a fragment at best; handing it out invites parsing it. */
        lua_pushliteral(L, "");
        lua_setfield(L, -2, "body");
        push_error(L, t);
        lua_setfield(L, -2, "err");
        return;
    }
    /* keep_body = false: decoded straight from our buffer, no Lua string is made of the body
     * unless the decode fails (the callers' error paths quote the server's text). A Bayeux
     * long poll's answer is ~450 bytes per event the collector would pace itself by (B4). */
    if (t->drop_body && t->body.len > 0) {
        if (json_decode(L, t->body.data, t->body.len)) {
            lua_pop(L, 1);
            lua_setfield(L, -2, "json");
            return;
        }
        lua_setfield(L, -3, "json_error");
        lua_pop(L, 1);
    }
    lua_pushlstring(L, t->body.data ? t->body.data : "", t->body.len);
    /* The decoder reads the same Lua string: a large body is not copied a second time. */
    if (t->body.len > 0 && !t->drop_body) {
        if (json_decode_string(L, -1)) {
            lua_pop(L, 1);
            lua_setfield(L, -3, "json");
        } else {
            lua_setfield(L, -4, "json_error");
            lua_pop(L, 1);
        }
    }
    lua_setfield(L, -2, "body");
}
