/* The transfer engine in plain C: a curl multi handle driven through the socket API, the epoll
 * set that mirrors curl's sockets, its own cookie jar (a request may name another: one engine
 * serves many agents) and a pool of idle easy handles.
 * It knows nothing of Lua: engine_lua.c turns Lua tables into requests and transfers into
 * result tables, and owns the userdata. */
#ifndef GWS_ENGINE_H
#define GWS_ENGINE_H

#include <stdint.h>
#include <curl/curl.h>

#include "request.h"
#include "sockets.h"
#include "transfer.h"
#include "transfer_list.h"

/* Reused handles keep their TLS session cache and DNS entries warm; more than a burst's worth
 * would only hold memory. */
#define ENGINE_POOL_MAX 16

struct engine {
    int open;
    CURLM *multi;
    int epfd;                       /* -1 when not (yet) created */
    int has_deadline;
    double deadline;                /* gws_monotonic() time curl wants to be called back */
    double looked;                  /* gws_monotonic() time of the last look at the sockets */
    struct transfer_list active;    /* in curl's hands */
    struct transfer_list done;      /* finished, result not yet delivered */
    CURL *keeper;                   /* reads and rewrites jars, never transfers (engine.c) */
    CURL *pool[ENGINE_POOL_MAX];
    int pooled;
    struct transfer *spare[ENGINE_POOL_MAX]; /* recycled transfers, for the next submits */
    int spares;
    int64_t next_id;
    struct sockets sockets;         /* what the epoll set holds for curl (sockets.h) */
    size_t max_cookies, max_cookie_bytes; /* bounds of the engine's own jar */
    struct transfer_config cfg;     /* strings owned by the engine, freed by engine_close */
    char msg[128];                  /* engine_init's message when it is not a static one */
};

/* Creates the multi and epoll handles and the engine's own jar; cfg must be filled in already
 * except cfg.jar. Returns NULL or a message (static, or e->msg); on failure engine_close still
 * releases what was made. */
const char *engine_init(struct engine *e);

/* Adds a checked request; with start_now it is also started (sent, on a kept-alive
 * connection) before this returns, otherwise at the next engine_step. The transfer takes its
 * own reference to req->headers. Returns its id (> 0), or 0 with *err set. */
int64_t engine_submit(struct engine *e, const struct request *req, int start_now,
                      const char **err);

/* Waits up to `timeout` seconds for activity, drives curl and moves finished transfers to
 * e->done. Returns 0, or -1 with errno set when epoll itself fails. */
int engine_step(struct engine *e, double timeout);

/* Transfer `id` when it finished inside engine_submit and may be handed out right away, by
 * engine_step's own shortcut rules: it is the only finished transfer, the sockets were looked
 * at less than a millisecond ago (another transfer's answer cannot be waiting long) and no
 * curl timer is due. NULL otherwise (engine_step hands it out). */
struct transfer *engine_ready_now(struct engine *e, int64_t id);

/* Forgets a finished transfer once its result has been delivered. */
void engine_discard(struct engine *e, struct transfer *t);

/* Returns 1 when the transfer was in flight (or finished but undelivered) and is now gone. */
int engine_cancel(struct engine *e, int64_t id);

/* Seconds until engine_step should run (0 when overdue), or -1 when curl has no deadline. */
double engine_timeout(const struct engine *e);

/* Forgets the cookies of `jar` (NULL: the engine's own): all of them (names NULL), or those
 * named names[0..count). */
CURLcode engine_forget_cookies(struct engine *e, struct jar *jar, const char *const *names,
                               size_t count);

/* Brings jar's count and bytes up to date (expired cookies go), dropping the oldest beyond its
 * bounds. */
CURLcode engine_update_jar(struct engine *e, struct jar *jar);

/* Cancels everything and frees every resource (other jars live on while something holds them),
 * wiping the rendered Authorization line (the
 * plain username and password are already gone: engine_init wipes them once they are
 * rendered, or this does if engine_init never ran). Lists made by header_list_build from
 * cfg.base hold their own copy of that line, wiped when their last reference goes. Idempotent. */
void engine_close(struct engine *e);

#endif
