/* The simulator's domain (sim/store*.c) driven by request bodies the way the HTTP layer
 * passes them: /api/v2 operations of three agents, the /sim control API, and --state files.
 * Input: 1 flag byte, then records separated by 0x1E, each `op` `arg` then a JSON body:
 *   op % 16: 0 POST /me   1 POST /me/channels/sms   2 SMS operation   3 ctl create session
 *            4 customer message   5 customer typing   6 customer leave   7 GET messages
 *            ([startIndex, count] body)   8 the GET reads   9 ctl get session   10 flood
 *            (count capped at 64)   11 save, load into a new store, save again: equal
 *            12 load the body as a state file   13 SMS operation on body.id (any string)
 *            14 every pending offer times out (store_expire_offers; first offers go on)
 *   flag byte bit 0: the legacy shapes (--legacy-shapes), else the vendor's.
 *   op / 16 % 3: the acting agent;   arg: which known session (ids are counted and random,
 *   so records name sessions by creation order).
 * Every answer must be a JSON value with an HTTP status 200..599, and every notification
 * must serialise. Built with every sim/store*.c. */
#include "common.h"

#include "../sim/store.h"
#include "../sim/store_agent.h"
#include "../sim/store_ctl.h"
#include "../sim/store_me.h"
#include "../sim/store_ops.h"
#include "../sim/store_ops_xfer.h"
#include "../sim/store_persist.h"
#include "../sim/store_read.h"

#define MAX_IDS 32

static char ids[MAX_IDS][ID_LEN + 1];
static size_t nids;

static void on_publish(void *ud, const char *user, const char *channel, json_t *data)
{
    (void)ud;
    FUZZ_ASSERT(user != NULL && channel != NULL && channel[0] == '/');
    if (data == NULL)
        return; /* out of memory while building it: the notification is lost */
    char *s = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
    FUZZ_ASSERT(s != NULL);
    free(s);
    json_decref(data);
}

static sim_store *new_store(void)
{
    sim_store *s = store_new(on_publish, NULL, "http://127.0.0.1:8090");
    FUZZ_ASSERT(s != NULL);
    s->rng = 0x9E3779B97F4A7C15ULL; /* reproducible ids */
    FUZZ_ASSERT(store_add_user(s, "agent1", "password") == 0);
    FUZZ_ASSERT(store_add_user(s, "agent2", "password") == 0);
    FUZZ_ASSERT(store_add_user(s, "agent3", "password") == 0);
    return s;
}

static void check_answer(json_t *resp, int status)
{
    FUZZ_ASSERT(resp != NULL);
    FUZZ_ASSERT(status >= 200 && status <= 599);
    char *s = json_dumps(resp, JSON_COMPACT | JSON_ENCODE_ANY);
    FUZZ_ASSERT(s != NULL);
    if (getenv("FUZZ_VERBOSE")) /* to check that a seed does what it should */
        fprintf(stderr, "%d %.200s\n", status, s);
    free(s);
    json_decref(resp);
}

static void remember(json_t *resp)
{
    const char *id = json_string_value(json_object_get(resp, "id"));
    if (id != NULL && nids < MAX_IDS && strlen(id) == ID_LEN)
        memcpy(ids[nids++], id, ID_LEN + 1);
}

static void roundtrip(sim_store *s)
{
    json_t *a = store_save(s);
    FUZZ_ASSERT(a != NULL);
    sim_store *t = new_store();
    FUZZ_ASSERT(store_load(t, a) == 0);
    json_t *b = store_save(t);
    FUZZ_ASSERT(b != NULL && json_equal(a, b));
    json_decref(a);
    json_decref(b);
    store_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const users[] = { "agent1", "agent2", "agent3" };
    struct reader r = { data, size };
    uint8_t flags = rd_byte(&r);
    nids = 0;
    sim_store *s = new_store();
    store_configure(s, flags & 1, 0);   /* offer timeout 0: op 14 expires every offer */

    while (r.left > 0) {
        uint8_t op = rd_byte(&r), arg = rd_byte(&r);
        size_t n;
        const char *text = rd_until(&r, 0x1e, &n);
        json_error_t jerr;
        json_t *body = json_loadb(text, n, JSON_DECODE_ANY, &jerr);
        if (body == NULL)
            continue;
        const char *user = users[op / 16 % 3];
        const char *id = nids ? ids[arg % nids] : "NOSUCHSESSION000";
        int status = 0;
        json_t *resp = NULL;
        switch (op % 16) {
        case 0: resp = store_post_me(s, user, body, &status); break;
        case 1: resp = store_post_channel(s, user, "sms", body, &status); break;
        case 2: resp = store_sms_operation(s, user, id, body, &status); break;
        case 3:
            resp = store_ctl_create_session(s, body, &status);
            remember(resp);
            break;
        case 4: resp = store_ctl_customer_message(s, id, body, &status); break;
        case 5: resp = store_ctl_customer_typing(s, id, body, &status); break;
        case 6: resp = store_ctl_customer_leave(s, id, &status); break;
        case 7: {
            json_t *a = json_array_get(body, 0), *b = json_array_get(body, 1);
            long start = json_is_integer(a) ? (long)json_integer_value(a) : 1;
            long count = json_is_integer(b) ? (long)json_integer_value(b) : 0;
            resp = store_get_messages(s, user, id, start, count, &status);
            break;
        }
        case 8:
            switch (arg % 4) {
            case 0: resp = store_get_me(s, user, &status); break;
            case 1: resp = store_get_channels(s, user, &status); break;
            case 2: resp = store_list_sms(s, user, &status); break;
            default: resp = store_get_sms(s, user, id, &status); break;
            }
            break;
        case 9: resp = store_ctl_get_session(s, id, &status); break;
        case 10: {
            /* Up to 10 million messages is the simulator's own limit; 64 keeps runs fast. */
            json_t *c = json_object_get(body, "count");
            if (json_is_integer(c) && json_integer_value(c) > 64)
                json_object_set_new(body, "count", json_integer(64));
            if (json_is_object(body) && !json_object_get(body, "session"))
                json_object_set_new(body, "session", json_string(id));
            resp = store_ctl_flood(s, body, &status);
            break;
        }
        case 11:
            roundtrip(s);
            break;
        case 12: {
            sim_store *t = new_store();
            int rc = store_load(t, body);
            if (getenv("FUZZ_VERBOSE"))
                fprintf(stderr, "load: %s\n", rc == 0 ? "ok" : "refused");
            if (rc == 0)
                roundtrip(t);
            store_free(t);
            break;
        }
        case 13: {
            const char *any = json_string_value(json_object_get(body, "id"));
            resp = store_sms_operation(s, user, any ? any : "", body, &status);
            break;
        }
        case 14: {
            /* Nothing is left pending but a session's first offer routed on to another Ready
             * agent just now (due at once with the offer timeout 0). */
            long long next = store_expire_offers(s);
            FUZZ_ASSERT(next == -1 || next == 0);
            break;
        }
        default:
            break;
        }
        if (op % 16 <= 10 || op % 16 == 13)
            check_answer(resp, status ? status : 200);
        json_decref(body);
    }
    store_free(s);
    return 0;
}
