/* One transfer. curl callbacks here only append to C buffers, and nothing here knows Lua: the
 * result table is built from the buffers by result_lua.c, after curl is done with them. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transfer.h"

static int buffer_append(struct buffer *b, const char *p, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap - b->len < n) {
            if (cap > SIZE_MAX / 2)
                return -1;
            cap *= 2;
        }
        char *data = realloc(b->data, cap);
        if (data == NULL)
            return -1;
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct transfer *t = ud;
    size_t n = size * nmemb;
    /* Counted here too, not only by CURLOPT_MAXFILESIZE: chunked or unannounced bodies have
     * no Content-Length for curl to refuse up front. */
    if (n > t->max_body - t->body.len) {
        t->aborted = ABORT_BODY;
        return 0;
    }
    if (buffer_append(&t->body, ptr, n) != 0) {
        t->aborted = ABORT_MEMORY;
        return 0;
    }
    return n;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Whether name (any case) is in the list of kept names (lower-case, see transfer_config). */
static int kept(const char *list, const char *name, size_t nlen)
{
    for (size_t len; (len = strlen(list)) > 0; list += len + 1)
        if (len == nlen && strncasecmp(list, name, nlen) == 0)
            return 1;
    return 0;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct transfer *t = ud;
    size_t n = size * nmemb;
    if (n > t->max_header - t->header_bytes) {
        t->aborted = ABORT_HEADER;
        return 0;
    }
    t->header_bytes += n;

    /* A new status line starts a new response (after 1xx, or a 401 before auth is retried):
     * only the final response's headers describe the body we return. */
    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
        t->headers.len = 0;
        t->header_count = 0;
        return n;
    }
    const char *colon = memchr(ptr, ':', n);
    /* No colon: the blank end-of-headers line. Leading whitespace: an obsolete folded
     * continuation; neither carries a header of its own. */
    if (colon == NULL || colon == ptr || is_space(ptr[0]))
        return n;

    size_t nlen = (size_t)(colon - ptr);
    while (nlen > 0 && is_space(ptr[nlen - 1]))
        nlen--;
    const char *value = colon + 1, *end = ptr + n;
    while (value < end && is_space(*value))
        value++;
    while (end > value && is_space(end[-1]))
        end--;
    size_t vlen = (size_t)(end - value);
    /* Stored NUL-terminated, so a NUL inside would cut the pair apart; such a header is bogus. */
    if (nlen == 0 || memchr(ptr, '\0', nlen) || memchr(value, '\0', vlen))
        return n;
    /* Cookies belong to curl's cookie engine; handing them to Lua would only invite copies.
     * Counted, so the jar looks at itself only after a response that changed it. */
    if (nlen == 10 && strncasecmp(ptr, "set-cookie", 10) == 0) {
        t->set_cookies++;
        return n;
    }

    if (t->keep_headers != NULL && !kept(t->keep_headers, ptr, nlen))
        return n;

    size_t start = t->headers.len;
    if (buffer_append(&t->headers, ptr, nlen) != 0 || buffer_append(&t->headers, "", 1) != 0 ||
        buffer_append(&t->headers, value, vlen) != 0 || buffer_append(&t->headers, "", 1) != 0) {
        t->aborted = ABORT_MEMORY;
        return 0;
    }
    t->header_count++;
    for (size_t i = start; i < start + nlen; i++)
        if (t->headers.data[i] >= 'A' && t->headers.data[i] <= 'Z')
            t->headers.data[i] += 'a' - 'A';
    return n;
}

/* curl's own socket() call, made here so that a failure's errno is kept: curl reports any
 * failure to open a socket as "Couldn't connect to server", which hides the real cause when it
 * is running out of file descriptors (result_lua.c says so instead). */
static curl_socket_t on_open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct transfer *t = ud;
    (void)purpose;
    curl_socket_t s = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (s == CURL_SOCKET_BAD && t != NULL)
        t->socket_errno = errno;
    /* Should the engine fail to note it (out of memory), curl's socket callback fails too. */
    if (s != CURL_SOCKET_BAD && t != NULL && t->sockets != NULL)
        (void)sockets_opened(t->sockets, s);
    return s;
}

/* curl's close of a connection's socket (kept by the connection, whatever handle made it):
 * the engine learns that the number is free and the socket gone from its epoll set. */
