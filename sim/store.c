/*
 * The store's lifecycle: a new empty store (its users are added by the caller, see
 * store_agent.h) and freeing it.
 */
#include "store.h"
#include "store_agent.h"
#include "store_session.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

sim_store *store_new(sim_publish_fn publish, void *ud, const char *base_url)
{
    sim_store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->publish = publish;
    s->ud = ud;
    s->base_url = strdup(base_url ? base_url : "");
    s->offer_timeout_ms = 60000;
    if (!s->base_url) {
        free(s);
        return NULL;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->rng = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid()
             ^ (uint64_t)(uintptr_t)s;
    if (!s->rng)
        s->rng = 0x9E3779B97F4A7C15ULL;     /* xorshift must not start at 0 */
    return s;
}

void store_configure(sim_store *s, bool legacy, long long offer_timeout_ms)
{
    s->legacy = legacy;
    s->offer_timeout_ms = offer_timeout_ms;
}

/* Frees users and sessions, leaving an empty but valid store (store_load reuses this). */
void st_store_clear(sim_store *s)
{
    for (size_t i = 0; i < s->nagents; i++)
        st_agent_free(s->agents[i]);
    for (size_t i = 0; i < s->nsessions; i++)
        st_session_free(s->sessions[i]);
    free(s->agents);
    free(s->sessions);
    s->agents = NULL;
    s->sessions = NULL;
    s->nagents = s->cap_agents = s->nsessions = s->cap_sessions = 0;
    s->rr = 0;
}

void store_free(sim_store *s)
{
    if (!s)
        return;
    st_store_clear(s);
    free(s->base_url);
    free(s);
}
