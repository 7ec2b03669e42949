/*
 * Control API (/sim/...): the customer's side of sessions and the tests' reads. http_status
 * is 400 for a malformed request, 404 for an unknown session, 409 when the customer cannot
 * act any more; the body then is {"error": "..."}.
 */
#ifndef GWS_SIM_STORE_CTL_H
#define GWS_SIM_STORE_CTL_H

#include "store_types.h"

json_t *store_ctl_create_session(sim_store *s, const json_t *body, int *http_status);
json_t *store_ctl_get_session(sim_store *s, const char *id, int *http_status);
json_t *store_ctl_customer_message(sim_store *s, const char *id, const json_t *body,
                                   int *http_status);
json_t *store_ctl_customer_typing(sim_store *s, const char *id, const json_t *body,
                                  int *http_status);
json_t *store_ctl_customer_leave(sim_store *s, const char *id, int *http_status);
/* Flood: publish `count` NewMessages notifications (one customer Text each) to `agent`. */
json_t *store_ctl_flood(sim_store *s, const json_t *body, int *http_status);

#endif
