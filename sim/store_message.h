/*
 * MESSAGE objects of a session's transcript (spec section 4), as a NewMessages notification
 * or a read (GET …/messages) shows them: the vendor's `from` differs between the two.
 */
#ifndef GWS_SIM_STORE_MESSAGE_H
#define GWS_SIM_STORE_MESSAGE_H

#include "store_types.h"

enum msg_view { MV_NOTIFY, MV_READ };

/* The i-th entry (0-based). */
json_t *st_message_json(const sim_store *s, const struct sms_session *ss, size_t i,
                        enum msg_view mv);
/* An array of `n` messages from the `first`-th (0-based), clipped to the transcript. */
json_t *st_messages_json(const sim_store *s, const struct sms_session *ss, size_t first,
                         size_t n, enum msg_view mv);

#endif
