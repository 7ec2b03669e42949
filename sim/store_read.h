/*
 * GWS API: the agent's reads of its SMS sessions (same answer rules as store_me.h). Sessions
 * in a final state stay listed.
 */
#ifndef GWS_SIM_STORE_READ_H
#define GWS_SIM_STORE_READ_H

#include "store_types.h"

json_t *store_list_sms(sim_store *s, const char *user, int *http_status);
json_t *store_get_sms(sim_store *s, const char *user, const char *id, int *http_status);
json_t *store_get_messages(sim_store *s, const char *user, const char *id, long start_index,
                           long count, int *http_status);

#endif
