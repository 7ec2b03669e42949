/*
 * SMS session records: parties, the transcript, and their JSON (an agent's VIEW of a
 * session, MESSAGE objects, capabilities). Nothing here publishes.
 */
#include "store_session.h"
#include "store_base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- names */

static const char *const PARTY_STATES[] = { "Invited", "Chatting", "LeftChat", "Completed",
                                            "Revoked" };
static const char *const ROLES[] = { "main", "transfer", "conference", "consult" };
static const char *const SESS_STATES[] = { "Queued", "Invited", "Chatting", "Completed" };
static const char *const MSG_TYPES[] = { "Text", "ParticipantJoined", "ParticipantLeft",
                                         "TypingStarted", "TypingStopped", "PushUrl",
                                         "CustomNotice" };

const char *st_party_state_name(enum party_state st) { return PARTY_STATES[st]; }
const char *st_role_name(enum party_role r) { return ROLES[r]; }
const char *st_sess_state_name(enum sess_state st) { return SESS_STATES[st]; }
const char *st_msg_type_name(enum msg_type t) { return MSG_TYPES[t]; }

/* ---------------------------------------------------------------- capabilities */

/* Published and enforced. The first seven of Chatting are the vendor seed's, in its order. */
static const char *const CAPS_INVITED[] = { "Accept", "Reject", NULL };
static const char *const CAPS_CHATTING[] = {
    "Transfer", "Complete", "Leave", "InFocus", "SendMessage", "SendStartTypingNotification",
    "SendStopTypingNotification", "SendUrl", "SendCustomNotice", "SendToAgents",
    "SendStartTypingToAgentsNotification", "SendStopTypingToAgentsNotification", "Invite",
    "Consult", "AttachUserData", "UpdateUserData", "DeleteUserData", "SetDisposition",
    "SetInFocus", "LeaveAndComplete", NULL };
static const char *const CAPS_LEFT[] = { "Complete", "AttachUserData", "UpdateUserData",
                                         "DeleteUserData", "SetDisposition", NULL };
static const char *const CAPS_NONE[] = { NULL };

/*
 * The lists the vendor's samples publish (vendor/INDEX.md §2.1): never a gate (st_can uses
 * the lists above), but what a client sees. Chatting alone: Accept's seven; Chatting with
 * another agent in (a conference or consultation): Invite's sixteen; LeftChat: Leave's four.
 */
static const char *const VENDOR_CHATTING[] = {
    "Transfer", "Complete", "Leave", "InFocus", "SendMessage", "SendStartTypingNotification",
    "SendStopTypingNotification", NULL };
static const char *const VENDOR_CONFERENCE[] = {
    "Transfer", "Leave", "Invite", "Consult", "SetInFocus", "SetDisposition", "AttachUserData",
    "DeleteUserData", "UpdateUserData", "SendToAgents", "SendStartTypingToAgentsNotification",
    "SendStopTypingToAgentsNotification", "Complete", "SendMessage",
    "SendStartTypingNotification", "SendStopTypingNotification", NULL };
static const char *const VENDOR_LEFT[] = { "Transfer", "Complete", "Leave", "InFocus", NULL };

static const char *const *caps_of(enum party_state st)
{
    switch (st) {
    case PS_INVITED: return CAPS_INVITED;
    case PS_CHATTING: return CAPS_CHATTING;
    case PS_LEFT: return CAPS_LEFT;
    default: return CAPS_NONE;
    }
}

/* The consult party `inviter` started that is still pending or joined, if any. */
struct party *st_consult_of(const struct sms_session *ss, const char *inviter)
{
    for (size_t i = 0; i < ss->nparties; i++) {
        struct party *q = ss->parties[i];
        if (q->role == ROLE_CONSULT && q->inviter && strcmp(q->inviter, inviter) == 0 &&
            (q->state == PS_INVITED || st_party_joined(q)))
            return q;
    }
    return NULL;
}

static bool has_cancel_consult(const struct sms_session *ss, const struct party *p)
{
    return p->state == PS_CHATTING && st_consult_of(ss, p->agent);
}

/* The capability an operation needs: the singular stop-typing spelling of the vendor's page
 * is the lists' plural entry; SendCustomNoticeToAgents, in no vendor list, goes with
 * SendToAgents. */
static const char *capability_for(const char *op)
{
    if (strcmp(op, "SendStopTypingToAgentNotification") == 0)
        return "SendStopTypingToAgentsNotification";
    if (strcmp(op, "SendCustomNoticeToAgents") == 0)
        return "SendToAgents";
    return op;
}

