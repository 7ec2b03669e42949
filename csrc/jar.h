/* A cookie jar: the cookies of one agent, held by a curl share handle that transfers attach
 * to (CURLOPT_SHARE) for the length of one request. Connections are not in the share: they
 * stay in the engine's multi handle, so agents reuse each other's connections while cookies
 * travel in each request, never in the connection.
 *
 * Bounded (a server can set cookies without end): after a response that set any, the jar is
 * read back and, over max_cookies cookies or max_bytes bytes, the oldest are dropped. Age is
 * the jar's own: a cookie is as old as its current value (a new cookie, or a new value for a
 * known one, is young again; curl's own creation time survives a new value, so a rotated
 * session cookie would look old). The drops are counted for the caller to report.
 * Plain C: jar_lua.c is the Lua face. */
#ifndef GWS_JAR_H
#define GWS_JAR_H

#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>

/* One cookie as the jar last saw it: hashes of its identity (domain, path, name) and of its
 * whole line (value and attributes), and the stamp of when that line first appeared. */
struct jar_entry {
    uint64_t key, line;
    uint64_t stamp;
    size_t bytes;
};

struct jar {
    int refs;                   /* the Lua object or engine that made it, and each transfer */
    CURLSH *share;
    size_t max_cookies, max_bytes;
    size_t count, bytes;        /* as of the last look (jar_update) */
    uint64_t dropped;           /* cookies dropped to stay within bounds, ever */
    uint64_t clock;             /* the last stamp handed out */
    struct jar_entry *entries;  /* `count` of them, sorted by key */
    size_t cap;
};

/* A new jar holding one reference, or NULL (out of memory, or curl refused the share). */
struct jar *jar_new(size_t max_cookies, size_t max_bytes);

void jar_retain(struct jar *j);

/* Drops one reference; at zero frees the share and every cookie. No easy handle may be
 * attached to the share any more by then. NULL is ignored. */
void jar_release(struct jar *j);

/* Reads the cookies back through `easy` (attached to this jar's share) after a response set
 * some: ages them and drops the oldest beyond the bounds. Returns how many it dropped (0 also
 * when reading them failed: the jar is then left as curl has it, and looked at again after the
 * next response that sets one). */
size_t jar_update(struct jar *j, CURL *easy);

/* Forgets cookies through `easy` (attached to this jar's share): all of them (names NULL), or
 * those whose name is one of names[0..count) whatever their domain and path. */
CURLcode jar_forget(struct jar *j, CURL *easy, const char *const *names, size_t count);

#endif
