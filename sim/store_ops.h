/*
 * GWS API: POST /me/smssessions/{id}, the SMS operations (same answer rules as store_me.h;
 * a successful operation answers with a referenceId).
 */
#ifndef GWS_SIM_STORE_OPS_H
#define GWS_SIM_STORE_OPS_H

#include "store_types.h"

json_t *store_sms_operation(sim_store *s, const char *user, const char *id,
                            const json_t *body, int *http_status);

#endif
