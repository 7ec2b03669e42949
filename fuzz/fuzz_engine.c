/* The whole receive path on real sockets, in plain C (the engine knows no Lua): a fresh engine
 * (csrc/engine.c) submits a request to a loopback listener of this harness, which answers
 * with the input as the server's entire answer (then FIN), while engine_step drives curl over
 * epoll until the transfer ends. So curl's own parser feeds our header and body callbacks
 * exactly as in production: status lines, 1xx, chunked, Content-Length mismatches, early
 * EOF, limits, Set-Cookie lines into a jar kept within its bounds. (The Lua result built from
 * such a transfer is fuzz_response's.) Input: 1 flag byte (method, max_body, max_header,
 * start_now, a jar bounded to 2 cookies), then the raw response bytes. Built with
 * csrc/headers.c, sockets.c, transfer.c, jar.c and text.c. */
#define _GNU_SOURCE /* accept4 */
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../csrc/engine.c"

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
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        abort();
    listen_once();
    return 0;
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
    e.max_cookies = flags & 0x80 ? 2 : 200;
    e.max_cookie_bytes = flags & 0x80 ? 120 : 64 * 1024;
    FUZZ_ASSERT(engine_init(&e) == NULL);

    struct request req = {
        .method = methods[flags & 3],
        .url = url,
        .body = (flags & 3) == 1 ? "{}" : NULL,
        .body_len = (flags & 3) == 1 ? 2 : 0,
        .timeout = 5.0,
    };
    const char *err = NULL;
    int64_t id = engine_submit(&e, &req, flags & 0x40, &err);
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

    /* One of our callbacks stopping the transfer must fail it: a success here would hand out
     * a cut-off body as if it were whole. */
    FUZZ_ASSERT(t->aborted == ABORT_NONE || t->result != CURLE_OK);
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "status %ld, result %d (%s), %zu body bytes\n", t->status,
                (int)t->result, t->errbuf[0] ? t->errbuf : curl_easy_strerror(t->result),
                t->body.len);

    /* Whatever cookies the answer set, the jar holds no more than its bounds allow. */
    FUZZ_ASSERT(engine_update_jar(&e, NULL) == CURLE_OK);
    FUZZ_ASSERT(e.cfg.jar->count <= e.max_cookies && e.cfg.jar->bytes <= e.max_cookie_bytes);

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
