/* Lua face of the engine. Options are read and checked in full (options_lua.c) before any C
 * resource exists, so a bad option raises without leaving anything half-built behind. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "auth_lua.h"
#include "engine.h"
#include "engine_lua.h"
#include "jar_lua.h"
#include "options_lua.h"
#include "request_lua.h"
#include "result_lua.h"

#define ENGINE_MT "gws.core.engine"

/* A prepared header list (eng:headers{...} [, creds]): a userdata holding a struct
 * header_list *, with the engine that made it as user value 1 and the credentials it carries
 * (or nil) as user value 2. */
#define HEADERS_MT "gws.core.headers"

/* User value 1 of every engine: the object eng:cookies() returns, once made. */
#define COOKIES_UV 1

static char *copy_string(const char *s, int *failed)
{
    if (s == NULL)
        return NULL;
    char *c = strdup(s);
    if (c == NULL)
        *failed = 1;
    return c;
}

int engine_lua_new(lua_State *L)
{
    struct options o;
    options_read(L, &o);

    struct engine *e = lua_newuserdatauv(L, sizeof *e, 1);
    memset(e, 0, sizeof *e);
    e->epfd = -1;
    luaL_setmetatable(L, ENGINE_MT);

    /* From here the userdata's __gc owns whatever gets allocated, even if we raise. */
    int failed = 0;
    e->cfg.username = copy_string(o.username, &failed);
    e->cfg.password = copy_string(o.password, &failed);
    e->cfg.ca_file = copy_string(o.ca_file, &failed);
    e->cfg.proxy = copy_string(o.proxy, &failed);
    e->cfg.noproxy = copy_string(o.noproxy, &failed);
    e->cfg.user_agent = copy_string(o.user_agent, &failed);
    if (o.keep_bytes > 0)
        e->cfg.keep_headers = options_keep_list(L, o.keep_bytes, &failed);
    e->cfg.insecure = o.insecure;
    e->cfg.max_body = (size_t)o.max_body;
    e->cfg.max_header = (size_t)o.max_header;
    /* curl takes at most 512 KiB anyway */
    e->cfg.buffer_size = (long)(o.buffer_size < 1048576 ? o.buffer_size : 1048576);
    e->max_cookies = (size_t)o.max_cookies;
    e->max_cookie_bytes = (size_t)o.max_cookie_bytes;
    double ms = ceil(o.connect_timeout * 1000.0);
    e->cfg.connect_timeout_ms = ms >= (double)LONG_MAX ? LONG_MAX : (long)ms;
    const char *err = failed ? "out of memory" : engine_init(e);
    if (err != NULL) {
        engine_close(e);
        return luaL_error(L, "gws.core.new: %s", err);
    }
    return 1;
}

static struct engine *check_engine(lua_State *L)
{
    return luaL_checkudata(L, 1, ENGINE_MT);
}

static struct engine *check_open(lua_State *L)
{
    struct engine *e = check_engine(L);
    if (!e->open)
        luaL_error(L, "engine is closed");
    return e;
}

/* The request's `jar` and `auth` fields (request_check has checked the table at 2). */
static void request_owned(lua_State *L, struct request *req, struct credentials **creds,
                          int *auth_idx)
{
    lua_getfield(L, 2, "jar");
    req->jar = jar_lua_opt(L, -1, 2, "jar");
    lua_getfield(L, 2, "auth");
    *auth_idx = lua_gettop(L);
    *creds = auth_lua_opt(L, -1, 2, "auth");
}

/* eng:submit(req [, start_now [, take]]) --> id [, result]. With take (and start_now), a
 * result that finished inside submit comes back at once when engine_ready_now allows, and
 * never from step: one Lua/C round trip per blocking request instead of two. */
