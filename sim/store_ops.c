/*
 * POST /me/smssessions/{id}: the operation state machine. store_sms_operation checks, in
 * this order, the party (6), operationName (1), the capability (2), then the operation's
 * own parameters (1 missing, 10 wrong type); only a request that passes all of them gets a
 * referenceId and changes anything.
 */
#include "store_ops.h"
#include "store_base.h"
#include "store_notify.h"
#include "store_op_ctx.h"
#include "store_ops_xfer.h"
#include "store_route.h"
#include "store_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- joining and leaving */

static json_t *op_accept(struct op_ctx *c)
{
    const char *nickname;
    int save_lar;
    if (st_param_string(c, "nickname", true, &nickname) ||
        st_param_bool(c, "saveLAR", &save_lar))
        return c->err;
    struct sms_session *ss = c->ss;
    struct party *p = c->p;
    char *nick = strdup(nickname);
    char *first_agent = ss->first_agent ? NULL : strdup(p->agent);
    char *first_nick = ss->first_agent ? NULL : strdup(nickname);
    if (!nick || (!ss->first_agent && (!first_agent || !first_nick))) {
        free(nick);
        free(first_agent);
        free(first_nick);
        return NULL;
    }
    if (!ss->first_agent) {     /* the control API reports the first accepting agent */
        ss->first_agent = first_agent;
        ss->first_nick = first_nick;
    }
    long long ref = st_next_ref(c);
    free(p->nickname);
    p->nickname = nick;
    p->save_lar = save_lar;
    p->state = PS_CHATTING;
    p->joined = true;
    p->join_seq = ++c->s->join_seq;
    ss->state = SS_CHATTING;
    size_t idx = st_append(ss, MT_JOINED, p, NULL, p->role == ROLE_CONSULT);

    st_notify_accepted(c->s, ss, p, ref);
    for (size_t i = 0; i < ss->nparties; i++) {
        struct party *q = ss->parties[i];
        if (q != p && st_party_joined(q)) {
            st_notify_state(c->s, ss, q, "ParticipantsUpdated", 0, NULL);
            if (idx)
                st_notify_messages(c->s, ss, q->agent, idx - 1, 1, 0);
        }
    }
    struct party *inviter = p->inviter ? st_party_of(ss, p->inviter) : NULL;
    if (p->role == ROLE_TRANSFER && inviter && st_party_joined(inviter)) {
        /* a transfer is complete once taken: the inviter is out */
        st_hand_over(c->s, ss, inviter, p->inviter_ref);
    } else if (p->role == ROLE_CONSULT && inviter && st_party_active(inviter)) {
        st_notify_state(c->s, ss, inviter, "StatusChange", p->inviter_ref, NULL);
    }
    return st_ok_ref(c->http, ref);
}

static json_t *op_reject(struct op_ctx *c)
{
    static const char *const WHAT[] = { "offer", "transfer", "invitation", "consultation" };
    struct sms_session *ss = c->ss;
    struct party *p = c->p;
    long long ref = st_next_ref(c);
    p->state = PS_REVOKED;
    p->rejected = true;         /* the vendor shows it as Completed, participants [] */
    st_notify_state(c->s, ss, p, "StatusChange", ref, NULL);
    if (p->role == ROLE_MAIN) {
        /* the first offer goes to someone else, never back to who just said no */
        if (!ss->customer_left && ss->state != SS_COMPLETED && ss->state != SS_CHATTING)
            st_route(c->s, ss, true);
        return st_ok_ref(c->http, ref);
    }
    struct party *inviter = p->inviter ? st_party_of(ss, p->inviter) : NULL;
    if (inviter) {
        char msg[512];
        snprintf(msg, sizeof msg, "Request failed: %s rejected the %s", p->agent,
                 WHAT[p->role]);
        st_notify_error(c->s, ss, inviter, p->inviter_ref, msg);
    }
    return st_ok_ref(c->http, ref);
}

/* The agent's ParticipantLeft to whoever is still there. A consultant's comings and goings
 * are for agents only, like its join. */
static void announce_left(struct op_ctx *c)
{
    size_t idx = st_append(c->ss, MT_LEFT, c->p, NULL, c->p->role == ROLE_CONSULT);
    st_broadcast_message(c->s, c->ss, idx, NULL, 0);
    st_broadcast_participants(c->s, c->ss, NULL);
}

