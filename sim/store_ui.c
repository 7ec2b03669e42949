/* The console's view of the store (see store_ui.h). */
#include "store_ctl.h"
#include "store_ui.h"

/* Keeps the last `max` entries of the record's transcript; notes the full count. */
static int trim_transcript(json_t *record, size_t max)
{
    json_t *all = json_object_get(record, "transcript");
    size_t n = json_array_size(all);
    if (json_object_set_new(record, "messages", json_integer((json_int_t)n)) != 0)
        return -1;
    if (n <= max)
        return 0;
    json_t *tail = json_array();
    for (size_t i = n - max; tail && i < n; i++)
        if (json_array_append(tail, json_array_get(all, i)) != 0) {
            json_decref(tail);
            tail = NULL;
        }
    return tail ? json_object_set_new(record, "transcript", tail) : -1;
}

static const char *agent_state(const struct agent *a)
{
    if (!a->cc_started)
        return "LoggedOut";
    if (!a->sms_started)
        return "NoSms";
    return a->sms_ready ? "Ready" : "NotReady";
}

json_t *store_ui_snapshot(sim_store *s, size_t max_sessions, size_t max_messages)
{
    json_t *sessions = json_array(), *agents = json_array();
    int err = !sessions || !agents;
    size_t shown = 0;
    for (size_t i = s->nsessions; !err && i > 0 && shown < max_sessions; i--, shown++) {
        int status = 0;
        json_t *record = store_ctl_get_session(s, s->sessions[i - 1]->id, &status);
        if (!record || trim_transcript(record, max_messages) != 0) {
            json_decref(record);
            err = 1;
        } else {
            err = json_array_append_new(sessions, record) != 0;
        }
    }
    for (size_t i = 0; !err && i < s->nagents; i++) {
        const struct agent *a = s->agents[i];
        err = json_array_append_new(agents, json_pack("{s:s,s:s}", "name", a->name,
                                                      "state", agent_state(a))) != 0;
    }
    if (err) {
        json_decref(sessions);
        json_decref(agents);
        return NULL;
    }
    return json_pack("{s:o,s:o,s:I}", "sessions", sessions, "agents", agents,
                     "total", (json_int_t)s->nsessions);
}
