/*
 * The agent's own resources: GET/POST /me (the contact-center session) and its channels
 * (the sms channel's Ready/NotReady, which pulls queued sessions to a Ready agent).
 */
#define _GNU_SOURCE     /* asprintf */
#include "store_me.h"
#include "store_agent.h"
#include "store_base.h"
#include "store_route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- /me */

json_t *store_get_me(sim_store *s, const char *user, int *http_status)
{
    const struct agent *a = st_agent(s, user);
    if (!a)
        return st_status(http_status, 6, "User %s not found", user ? user : "");
    *http_status = 200;
    return json_pack("{s:i,s:{s:s,s:s,s:s,s:s,s:[s],s:s++,s:s+}}", "statusCode", 0, "user",
                     "id", a->name, "userName", a->name, "firstName", a->name,
                     "lastName", "Sim", "roles", "ROLE_AGENT",
                     "uri", s->base_url, "/api/v2/users/", a->name,
                     "path", "/users/", a->name);
}

/* Starts the channels named in `channels`; unknown ones are collected for statusCode 7. */
static json_t *start_cc_session(struct agent *a, const json_t *body, int *http)
{
    const json_t *channels = json_object_get(body, "channels");
    const json_t *place = json_object_get(body, "place");
    if (!channels)
        return st_status(http, 1, "Missing required parameter: channels");
    if (!json_is_array(channels))
        return st_status(http, 10, "Parameter channels must be an array of strings");
    size_t i;
    const json_t *ch;
    json_array_foreach(channels, i, ch) {
        if (!json_is_string(ch))
            return st_status(http, 10, "Parameter channels must be an array of strings");
    }
    if (json_array_size(channels) == 0)
        return st_status(http, 1, "Parameter channels must name at least one channel");
    if (place && !json_is_string(place))
        return st_status(http, 10, "Parameter place must be a string");

    a->cc_started = true;
    char *bad = NULL;
    json_array_foreach(channels, i, ch) {
        const char *name = json_string_value(ch);
        if (strcmp(name, "sms") == 0) {
            a->sms_started = true;
            a->sms_ready = false;
            continue;
        }
        char *more = NULL;
        if (asprintf(&more, "%s%s%s", bad ? bad : "", bad ? ", " : "", name) < 0)
            more = NULL;
        free(bad);
        bad = more;
        if (!bad)
            return NULL;
    }
    if (!bad)
        return st_status(http, 0, NULL);
    json_t *r = st_status(http, 7, "Channel(s) not supported: %s", bad);
    free(bad);
    return r;
}

json_t *store_post_me(sim_store *s, const char *user, const json_t *body, int *http_status)
{
    struct agent *a = st_agent(s, user);
    if (!a)
        return st_status(http_status, 6, "User %s not found", user ? user : "");
    const char *op = json_string_value(json_object_get(body, "operationName"));
    if (!op)
        return st_status(http_status, 1, "Missing required parameter: operationName");
    if (strcmp(op, "StartContactCenterSession") == 0)
        return start_cc_session(a, body, http_status);
    if (strcmp(op, "EndContactCenterSession") == 0) {
        a->cc_started = a->sms_started = a->sms_ready = false;
        return st_status(http_status, 0, NULL);
    }
    return st_status(http_status, 10, "Unknown operationName %s", op);
}

/* ---------------------------------------------------------------- channels */

json_t *store_get_channels(sim_store *s, const char *user, int *http_status)
{
    const struct agent *a = st_agent(s, user);
    if (!a)
        return st_status(http_status, 6, "User %s not found", user ? user : "");
    const char *st = a->sms_ready ? "Ready" : "NotReady";
    *http_status = 200;
    return json_pack("{s:i,s:[{s:s,s:{s:s,s:s}}]}", "statusCode", 0, "channels",
                     "channel", "sms", "userState", "state", st, "displayName", st);
}

json_t *store_post_channel(sim_store *s, const char *user, const char *channel,
                           const json_t *body, int *http_status)
{
    struct agent *a = st_agent(s, user);
    if (!a)
        return st_status(http_status, 6, "User %s not found", user ? user : "");
    if (!a->cc_started)
        return st_status(http_status, 2, "No contact center session is started");
    if (!channel || strcmp(channel, "sms") != 0 || !a->sms_started)
        return st_status(http_status, 6, "Channel %s is not started", channel ? channel : "");
    const json_t *opv = json_object_get(body, "operationName");
    if (!opv)
        return st_status(http_status, 1, "Missing required parameter: operationName");
    const char *op = json_string_value(opv);
    if (op && strcmp(op, "Ready") == 0) {
        a->sms_ready = true;
        /* Being Ready is what pulls queued sessions to an agent. */
        st_agent_ready(s, a);
        return st_status(http_status, 0, NULL);
    }
    if (op && strcmp(op, "NotReady") == 0) {
        a->sms_ready = false;
        return st_status(http_status, 0, NULL);
    }
    return st_status(http_status, 10, "Unknown operationName %s", op ? op : "(not a string)");
}
