/* Request validation: csrc/request_lua.c's request_check (method, URL, header names and
 * values, body, timeout, each of any Lua type: the Lua-facing half, so this harness keeps a
 * Lua state), then, as eng:submit does, header_list_build and transfer_new, plain C, which
 * hand the checked request to a real curl easy handle (nothing is sent). Whatever is
 * accepted must hold the promises of docs/internals.md: no CR, LF or NUL reaches a header
 * line, the URL is http(s) without spaces or controls, a GET has no body, the timeout is
 * finite and > 0; built with an agent's credentials (eng:credentials), the list carries
 * exactly their Authorization line unless the table names one. Built with csrc/headers.c,
 * request_lua.c, sockets.c, transfer.c, jar.c and text.c (scripts/fuzz.sh). */
#define FUZZ_WITH_LUA
#include "common.h"

#include <math.h>
#include <strings.h>

#include "../csrc/request_lua.h"
#include "../csrc/transfer.h"

static lua_State *L;
static CURL *easy;
static struct transfer_config cfg;
static char *agent_auth;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    L = fuzz_lua_state();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    easy = curl_easy_init();
    cfg.jar = jar_new(200, 64 * 1024);
    cfg.max_body = 1 << 20;
    cfg.max_header = 1 << 16;
    cfg.connect_timeout_ms = 1000;
    agent_auth = header_auth_line("agent2", "pw2");
    if (easy == NULL || cfg.jar == NULL || agent_auth == NULL ||
        header_base_init(&cfg.base, "agent1", "password", "fuzz") != NULL)
        abort();
    return 0;
}

static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static void check_accepted(const struct request *req, struct curl_slist *list)
{
    static const char *const methods[] = { "GET", "POST", "PUT", "DELETE" };
    int known = 0;
    for (int i = 0; i < 4; i++)
        known |= strcmp(req->method, methods[i]) == 0;
    FUZZ_ASSERT(known);
    FUZZ_ASSERT(strncasecmp(req->url, "http://", 7) == 0 ||
                strncasecmp(req->url, "https://", 8) == 0);
    for (const unsigned char *u = (const unsigned char *)req->url; *u; u++)
        FUZZ_ASSERT(*u > ' ' && *u != 0x7f);
    FUZZ_ASSERT(req->timeout > 0 && isfinite(req->timeout));
    FUZZ_ASSERT(!(req->body != NULL && strcmp(req->method, "GET") == 0));

    /* Every line "Name: value" or "Name;" with a token name and no CR/LF (NUL would have
     * cut the C string short, so strlen must cover the whole line curl will send), except
     * the engine's own "Expect:" (unless the table names Expect itself). */
    FUZZ_ASSERT(list != NULL);
    for (struct curl_slist *l = list; l != NULL; l = l->next) {
        const char *s = l->data;
        if (strcmp(s, "Expect:") == 0)
            continue;
        size_t n = 0;
        while (is_tchar((unsigned char)s[n]))
            n++;
        FUZZ_ASSERT(n > 0);
        FUZZ_ASSERT((s[n] == ';' && s[n + 1] == '\0') || (s[n] == ':' && s[n + 1] == ' '));
        FUZZ_ASSERT(strpbrk(s, "\r\n") == NULL);
    }
}

/* Arg 1: the request table. Raises exactly like eng:submit() would for a bad one. */
static int check(lua_State *L1)
{
    struct request req;
    struct header_fields fields;
    int headers_idx;
    /* submit() checks argument 2; keep that numbering so the messages match. */
    lua_pushnil(L1);
    lua_insert(L1, 1);
    request_check(L1, 2, "gws.core.headers", &req, &fields, &headers_idx);
    /* No prepared lists here (the input makes none): a table, or no headers at all. */
    FUZZ_ASSERT(req.headers == NULL);
    struct header_list *list = headers_idx != 0
                                   ? header_list_build(fields.items, fields.count, &cfg.base, NULL)
                                   : NULL;
    check_accepted(&req, list != NULL ? list->list : cfg.base.plain->list);
    req.headers = list;

    /* The same table with an agent's credentials: their line, once, unless overridden. */
    struct header_list *agent = header_list_build(fields.items, fields.count, &cfg.base, agent_auth);
    FUZZ_ASSERT(agent != NULL);
    check_accepted(&req, agent->list);
    int named = 0, auth_lines = 0, agent_lines = 0;
    for (size_t i = 0; i < fields.count; i++)
        named |= fields.items[i].name_len == 13 &&
                 strncasecmp(fields.items[i].name, "Authorization", 13) == 0;
    for (struct curl_slist *l = agent->list; l != NULL; l = l->next) {
        auth_lines += strncasecmp(l->data, "Authorization", 13) == 0 &&
                      (l->data[13] == ':' || l->data[13] == ';');
        agent_lines += strcmp(l->data, agent_auth) == 0;
    }
    FUZZ_ASSERT(named ? agent_lines == 0 && auth_lines == 1 : agent_lines == 1 && auth_lines == 1);
    header_list_release(agent);

    CURLcode rc = CURLE_OK;
    struct transfer *t = transfer_new(easy, &req, &cfg, NULL, &rc);
    header_list_release(list);
    if (t != NULL) {
        t->easy = NULL;
        transfer_free(t);
    }
    /* As engine.c's give_back_easy: curl 7.88's reset leaks the COOKIEFILE list otherwise. */
    curl_easy_setopt(easy, CURLOPT_COOKIEFILE, NULL);
    curl_easy_reset(easy);
    lua_pushboolean(L1, t != NULL);
    return 1;
}

