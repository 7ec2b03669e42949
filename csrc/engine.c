/* The engine drives curl's multi socket API from one epoll set, so a host event loop needs to
 * watch a single fd however many connections are open, and step() never blocks longer than
 * curl's own next deadline. Plain C (no Lua here): curl callbacks only update C state. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "engine.h"
#include "sockets.h"
#include "text.h"
#include "transfer_list.h"

/* Mirrors curl's interest in a socket into the epoll set (sockets.c: a kept-alive
 * connection's socket stays registered between requests). */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct engine *e = userp;
    (void)easy;
    (void)socketp;
    return sockets_want(&e->sockets, e->epfd, s, what);
}

/* Only records the deadline: calling back into curl from here is not allowed. */
static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct engine *e = userp;
    (void)multi;
    if (timeout_ms < 0) {
        e->has_deadline = 0;
    } else {
        e->has_deadline = 1;
        e->deadline = gws_monotonic() + (double)timeout_ms / 1000.0;
    }
    return 0;
}

static void free_string(char **s)
{
    free(*s);
    *s = NULL;
}

static void wipe_credentials(struct transfer_config *cfg)
{
    if (cfg->password != NULL)
        explicit_bzero(cfg->password, strlen(cfg->password));
    free_string(&cfg->password);
    free_string(&cfg->username);
    free_string(&cfg->user_agent);
}

const char *engine_init(struct engine *e)
{
    const char *err = header_base_init(&e->cfg.base, e->cfg.username, e->cfg.password,
                                       e->cfg.user_agent != NULL ? e->cfg.user_agent : "");
    /* Rendered into the Authorization line, the plain credentials have no further use:
     * wiped now rather than kept for the engine's lifetime. */
    wipe_credentials(&e->cfg);
    if (err != NULL)
        return err;
    /* Before any handle exists: each one tells it of the sockets it opens and closes. */
    e->cfg.sockets = &e->sockets;
    /* Once per engine instead of libcurl's 5 getenv per request (bench/README.md). */
    if (transfer_config_environment(&e->cfg) != 0)
        return "out of memory";
    e->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (e->epfd < 0) {
        if (errno == EMFILE || errno == ENFILE)
            return text_fd_limit(e->msg, sizeof e->msg);
        return "cannot create epoll fd";
    }
    /* The REST calls and the long poll of one agent carry the same session cookie: a request
     * without a jar of its own uses this one. (DNS answers are cached by the multi handle,
     * for every transfer whatever its jar.) */
    e->cfg.jar = jar_new(e->max_cookies, e->max_cookie_bytes);
    if (e->cfg.jar == NULL)
        return "cannot create the cookie jar (curl share handle)";
    e->multi = curl_multi_init();
    if (e->multi == NULL)
        return "cannot create curl multi handle";
    if (curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
        curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, (void *)e) != CURLM_OK ||
        curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, on_timer) != CURLM_OK ||
        curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, (void *)e) != CURLM_OK)
        return "cannot configure curl multi handle";
    e->next_id = 1;
    e->open = 1;
    return NULL;
}

/* A handle with the engine-wide options set (transfer_setup_handle): from the pool, or new.
 * Handles are never reset: setting every option again per transfer cost more than the
 * transfer's own bookkeeping (bench/README.md, B1). */
static CURL *take_easy(struct engine *e)
{
    if (e->pooled > 0)
        return e->pool[--e->pooled];
    CURL *easy = curl_easy_init();
    if (easy != NULL && transfer_setup_handle(easy, &e->cfg) != CURLE_OK) {
        curl_easy_cleanup(easy);
        easy = NULL;
    }
    return easy;
}

/* Cleared as it enters the pool rather than as it leaves, so no idle handle keeps pointers
 * into a freed transfer (error buffer, header list, callback data). */
static void give_back_easy(struct engine *e, CURL *easy)
{
    if (e->open && e->pooled < ENGINE_POOL_MAX) {
        transfer_clear_handle(easy);
        e->pool[e->pooled++] = easy;
    } else {
        curl_easy_cleanup(easy);
    }
}

/* Reads curl's next deadline after we drove curl's timers ourselves. on_timer only reports
 * a *change* of the earliest timeout, so after a CURL_SOCKET_TIMEOUT action the deadline we
 * hold may be stale, and clearing it in the hope of a callback can lose it: the transfers
 * waiting for it (a stalled long poll's timeout) would then never time out. */
static void sync_deadline(struct engine *e)
{
    long ms = -1;
    if (curl_multi_timeout(e->multi, &ms) != CURLM_OK || ms < 0) {
        e->has_deadline = 0;
        return;
    }
    e->has_deadline = 1;
    e->deadline = gws_monotonic() + (double)ms / 1000.0;
}

/* A transfer whose result is delivered or dropped: kept for the next submit while the
 * engine is open and the spares are few, freed otherwise. */
