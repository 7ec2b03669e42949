/*
 * Notifications: the two SMS message types of spec section 4, handed to the publish
 * callback one per recipient. Each recipient gets its own freshly built value, so nothing
 * published shares memory with the store or with another recipient's copy.
 */
#include "store_notify.h"
#include "store_message.h"
#include "store_session.h"

#include <string.h>

static void publish(sim_store *s, const char *agent, json_t *data)
{
    if (!data)
        return;     /* out of memory: the notification is lost, as on a bad network */
    if (s->publish)
        s->publish(s->ud, agent, SMS_TOPIC, data);
    else
        json_decref(data);
}

static json_t *state_change(const sim_store *s, const struct sms_session *ss,
                            const struct party *p, const char *type, long long ref,
                            const char *error, enum view_kind kind)
{
    json_t *view = st_view(s, ss, p, kind);
    if (!view)
        return NULL;
    json_t *d = json_pack("{s:s,s:s,s:o}", "messageType", "SMSsessionStateChangeMessage",
                          "notificationType", type, "smssession", view);
    if (d && ref > 0 && json_object_set_new(d, "referenceId", json_integer(ref)))
        goto fail;
    if (d && error && json_object_set_new(d, "errorMessage", json_string(error)))
        goto fail;
    return d;
fail:
    json_decref(d);
    return NULL;
}

/* StatusChange / ParticipantsUpdated / PropertiesUpdated / Error to the agent of `p`. */
void st_notify_state(sim_store *s, const struct sms_session *ss, const struct party *p,
                     const char *type, long long ref, const char *error)
{
    enum view_kind kind = strcmp(type, "PropertiesUpdated") == 0 ? VIEW_PROPERTIES : VIEW_STATE;
    publish(s, p->agent, state_change(s, ss, p, type, ref, error, kind));
}

void st_notify_error(sim_store *s, const struct sms_session *ss, const struct party *p,
                     long long ref, const char *message)
{
    if (s->legacy) {
        st_notify_state(s, ss, p, "Error", ref, message);
        return;
    }
    publish(s, p->agent, json_pack("{s:s,s:s,s:I}", "notificationType", "Error",
                                   "errorMessage", message, "referenceId", (json_int_t)ref));
}

static bool has_custom_notice(const struct sms_session *ss, size_t first, size_t n)
{
    for (size_t i = first; i < ss->nmsgs && i - first < n; i++)
        if (ss->msgs[i].type == MT_CUSTOM_NOTICE)
            return true;
    return false;
}

void st_notify_messages(sim_store *s, const struct sms_session *ss, const char *agent,
                        size_t first, size_t n, long long ref)
{
    json_t *msgs = st_messages_json(s, ss, first, n, MV_NOTIFY);
    json_t *uri = st_session_uri(s, ss);
    if (!msgs || !uri) {
        json_decref(msgs);
        json_decref(uri);
        return;
    }
    json_t *d = json_pack("{s:s,s:s,s:o,s:o}", "messageType", "MessageLogUpdated",
                          "notificationType", "NewMessages", "messages", msgs,
                          "smssessionUri", uri);
    /* The vendor's custom-notice pages also give the session's path. */
    if (d && !s->legacy && has_custom_notice(ss, first, n) &&
        json_object_set_new(d, "smssessionPath", json_pack("s+", "/smssessions/", ss->id))) {
        json_decref(d);
        d = NULL;
    }
    /* The vendor's NewMessages never carry a referenceId. */
    if (d && ref > 0 && s->legacy &&
        json_object_set_new(d, "referenceId", json_integer(ref))) {
        json_decref(d);
        d = NULL;
    }
    publish(s, agent, d);
}

/*
 * The acting agent's three notifications after Accept, as the vendor's seed page shows
 * them: StatusChange with an empty participant list, ParticipantsUpdated with the full
 * list, then the whole transcript so far.
 */
void st_notify_accepted(sim_store *s, const struct sms_session *ss, const struct party *p,
                        long long ref)
{
    publish(s, p->agent, state_change(s, ss, p, "StatusChange", ref, NULL, VIEW_ACCEPTED));
    st_notify_state(s, ss, p, "ParticipantsUpdated", 0, NULL);
    st_notify_messages(s, ss, p->agent, 0, ss->nmsgs, 0);
}

/* Message number `index` (1-based) to every joined agent; the actor's copy carries ref. */
void st_broadcast_message(sim_store *s, const struct sms_session *ss, size_t index,
                          const struct party *actor, long long ref)
{
    if (index == 0)
        return;
    for (size_t i = 0; i < ss->nparties; i++) {
        const struct party *q = ss->parties[i];
        if (st_party_joined(q))
            st_notify_messages(s, ss, q->agent, index - 1, 1, q == actor ? ref : 0);
    }
}

void st_broadcast_participants(sim_store *s, const struct sms_session *ss,
                               const struct party *skip)
{
    for (size_t i = 0; i < ss->nparties; i++) {
        const struct party *q = ss->parties[i];
        if (q != skip && st_party_joined(q))
            st_notify_state(s, ss, q, "ParticipantsUpdated", 0, NULL);
    }
}

/* PropertiesUpdated to every joined agent and to the actor even if it is not joined
 * (a LeftChat agent can still set user data). */
void st_broadcast_properties(sim_store *s, const struct sms_session *ss,
                             const struct party *actor, long long ref)
{
    for (size_t i = 0; i < ss->nparties; i++) {
        const struct party *q = ss->parties[i];
        if (q == actor || st_party_joined(q))
            st_notify_state(s, ss, q, "PropertiesUpdated", q == actor ? ref : 0, NULL);
    }
}