static void push_string_or_other(struct reader *r, uint8_t kind)
{
    size_t n;
    const char *s = rd_chunk(r, &n);
    switch (kind % 8) {
    case 0: lua_pushnil(L); break;
    case 1: lua_pushinteger(L, (lua_Integer)n); break;
    case 2: lua_pushboolean(L, n & 1); break;
    case 3: lua_newtable(L); break;
    default: lua_pushlstring(L, s, n); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "get", "PATCH",
                                           "GET\0", "" };
    static const char *const schemes[] = { "", "http://", "https://", "HTTP://", "hTtPs://",
                                           "ftp://", "http:/", "" };
    static const double timeouts[] = { 10, 0.001, 0, -1, NAN, INFINITY, 1e300, 5e-324 };
    static const char *const names[] = { "Content-Type", "X-CSRF-TOKEN", "Authorization",
                                         "Cookie", "Host", "Expect", "", "Transfer-Encoding" };
    struct reader r = { data, size };
    uint8_t flags = rd_byte(&r);

    lua_settop(L, 0);
    lua_pushcfunction(L, check);
    lua_createtable(L, 0, 5);

    uint8_t m = rd_byte(&r);
    if (m & 0x80) {
        push_string_or_other(&r, m);
    } else {
        size_t i = m % 8;
        lua_pushlstring(L, methods[i], i == 6 ? 4 : strlen(methods[i]));
    }
    lua_setfield(L, -2, "method");

    uint8_t u = rd_byte(&r);
    if (u & 0x80) {
        push_string_or_other(&r, u);
    } else {
        size_t n;
        const char *rest = rd_chunk(&r, &n);
        lua_pushstring(L, schemes[u % 8]);
        lua_pushlstring(L, rest, n);
        lua_concat(L, 2);
    }
    lua_setfield(L, -2, "url");

    if (flags & 1) {
        uint8_t count = rd_byte(&r) % 8;
        lua_createtable(L, 0, count);
        for (uint8_t i = 0; i < count; i++) {
            uint8_t k = rd_byte(&r);
            if (k & 0x80) {
                push_string_or_other(&r, k >> 3);
            } else if (k & 0x40) {
                lua_pushstring(L, names[k % 8]);
            } else {
                size_t n;
                const char *s = rd_chunk(&r, &n);
                lua_pushlstring(L, s, n);
            }
            uint8_t v = rd_byte(&r);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                continue;
            }
            push_string_or_other(&r, v % 8 < 3 && !(v & 0x80) ? 7 : v);
            if (lua_isnil(L, -1))
                lua_pop(L, 2);
            else
                lua_rawset(L, -3);
        }
        lua_setfield(L, -2, "headers");
    } else if (flags & 2) {
        lua_pushliteral(L, "not a table");
        lua_setfield(L, -2, "headers");
    }

    if (flags & 4) {
        push_string_or_other(&r, rd_byte(&r));
        lua_setfield(L, -2, "body");
    }

    uint8_t tk = rd_byte(&r);
    if (tk & 0x80)
        push_string_or_other(&r, tk);
    else
        lua_pushnumber(L, timeouts[tk % 8]);
    lua_setfield(L, -2, "timeout");

    if (flags & 8) {
        /* Not a table at all. */
        lua_pop(L, 1);
        lua_pushinteger(L, 1);
    }
    int rc = lua_pcall(L, 1, 1, 0);
    if (getenv("FUZZ_VERBOSE")) /* to check that a seed does what it should */
        fprintf(stderr, "%s\n", rc == LUA_OK ? "accepted" : lua_tostring(L, -1));
    if (rc != LUA_OK) {
        /* A refusal must name the field (or the argument) it refuses. */
        const char *msg = lua_tostring(L, -1);
        FUZZ_ASSERT(msg != NULL && strstr(msg, "bad argument #2") != NULL);
    }
    lua_settop(L, 0);
    return 0;
}
