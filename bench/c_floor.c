/* B4 reference: the C floor of notification delivery. No Lua: libcurl long polls and jansson
 * parses, doing what the client must do at the least for each event.
 *
 *   c_floor BASE_URL USER PASSWORD SESSION_ID N
 *
 * GET /api/v2/me (cookie + CSRF token), Bayeux handshake and subscribe to the topic /v2/me/(any) on
 * /api/v2/notifications, then, timed: POST /sim/flood {"session","count":N,"agent":USER} (on a
 * second handle, without credentials) and /meta/connect long polls until N NewMessages
 * events have arrived. Every reply is parsed in full by jansson, and every event is looked
 * into: its channel, data.notificationType, and the index and text of each message in
 * data.messages. Prints one JSON line:
 *   {"events":N,"cpu":seconds (getrusage user+sys),"wall":seconds,"polls":connects made}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "csrf.h"

struct buf {
    char *data;
    size_t len, cap;
};


static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    size_t len = size * n;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL)
            return 0;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return len;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "c_floor: %s: %.300s\n", what, detail ? detail : "");
    exit(1);
}

/* POSTs (body != NULL) or GETs; returns the parsed JSON answer (caller frees). */
static json_t *call(CURL *h, struct buf *b, const char *url, const char *body)
{
    b->len = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200)
        die(url, rc != CURLE_OK ? curl_easy_strerror(rc) : b->data);
    json_error_t err;
    json_t *v = json_loadb(b->data, b->len, 0, &err);
    if (v == NULL)
        die("bad JSON", err.text);
    return v;
}

static int message_id;

/* One Bayeux message as the body of a POST, with id and clientId filled in. */
static char *bayeux_body(json_t *msg, const char *client_id)
{
    char id[32];
    snprintf(id, sizeof id, "%d", ++message_id);
    json_object_set_new(msg, "id", json_string(id));
    if (client_id != NULL)
        json_object_set_new(msg, "clientId", json_string(client_id));
    json_t *batch = json_array();
    json_array_append_new(batch, msg);
    char *s = json_dumps(batch, JSON_COMPACT);
    json_decref(batch);
    return s;
}

static json_t *meta_reply(json_t *replies, const char *channel)
{
    size_t i;
    json_t *m;
    json_array_foreach(replies, i, m) {
        const char *c = json_string_value(json_object_get(m, "channel"));
        if (c != NULL && strcmp(c, channel) == 0)
            return m;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: c_floor BASE_URL USER PASSWORD SESSION_ID N\n");
        return 2;
    }
    const char *base = argv[1], *user = argv[2], *session = argv[4];
    long want = strtol(argv[5], NULL, 10);
    char url[1024], notify_url[1024], flood_url[1024], line[1024];
    struct buf b = { 0 }, fb = { 0 };

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    CURL *ctl = curl_easy_init();
    if (h == NULL || ctl == NULL)
        return 1;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, user);
    curl_easy_setopt(h, CURLOPT_PASSWORD, argv[3]);
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, (void *)&b);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);

    snprintf(url, sizeof url, "%s/api/v2/me", base);
    json_decref(call(h, &b, url, NULL));
    if (csrf_value[0] == '\0')
        die("GET /me", "no CSRF token");
    snprintf(line, sizeof line, "%s: %s", csrf_name, csrf_value);
    struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Content-Type: application/json;charset=UTF-8");
    headers = curl_slist_append(headers, line);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, NULL);
    snprintf(notify_url, sizeof notify_url, "%s/api/v2/notifications", base);

    char *body = bayeux_body(json_pack("{s:s,s:s,s:s,s:[s]}", "channel", "/meta/handshake",
                                       "version", "1.0", "minimumVersion", "1.0",
                                       "supportedConnectionTypes", "long-polling"), NULL);
    json_t *r = call(h, &b, notify_url, body);
    free(body);
    json_t *hs = meta_reply(r, "/meta/handshake");
    if (hs == NULL || !json_is_true(json_object_get(hs, "successful")))
        die("handshake", b.data);
    char *client_id = strdup(json_string_value(json_object_get(hs, "clientId")));
    json_decref(r);
    body = bayeux_body(json_pack("{s:s,s:s}", "channel", "/meta/subscribe", "subscription",
                                 "/v2/me/*"), client_id);
    r = call(h, &b, notify_url, body);
    free(body);
    json_t *sub = meta_reply(r, "/meta/subscribe");
    if (sub == NULL || !json_is_true(json_object_get(sub, "successful")))
        die("subscribe", b.data);
    json_decref(r);

    struct curl_slist *ctl_headers = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(ctl, CURLOPT_HTTPHEADER, ctl_headers);
    curl_easy_setopt(ctl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(ctl, CURLOPT_WRITEDATA, (void *)&fb);
    curl_easy_setopt(ctl, CURLOPT_TIMEOUT, 120L);
    snprintf(flood_url, sizeof flood_url, "%s/sim/flood", base);
    char *flood = NULL;
    json_t *fj = json_pack("{s:s,s:I,s:s}", "session", session, "count", (json_int_t)want,
                           "agent", user);
    flood = json_dumps(fj, JSON_COMPACT);
    json_decref(fj);

    double c0 = cpu_seconds(), w0 = wall_seconds();
    json_decref(call(ctl, &fb, flood_url, flood));
    long events = 0, polls = 0, chars = 0;
    while (events < want) {
        body = bayeux_body(json_pack("{s:s,s:s}", "channel", "/meta/connect", "connectionType",
                                     "long-polling"), client_id);
        r = call(h, &b, notify_url, body);
        free(body);
        polls++;
        if (!json_is_array(r))
            die("connect", "reply is not an array");
        size_t i;
        json_t *m;
        json_array_foreach(r, i, m) {
            const char *channel = json_string_value(json_object_get(m, "channel"));
            if (channel == NULL)
                die("connect", "message without a channel");
            if (strncmp(channel, "/meta/", 6) == 0) {
                if (!json_is_true(json_object_get(m, "successful")))
                    die("connect", b.data);
                continue;
            }
            json_t *data = json_object_get(m, "data");
            const char *type = json_string_value(json_object_get(data, "notificationType"));
            if (type == NULL || strcmp(type, "NewMessages") != 0)
                continue;
            size_t k;
            json_t *msg;
            json_array_foreach(json_object_get(data, "messages"), k, msg) {
                json_int_t index = json_integer_value(json_object_get(msg, "index"));
                const char *text = json_string_value(json_object_get(msg, "text"));
                if (index <= 0 || text == NULL)
                    die("event", "message without index or text");
                chars += (long)strlen(text);
            }
            events++;
        }
        json_decref(r);
    }
    double cpu = cpu_seconds() - c0, wall = wall_seconds() - w0;
    printf("{\"events\":%ld,\"cpu\":%.6f,\"wall\":%.6f,\"polls\":%ld,\"chars\":%ld}\n", events,
           cpu, wall, polls, chars);

    body = bayeux_body(json_pack("{s:s}", "channel", "/meta/disconnect"), client_id);
    json_decref(call(h, &b, notify_url, body));
    free(body);
    free(flood);
    free(client_id);
    free(b.data);
    free(fb.data);
    curl_slist_free_all(headers);
    curl_slist_free_all(ctl_headers);
    curl_easy_cleanup(h);
    curl_easy_cleanup(ctl);
    curl_global_cleanup();
    return 0;
}