static void drop_transfer(struct engine *e, struct transfer *t)
{
    if (e->open && e->spares < ENGINE_POOL_MAX) {
        transfer_recycle(t);
        e->spare[e->spares++] = t;
    } else {
        transfer_free(t);
    }
}

/* Takes the handle out of curl's hands; its connection stays in the multi's cache. */
static void detach(struct engine *e, struct transfer *t)
{
    curl_multi_remove_handle(e->multi, t->easy);
    transfer_unshare(t, &e->cfg);
    give_back_easy(e, t->easy);
    t->easy = NULL;
}

/* curl reaches a jar only through a handle attached to its share. The engine keeps one handle
 * that never carries a transfer for that: curl counts the Set-Cookie lines of the response a
 * handle last read and, past 50, refuses every cookie added through it (even one added back
 * by the jar), until that handle's next transfer starts. NULL on out of memory. */
static CURL *keeper_for(struct engine *e, struct jar *jar)
{
    if (e->keeper == NULL) {
        e->keeper = curl_easy_init();
        if (e->keeper != NULL && transfer_setup_handle(e->keeper, &e->cfg) != CURLE_OK) {
            curl_easy_cleanup(e->keeper);
            e->keeper = NULL;
        }
    }
    if (e->keeper == NULL || curl_easy_setopt(e->keeper, CURLOPT_SHARE, jar->share) != CURLE_OK)
        return NULL;
    return e->keeper;
}

/* Back on the engine's own jar, so no other jar's share stays in use by it. */
static void keeper_done(struct engine *e)
{
    curl_easy_setopt(e->keeper, CURLOPT_SHARE, e->cfg.jar->share);
}

/* Returns 0 when there was no handle to do it with (out of memory): the jar is looked at
 * again after the next response that sets a cookie. */
static int update_jar(struct engine *e, struct jar *jar)
{
    CURL *keeper = keeper_for(e, jar);
    if (keeper == NULL)
        return 0;
    jar_update(jar, keeper);
    keeper_done(e);
    return 1;
}

static void collect_done(struct engine *e)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(e->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        struct transfer *t = (struct transfer *)priv;
        /* msg dies with the removal below, so its result is read first. */
        transfer_finish(t, msg->data.result);
        /* The response may have grown the jar past its bounds. */
        if (t->set_cookies > 0)
            update_jar(e, t->jar);
        detach(e, t);
        list_unlink(&e->active, t);
        list_push(&e->done, t);
    }
}

int64_t engine_submit(struct engine *e, const struct request *req, int start_now,
                      const char **err)
{
    CURL *easy = take_easy(e);
    if (easy == NULL) {
        *err = "cannot create curl easy handle";
        return 0;
    }
    CURLcode rc;
    struct transfer *reuse = e->spares > 0 ? e->spare[--e->spares] : NULL;
    struct transfer *t = transfer_new(easy, req, &e->cfg, reuse, &rc);
    if (t == NULL) {
        give_back_easy(e, easy);
        *err = curl_easy_strerror(rc);
        return 0;
    }
    t->id = e->next_id++;
    CURLMcode mrc = curl_multi_add_handle(e->multi, easy);
    if (mrc != CURLM_OK) {
        t->easy = NULL;
        give_back_easy(e, easy);
        drop_transfer(e, t);
        *err = curl_multi_strerror(mrc);
        return 0;
    }
    list_push(&e->active, t);
    if (start_now) {
        /* On a kept-alive connection the request goes out before we return, so the caller's
         * next step only waits for the answer: one step per request, not two (bench/README.md,
         * B1). Not by default: many submits in a row are cheaper started by one step. A fast
         * server's answer may even be read already: collected here, so the next step returns
         * it without waiting on a socket that has gone quiet. */
        int running;
        curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        sync_deadline(e);
        collect_done(e);
    }
    return t->id;
}

static int wait_ms(const struct engine *e, double timeout)
{
    if (e->done.count > 0)
        return 0;
    double wait = timeout;
    if (e->has_deadline) {
        double until = e->deadline - gws_monotonic();
        if (until < wait)
            wait = until;
    }
    if (!(wait > 0))
        return 0;
    /* Rounded up: waking a hair before curl's deadline would only spin once more. */
    double ms = ceil(wait * 1000.0);
    return ms >= (double)INT_MAX ? INT_MAX : (int)ms;
}

/* How long results finished inside engine_submit may be handed out without a look at the
 * sockets: long enough that a loop of blocking requests makes no epoll_wait per request, short
 * enough that another transfer's data (a long poll's answer) never waits noticeably. */
#define LOOK_EVERY 0.001