static int on_close_socket(void *ud, curl_socket_t s)
{
    if (ud != NULL)
        sockets_closed(ud, s);
    return close(s);
}

static long to_ms(double seconds)
{
    double ms = ceil(seconds * 1000.0);
    if (ms < 1)
        return 1;
    return ms >= (double)LONG_MAX ? LONG_MAX : (long)ms;
}

#define SET(opt, val)                                                                      \
    do {                                                                                   \
        CURLcode rc_ = curl_easy_setopt(e, opt, val);                                      \
        if (rc_ != CURLE_OK)                                                               \
            return rc_;                                                                    \
    } while (0)

static CURLcode set_method(CURL *e, const struct request *req)
{
    if (strcmp(req->method, "GET") == 0) {
        SET(CURLOPT_HTTPGET, 1L);
        return CURLE_OK;
    }
    /* POST and PUT always send a body (maybe empty, so Content-Length: 0 is on the wire);
     * DELETE sends one only when given. Copied, so the caller's string may go. */
    if (req->body != NULL || strcmp(req->method, "DELETE") != 0) {
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        SET(CURLOPT_COPYPOSTFIELDS, req->body != NULL ? req->body : "");
    }
    if (strcmp(req->method, "POST") != 0)
        SET(CURLOPT_CUSTOMREQUEST, req->method);
    return CURLE_OK;
}

/* The first of these variables that is set and not empty (libcurl's order; curl_getenv
 * takes an empty one for unset), or "". */
static const char *env_first(const char *const *names)
{
    for (; *names != NULL; names++) {
        const char *v = getenv(*names);
        if (v != NULL && *v != '\0')
            return v;
    }
    return "";
}

static int copy_into(char **dst, const char *src)
{
    *dst = strdup(src);
    return *dst == NULL ? -1 : 0;
}

int transfer_config_environment(struct transfer_config *cfg)
{
    static const char *const no_proxy[] = { "no_proxy", "NO_PROXY", NULL };
    static const char *const http[] = { "http_proxy", "all_proxy", "ALL_PROXY", NULL };
    static const char *const https[] = { "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                                         NULL };
    if (cfg->noproxy == NULL && copy_into(&cfg->noproxy, env_first(no_proxy)) != 0)
        return -1;
    if (cfg->proxy != NULL)
        return 0;
    const char *for_http = env_first(http), *for_https = env_first(https);
    if (copy_into(&cfg->proxy, for_http) != 0)
        return -1;
    /* Usually the same (both unset, or all_proxy): then one option for every handle. */
    if (strcmp(for_http, for_https) != 0 && copy_into(&cfg->proxy_https, for_https) != 0)
        return -1;
    return 0;
}

/* Options every transfer of the engine shares: set once, when the handle is made. */
CURLcode transfer_setup_handle(CURL *e, const struct transfer_config *cfg)
{
    SET(CURLOPT_NOSIGNAL, 1L);
    /* Never follow redirects: curl would resend our credentials to wherever they point. */
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    /* Each handle holds its receive buffer for as long as a transfer is in flight: a caller
     * with many idle long polls (a shared loop) chooses a smaller one. */
    if (cfg->buffer_size > 0)
        SET(CURLOPT_BUFFERSIZE, cfg->buffer_size);
    /* User-Agent and Basic credentials travel as prepared header lines (cfg->base), not as
     * CURLOPT_USERAGENT/USERNAME/PASSWORD, which curl would render anew for every request.
     * Basic only and up front: negotiating would cost a 401 round trip per transfer. */
    if (cfg->ca_file != NULL)
        SET(CURLOPT_CAINFO, cfg->ca_file);
    if (cfg->insecure) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    /* Given, or read from the environment once (transfer_config_environment): set, libcurl
     * reads no variable per request ("" for proxy: no proxy at all). */
    if (cfg->proxy != NULL)
        SET(CURLOPT_PROXY, cfg->proxy);
    if (cfg->noproxy != NULL)
        SET(CURLOPT_NOPROXY, cfg->noproxy);
    /* The share holds the engine's cookie jar (a request may name another one for itself);
     * "" switches the cookie engine on without reading any file. Set once per handle: each
     * setting appends to a list curl keeps. */
    SET(CURLOPT_SHARE, cfg->jar->share);
    SET(CURLOPT_COOKIEFILE, "");
    SET(CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    SET(CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
    SET(CURLOPT_CLOSESOCKETDATA, (void *)cfg->sockets);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    /* Refuses an announced oversized body before any of it is read. */
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cfg->max_body);
    return CURLE_OK;
}

/* Drops every pointer into a transfer and every per-request setting, so an idle handle in
 * the pool refers to nothing freed and the next transfer starts from the engine's options
 * alone. Cheaper than curl_easy_reset plus setting everything again (see bench/README.md). */
void transfer_clear_handle(CURL *e)
{
    curl_easy_setopt(e, CURLOPT_PRIVATE, NULL);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, NULL);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, NULL);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
    /* Frees the copied body too. */
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
}