bool st_can(const struct sms_session *ss, const struct party *p, const char *op)
{
    op = capability_for(op);
    for (const char *const *c = caps_of(p->state); *c; c++)
        if (strcmp(*c, op) == 0)
            return true;
    return strcmp(op, "CancelConsult") == 0 && has_cancel_consult(ss, p);
}

static bool other_agent_joined(const struct sms_session *ss, const struct party *p)
{
    for (size_t i = 0; i < ss->nparties; i++)
        if (ss->parties[i] != p && st_party_joined(ss->parties[i]))
            return true;
    return false;
}

static const char *const *published_caps(const sim_store *s, const struct sms_session *ss,
                                         const struct party *p)
{
    if (s->legacy || p->state == PS_INVITED)
        return caps_of(p->state);
    if (p->state == PS_CHATTING)
        return other_agent_joined(ss, p) ? VENDOR_CONFERENCE : VENDOR_CHATTING;
    return p->state == PS_LEFT ? VENDOR_LEFT : CAPS_NONE;
}

static json_t *capabilities_json(const sim_store *s, const struct sms_session *ss,
                                 const struct party *p)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (const char *const *c = published_caps(s, ss, p); *c; c++)
        json_array_append_new(arr, json_string(*c));
    /* CancelConsult is in no vendor list. */
    if (s->legacy && has_cancel_consult(ss, p))
        json_array_append_new(arr, json_string("CancelConsult"));
    return arr;
}

/* ---------------------------------------------------------------- records */

struct sms_session *st_session_new(sim_store *s, const char *nick, const char *phone)
{
    if (st_grow((void **)&s->sessions, &s->cap_sessions, s->nsessions + 1,
                sizeof *s->sessions))
        return NULL;
    struct sms_session *ss = calloc(1, sizeof *ss);
    if (!ss)
        return NULL;
    ss->cust_nick = strdup(nick);
    ss->cust_phone = phone ? strdup(phone) : NULL;
    ss->user_data = json_object();
    if (!ss->cust_nick || (phone && !ss->cust_phone) || !ss->user_data) {
        st_session_free(ss);
        return NULL;
    }
    st_new_session_id(s, ss->id);
    st_new_participant_id(s, ss->cust_pid);
    ss->state = SS_QUEUED;
    s->sessions[s->nsessions++] = ss;
    return ss;
}

static void party_free(struct party *p)
{
    if (!p)
        return;
    free(p->agent);
    free(p->nickname);
    free(p->inviter);
    free(p);
}

void st_session_free(struct sms_session *ss)
{
    if (!ss)
        return;
    for (size_t i = 0; i < ss->nparties; i++)
        party_free(ss->parties[i]);
    for (size_t i = 0; i < ss->nmsgs; i++) {
        free(ss->msgs[i].text);
        free(ss->msgs[i].nick);
    }
    free(ss->parties);
    free(ss->msgs);
    json_decref(ss->user_data);
    free(ss->cust_nick);
    free(ss->cust_phone);
    free(ss->first_agent);
    free(ss->first_nick);
    free(ss->disposition);
    free(ss);
}

struct sms_session *st_session_find(const sim_store *s, const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < s->nsessions; i++)
        if (strcmp(s->sessions[i]->id, id) == 0)
            return s->sessions[i];
    return NULL;
}

struct party *st_party_of(const struct sms_session *ss, const char *agent)
{
    if (!agent)
        return NULL;
    for (size_t i = 0; i < ss->nparties; i++)
        if (strcmp(ss->parties[i]->agent, agent) == 0)
            return ss->parties[i];
    return NULL;
}

bool st_party_active(const struct party *p)
{
    return p->state == PS_INVITED || p->state == PS_CHATTING || p->state == PS_LEFT;
}

bool st_party_joined(const struct party *p)
{
    return p->joined && p->state == PS_CHATTING;
}

/*
 * An Invited party for `agent`. An agent has one record per session: one that was offered
 * the session before (and finished) gets its record reset, keeping its participantId.
 */
struct party *st_party_offer(sim_store *s, struct sms_session *ss, const char *agent,
                             enum party_role role, const char *inviter, long long ref)
{
    char *inv = inviter ? strdup(inviter) : NULL;
    if (inviter && !inv)
        return NULL;
    struct party *p = st_party_of(ss, agent);
    if (!p) {
        if (st_grow((void **)&ss->parties, &ss->cap_parties, ss->nparties + 1,
                    sizeof *ss->parties) ||
            !(p = calloc(1, sizeof *p)) || !(p->agent = strdup(agent))) {
            free(p);
            free(inv);
            return NULL;
        }
        st_new_participant_id(s, p->pid);
        ss->parties[ss->nparties++] = p;
    }
    free(p->nickname);
    free(p->inviter);
    p->nickname = NULL;
    p->inviter = inv;
    p->inviter_ref = ref;
    p->state = PS_INVITED;
    p->role = role;
    p->save_lar = -1;
    p->joined = false;
    p->rejected = false;
    p->join_seq = 0;
    p->offered_at_ms = st_now_ms();
    return p;
}

