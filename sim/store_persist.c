/*
 * --state FILE: the whole domain as one JSON object, and back.
 *
 * store_load parses into a scratch store and only swaps it in once everything checked
 * out, so a file of the wrong shape leaves the running store exactly as it was.
 */
#include "store_persist.h"
#include "store.h"
#include "store_agent.h"
#include "store_session.h"

#include <stdlib.h>
#include <string.h>

#define STATE_VERSION 1

/* ---------------------------------------------------------------- save */

static json_t *str_or_null(const char *v)
{
    return v ? json_string(v) : json_null();
}

static json_t *save_users(const sim_store *s)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < s->nagents; i++) {
        const struct agent *a = s->agents[i];
        if (json_array_append_new(arr, json_pack("{s:s,s:s,s:b,s:b,s:b}", "name", a->name,
                                                 "password", a->password, "ccStarted",
                                                 a->cc_started, "smsStarted", a->sms_started,
                                                 "smsReady", a->sms_ready))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *save_party(const struct party *p)
{
    return json_pack("{s:s,s:s,s:s,s:o,s:s,s:o,s:b,s:o,s:I,s:I}", "agent", p->agent,
                     "state", st_party_state_name(p->state), "role", st_role_name(p->role),
                     "nickname", str_or_null(p->nickname), "participantId", p->pid,
                     "saveLAR", p->save_lar < 0 ? json_null() : json_boolean(p->save_lar),
                     "joined", p->joined, "inviter", str_or_null(p->inviter),
                     "inviterRef", (json_int_t)p->inviter_ref,
                     "joinSeq", (json_int_t)p->join_seq);
}

/* Compact on purpose: a flooded session holds hundreds of thousands of these. */
static json_t *save_message(const struct message *m)
{
    json_t *o = json_pack("{s:s,s:I,s:b}", "type", st_msg_type_name(m->type),
                          "ts", (json_int_t)m->ts_ms, "agentsOnly", m->agents_only);
    if (o && m->text && json_object_set_new(o, "text", json_string(m->text)))
        goto fail;
    if (o && m->from_agent &&
        (json_object_set_new(o, "nickname", json_string(m->nick)) ||
         json_object_set_new(o, "participantId", json_string(m->pid))))
        goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}

static json_t *save_session(const struct sms_session *ss)
{
    json_t *parties = json_array(), *msgs = json_array();
    for (size_t i = 0; parties && i < ss->nparties; i++)
        if (json_array_append_new(parties, save_party(ss->parties[i])))
            goto fail;
    for (size_t i = 0; msgs && i < ss->nmsgs; i++)
        if (json_array_append_new(msgs, save_message(&ss->msgs[i])))
            goto fail;
    return json_pack("{s:s,s:{s:s,s:o,s:s,s:b},s:s,s:o,s:o,s:o,s:o,s:o,s:o}",
                     "id", ss->id, "customer", "nickname", ss->cust_nick,
                     "phone", str_or_null(ss->cust_phone), "participantId", ss->cust_pid,
                     "left", ss->customer_left, "state", st_sess_state_name(ss->state),
                     "firstAgent", str_or_null(ss->first_agent),
                     "firstNickname", str_or_null(ss->first_nick),
                     "disposition", str_or_null(ss->disposition),
                     "userData", json_deep_copy(ss->user_data),
                     "parties", parties, "transcript", msgs);
fail:
    json_decref(parties);
    json_decref(msgs);
    return NULL;
}

json_t *store_save(const sim_store *s)
{
    json_t *sessions = json_array();
    for (size_t i = 0; sessions && i < s->nsessions; i++) {
        if (json_array_append_new(sessions, save_session(s->sessions[i]))) {
            json_decref(sessions);
            return NULL;
        }
    }
    return json_pack("{s:i,s:I,s:I,s:I,s:I,s:o,s:o}", "version", STATE_VERSION,
                     "nextId", (json_int_t)s->next_id, "nextRef", (json_int_t)s->next_ref,
                     "joinSeq", (json_int_t)s->join_seq, "rr", (json_int_t)s->rr,
                     "users", save_users(s), "sessions", sessions);
}

/* ---------------------------------------------------------------- load */

/* A string member; NULL when absent/null and `nullable`. -1 when of the wrong type. */
static int get_str(const json_t *o, const char *k, bool nullable, const char **out)
{
    const json_t *v = json_object_get(o, k);
    *out = json_string_value(v);
    if (*out)
        return 0;
    return nullable && (!v || json_is_null(v)) ? 0 : -1;
}

static int get_bool(const json_t *o, const char *k, bool *out)
{
    const json_t *v = json_object_get(o, k);
    *out = json_is_true(v);
    return json_is_boolean(v) ? 0 : -1;
}

static int get_int(const json_t *o, const char *k, long long *out)
{
    const json_t *v = json_object_get(o, k);
    *out = (long long)json_integer_value(v);
    return json_is_integer(v) && *out >= 0 ? 0 : -1;
}

/* The enum value whose name is `v`, or -1. */
static int enum_of(const char *(*name)(int), int n, const char *v)
{
    for (int i = 0; v && i < n; i++)
        if (strcmp(name(i), v) == 0)
            return i;
    return -1;
}

static const char *party_state_name(int i) { return st_party_state_name(i); }
static const char *role_name(int i) { return st_role_name(i); }
static const char *sess_state_name(int i) { return st_sess_state_name(i); }
static const char *msg_type_name(int i) { return st_msg_type_name(i); }

static int copy_id(char out[ID_LEN + 1], const char *v)
{
    if (!v || !*v || strlen(v) > ID_LEN)
        return -1;
    strcpy(out, v);
    return 0;
}

static int dup_opt(char **dst, const char *v)
{
    *dst = v ? strdup(v) : NULL;
    return v && !*dst ? -1 : 0;
}

static int load_users(sim_store *t, const json_t *users)
{
    size_t i;
    const json_t *u;
    if (!json_is_array(users))
        return -1;
    json_array_foreach(users, i, u) {
        const char *name, *pw;
        bool cc, started, ready;
        if (get_str(u, "name", false, &name) || get_str(u, "password", false, &pw) ||
            get_bool(u, "ccStarted", &cc) || get_bool(u, "smsStarted", &started) ||
            get_bool(u, "smsReady", &ready) || store_add_user(t, name, pw))
            return -1;
        struct agent *a = t->agents[t->nagents - 1];
        a->cc_started = cc;
        a->sms_started = started;
        a->sms_ready = ready;
    }
    return 0;
}

static int load_party(sim_store *t, struct sms_session *ss, const json_t *o)
{
    const char *agent, *state, *role, *nick, *pid, *inviter;
    long long ref, seq;
    bool joined;
    const json_t *lar = json_object_get(o, "saveLAR");
    if (get_str(o, "agent", false, &agent) || get_str(o, "state", false, &state) ||
        get_str(o, "role", false, &role) || get_str(o, "nickname", true, &nick) ||
        get_str(o, "participantId", false, &pid) || get_str(o, "inviter", true, &inviter) ||
        get_int(o, "inviterRef", &ref) || get_int(o, "joinSeq", &seq) ||
        get_bool(o, "joined", &joined) || !st_agent(t, agent) || st_party_of(ss, agent) ||
        (lar && !json_is_null(lar) && !json_is_boolean(lar)))
        return -1;
    int st = enum_of(party_state_name, PS_REVOKED + 1, state);
    int rl = enum_of(role_name, ROLE_CONSULT + 1, role);
    struct party *p = st >= 0 && rl >= 0 ? st_party_offer(t, ss, agent, rl, inviter, ref)
                                         : NULL;
    if (!p || copy_id(p->pid, pid) || dup_opt(&p->nickname, nick))
        return -1;
    p->state = st;
    p->joined = joined;
    p->join_seq = (unsigned long long)seq;
    p->save_lar = json_is_boolean(lar) ? json_is_true(lar) : -1;
    return 0;
}

static int load_message(struct sms_session *ss, const json_t *o)
{
    const char *type, *text, *nick, *pid;
    long long ts;
    bool agents_only;
    if (get_str(o, "type", false, &type) || get_str(o, "text", true, &text) ||
        get_str(o, "nickname", true, &nick) || get_str(o, "participantId", true, &pid) ||
        get_int(o, "ts", &ts) || get_bool(o, "agentsOnly", &agents_only) ||
        (nick == NULL) != (pid == NULL))
        return -1;
    int mt = enum_of(msg_type_name, MT_COUNT, type);
    struct message m = { .ts_ms = ts, .type = (unsigned char)mt, .from_agent = nick != NULL,
                         .agents_only = agents_only };
    if (mt < 0 || (pid && copy_id(m.pid, pid)) || dup_opt(&m.text, text) ||
        dup_opt(&m.nick, nick) || st_message_push(ss, &m)) {
        free(m.text);
        free(m.nick);
        return -1;
    }
    return 0;
}

static int load_session(sim_store *t, const json_t *o)
{
    const json_t *cust = json_object_get(o, "customer"), *ud = json_object_get(o, "userData");
    const json_t *parties = json_object_get(o, "parties"), *msgs = json_object_get(o, "transcript");
    const char *id, *nick, *phone, *cpid, *state, *first, *first_nick, *disp;
    bool left;
    if (get_str(o, "id", false, &id) || get_str(cust, "nickname", false, &nick) ||
        get_str(cust, "phone", true, &phone) || get_str(cust, "participantId", false, &cpid) ||
        get_bool(cust, "left", &left) || get_str(o, "state", false, &state) ||
        get_str(o, "firstAgent", true, &first) || get_str(o, "firstNickname", true, &first_nick) ||
        get_str(o, "disposition", true, &disp) || !json_is_object(ud) ||
        !json_is_array(parties) || !json_is_array(msgs) || st_session_find(t, id))
        return -1;
    int st = enum_of(sess_state_name, SS_COMPLETED + 1, state);
    struct sms_session *ss = st_session_new(t, nick, phone);
    if (st < 0 || !ss || copy_id(ss->id, id) || copy_id(ss->cust_pid, cpid) ||
        dup_opt(&ss->first_agent, first) || dup_opt(&ss->first_nick, first_nick) ||
        dup_opt(&ss->disposition, disp))
        return -1;
    json_t *ud_copy = json_deep_copy(ud);   /* the caller keeps its own `state` */
    int bad = !ud_copy || json_object_update(ss->user_data, ud_copy);
    json_decref(ud_copy);
    if (bad)
        return -1;
    ss->state = st;
    ss->customer_left = left;
    size_t i;
    const json_t *v;
    json_array_foreach(parties, i, v)
        if (load_party(t, ss, v))
            return -1;
    json_array_foreach(msgs, i, v)
        if (load_message(ss, v))
            return -1;
    return 0;
}

static int load_into(sim_store *t, const json_t *state)
{
    long long version, next_id, next_ref, join_seq, rr;
    const json_t *sessions = json_object_get(state, "sessions");
    if (get_int(state, "version", &version) || version != STATE_VERSION ||
        get_int(state, "nextId", &next_id) || get_int(state, "nextRef", &next_ref) ||
        get_int(state, "joinSeq", &join_seq) || get_int(state, "rr", &rr) ||
        load_users(t, json_object_get(state, "users")) || !json_is_array(sessions))
        return -1;
    size_t i;
    const json_t *v;
    json_array_foreach(sessions, i, v)
        if (load_session(t, v))
            return -1;
    /* Counters only move forward: loading must not make an id or referenceId repeat. */
    t->next_id = (unsigned long long)next_id > t->next_id ? (unsigned long long)next_id
                                                          : t->next_id;
    t->next_ref = next_ref;
    t->join_seq = (unsigned long long)join_seq;
    t->rr = t->nagents ? (size_t)rr % t->nagents : 0;
    return 0;
}

int store_load(sim_store *s, const json_t *state)
{
    sim_store t = { .base_url = s->base_url, .rng = s->rng };
    if (!json_is_object(state) || load_into(&t, state) != 0) {
        st_store_clear(&t);
        return -1;
    }
    st_store_clear(s);
    s->agents = t.agents;
    s->nagents = t.nagents;
    s->cap_agents = t.cap_agents;
    s->sessions = t.sessions;
    s->nsessions = t.nsessions;
    s->cap_sessions = t.cap_sessions;
    s->next_id = t.next_id;
    s->next_ref = t.next_ref;
    s->join_seq = t.join_seq;
    s->rr = t.rr;
    s->rng = t.rng;
    return 0;
}
