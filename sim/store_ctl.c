/*
 * The control API's side of the store (/sim/...): tests play the customer and the routing
 * engine here, and read back everything the agents did. Errors are {"error": "..."} with
 * 400 (bad request), 404 (unknown session) or 409 (the customer cannot act any more).
 */
#include "store_ctl.h"
#include "store_agent.h"
#include "store_base.h"
#include "store_notify.h"
#include "store_route.h"
#include "store_message.h"
#include "store_session.h"

#include <stdio.h>
#include <string.h>

#define FLOOD_MAX 10000000L

/* A string member, or NULL when absent or JSON null; *bad when present but not a string. */
static const char *opt_string(const json_t *obj, const char *key, bool *bad)
{
    const json_t *v = json_object_get(obj, key);
    if (v && !json_is_null(v) && !json_is_string(v))
        *bad = true;
    return json_string_value(v);
}

json_t *store_ctl_create_session(sim_store *s, const json_t *body, int *http_status)
{
    const json_t *cust = json_object_get(body, "customer");
    bool bad = false;
    const char *nick = opt_string(cust, "nickname", &bad);
    if (!json_is_object(cust) || !nick)
        return st_ctl_error(http_status, 400, "customer.nickname is required");
    const char *phone = opt_string(cust, "phone", &bad);
    const char *text = opt_string(body, "text", &bad);
    const char *agent = opt_string(body, "agent", &bad);
    if (bad)
        return st_ctl_error(http_status, 400,
                            "customer.phone, text and agent must be strings when given");
    if (agent && !st_agent(s, agent))
        return st_ctl_error(http_status, 400, "unknown agent %s", agent);

    struct sms_session *ss = st_session_new(s, nick, phone);
    if (!ss || !st_append(ss, MT_JOINED, NULL, NULL, false) ||
        (text && !st_append(ss, MT_TEXT, NULL, text, false)))
        return NULL;
    /* A named agent gets the offer whatever its state: tests use that to skip routing. */
    if (agent)
        st_offer(s, ss, agent, ROLE_MAIN, NULL, 0);
    else
        st_route(s, ss, false);
    *http_status = 200;
    return json_pack("{s:s}", "id", ss->id);
}

static json_t *json_str_or_null(const char *v)
{
    return v ? json_string(v) : json_null();
}

static json_t *lar_json(int save_lar)
{
    return save_lar < 0 ? json_null() : json_boolean(save_lar);
}

static json_t *agents_json(const sim_store *s, const struct sms_session *ss)
{
    json_t *agents = json_object();
    for (size_t i = 0; agents && i < ss->nparties; i++) {
        const struct party *p = ss->parties[i];
        json_t *o = json_pack("{s:s,s:o,s:s,s:o,s:s,s:b}", "state",
                              st_party_shown_state(s, p), "nickname",
                              json_str_or_null(p->nickname), "participantId", p->pid,
                              "saveLAR", lar_json(p->save_lar), "role", st_role_name(p->role),
                              "joined", p->joined);
        if (json_object_set_new(agents, p->agent, o)) {
            json_decref(agents);
            return NULL;
        }
    }
    return agents;
}

json_t *store_ctl_get_session(sim_store *s, const char *id, int *http_status)
{
    const struct sms_session *ss = st_session_find(s, id);
    if (!ss)
        return st_ctl_error(http_status, 404, "session %s not found", id ? id : "");
    const struct party *first = st_party_of(ss, ss->first_agent);
    json_t *r = json_pack("{s:s,s:s,s:{s:s,s:o,s:s,s:b},s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
                          "id", ss->id, "state", st_sess_state_name(ss->state),
                          "customer", "nickname", ss->cust_nick,
                          "phone", json_str_or_null(ss->cust_phone),
                          "participantId", ss->cust_pid, "left", ss->customer_left,
                          "nickname", json_str_or_null(ss->first_nick),
                          "saveLAR", lar_json(first ? first->save_lar : -1),
                          "agents", agents_json(s, ss),
                          "participants", st_participants_json(ss),
                          "transcript", st_messages_json(s, ss, 0, ss->nmsgs, MV_NOTIFY),
                          "userData", json_deep_copy(ss->user_data),
                          "disposition", json_str_or_null(ss->disposition));
    if (r)
        *http_status = 200;
    return r;
}