/* ---------------------------------------------------------------- transcript */

int st_message_push(struct sms_session *ss, const struct message *m)
{
    if (st_grow((void **)&ss->msgs, &ss->cap_msgs, ss->nmsgs + 1, sizeof *ss->msgs))
        return -1;
    ss->msgs[ss->nmsgs++] = *m;
    return 0;
}

/* Appends a message from `from` (NULL: the customer); returns its index, 0 when out of
 * memory. */
size_t st_append(struct sms_session *ss, enum msg_type type, const struct party *from,
                 const char *text, bool agents_only)
{
    struct message m = { .ts_ms = st_now_ms(), .type = (unsigned char)type,
                         .agents_only = agents_only, .from_agent = from != NULL };
    if (text && !(m.text = strdup(text)))
        return 0;
    if (from) {
        m.nick = strdup(from->nickname ? from->nickname : from->agent);
        memcpy(m.pid, from->pid, sizeof m.pid);
    }
    if ((from && !m.nick) || st_message_push(ss, &m)) {
        free(m.text);
        free(m.nick);
        return 0;
    }
    return ss->nmsgs;
}

/* ---------------------------------------------------------------- views */

static json_t *participant(const char *type, const char *nick, const char *pid)
{
    return json_pack("{s:s,s:s,s:s}", "type", type, "nickname", nick, "participantId", pid);
}

/* Joined agents in join order, then the customer unless gone. */
json_t *st_participants_json(const struct sms_session *ss)
{
    json_t *arr = json_array();
    struct party **order = ss->nparties ? malloc(ss->nparties * sizeof *order) : NULL;
    if (!arr || (ss->nparties && !order)) {
        json_decref(arr);
        free(order);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < ss->nparties; i++) {
        struct party *p = ss->parties[i];
        if (!st_party_joined(p))
            continue;
        size_t j = n++;     /* insertion sort: a session has a handful of parties */
        for (; j > 0 && order[j - 1]->join_seq > p->join_seq; j--)
            order[j] = order[j - 1];
        order[j] = p;
    }
    int err = 0;
    for (size_t i = 0; i < n; i++)
        err |= json_array_append_new(arr, participant("Agent",
                    order[i]->nickname ? order[i]->nickname : order[i]->agent, order[i]->pid));
    if (!ss->customer_left)
        err |= json_array_append_new(arr, participant("Customer", ss->cust_nick, ss->cust_pid));
    free(order);
    if (err) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

json_t *st_session_uri(const sim_store *s, const struct sms_session *ss)
{
    return json_pack("s++", s->base_url, "/api/v2/smssessions/", ss->id);
}

/* The state an agent is shown: a Reject's Revoked is the vendor's Completed. */
const char *st_party_shown_state(const sim_store *s, const struct party *p)
{
    if (!s->legacy && p->state == PS_REVOKED && p->rejected)
        return "Completed";
    return PARTY_STATES[p->state];
}

/* SESSION as agent `p` sees it (see enum view_kind). */
json_t *st_view(const sim_store *s, const struct sms_session *ss, const struct party *p,
                enum view_kind kind)
{
    bool final = p->state == PS_COMPLETED || p->state == PS_REVOKED;
    bool read = kind == VIEW_READ || s->legacy;
    bool with_caps = s->legacy || !final;
    bool with_parts = read || (!final && p->state != PS_LEFT) || (final && p->rejected);
    bool empty_parts = kind == VIEW_ACCEPTED || (!read && final);
    bool with_ud = read || kind == VIEW_PROPERTIES;
    json_t *v = json_pack("{s:s,s:o,s:s}", "id", ss->id, "uri", st_session_uri(s, ss),
                          "state", st_party_shown_state(s, p));
    if (!v)
        return NULL;
    int err = 0;
    if (with_caps)
        err |= json_object_set_new(v, "capabilities", capabilities_json(s, ss, p));
    if (with_parts)
        err |= json_object_set_new(v, "participants", empty_parts ? json_array()
                                                                  : st_participants_json(ss));
    /* a snapshot: userData changes later */
    if (with_ud)
        err |= json_object_set_new(v, "userData", json_deep_copy(ss->user_data));
    if (err) {
        json_decref(v);
        return NULL;
    }
    return v;
}
