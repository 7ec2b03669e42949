/* The simulator's Bayeux server (sim/bayeux*.c) and fault control (sim/faults.c) fed request
 * bodies as the HTTP layer would hand them over. Input: records separated by 0x1E; each is a
 * selector byte then a JSON body:
 *   selector % 8 == 0   POST /sim/faults body (faults_apply, then the forgetting control.c does)
 *   selector % 8 == 1   a store publication {"channel","data"} (bayeux_store_publish)
 *   selector % 8 == 2   the clock jumps past the idle expiry, then as 3..7
 *   otherwise           POST /api/v2/notifications by user agent<selector/8 % 3 + 1>
 * The clock, the client ids and the holds are replaced by deterministic stand-ins (below),
 * so a held /meta/connect is parked and then resumed at once, as if its wait ran out (or its
 * client hung up, flag 0x40), and ids are "000…001", "000…002", … per input.
 * Built with sim/bayeux.c bayeux_clients.c faults.c badanswer.c http_reply.c http_session.c. */
#include "common.h"

#include <pthread.h>

#include "../sim/bayeux.h"
#include "../sim/bayeux_clients.h"
#include "../sim/faults.h"
#include "../sim/hold.h"
#include "../sim/http_request.h"
#include "../sim/http_session.h"
#include "../sim/sim.h"

/* --- stand-ins for sim/sim.c, sim/hold.c, request_peer_closed and request_cookie --------- */
static int64_t fake_now;
static unsigned long long next_id;
static int peer_closed;
static int verbose; /* FUZZ_VERBOSE=1: print every reply (to check a seed does what it should) */

int64_t sim_now_ms(void)
{
    return ++fake_now;
}

void sim_wait_until(struct sim *sim, int64_t deadline_ms)
{
    (void)sim;
    if (deadline_ms > fake_now)
        fake_now = deadline_ms; /* the wait "times out" at once */
}

void sim_wake_all(struct sim *sim)
{
    (void)sim;
}

int sim_random_hex(char *out, size_t nbytes)
{
    snprintf(out, 2 * nbytes + 1, "%0*llx", (int)(2 * nbytes), ++next_id);
    return 0;
}

bool request_peer_closed(const struct request *rq)
{
    (void)rq;
    return peer_closed;
}

const char *request_cookie(const struct request *rq, const char *name)
{
    (void)rq;
    (void)name;
    return NULL; /* no cookies: every handshake answer sets BAYEUX_BROWSER */
}

static struct hold *parked; /* the one request a single-threaded harness can have parked */

bool hold_park(struct sim *sim, struct hold *h, struct MHD_Connection *conn, int64_t deadline)
{
    (void)sim;
    (void)conn;
    (void)deadline;
    FUZZ_ASSERT(!h->parked && parked == NULL);
    h->parked = true;
    h->peer_gone = false;
    parked = h;
    return true;
}

void hold_release(struct sim *sim, struct hold *h)
{
    (void)sim;
    if (!h || !h->parked)
        return;
    h->parked = false;
    if (h->owner)
        *h->owner = NULL;
    h->owner = NULL;
    parked = NULL;
}

/* --------------------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const users[] = { "agent1", "agent2", "agent3" };
    struct reader r = { data, size };
    uint8_t flags = rd_byte(&r);
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    struct sim_config cfg = { .host = "127.0.0.1", .csrf = true,
                              .poll_timeout_ms = flags & 7, .max_batch = (flags >> 3 & 7) + 1,
                              .max_interval_ms = 10000 };
    struct sim sim;
    memset(&sim, 0, sizeof sim);
    sim.cfg = &cfg;
    pthread_mutex_init(&sim.lock, NULL);
    pthread_cond_init(&sim.cond, NULL);
    sim.bayeux = bayeux_new();
    sim.faults = faults_new();
    sim.sessions = sessions_new(0);
    fake_now = 1000;
    next_id = 0;
    peer_closed = (flags & 0x40) != 0;

    while (r.left > 0) {
        uint8_t sel = rd_byte(&r);
        size_t n;
        const char *text = rd_until(&r, 0x1e, &n);
        json_error_t jerr;
        json_t *body = json_loadb(text, n, JSON_DECODE_ANY, &jerr);
        if (body == NULL)
            continue;
        if (sel % 8 == 0) {
            char err[256];
            struct faults_forget forget = { .clients = false };
            if (faults_apply(sim.faults, body, &forget, err, sizeof err) == 0)
                faults_count_forgotten(sim.faults,
                                       forget.clients ? bayeux_forget_all(&sim) : 0,
                                       forget.http_sessions ? sessions_forget_all(sim.sessions)
                                                            : 0);
            json_t *state = faults_to_json(sim.faults);
            FUZZ_ASSERT(state != NULL);
            json_decref(state);
        } else if (sel % 8 == 1) {
            const char *channel = json_string_value(json_object_get(body, "channel"));
            json_t *payload = json_object_get(body, "data");
            if (channel != NULL && payload != NULL)
                bayeux_store_publish(&sim, users[sel / 8 % 3], channel, json_incref(payload));
        } else {
            if (sel % 8 == 2)
                fake_now += 61000;
            struct request rq;
            memset(&rq, 0, sizeof rq);
            rq.sim = &sim;
            rq.method = "POST";
            rq.path = "/api/v2/notifications";
            rq.user = (char *)users[sel / 8 % 3];
            struct reply out;
            reply_init(&out);
            struct hold hold;
            memset(&hold, 0, sizeof hold);
            struct bayeux_call *call = NULL;
            enum bayeux_result res = bayeux_handle(&rq, &hold, body, &out, &call);
            /* Each parked connect "waits out" its timeout (or its client leaves) at once. */
            while (res == BAYEUX_HELD) {
                FUZZ_ASSERT(call != NULL && hold.parked);
                hold.peer_gone = peer_closed;
                hold_release(&sim, &hold);
                res = bayeux_resume(&call, &out);
            }
            FUZZ_ASSERT(call == NULL && !hold.parked);
            FUZZ_ASSERT(out.status != 0 || out.failed);
            if (out.status == 200) {
                FUZZ_ASSERT(json_is_array(out.json));
                /* One reply per message, plus delivered events. */
                size_t msgs = json_is_array(body) ? json_array_size(body) : 1;
                FUZZ_ASSERT(json_array_size(out.json) >= msgs);
            }
            if (reply_serialize(&out) == 0 && verbose)
                fprintf(stderr, "%s -> %.*s\n", users[sel / 8 % 3], (int)out.len, out.body);
            reply_free(&out);
        }
        json_decref(body);
    }

    bayeux_free(sim.bayeux);
    faults_free(sim.faults);
    sessions_free(sim.sessions);
    pthread_cond_destroy(&sim.cond);
    pthread_mutex_destroy(&sim.lock);
    return 0;
}
