/* What eng:submit() accepts: the Lua request table, checked in full before anything is sent. */
#ifndef GWS_REQUEST_LUA_H
#define GWS_REQUEST_LUA_H

#include <stddef.h>
#include <lua.h>

#include "headers.h"
#include "request.h"

/* Fields kept without an allocation of our own; more go to a Lua userdata (see below). */
#define REQUEST_FIELDS_INLINE 16

/* A header table as checked: its fields point into the table's strings, so they stay valid
 * while the table stays on the stack. */
struct header_fields {
    struct header_field *items; /* `inline_items`, or the userdata at stack index `slot` */
    size_t count, cap;
    int slot;                   /* 0 while `items` is `inline_items` */
    struct header_field inline_items[REQUEST_FIELDS_INLINE];
};

/* Validates the table at `idx` and fills `req`; raises (luaL_argerror) naming the offending
 * field. Strings in `req` and `fields` stay valid while the table stays on the stack.
 * `headers` may be nil, a table (checked into `fields`; req->headers is left NULL for the
 * caller to build) or a userdata with metatable `prepared_mt` holding a struct header_list *
 * (req->headers set to it, fields->count 0); *headers_idx is its stack index (0: none). */
void request_check(lua_State *L, int idx, const char *prepared_mt, struct request *req,
                   struct header_fields *fields, int *headers_idx);

/* Checks a table of header name -> value at `idx` (token names, values without CR, LF or
 * NUL) into `fields`; raises naming the field "headers". May push a userdata. */
void request_check_header_table(lua_State *L, int idx, struct header_fields *fields);

#endif