/* The session a customer action applies to, or NULL with *err set (404 / 409). */
static struct sms_session *customer_session(sim_store *s, const char *id, bool closed_ok,
                                            int *http, json_t **err)
{
    struct sms_session *ss = st_session_find(s, id);
    if (!ss)
        *err = st_ctl_error(http, 404, "session %s not found", id ? id : "");
    else if (ss->customer_left)
        *err = st_ctl_error(http, 409, "customer has left");
    else if (!closed_ok && ss->state == SS_COMPLETED)
        *err = st_ctl_error(http, 409, "session %s is closed", ss->id);
    else
        return ss;
    return NULL;
}

/* Appends a customer message and tells the joined agents; answers {"index": N}. */
static json_t *customer_says(sim_store *s, struct sms_session *ss, enum msg_type type,
                             const char *text, int *http)
{
    size_t idx = st_append(ss, type, NULL, text, false);
    if (!idx)
        return NULL;
    st_broadcast_message(s, ss, idx, NULL, 0);
    *http = 200;
    return json_pack("{s:I}", "index", (json_int_t)idx);
}

json_t *store_ctl_customer_message(sim_store *s, const char *id, const json_t *body,
                                   int *http_status)
{
    json_t *err = NULL;
    struct sms_session *ss = customer_session(s, id, false, http_status, &err);
    if (!ss)
        return err;
    const char *text = json_string_value(json_object_get(body, "text"));
    if (!text)
        return st_ctl_error(http_status, 400, "text (a string) is required");
    return customer_says(s, ss, MT_TEXT, text, http_status);
}

json_t *store_ctl_customer_typing(sim_store *s, const char *id, const json_t *body,
                                  int *http_status)
{
    json_t *err = NULL;
    struct sms_session *ss = customer_session(s, id, false, http_status, &err);
    if (!ss)
        return err;
    const json_t *typing = json_object_get(body, "typing");
    if (!json_is_boolean(typing))
        return st_ctl_error(http_status, 400, "typing (a boolean) is required");
    return customer_says(s, ss, json_is_true(typing) ? MT_TYPING_STARTED : MT_TYPING_STOPPED,
                         NULL, http_status);
}

json_t *store_ctl_customer_leave(sim_store *s, const char *id, int *http_status)
{
    json_t *err = NULL;
    struct sms_session *ss = customer_session(s, id, true, http_status, &err);
    if (!ss)
        return err;
    size_t idx = st_append(ss, MT_LEFT, NULL, NULL, false);
    if (!idx)
        return NULL;
    ss->customer_left = true;
    st_broadcast_message(s, ss, idx, NULL, 0);
    st_broadcast_participants(s, ss, NULL);
    /* nobody may join a conversation whose customer is gone */
    st_revoke_invited(s, ss);
    st_close_if_unattended(s, ss);
    *http_status = 200;
    return json_pack("{s:b}", "ok", 1);
}

/*
 * {"session": id, "count": N, "agent"?}: N customer Texts, each published as its own
 * NewMessages to the joined agents (or to `agent` only). Appends are amortised O(1) and
 * each notification renders one message, so the cost is linear in N.
 */
json_t *store_ctl_flood(sim_store *s, const json_t *body, int *http_status)
{
    const json_t *jc = json_object_get(body, "count");
    bool bad = false;
    const char *id = opt_string(body, "session", &bad);
    const char *agent = opt_string(body, "agent", &bad);
    if (!id || bad)
        return st_ctl_error(http_status, 400, "session (a string) is required");
    if (!json_is_integer(jc) || json_integer_value(jc) < 0 ||
        json_integer_value(jc) > FLOOD_MAX)
        return st_ctl_error(http_status, 400, "count must be an integer from 0 to %ld",
                            FLOOD_MAX);
    json_t *err = NULL;
    struct sms_session *ss = customer_session(s, id, false, http_status, &err);
    if (!ss)
        return err;
    const struct party *only = agent ? st_party_of(ss, agent) : NULL;
    if (agent && !only)
        return st_ctl_error(http_status, 400, "agent %s has no part in session %s", agent,
                            ss->id);
    long count = (long)json_integer_value(jc), i;
    char text[32];
    for (i = 0; i < count; i++) {
        snprintf(text, sizeof text, "flood %ld", i + 1);
        size_t idx = st_append(ss, MT_TEXT, NULL, text, false);
        if (!idx)
            break;
        if (only)
            st_notify_messages(s, ss, only->agent, idx - 1, 1, 0);
        else
            st_broadcast_message(s, ss, idx, NULL, 0);
    }
    *http_status = 200;
    return json_pack("{s:I}", "published", (json_int_t)i);
}
