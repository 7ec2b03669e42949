/* One HTTP exchange: its easy-handle setup and the capture of its response into C buffers.
 * Plain C: the Lua result table is built from those buffers by result_lua.c. */
#ifndef GWS_TRANSFER_H
#define GWS_TRANSFER_H

#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>

#include "headers.h"
#include "jar.h"
#include "sockets.h"
#include "request.h"

/* Engine-wide settings every transfer applies. */
struct transfer_config {
    /* username, password and user_agent are read once, by engine_init, which renders them
     * into `base` and then wipes and frees them. */
    char *username;         /* NULL: no HTTP auth */
    char *password;
    char *ca_file;
    char *proxy;            /* CURLOPT_PROXY; it may hold the proxy's credentials, so it is
                             * wiped by engine_close. NULL until transfer_config_environment
                             * reads the environment into it ("": none) */
    char *proxy_https;      /* NULL, or the environment's proxy for https:// URLs where it is
                             * not the one for http:// (proxy then is that one) */
    char *noproxy;          /* CURLOPT_NOPROXY (NULL until read from the environment) */
    char *user_agent;
    /* NULL: results carry every response header (but Set-Cookie). Else the only names kept,
     * lower-case, each NUL-terminated, the list ended by an empty name: a caller that reads
     * two headers does not pay for turning ten into Lua strings per answer. */
    char *keep_headers;
    int insecure;
    size_t max_body;
    size_t max_header;
    long connect_timeout_ms;
    long buffer_size;       /* CURLOPT_BUFFERSIZE of every handle (curl keeps it within
                             * 1 KiB..512 KiB); 0: curl's default, 16 KiB */
    struct jar *jar;        /* the engine's own cookie jar: every handle's share when idle */
    struct sockets *sockets; /* the engine's epoll bookkeeping: told of every socket curl
                              * opens and closes for a connection (NULL: nobody to tell) */
    struct header_base base; /* Expect, User-Agent, Authorization: rendered once */
};

struct buffer {
    char *data;
    size_t len, cap;
};

/* Why one of our callbacks stopped the transfer; curl itself only sees a write error. */
enum transfer_abort { ABORT_NONE, ABORT_BODY, ABORT_HEADER, ABORT_MEMORY };

struct transfer {
    struct transfer *prev, *next;   /* the engine's in-flight or finished list */
    int64_t id;
    CURL *easy;                     /* NULL once handed back to the engine */
    struct header_list *req_headers;
    struct jar *jar;                /* holds a reference; the handle is on its share */
    struct buffer body;
    struct buffer headers;          /* "name\0value\0" pairs of the latest response */
    int header_count;               /* pairs in `headers` */
    size_t header_bytes;            /* everything received, across interim responses too */
    size_t max_body, max_header;
    const char *keep_headers;       /* the engine's list (transfer_config), or NULL: all */
    struct sockets *sockets;        /* the engine's (transfer_config), told of new sockets */
    enum transfer_abort aborted;
    int set_cookies;                /* Set-Cookie headers received: the jar wants a look */
    int socket_errno;               /* errno of the last socket() that failed, or 0 */
    int drop_body;                  /* the request's (request.h): result_lua.c reads it */
    CURLcode result;                /* the rest is read from the handle as it finishes */
    long status;
    long connects;
    double time;
    char errbuf[CURL_ERROR_SIZE];
};

/* Reads the proxy variables libcurl would read for every request (http_proxy, https_proxy,
 * HTTPS_PROXY, all_proxy, ALL_PROXY, no_proxy, NO_PROXY; not HTTP_PROXY, as libcurl) once,
 * into the options not given: libcurl then reads none per request. 0, or -1 out of memory. */
int transfer_config_environment(struct transfer_config *cfg);

/* Sets the engine-wide options on a new easy handle (once: it keeps them in the pool). */
CURLcode transfer_setup_handle(CURL *easy, const struct transfer_config *cfg);

/* Clears everything one transfer set on the handle, leaving the engine-wide options. */
void transfer_clear_handle(CURL *easy);

/* Makes a transfer for `easy` (set up by transfer_setup_handle, cleared by
 * transfer_clear_handle) and sets the request's options on it; it takes a reference to the
 * request's header list (cfg->base.plain when it has none) and to its jar (cfg->jar when it
 * has none), attaching the handle to that jar's share. `reuse` is a transfer_recycle'd
 * one to fill instead of allocating (NULL: allocate). On failure returns NULL (reuse is freed
 * too), leaves `easy` for the caller and stores the reason in *rc. */
struct transfer *transfer_new(CURL *easy, const struct request *req,
                              const struct transfer_config *cfg, struct transfer *reuse,
                              CURLcode *rc);

/* Puts the transfer's handle (already out of the multi) back on the engine's own jar, so that
 * no idle handle keeps another jar's share in use. */
void transfer_unshare(struct transfer *t, const struct transfer_config *cfg);

/* Readies a finished transfer (easy handle already taken back) for transfer_new's `reuse`:
 * drops its header list and any buffer grown large, keeps small buffers. Saves the three
 * allocations of a transfer per request (bench/README.md, B1). */
void transfer_recycle(struct transfer *t);

/* Records the outcome while the easy handle still holds it (reuse resets the handle). */
void transfer_finish(struct transfer *t, CURLcode result);

/* Frees the transfer's own memory. The easy handle must already have been taken back. */
void transfer_free(struct transfer *t);

#endif