static json_t *op_complete(struct op_ctx *c)
{
    const char *queue;
    int save_lar;
    if (st_param_string(c, "queueName", false, &queue) ||
        st_param_bool(c, "saveLAR", &save_lar))
        return c->err;
    long long ref = st_next_ref(c);
    bool was_joined = st_party_joined(c->p);
    c->p->state = PS_COMPLETED;
    c->p->joined = false;
    if (save_lar >= 0)
        c->p->save_lar = save_lar;
    if (was_joined)
        announce_left(c);
    /* The vendor's Complete StatusChange carries no referenceId. */
    st_notify_state(c->s, c->ss, c->p, "StatusChange", c->s->legacy ? ref : 0, NULL);
    st_close_if_unattended(c->s, c->ss);
    return st_ok_ref(c->http, ref);
}

/* Another agent is in the session with `p` (a conference or a consultation). */
static bool in_conference(const struct sms_session *ss, const struct party *p)
{
    for (size_t i = 0; i < ss->nparties; i++)
        if (ss->parties[i] != p && st_party_joined(ss->parties[i]))
            return true;
    return false;
}

/*
 * Leave: the agent is out of the chat. Alone it is LeftChat (user data and disposition can
 * still be set, then Complete); in a conference the vendor ends its part at once: Completed,
 * without a referenceId (legacy: LeftChat either way).
 */
static json_t *op_leave(struct op_ctx *c)
{
    long long ref = st_next_ref(c);
    bool done = !c->s->legacy && in_conference(c->ss, c->p);
    c->p->state = done ? PS_COMPLETED : PS_LEFT;
    c->p->joined = false;
    announce_left(c);
    st_notify_state(c->s, c->ss, c->p, "StatusChange", done ? 0 : ref, NULL);
    return st_ok_ref(c->http, ref);
}

static json_t *op_in_focus(struct op_ctx *c)
{
    return st_ok_ref(c->http, st_next_ref(c));
}

/* ---------------------------------------------------------------- messages */

struct send_op {
    const char *op;
    enum msg_type type;
    const char *param;      /* the required string parameter, or NULL */
    bool agents_only;
};

static const struct send_op SEND_OPS[] = {
    { "SendMessage", MT_TEXT, "text", false },
    { "SendUrl", MT_PUSH_URL, "url", false },
    { "SendCustomNotice", MT_CUSTOM_NOTICE, "noticeText", false },
    { "SendToAgents", MT_TEXT, "text", true },
    { "SendStartTypingNotification", MT_TYPING_STARTED, NULL, false },
    { "SendStopTypingNotification", MT_TYPING_STOPPED, NULL, false },
    { "SendStartTypingToAgentsNotification", MT_TYPING_STARTED, NULL, true },
    { "SendStopTypingToAgentsNotification", MT_TYPING_STOPPED, NULL, true },
    /* The vendor's own page spells this one singular (vendor/INDEX.md §2.8). */
    { "SendStopTypingToAgentNotification", MT_TYPING_STOPPED, NULL, true },
    { "SendCustomNoticeToAgents", MT_CUSTOM_NOTICE, "noticeText", true },
};

static json_t *op_send(struct op_ctx *c)
{
    const struct send_op *so = NULL;
    for (size_t i = 0; i < sizeof SEND_OPS / sizeof SEND_OPS[0]; i++)
        if (strcmp(SEND_OPS[i].op, c->op) == 0)
            so = &SEND_OPS[i];
    if (!so)
        return st_status(c->http, 2, "%s is not supported", c->op);
    const char *text = NULL;
    if (so->param && st_param_string(c, so->param, true, &text))
        return c->err;
    size_t idx = st_append(c->ss, so->type, c->p, text, so->agents_only);
    if (!idx)
        return NULL;
    long long ref = st_next_ref(c);
    st_broadcast_message(c->s, c->ss, idx, c->p, ref);
    return st_ok_ref(c->http, ref);
}

/* ---------------------------------------------------------------- user data */

