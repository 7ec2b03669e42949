/*
 * The agent's reads: its sessions, one session, and a session's messages. Sessions in a
 * final state stay listed, so a client that was offline can still learn how they ended.
 */
#include "store_read.h"
#include "store_agent.h"
#include "store_base.h"
#include "store_message.h"
#include "store_session.h"

json_t *store_list_sms(sim_store *s, const char *user, int *http_status)
{
    if (!st_agent(s, user))
        return st_status(http_status, 6, "User %s not found", user ? user : "");
    json_t *list = json_array();
    if (!list)
        return NULL;
    for (size_t i = 0; i < s->nsessions; i++) {
        const struct sms_session *ss = s->sessions[i];
        const struct party *p = st_party_of(ss, user);
        if (p && json_array_append_new(list, st_view(s, ss, p, VIEW_READ))) {
            json_decref(list);
            return NULL;
        }
    }
    *http_status = 200;
    return json_pack("{s:i,s:o}", "statusCode", 0, "smssessions", list);
}

json_t *store_get_sms(sim_store *s, const char *user, const char *id, int *http_status)
{
    const struct sms_session *ss = st_session_find(s, id);
    const struct party *p = ss ? st_party_of(ss, user) : NULL;
    if (!p)
        return st_status(http_status, 6, "Session %s not found", id ? id : "");
    json_t *view = st_view(s, ss, p, VIEW_READ);
    if (!view)
        return NULL;
    *http_status = 200;
    return json_pack("{s:i,s:o}", "statusCode", 0, "smssession", view);
}

json_t *store_get_messages(sim_store *s, const char *user, const char *id, long start_index,
                           long count, int *http_status)
{
    const struct sms_session *ss = st_session_find(s, id);
    if (!ss || !st_party_of(ss, user))
        return st_status(http_status, 6, "Session %s not found", id ? id : "");
    if (start_index < 1)
        start_index = 1;
    size_t n = count > 0 ? (size_t)count : ss->nmsgs;
    json_t *msgs = st_messages_json(s, ss, (size_t)start_index - 1, n, MV_READ);
    if (!msgs)
        return NULL;
    *http_status = 200;
    return json_pack("{s:i,s:o}", "statusCode", 0, "messages", msgs);
}
