/* Offers, routing (round-robin over Ready agents, else the queue) and the end of a session. */
#ifndef GWS_SIM_STORE_ROUTE_H
#define GWS_SIM_STORE_ROUTE_H

#include "store_types.h"

/* Offers `ss` to `agent` (StatusChange with the Invited view). NULL when out of memory. */
struct party *st_offer(sim_store *s, struct sms_session *ss, const char *agent,
                       enum party_role role, const char *inviter, long long ref);
void st_route(sim_store *s, struct sms_session *ss, bool skip_any_party);
/* A first offer to `lapsed` timed out: back to the queue, on to another Ready agent (the new
 * offer) or left queued (NULL). */
struct party *st_route_lapsed(sim_store *s, struct sms_session *ss, const char *lapsed);
/* An agent became Ready: queued sessions come to it. */
void st_agent_ready(sim_store *s, const struct agent *a);
struct agent *st_pick_ready(sim_store *s, const struct sms_session *ss, const char *exclude,
                            bool skip_any_party);
void st_close_if_unattended(sim_store *s, struct sms_session *ss);
void st_revoke_invited(sim_store *s, struct sms_session *ss);

#endif
