/* The whole receive path on real sockets: a fresh engine (csrc/engine.c) submits a request
 * to a loopback listener of this harness, which answers with the input as the server's entire
 * answer (then FIN), while engine_step drives curl over epoll until the transfer ends; then
 * transfer_push_result builds the Lua result. So curl's own parser feeds our header and
 * body callbacks exactly as in production: status lines, 1xx, chunked, Content-Length
 * mismatches, early EOF, limits. Input: 1 flag byte (method, max_body, max_header), then the
 * raw response bytes. Built with csrc/json.c, request.c and transfer.c. */
#define _GNU_SOURCE /* accept4 */
#define FUZZ_WITH_LUA
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../csrc/engine.c"
#include "../csrc/json.h"

static lua_State *L;

/* The "server": a loopback listener shared by all inputs. */
static int listen_fd = -1;
static char url[64];

static void listen_once(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(listen_fd, 16) != 0 || getsockname(listen_fd, (struct sockaddr *)&a, &alen) != 0)
        abort();
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v2/me", ntohs(a.sin_port));
}

/* Closed with a reset, so no TIME_WAIT piles up over millions of runs. */
static void hang_up(int fd)
{
    struct linger lg = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    L = fuzz_lua_state();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        abort();
    json_push_decoder(L);
    lua_setglobal(L, "decoder");
    listen_once();
    return 0;
}

static int push(lua_State *L1)
{
    struct transfer *t = lua_touserdata(L1, 1);
    lua_getglobal(L1, "decoder");
    transfer_push_result(L1, t, -1);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = { "GET", "POST", "PUT", "DELETE" };
    static const size_t body_limits[] = { 16 * 1048576, 10, 300, 2000 };
    static const size_t header_limits[] = { 256 * 1024, 40, 200, 1000 };
    struct reader r = { data, size };
    uint8_t flags = rd_byte(&r);

    struct engine e;
    memset(&e, 0, sizeof e);
    e.epfd = -1;
    e.cfg.username = strdup("agent1");
    e.cfg.password = strdup("password");
    e.cfg.user_agent = strdup("fuzz");
    e.cfg.max_body = body_limits[flags >> 2 & 3];
    e.cfg.max_header = header_limits[flags >> 4 & 3];
    e.cfg.connect_timeout_ms = 2000;
    FUZZ_ASSERT(engine_init(&e) == NULL);

    struct request req = {
        .method = methods[flags & 3],
        .url = url,
        .body = (flags & 3) == 1 ? "{}" : NULL,
        .body_len = (flags & 3) == 1 ? 2 : 0,
        .timeout = 5.0,
    };
    const char *err = NULL;
    lua_Integer id = engine_submit(&e, L, &req, flags & 0x40, &err);
    FUZZ_ASSERT(id > 0);
    if (getenv("FUZZ_VERBOSE"))
        curl_easy_setopt(e.active.tail->easy, CURLOPT_VERBOSE, 1L);

    /* Step the engine and play the server until the transfer is over: accept, read what
     * curl sends, write the answer, then FIN. The bound only turns a hang into a finding. */
    int conn = -1, shut = 0;
    size_t sent = 0;
    char sink[4096];
    for (int i = 0; i < 20000 && e.done.count == 0; i++) {
        FUZZ_ASSERT(engine_step(&e, 0.001) == 0);
        if (conn < 0)
            conn = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0)
            continue;
        while (recv(conn, sink, sizeof sink, 0) > 0)
            ;
        if (sent < r.left) {
            ssize_t n = send(conn, r.p + sent, r.left - sent, MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
        }
        if (sent == r.left && !shut)
            shut = shutdown(conn, SHUT_WR) == 0;
    }
    FUZZ_ASSERT(e.done.count == 1 && e.active.count == 0);
    struct transfer *t = e.done.head;
    FUZZ_ASSERT(t->id == id && t->body.len <= e.cfg.max_body);
    FUZZ_ASSERT(t->header_bytes <= e.cfg.max_header);

    lua_settop(L, 0);
    lua_pushcfunction(L, push);
    lua_pushlightuserdata(L, t);
    FUZZ_ASSERT(lua_pcall(L, 1, 1, 0) == LUA_OK);
    lua_getfield(L, 1, "err");
    lua_getfield(L, 1, "body");
    FUZZ_ASSERT(lua_type(L, -1) == LUA_TSTRING);
    FUZZ_ASSERT(lua_isnil(L, -2) == (t->result == CURLE_OK));
    if (getenv("FUZZ_VERBOSE")) {
        if (lua_istable(L, -2))
            lua_getfield(L, -2, "message");
        else
            lua_pushnil(L);
        fprintf(stderr, "status %ld, result %d (%s), %zu body bytes\n", t->status,
                (int)t->result, lua_isstring(L, -1) ? lua_tostring(L, -1) : "ok", t->body.len);
    }
    lua_settop(L, 0);

    /* Reset first: whoever closes a finished TCP connection first keeps it in TIME_WAIT. */
    if (conn >= 0)
        hang_up(conn);
    engine_discard(&e, t);
    engine_close(&e);
    /* A connection curl opened but we never took must not meet the next input. */
    int stray;
    while ((stray = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
        hang_up(stray);
    return 0;
}
