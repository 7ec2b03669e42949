/*
 * Routing: who gets offered a session (round-robin over Ready agents, or the queue until an
 * agent becomes Ready), and what happens when nobody attends a session any more.
 */
#include "store_route.h"
#include "store_notify.h"
#include "store_session.h"

#include <string.h>

/* Offers `ss` to `agent` (StatusChange with the Invited view). NULL when out of memory. */
struct party *st_offer(sim_store *s, struct sms_session *ss, const char *agent,
                       enum party_role role, const char *inviter, long long ref)
{
    struct party *p = st_party_offer(s, ss, agent, role, inviter, ref);
    if (!p)
        return NULL;
    if (ss->state == SS_QUEUED)
        ss->state = SS_INVITED;
    st_notify_state(s, ss, p, "StatusChange", 0, NULL);
    return p;
}

static bool available(const struct agent *a)
{
    return a->cc_started && a->sms_started && a->sms_ready;
}

/*
 * The next Ready agent after the round-robin cursor, other than `exclude`, that has no
 * party in `ss` (skip_any_party) or no active one (otherwise: an agent that rejected or
 * finished the session earlier may get it again).
 */
struct agent *st_pick_ready(sim_store *s, const struct sms_session *ss, const char *exclude,
                            bool skip_any_party)
{
    for (size_t k = 0; k < s->nagents; k++) {
        size_t i = (s->rr + k) % s->nagents;
        struct agent *a = s->agents[i];
        if (!available(a) || (exclude && strcmp(a->name, exclude) == 0))
            continue;
        const struct party *q = st_party_of(ss, a->name);
        if (q && (skip_any_party || st_party_active(q)))
            continue;
        s->rr = (i + 1) % s->nagents;
        return a;
    }
    return NULL;
}

/* Offers a session nobody holds to the next Ready agent, or queues it. */
void st_route(sim_store *s, struct sms_session *ss, bool skip_any_party)
{
    struct agent *a = st_pick_ready(s, ss, NULL, skip_any_party);
    if (!a || !st_offer(s, ss, a->name, ROLE_MAIN, NULL, 0))
        ss->state = SS_QUEUED;
}

/*
 * A first offer nobody answered within the offer timeout was withdrawn from `lapsed`. A
 * contact center returns the session to its queue and routes it again (Genesys Interaction
 * Server's delivering-timeout: "revoked and returned to the queue"): to the next Ready agent
 * other than the one who let it lapse, else it waits queued until an agent becomes Ready.
 * The lapsed agent's channel state is left as it is: the server does not make an agent
 * NotReady (a desktop may). Returns the new offer, or NULL when the session is queued.
 */
struct party *st_route_lapsed(sim_store *s, struct sms_session *ss, const char *lapsed)
{
    if (ss->state != SS_INVITED || ss->customer_left)
        return NULL;
    ss->state = SS_QUEUED;
    struct agent *a = st_pick_ready(s, ss, lapsed, false);
    return a ? st_offer(s, ss, a->name, ROLE_MAIN, NULL, 0) : NULL;
}

/* An agent just became Ready: every queued session it does not hold yet is offered to it
 * (the simulator has no capacity limits). */
void st_agent_ready(sim_store *s, const struct agent *a)
{
    for (size_t i = 0; i < s->nsessions; i++) {
        struct sms_session *ss = s->sessions[i];
        if (ss->state != SS_QUEUED || ss->customer_left)
            continue;
        const struct party *q = st_party_of(ss, a->name);
        if (!q || !st_party_active(q))
            st_offer(s, ss, a->name, ROLE_MAIN, NULL, 0);
    }
}

/* Withdraws every pending offer: nobody can join a session that is over. */
void st_revoke_invited(sim_store *s, struct sms_session *ss)
{
    for (size_t i = 0; i < ss->nparties; i++) {
        struct party *q = ss->parties[i];
        if (q->state == PS_INVITED) {
            q->state = PS_REVOKED;
            st_notify_state(s, ss, q, "StatusChange", 0, NULL);
        }
    }
}

/* With no joined agent left, the session is over (for the customer too). */
void st_close_if_unattended(sim_store *s, struct sms_session *ss)
{
    for (size_t i = 0; i < ss->nparties; i++)
        if (st_party_joined(ss->parties[i]))
            return;
    ss->state = SS_COMPLETED;
    st_revoke_invited(s, ss);
}