/* The options of this request; the handle already has the engine's (transfer_setup_handle)
 * and no other (transfer_clear_handle). */
static CURLcode configure(CURL *e, struct transfer *t, const struct request *req,
                          const struct transfer_config *cfg)
{
    SET(CURLOPT_PRIVATE, (void *)t);
    SET(CURLOPT_URL, req->url);
    /* The environment names another proxy for https:// than for http:// (rare): per URL. */
    if (cfg->proxy_https != NULL)
        SET(CURLOPT_PROXY, strncasecmp(req->url, "https:", 6) == 0 ? cfg->proxy_https : cfg->proxy);
    SET(CURLOPT_TIMEOUT_MS, to_ms(req->timeout));
    SET(CURLOPT_HTTPHEADER, t->req_headers->list);
    SET(CURLOPT_WRITEDATA, (void *)t);
    SET(CURLOPT_HEADERDATA, (void *)t);
    SET(CURLOPT_ERRORBUFFER, t->errbuf);
    SET(CURLOPT_OPENSOCKETDATA, (void *)t);
    return set_method(e, req);
}

#undef SET

struct transfer *transfer_new(CURL *easy, const struct request *req,
                              const struct transfer_config *cfg, struct transfer *reuse,
                              CURLcode *rc)
{
    struct transfer *t = reuse != NULL ? reuse : calloc(1, sizeof *t);
    if (t == NULL) {
        *rc = CURLE_OUT_OF_MEMORY;
        return NULL;
    }
    t->max_body = cfg->max_body;
    t->max_header = cfg->max_header;
    t->keep_headers = cfg->keep_headers;
    t->drop_body = req->drop_body;
    t->sockets = cfg->sockets;
    t->req_headers = req->headers != NULL ? req->headers : cfg->base.plain;
    header_list_retain(t->req_headers);
    t->jar = req->jar != NULL ? req->jar : cfg->jar;
    jar_retain(t->jar);
    t->easy = easy;
    /* Only another jar costs a switch: idle handles are on the engine's own. */
    *rc = t->jar != cfg->jar ? curl_easy_setopt(easy, CURLOPT_SHARE, t->jar->share) : CURLE_OK;
    if (*rc == CURLE_OK)
        *rc = configure(easy, t, req, cfg);
    if (*rc == CURLE_OK)
        return t;
    transfer_unshare(t, cfg);
    t->easy = NULL;
    transfer_free(t);
    return NULL;
}

void transfer_unshare(struct transfer *t, const struct transfer_config *cfg)
{
    if (t->jar != cfg->jar)
        curl_easy_setopt(t->easy, CURLOPT_SHARE, cfg->jar->share);
}

void transfer_finish(struct transfer *t, CURLcode result)
{
    t->result = result;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
    curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &t->connects);
    curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME, &t->time);
}

/* Buffers up to this size stay with a recycled transfer; a large answer's do not. */
#define BUFFER_KEEP 65536

static void keep_or_free(struct buffer *b)
{
    if (b->cap > BUFFER_KEEP) {
        free(b->data);
        b->data = NULL;
        b->cap = 0;
    }
    b->len = 0;
}

void transfer_recycle(struct transfer *t)
{
    header_list_release(t->req_headers);
    jar_release(t->jar);
    keep_or_free(&t->body);
    keep_or_free(&t->headers);
    struct buffer body = t->body, headers = t->headers;
    memset(t, 0, sizeof *t);
    t->body = body;
    t->headers = headers;
}

void transfer_free(struct transfer *t)
{
    header_list_release(t->req_headers);
    jar_release(t->jar);
    free(t->body.data);
    free(t->headers.data);
    free(t);
}
