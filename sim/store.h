/*
 * The simulator's SMS domain: users, agents' contact-center sessions and channel states,
 * SMS sessions with their per-agent views, transcripts, user data and the operation state
 * machine of the GWS v2 SMS Session API (../shared/spec/gws-sms-api.md, section 2-4).
 *
 * It knows nothing of HTTP, cookies, CSRF or Bayeux. Notifications it produces go out
 * through the publish callback given to store_new(); the HTTP side queues them on the
 * recipient's Bayeux clients.
 *
 * Not thread-safe: the caller holds its own lock around every call (the HTTP side has one
 * mutex for all simulator state).
 *
 * Ownership: every json_t* returned is a new reference owned by the caller. json_t* body
 * arguments are borrowed (never stolen). The publish callback receives a new reference to
 * `data` that it must json_decref.
 */
#ifndef GWS_SIM_STORE_H
#define GWS_SIM_STORE_H

#include <jansson.h>

typedef struct sim_store sim_store;

/* Called once per notification for one user. channel is "/v2/me/smssessions". */
typedef void (*sim_publish_fn)(void *ud, const char *username, const char *channel,
                               json_t *data);

sim_store *store_new(sim_publish_fn publish, void *ud, const char *base_url);
void store_free(sim_store *s);

/* Users. Default users are added by the caller. Returns 0, or -1 if it already exists. */
int store_add_user(sim_store *s, const char *name, const char *password);
/* 1 when name/password match a user, else 0. Constant-time compare of the password. */
int store_check_password(const sim_store *s, const char *name, const char *password);
/* 1 when a user of that name exists, else 0. */
int store_has_user(const sim_store *s, const char *name);

/*
 * GWS API. Each returns the JSON response body and sets *http_status (200 unless said).
 * Bodies always carry "statusCode"; failures carry "statusMessage" and change nothing.
 */
json_t *store_get_me(sim_store *s, const char *user, int *http_status);
json_t *store_post_me(sim_store *s, const char *user, const json_t *body, int *http_status);
json_t *store_get_channels(sim_store *s, const char *user, int *http_status);
json_t *store_post_channel(sim_store *s, const char *user, const char *channel,
                           const json_t *body, int *http_status);
json_t *store_list_sms(sim_store *s, const char *user, int *http_status);
json_t *store_get_sms(sim_store *s, const char *user, const char *id, int *http_status);
json_t *store_get_messages(sim_store *s, const char *user, const char *id, long start_index,
                           long count, int *http_status);
json_t *store_sms_operation(sim_store *s, const char *user, const char *id,
                            const json_t *body, int *http_status);

/*
 * Control API (/sim/...). http_status is 400 for a malformed request, 404 for an unknown
 * session; the body then is {"error": "..."}.
 */
json_t *store_ctl_create_session(sim_store *s, const json_t *body, int *http_status);
json_t *store_ctl_get_session(sim_store *s, const char *id, int *http_status);
json_t *store_ctl_customer_message(sim_store *s, const char *id, const json_t *body,
                                   int *http_status);
json_t *store_ctl_customer_typing(sim_store *s, const char *id, const json_t *body,
                                  int *http_status);
json_t *store_ctl_customer_leave(sim_store *s, const char *id, int *http_status);
/* Flood: publish `count` NewMessages notifications (one customer Text each) to `agent`. */
json_t *store_ctl_flood(sim_store *s, const json_t *body, int *http_status);

/* Persistence for --state FILE: the whole domain as one JSON value, and back. */
json_t *store_save(const sim_store *s);
int store_load(sim_store *s, const json_t *state); /* 0 ok, -1 bad shape */

#endif
