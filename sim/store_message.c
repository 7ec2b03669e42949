/*
 * MESSAGE objects: a transcript entry as a NewMessages notification or a read shows it, in
 * the vendor's shapes (timestamps, `from`) or the legacy ones.
 */
#include "store_message.h"
#include "store_session.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * "2026-11-24 14:23:18.109+0000", the vendor's usual form (vendor/INDEX.md §2.6), always in
 * UTC; legacy: "2026-11-24T14:23:18.109+0000".
 */
static void vendor_time(long long ms, bool legacy, char *out, size_t size)
{
    time_t sec = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(out, size, legacy ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out + n, size - n, ".%03d+0000", (int)(ms % 1000));
}

/* The agent who sent a message (by its participant id), or NULL. */
static const struct party *sender(const struct sms_session *ss, const struct message *m)
{
    for (size_t i = 0; m->from_agent && i < ss->nparties; i++)
        if (strcmp(ss->parties[i]->pid, m->pid) == 0)
            return ss->parties[i];
    return NULL;
}

/*
 * The vendor's `from` beyond type, nickname and participantId (INDEX.md §2.7): a read adds
 * id and visibility, and for an agent path and uri; a notification adds uri and visibility
 * to a PushUrl, and id, path, uri and visibility to a CustomNotice.
 */
static int vendor_from(const sim_store *s, const struct sms_session *ss,
                       const struct message *m, enum msg_view mv, json_t *from)
{
    bool custom = m->type == MT_CUSTOM_NOTICE, url = m->type == MT_PUSH_URL;
    bool id = mv == MV_READ || custom, vis = mv == MV_READ || custom || url;
    bool uri = mv == MV_READ || custom || url, path = mv == MV_READ || custom;
    const struct party *a = sender(ss, m);
    const char *visibility = m->agents_only ? "Agents" : "All";
    int err = 0;
    if (id)
        err |= json_object_set_new(from, "id", json_string(m->from_agent ? m->pid
                                                                         : ss->cust_pid));
    if (vis)
        err |= json_object_set_new(from, "visibility", json_string(visibility));
    if (a && uri)
        err |= json_object_set_new(from, "uri", json_pack("s++", s->base_url,
                                                          "/api/v2/users/", a->agent));
    if (a && path)
        err |= json_object_set_new(from, "path", json_pack("s+", "/users/", a->agent));
    return err;
}

static const char *text_key(enum msg_type t)
{
    return t == MT_PUSH_URL ? "url" : t == MT_CUSTOM_NOTICE ? "noticeText" : "text";
}

/* MESSAGE for the i-th entry (0-based). */
json_t *st_message_json(const sim_store *s, const struct sms_session *ss, size_t i,
                        enum msg_view mv)
{
    const struct message *m = &ss->msgs[i];
    char ts[48];
    vendor_time(m->ts_ms, s->legacy, ts, sizeof ts);
    json_t *o = json_pack("{s:I,s:s,s:{s:s,s:s,s:s},s:s,s:s,s:I}",
                          "index", (json_int_t)(i + 1), "type", st_msg_type_name(m->type),
                          "from", "type", m->from_agent ? "Agent" : "Customer",
                          "nickname", m->from_agent ? m->nick : ss->cust_nick,
                          "participantId", m->from_agent ? m->pid : ss->cust_pid,
                          "visibility", m->agents_only ? "Agents" : "All",
                          "timestamp", ts, "timestampSeconds", (json_int_t)m->ts_ms);
    if (o && ((m->text && json_object_set_new(o, text_key(m->type), json_string(m->text))) ||
              (!s->legacy && vendor_from(s, ss, m, mv, json_object_get(o, "from"))))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* An array of `n` messages from the `first`-th (0-based), clipped to the transcript. */
json_t *st_messages_json(const sim_store *s, const struct sms_session *ss, size_t first,
                         size_t n, enum msg_view mv)
{
    json_t *arr = json_array();
    for (size_t i = first; arr && i < ss->nmsgs && i - first < n; i++) {
        if (json_array_append_new(arr, st_message_json(s, ss, i, mv))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}