static json_t *op_attach_user_data(struct op_ctx *c)
{
    const json_t *ud = json_object_get(c->body, "userData");
    if (!ud || (json_is_object(ud) && json_object_size(ud) == 0))
        return st_status(c->http, 1, "Missing required parameter: userData");
    if (!json_is_object(ud))
        return st_status(c->http, 10, "Parameter userData must be an object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)ud, key, v) {
        if (!json_is_string(v) && !json_is_number(v))
            return st_status(c->http, 10, "userData.%s must be a string or a number", key);
    }
    json_object_foreach((json_t *)ud, key, v) {
        if (json_object_set_new(c->ss->user_data, key, json_copy((json_t *)v)))
            return NULL;
    }
    long long ref = st_next_ref(c);
    st_broadcast_properties(c->s, c->ss, c->p, ref);
    return st_ok_ref(c->http, ref);
}

static json_t *op_delete_user_data(struct op_ctx *c)
{
    const json_t *keys = json_object_get(c->body, "keys");
    if (!keys || (json_is_array(keys) && json_array_size(keys) == 0))
        return st_status(c->http, 1, "Missing required parameter: keys");
    size_t i;
    const json_t *k;
    if (!json_is_array(keys))
        return st_status(c->http, 10, "Parameter keys must be an array of strings");
    json_array_foreach(keys, i, k) {
        if (!json_is_string(k))
            return st_status(c->http, 10, "Parameter keys must be an array of strings");
    }
    json_array_foreach(keys, i, k)
        json_object_del(c->ss->user_data, json_string_value(k));
    long long ref = st_next_ref(c);
    st_broadcast_properties(c->s, c->ss, c->p, ref);
    return st_ok_ref(c->http, ref);
}

static json_t *op_set_disposition(struct op_ctx *c)
{
    const char *disp, *key;
    if (st_param_string(c, "disposition", true, &disp) ||
        st_param_string(c, "dispositionKey", false, &key))
        return c->err;
    char *copy = strdup(disp);
    if (!copy || json_object_set_new(c->ss->user_data, key ? key : "DispositionCode",
                                     json_string(disp))) {
        free(copy);
        return NULL;
    }
    free(c->ss->disposition);
    c->ss->disposition = copy;
    long long ref = st_next_ref(c);
    st_broadcast_properties(c->s, c->ss, c->p, ref);
    return st_ok_ref(c->http, ref);
}

/* ---------------------------------------------------------------- dispatch */

typedef json_t *(*op_fn)(struct op_ctx *c);

static const struct {
    const char *name;
    op_fn fn;
} OPS[] = {
    { "Accept", op_accept },
    { "Reject", op_reject },
    { "Complete", op_complete },
    { "LeaveAndComplete", op_complete },
    { "Leave", op_leave },
    { "Transfer", st_op_transfer },
    { "Invite", st_op_invite },
    { "Consult", st_op_consult },
    { "CancelConsult", st_op_cancel_consult },
    { "AttachUserData", op_attach_user_data },
    { "UpdateUserData", op_attach_user_data },
    { "DeleteUserData", op_delete_user_data },
    { "SetDisposition", op_set_disposition },
    { "SetInFocus", op_in_focus },
    { "InFocus", op_in_focus },
};

json_t *store_sms_operation(sim_store *s, const char *user, const char *id,
                            const json_t *body, int *http_status)
{
    struct sms_session *ss = st_session_find(s, id);
    struct party *p = ss ? st_party_of(ss, user) : NULL;
    if (!p)
        return st_status(http_status, 6, "Session %s not found", id ? id : "");
    const char *op = json_string_value(json_object_get(body, "operationName"));
    if (!op)
        return st_status(http_status, 1, "Missing required parameter: operationName");
    if (!st_can(ss, p, op))
        return st_status(http_status, 2, "%s is not valid in state %s", op,
                         st_party_state_name(p->state));
    struct op_ctx c = { .s = s, .ss = ss, .p = p, .body = body, .op = op, .http = http_status };
    *http_status = 200;
    json_t *answer = NULL;
    size_t i = 0, n = sizeof OPS / sizeof OPS[0];
    while (i < n && strcmp(OPS[i].name, op) != 0)
        i++;
    answer = i < n ? OPS[i].fn(&c) : op_send(&c);  /* every other one is one of SEND_OPS */
    /* Only Invite, Consult and CancelConsult answer with a referenceId (INDEX.md §2.4). */
    if (answer && !s->legacy && strcmp(op, "Invite") != 0 && strcmp(op, "Consult") != 0 &&
        strcmp(op, "CancelConsult") != 0)
        json_object_del(answer, "referenceId");
    return answer;
}