static int l_submit(lua_State *L)
{
    struct engine *e = check_open(L);
    /* Read before request_check, which leaves its strings on the stack above the arguments. */
    int start_now = lua_toboolean(L, 3);
    int take = start_now && lua_toboolean(L, 4);
    struct request req;
    struct header_fields fields;
    int headers_idx, auth_idx;
    request_check(L, 2, HEADERS_MT, &req, &fields, &headers_idx);
    struct credentials *creds;
    request_owned(L, &req, &creds, &auth_idx);
    struct header_list *built = NULL;
    if (req.headers != NULL) {
        /* Its lines carry this engine's credentials; another engine's would be wrong ones. */
        lua_getiuservalue(L, headers_idx, 1);
        int same = lua_rawequal(L, -1, 1);
        lua_pop(L, 1);
        if (!same)
            return luaL_argerror(L, 2, "headers: made by another engine's headers()");
        /* A prepared list carries its credentials already: other ones would be ignored. */
        lua_getiuservalue(L, headers_idx, 2);
        same = creds == NULL || lua_rawequal(L, -1, auth_idx);
        lua_pop(L, 1);
        if (!same)
            return luaL_argerror(L, 2, "auth: differs from the credentials the prepared "
                                       "headers were made with (eng:headers(tbl, auth))");
    } else if (headers_idx != 0) {
        /* A table: its lines are rendered for this request alone. Nothing below raises until
         * the list is released again. */
        built = header_list_build(fields.items, fields.count, &e->cfg.base,
                                  creds != NULL ? creds->line : NULL);
        if (built == NULL)
            return luaL_error(L, "submit: %s", curl_easy_strerror(CURLE_OUT_OF_MEMORY));
        req.headers = built;
    } else if (creds != NULL) {
        req.headers = auth_plain(creds, &e->cfg.base);
        if (req.headers == NULL)
            return luaL_error(L, "submit: %s", curl_easy_strerror(CURLE_OUT_OF_MEMORY));
    }
    const char *err = NULL;
    int64_t id = engine_submit(e, &req, start_now, &err);
    header_list_release(built); /* the transfer holds its own reference */
    if (id == 0)
        return luaL_error(L, "submit: %s", err);
    lua_pushinteger(L, (lua_Integer)id);
    struct transfer *t = take ? engine_ready_now(e, id) : NULL;
    if (t == NULL)
        return 1;
    /* Should building it raise (out of memory), the transfer stays finished: step has it. */
    result_push(L, t);
    engine_discard(e, t);
    return 2;
}

/* eng:headers({name = value, ...} [, creds]) --> a prepared header list: the engine's own
 * lines plus these, rendered once, for requests to pass as `headers` (see headers.h); with
 * creds (eng:credentials), their Authorization line instead of the engine's. */
