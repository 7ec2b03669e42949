/*
 * Notifications: the two SMS message types of spec section 4, handed to the publish
 * callback one per recipient.
 */
#ifndef GWS_SIM_STORE_NOTIFY_H
#define GWS_SIM_STORE_NOTIFY_H

#include "store_types.h"

void st_notify_state(sim_store *s, const struct sms_session *ss, const struct party *p,
                     const char *type, long long ref, const char *error);
void st_notify_accepted(sim_store *s, const struct sms_session *ss, const struct party *p,
                        long long ref);
void st_notify_messages(sim_store *s, const struct sms_session *ss, const char *agent,
                        size_t first, size_t n, long long ref);
void st_broadcast_message(sim_store *s, const struct sms_session *ss, size_t index,
                          const struct party *actor, long long ref);
void st_broadcast_participants(sim_store *s, const struct sms_session *ss,
                               const struct party *skip);
void st_broadcast_properties(sim_store *s, const struct sms_session *ss,
                             const struct party *actor, long long ref);

#endif
