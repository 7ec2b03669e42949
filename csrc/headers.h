/* Request header lists, built once and shared by every transfer that sends them.
 *
 * Why: libcurl 7.88 formats the headers it makes itself (Authorization from a username and
 * password, User-Agent) one character at a time through its own printf, twice per request,
 * while lines given in CURLOPT_HTTPHEADER are sent as they are. So the engine renders its
 * own lines once (header_base_init), and a caller can render its constant headers once too
 * (eng:headers{...} in engine_lua.c) instead of handing a table to every request. */
#ifndef GWS_HEADERS_H
#define GWS_HEADERS_H

#include <stddef.h>
#include <curl/curl.h>

/* One header a caller asked for, already checked: the name an RFC 9110 token, the value free
 * of CR, LF and NUL (request_lua.c checks both). The strings need not be NUL-terminated. */
struct header_field {
    const char *name, *value;
    size_t name_len, value_len;
};

/* A curl header list with a reference count: one for the Lua object or engine that made it,
 * one for each transfer sending it. */
struct header_list {
    int refs;
    struct curl_slist *list;
};

/* The engine's own lines: "Expect:" (no 100-continue round trip), then User-Agent and, with
 * credentials, "Authorization: Basic ...". A caller's header of the same name replaces one. */
struct header_base {
    char *lines[3];
    int count;
    struct header_list *plain; /* the base lines alone: requests without headers share it */
};

/* Renders the base lines. `user_agent` must hold no CR, LF or NUL (checked by the caller).
 * Returns NULL or a static message; header_base_free releases a partial result too. */
const char *header_base_init(struct header_base *b, const char *username, const char *password,
                             const char *user_agent);

/* Wipes the lines (one carries the credentials) and frees them. Idempotent. */
void header_base_free(struct header_base *b);

/* "Authorization: Basic base64(username:password)", malloc'd (NULL on out of memory); the
 * plain pair it was made from is wiped. Free it with header_line_free. */
char *header_auth_line(const char *username, const char *password);

/* Wipes and frees a line. NULL is ignored. */
void header_line_free(char *line);

/* Builds base + fields[0..count) (count 0: the base lines alone); a field replaces the base
 * line of the same name. `auth` (an "Authorization: ..." line, or NULL) replaces the base's
 * Authorization line, or is added when the base has none: per-agent credentials on an engine
 * shared by many agents. NULL on out of memory. The result holds one reference. */
struct header_list *header_list_build(const struct header_field *fields, size_t count,
                                      const struct header_base *b, const char *auth);

void header_list_retain(struct header_list *h);

/* Drops one reference; at zero wipes every line and frees the list. NULL is ignored. */
void header_list_release(struct header_list *h);

#endif
