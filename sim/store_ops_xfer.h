/* Transfer, Invite, Consult and CancelConsult (store_ops.c dispatches to them). */
#ifndef GWS_SIM_STORE_OPS_XFER_H
#define GWS_SIM_STORE_OPS_XFER_H

#include "store_op_ctx.h"

json_t *st_op_transfer(struct op_ctx *c);
json_t *st_op_invite(struct op_ctx *c);
json_t *st_op_consult(struct op_ctx *c);
json_t *st_op_cancel_consult(struct op_ctx *c);
/* The handing-over agent leaves a transfer: Completed, ParticipantLeft, everyone told. */
void st_hand_over(sim_store *s, struct sms_session *ss, struct party *from, long long ref);

/*
 * Withdraws the offers nobody answered within the offer timeout: a transfer, invite or
 * consult tells the agent who made it (an Error with its referenceId); a session's first
 * offer is routed again (another Ready agent, else the queue). Returns the ms until the next
 * one is due, or -1 when none is pending. The simulator calls it now and then.
 */
long long store_expire_offers(sim_store *s);

#endif
