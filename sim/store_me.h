/*
 * GWS API: the agent's own resources, /me and /me/channels. Each returns the JSON response
 * body and sets *http_status (200 unless said). Bodies always carry "statusCode"; failures
 * carry "statusMessage" and change nothing.
 */
#ifndef GWS_SIM_STORE_ME_H
#define GWS_SIM_STORE_ME_H

#include "store_types.h"

json_t *store_get_me(sim_store *s, const char *user, int *http_status);
json_t *store_post_me(sim_store *s, const char *user, const json_t *body, int *http_status);
json_t *store_get_channels(sim_store *s, const char *user, int *http_status);
json_t *store_post_channel(sim_store *s, const char *user, const char *channel,
                           const json_t *body, int *http_status);

#endif