int engine_step(struct engine *e, double timeout)
{
    struct epoll_event events[64];
    int running;
    double now = gws_monotonic();
    if (e->done.count > 0 && now - e->looked < LOOK_EVERY) {
        /* The usual blocking request on a kept-alive connection: its answer was read inside
         * submit (start_now), so there is nothing to wait for. Timers still run. */
        if (e->has_deadline && now >= e->deadline) {
            curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            sync_deadline(e);
            collect_done(e);
        }
        return 0;
    }
    e->looked = now;
    int n = epoll_wait(e->epfd, events, 64, wait_ms(e, timeout));
    if (n < 0) {
        /* A signal only cuts the wait short; the caller's loop comes straight back. */
        if (errno != EINTR)
            return -1;
        n = 0;
    }
    for (int i = 0; i < n; i++) {
        int mask = 0;
        if (events[i].events & EPOLLIN)
            mask |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT)
            mask |= CURL_CSELECT_OUT;
        if (events[i].events & (EPOLLERR | EPOLLHUP))
            mask |= CURL_CSELECT_ERR;
        int fd = events[i].data.fd;
        if (sockets_event(&e->sockets, e->epfd, fd))
            curl_multi_socket_action(e->multi, fd, mask, &running);
    }
    if (e->has_deadline && gws_monotonic() >= e->deadline) {
        curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        sync_deadline(e);
    }
    collect_done(e);
    return 0;
}

struct transfer *engine_ready_now(struct engine *e, int64_t id)
{
    struct transfer *t = e->done.head;
    if (e->done.count != 1 || t->id != id)
        return NULL;
    double now = gws_monotonic();
    if (now - e->looked >= LOOK_EVERY || (e->has_deadline && now >= e->deadline))
        return NULL;
    return t;
}

void engine_discard(struct engine *e, struct transfer *t)
{
    list_unlink(&e->done, t);
    drop_transfer(e, t);
}

int engine_cancel(struct engine *e, int64_t id)
{
    struct transfer *t = list_find(&e->active, id);
    if (t != NULL) {
        detach(e, t);
        list_unlink(&e->active, t);
        drop_transfer(e, t);
        return 1;
    }
    t = list_find(&e->done, id);
    if (t != NULL) {
        engine_discard(e, t);
        return 1;
    }
    return 0;
}

double engine_timeout(const struct engine *e)
{
    if (e->done.count > 0)
        return 0;
    if (!e->has_deadline)
        return -1;
    double until = e->deadline - gws_monotonic();
    return until > 0 ? until : 0;
}

CURLcode engine_forget_cookies(struct engine *e, struct jar *jar, const char *const *names,
                               size_t count)
{
    jar = jar != NULL ? jar : e->cfg.jar;
    CURL *keeper = keeper_for(e, jar);
    if (keeper == NULL)
        return CURLE_OUT_OF_MEMORY;
    CURLcode rc = jar_forget(jar, keeper, names, count);
    keeper_done(e);
    return rc;
}

CURLcode engine_update_jar(struct engine *e, struct jar *jar)
{
    jar = jar != NULL ? jar : e->cfg.jar;
    return update_jar(e, jar) ? CURLE_OK : CURLE_OUT_OF_MEMORY;
}

void engine_close(struct engine *e)
{
    /* open is dropped first so give_back_easy frees handles instead of pooling them. */
    e->open = 0;
    while (e->active.head != NULL) {
        struct transfer *t = e->active.head;
        detach(e, t);
        list_unlink(&e->active, t);
        transfer_free(t);
    }
    while (e->done.head != NULL)
        engine_discard(e, e->done.head);
    while (e->pooled > 0)
        curl_easy_cleanup(e->pool[--e->pooled]);
    if (e->keeper != NULL)
        curl_easy_cleanup(e->keeper);
    e->keeper = NULL;
    while (e->spares > 0)
        transfer_free(e->spare[--e->spares]);
    /* Every easy handle is gone, so no share is in use and the engine's jar can go too (the
     * last reference to another jar goes with its Lua object). */
    if (e->multi != NULL)
        curl_multi_cleanup(e->multi);
    e->multi = NULL;
    jar_release(e->cfg.jar);
    e->cfg.jar = NULL;
    if (e->epfd >= 0)
        close(e->epfd);
    e->epfd = -1;
    sockets_free(&e->sockets);
    e->has_deadline = 0;
    header_base_free(&e->cfg.base);
    wipe_credentials(&e->cfg); /* already done by engine_init, unless it never ran */
    free_string(&e->cfg.ca_file);
    free_string(&e->cfg.keep_headers);
    /* The proxy URL may carry the proxy's user and password (curl keeps its own copies). */
    if (e->cfg.proxy != NULL)
        explicit_bzero(e->cfg.proxy, strlen(e->cfg.proxy));
    if (e->cfg.proxy_https != NULL)
        explicit_bzero(e->cfg.proxy_https, strlen(e->cfg.proxy_https));
    free_string(&e->cfg.proxy);
    free_string(&e->cfg.proxy_https);
    free_string(&e->cfg.noproxy);
}
