/*
 * Notifications: the two SMS message types of spec section 4, handed to the publish
 * callback one per recipient.
 */
#ifndef GWS_SIM_STORE_NOTIFY_H
#define GWS_SIM_STORE_NOTIFY_H

#include "store_types.h"

/* StatusChange / ParticipantsUpdated / PropertiesUpdated to the agent of `p`. */
void st_notify_state(sim_store *s, const struct sms_session *ss, const struct party *p,
                     const char *type, long long ref, const char *error);
/*
 * An operation that failed after its answer: the vendor's Error of three keys,
 * {"notificationType":"Error","errorMessage","referenceId"} (legacy: a state change of type
 * Error that carries the session as well).
 */
void st_notify_error(sim_store *s, const struct sms_session *ss, const struct party *p,
                     long long ref, const char *message);
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
