/*
 * Operations that bring another agent in: Transfer (to an agent or a queue), Invite
 * (conference), Consult and CancelConsult. Their outcome arrives later, when the target
 * accepts or rejects (store_ops.c), so here only the offer is made.
 */
#include "store_ops_xfer.h"
#include "store_agent.h"
#include "store_base.h"
#include "store_notify.h"
#include "store_route.h"
#include "store_session.h"

#include <stdio.h>
#include <string.h>

/*
 * The agent a targetUri (".../api/v2/users/<name>") or targetPath ("/users/<name>") names:
 * its last path segment. NULL with *err set when it is unknown (6), the actor itself (10)
 * or already in the session (2).
 */
/* The last path segment of a target, copied into buf. */
static const char *target_name(const char *target, char *buf, size_t size)
{
    size_t len = strlen(target);
    while (len > 0 && target[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && target[start - 1] != '/')
        start--;
    snprintf(buf, size, "%.*s", (int)(len - start), target + start);
    return buf;
}

static struct agent *resolve_target(struct op_ctx *c, const char *target, json_t **err)
{
    char name[256];
    target_name(target, name, sizeof name);
    struct agent *a = st_agent(c->s, name);
    const struct party *q = a ? st_party_of(c->ss, a->name) : NULL;
    if (!a)
        *err = st_status(c->http, 6, "User %s not found", name);
    else if (strcmp(a->name, c->p->agent) == 0)
        *err = st_status(c->http, 10, "Cannot target yourself (%s)", name);
    else if (q && st_party_active(q))
        *err = st_status(c->http, 2, "%s is already in session %s", name, c->ss->id);
    else
        return a;
    return NULL;
}

/* Reads exactly one of two string parameters into *value; *which is its name. 0 when
 * fine, else -1 with the answer in c->err. */
static int one_of(struct op_ctx *c, const char *a, const char *b, const char **which,
                  const char **value)
{
    const char *va, *vb;
    if (st_param_string(c, a, false, &va) || st_param_string(c, b, false, &vb))
        return -1;
    if (!va && !vb) {
        c->err = st_status(c->http, 1, "Missing required parameter: %s or %s", a, b);
        return -1;
    }
    if (va && vb) {
        c->err = st_status(c->http, 10, "Give either %s or %s, not both", a, b);
        return -1;
    }
    *which = va ? a : b;
    *value = va ? va : vb;
    return 0;
}

json_t *st_op_transfer(struct op_ctx *c)
{
    const char *which, *target, *text;
    char name[256];
    json_t *err = NULL;
    if (one_of(c, "targetUri", "queueName", &which, &target) ||
        st_param_string(c, "text", false, &text))
        return c->err;
    struct agent *a = NULL;
    if (strcmp(which, "targetUri") == 0) {
        /* A warm transfer: the target already joined (as consultant or in a conference),
         * so the session is theirs at once and the actor is out. */
        struct party *q = st_party_of(c->ss, target_name(target, name, sizeof name));
        if (q && st_party_joined(q) && q != c->p) {
            long long ref = st_next_ref(c);
            q->role = ROLE_MAIN;
            st_hand_over(c->s, c->ss, c->p, ref);
            return st_ok_ref(c->http, ref);
        }
        if (!(a = resolve_target(c, target, &err)))
            return err;
    }
    if (!a)     /* a queue: whoever is Ready and not in the session yet */
        a = st_pick_ready(c->s, c->ss, c->p->agent, false);
    long long ref = st_next_ref(c);
    if (!a) {
        /* accepted now, failed later: that is how the API reports an empty queue */
        char msg[512];
        snprintf(msg, sizeof msg, "Request failed: no agent available in queue %s", target);
        st_notify_error(c->s, c->ss, c->p, ref, msg);
        return st_ok_ref(c->http, ref);
    }
    if (!st_offer(c->s, c->ss, a->name, ROLE_TRANSFER, c->p->agent, ref))
        return NULL;
    return st_ok_ref(c->http, ref);
}

void st_hand_over(sim_store *s, struct sms_session *ss, struct party *from, long long ref)
{
    from->state = PS_COMPLETED;
    from->joined = false;
    st_broadcast_message(s, ss, st_append(ss, MT_LEFT, from, NULL, false), NULL, 0);
    st_broadcast_participants(s, ss, NULL);
    st_notify_state(s, ss, from, "StatusChange", ref, NULL);
}

/* Invite and Consult: an offer to one named agent. */
static json_t *bring_in(struct op_ctx *c, enum party_role role, long long *ref)
{
    const char *which, *target;
    json_t *err = NULL;
    if (one_of(c, "targetUri", "targetPath", &which, &target))
        return c->err;
    struct agent *a = resolve_target(c, target, &err);
    if (!a)
        return err;
    /* one consultation at a time: CancelConsult has to know which one it cancels */
    if (role == ROLE_CONSULT && st_consult_of(c->ss, c->p->agent))
        return st_status(c->http, 2, "A consultation is already in progress in session %s",
                         c->ss->id);
    *ref = st_next_ref(c);
    if (!st_offer(c->s, c->ss, a->name, role, c->p->agent, *ref))
        return NULL;
    return st_ok_ref(c->http, *ref);
}

json_t *st_op_invite(struct op_ctx *c)
{
    long long ref = 0;
    return bring_in(c, ROLE_CONFERENCE, &ref);
}

json_t *st_op_consult(struct op_ctx *c)
{
    long long ref = 0;
    json_t *r = bring_in(c, ROLE_CONSULT, &ref);
    /* Legacy: the actor's capabilities now include CancelConsult (no vendor list has it). */
    if (ref > 0 && r && c->s->legacy)
        st_notify_state(c->s, c->ss, c->p, "StatusChange", ref, NULL);
    return r;
}

json_t *st_op_cancel_consult(struct op_ctx *c)
{
    /* the capability check guarantees there is one */
    struct party *q = st_consult_of(c->ss, c->p->agent);
    long long ref = st_next_ref(c);
    if (q && q->state == PS_INVITED) {
        q->state = PS_REVOKED;
        st_notify_state(c->s, c->ss, q, "StatusChange", 0, NULL);
        /* The vendor's successful CancelConsult publishes nothing to the canceller. */
        if (c->s->legacy)
            st_notify_state(c->s, c->ss, c->p, "StatusChange", ref, NULL);
    } else {
        st_notify_error(c->s, c->ss, c->p, ref, "Request failed: consultation already accepted");
    }
    return st_ok_ref(c->http, ref);
}

/*
 * Offers nobody answered within the offer timeout are withdrawn (the target's StatusChange to
 * Revoked). For a transfer, invite or consult the agent who made it gets an Error with that
 * operation's referenceId; a session's first offer goes back to the queue and on to another
 * Ready agent (st_route_lapsed). Returns the ms until the next offer times out, or -1 when
 * none is pending.
 */
long long store_expire_offers(sim_store *s)
{
    static const char *const WHAT[] = { "offer", "transfer", "invitation", "consultation" };
    long long now = st_now_ms(), next = -1;
    for (size_t i = 0; i < s->nsessions; i++) {
        struct sms_session *ss = s->sessions[i];
        for (size_t j = 0; j < ss->nparties; j++) {
            struct party *q = ss->parties[j];
            if (q->state != PS_INVITED)
                continue;
            if (q->offered_at_ms == 0)
                q->offered_at_ms = now;     /* loaded from --state: the clock starts now */
            long long due = q->offered_at_ms + s->offer_timeout_ms;
            if (due > now) {
                if (next < 0 || due - now < next)
                    next = due - now;
                continue;
            }
            q->state = PS_REVOKED;
            st_notify_state(s, ss, q, "StatusChange", 0, NULL);
            if (q->role == ROLE_MAIN) {
                /* The new offer may reuse an earlier party (already passed in this loop):
                 * its due time counts here. q stays valid (parties are never freed). */
                if (st_route_lapsed(s, ss, q->agent) &&
                    (next < 0 || s->offer_timeout_ms < next))
                    next = s->offer_timeout_ms;
                continue;
            }
            struct party *inviter = q->inviter ? st_party_of(ss, q->inviter) : NULL;
            if (inviter && st_party_active(inviter)) {
                char msg[512];
                snprintf(msg, sizeof msg, "Request failed: %s did not answer the %s within "
                         "%lld s", q->agent, WHAT[q->role], s->offer_timeout_ms / 1000);
                st_notify_error(s, ss, inviter, q->inviter_ref, msg);
            }
        }
    }
    return next;
}