static int l_headers(lua_State *L)
{
    struct engine *e = check_open(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 3);
    struct credentials *creds = auth_lua_opt(L, 3, 3, "auth");
    struct header_fields fields;
    request_check_header_table(L, 2, &fields);
    struct header_list **box = lua_newuserdatauv(L, sizeof *box, 2);
    *box = NULL;
    luaL_setmetatable(L, HEADERS_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    lua_pushvalue(L, 3);
    lua_setiuservalue(L, -2, 2);
    *box = header_list_build(fields.items, fields.count, &e->cfg.base,
                             creds != NULL ? creds->line : NULL);
    if (*box == NULL)
        return luaL_error(L, "headers: out of memory");
    return 1;
}

static int l_headers_gc(lua_State *L)
{
    struct header_list **box = luaL_checkudata(L, 1, HEADERS_MT);
    header_list_release(*box);
    *box = NULL;
    return 0;
}

/* eng:step([timeout [, into]]) --> array of results. With `into` (a table the caller reuses
 * from step to step, sparing one table per call), the results are stored in into[1..n],
 * the entries after them are cleared, and into is returned. */
static int l_step(lua_State *L)
{
    struct engine *e = check_open(L);
    double timeout = luaL_optnumber(L, 2, 0);
    luaL_argcheck(L, !isnan(timeout), 2, "timeout is NaN");
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    if (engine_step(e, timeout) != 0)
        return luaL_error(L, "step: epoll_wait: %s", strerror(errno));

    if (lua_istable(L, 3))
        lua_pushvalue(L, 3);
    else
        lua_createtable(L, e->done.count, 0);
    /* A transfer leaves the done list only after its result is stored, so if building one
     * raises (out of memory) nothing is lost: the next step or close picks it up. */
    lua_Integer i = 1;
    for (; e->done.head != NULL; i++) {
        result_push(L, e->done.head);
        lua_rawseti(L, -2, i);
        engine_discard(e, e->done.head);
    }
    /* Whatever an earlier, longer step left behind goes, so #into is n. */
    for (; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
        lua_pop(L, 1);
        lua_pushnil(L);
        lua_rawseti(L, -2, i);
    }
    lua_pop(L, 1);
    return 1;
}

static int l_cancel(lua_State *L)
{
    struct engine *e = check_open(L);
    lua_pushboolean(L, engine_cancel(e, luaL_checkinteger(L, 2)));
    return 1;
}

static int l_pending(lua_State *L)
{
    struct engine *e = check_open(L);
    /* Finished-but-undelivered transfers count: a `while pending() > 0` loop must still
     * call step() to collect them. */
    lua_pushinteger(L, e->active.count + e->done.count);
    return 1;
}

static int l_pollfd(lua_State *L)
{
    lua_pushinteger(L, check_open(L)->epfd);
    return 1;
}

static int l_events(lua_State *L)
{
    check_open(L);
    lua_pushliteral(L, "r");
    return 1;
}

static int l_timeout(lua_State *L)
{
    double t = engine_timeout(check_open(L));
    if (t < 0)
        lua_pushnil(L);
    else
        lua_pushnumber(L, t);
    return 1;
}

static int l_clear_cookies(lua_State *L)
{
    CURLcode rc = engine_forget_cookies(check_open(L), NULL, NULL, 0);
    if (rc != CURLE_OK)
        return luaL_error(L, "clear_cookies: %s", curl_easy_strerror(rc));
    return 0;
}

/* eng:jar{ max_cookies = 200, max_bytes = 65536 } --> a cookie jar for requests to name. */
static int l_jar(lua_State *L)
{
    return jar_lua_new(L, check_open(L));
}

/* eng:cookies() --> the engine's own jar (requests without `jar` use it), as a jar object. */
static int l_cookies(lua_State *L)
{
    struct engine *e = check_open(L);
    if (lua_getiuservalue(L, 1, COOKIES_UV) == LUA_TNIL) {
        lua_pop(L, 1);
        jar_lua_push(L, e->cfg.jar);
        lua_pushvalue(L, -1);
        lua_setiuservalue(L, 1, COOKIES_UV);
    }
    return 1;
}

/* eng:credentials(username, password) --> per-agent credentials for `auth` and headers(). */
static int l_credentials(lua_State *L)
{
    check_open(L);
    return auth_lua_new(L);
}

static int l_close(lua_State *L)
{
    engine_close(check_engine(L));
    return 0;
}

static int l_tostring(lua_State *L)
{
    struct engine *e = check_engine(L);
    if (e->open)
        lua_pushfstring(L, "%s (%p)", ENGINE_MT, (void *)e);
    else
        lua_pushfstring(L, "%s (closed)", ENGINE_MT);
    return 1;
}

void engine_lua_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "submit", l_submit },   { "step", l_step },
        { "cancel", l_cancel },   { "pending", l_pending },
        { "pollfd", l_pollfd },   { "events", l_events },
        { "timeout", l_timeout }, { "clear_cookies", l_clear_cookies },
        { "close", l_close },     { "headers", l_headers },
        { "jar", l_jar },         { "cookies", l_cookies },
        { "credentials", l_credentials },
        { NULL, NULL },
    };
    static const luaL_Reg metamethods[] = {
        { "__gc", l_close },
        { "__close", l_close },
        { "__tostring", l_tostring },
        { NULL, NULL },
    };
    /* Already there when a second require (or package.loaded reset) opens the module again. */
    if (luaL_newmetatable(L, ENGINE_MT)) {
        luaL_setfuncs(L, metamethods, 0);
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    jar_lua_open(L);
    auth_lua_open(L);
    if (luaL_newmetatable(L, HEADERS_MT)) {
        lua_pushcfunction(L, l_headers_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushliteral(L, "gws.core.headers");
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
}
