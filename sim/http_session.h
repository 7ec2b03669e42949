/*
 * HTTP sessions: the JSESSIONID cookie and its CSRF token, each bound to one user. A
 * cookie presented with another user's credentials is treated as unknown. A session unused
 * for longer than the idle time (--http-session-idle) is gone, as a servlet container's
 * would be; one marked for rotation gets a new id (and Set-Cookie) the next time it is used,
 * the old id then unknown, its CSRF token kept (session-fixation protection does that).
 * Not thread-safe: callers hold sim->lock.
 */
#ifndef GWS_SIM_HTTP_SESSION_H
#define GWS_SIM_HTTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#define SESSION_ID_LEN 32       /* hex characters in a session id and in a CSRF token */

struct http_session {
    char id[SESSION_ID_LEN + 1];
    char csrf[SESSION_ID_LEN + 1];
    char *user;
    long long last_used;        /* monotonic ms, for idle expiry and evicting the oldest */
    bool rotate;                /* give it a new id the next time it is used */
};

struct http_sessions;

/* idle_ms: a session unused for longer is forgotten (0: never). */
struct http_sessions *sessions_new(long long idle_ms);
void sessions_free(struct http_sessions *ss);

/*
 * The session for this cookie and user, or NULL (also when it sat idle too long). A session
 * marked for rotation gets its new id now and *rotated is set (send the cookie again). The
 * pointer is valid until the next call on `ss`; copy what you need before releasing the lock.
 */
const struct http_session *sessions_find(struct http_sessions *ss, const char *cookie,
                                         const char *user, bool *rotated);
/* A new session for `user` (evicting the least recently used one when full), or NULL. */
const struct http_session *sessions_create(struct http_sessions *ss, const char *user);
void sessions_drop(struct http_sessions *ss, const char *id);
/* Marks every session for rotation; returns how many. */
size_t sessions_rotate_all(struct http_sessions *ss);
/* Forgets every session; returns how many there were. */
size_t sessions_forget_all(struct http_sessions *ss);

/* Compares two NUL-terminated tokens without an early exit on the first difference. */
int sessions_token_equal(const char *a, const char *b);

#endif
