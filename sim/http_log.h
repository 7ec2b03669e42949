/*
 * The request log behind GET /sim/requests: every /api/v2 request as
 * {"seq","method","path","query"?,"user","body"}. Bodies are kept as text (cut to 4 KiB);
 * credentials, cookies and CSRF tokens are never recorded. Bounded: the oldest entries go.
 * Not thread-safe: callers hold sim->lock.
 */
#ifndef GWS_SIM_HTTP_LOG_H
#define GWS_SIM_HTTP_LOG_H

#include <stddef.h>
#include <jansson.h>

#define REQLOG_MAX_ENTRIES 100000
#define REQLOG_MAX_BODY 4096

struct reqlog;

struct reqlog *reqlog_new(size_t max_entries);
void reqlog_free(struct reqlog *log);

/* query and user may be NULL. body is raw bytes (need not be valid UTF-8). */
void reqlog_add(struct reqlog *log, const char *method, const char *path, const char *query,
                const char *user, const char *body, size_t len);

/* {"requests":[…]} with the entries whose seq is greater than `since`, oldest first. */
json_t *reqlog_since(const struct reqlog *log, long long since);

/* Empties the log; sequence numbers keep counting so `since` stays meaningful. */
void reqlog_clear(struct reqlog *log);

/*
 * Copies at most `max` bytes of `in` as valid UTF-8: invalid bytes become U+FFFD and a
 * sequence cut by the limit is dropped (jansson refuses invalid strings). Sets *out_len.
 * Returns malloc'd text or NULL.
 */
char *utf8_sanitize(const char *in, size_t len, size_t max, size_t *out_len);

#endif
