/* The transfer engine in plain C: a curl multi handle driven through the socket API, the epoll
 * set that mirrors curl's sockets, the shared cookie jar and a pool of idle easy handles.
 * It knows Lua only through the request/transfer modules; the userdata lives in engine_lua.c. */
#ifndef GWS_ENGINE_H
#define GWS_ENGINE_H

#include <curl/curl.h>
#include <lua.h>

#include "request.h"
#include "transfer.h"

/* Reused handles keep their TLS session cache and DNS entries warm; more than a burst's worth
 * would only hold memory. */
#define ENGINE_POOL_MAX 16

struct transfer_list {
    struct transfer *head, *tail;
    int count;
};

struct engine {
    int open;
    CURLM *multi;
    int epfd;                       /* -1 when not (yet) created */
    int has_deadline;
    double deadline;                /* gws_monotonic() time curl wants to be called back */
    struct transfer_list active;    /* in curl's hands */
    struct transfer_list done;      /* finished, result not yet handed to Lua */
    CURL *pool[ENGINE_POOL_MAX];
    int pooled;
    struct transfer *spare[ENGINE_POOL_MAX]; /* recycled transfers, for the next submits */
    int spares;
    lua_Integer next_id;
    struct transfer_config cfg;     /* strings owned by the engine, freed by engine_close */
};

/* Creates the multi, share and epoll handles; cfg must be filled in already except cfg.share.
 * Returns NULL or a static message; on failure engine_close still releases what was made. */
const char *engine_init(struct engine *e);

/* Adds a checked request; with start_now it is also started (sent, on a kept-alive
 * connection) before this returns, otherwise at the next engine_step. Returns its id (> 0),
 * or 0 with *err set. Never raises. */
lua_Integer engine_submit(struct engine *e, lua_State *L, const struct request *req,
                          int start_now, const char **err);

/* Waits up to `timeout` seconds for activity, drives curl and moves finished transfers to
 * e->done. Returns 0, or -1 with errno set when epoll itself fails. */
int engine_step(struct engine *e, double timeout);

/* Forgets a finished transfer once its result has been delivered. */
void engine_discard(struct engine *e, struct transfer *t);

/* Returns 1 when the transfer was in flight (or finished but undelivered) and is now gone. */
int engine_cancel(struct engine *e, lua_Integer id);

/* Seconds until engine_step should run (0 when overdue), or -1 when curl has no deadline. */
double engine_timeout(const struct engine *e);

CURLcode engine_clear_cookies(struct engine *e);

/* Cancels everything and frees every resource; wipes the password. Idempotent. */
void engine_close(struct engine *e);

#endif
