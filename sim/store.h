/*
 * The simulator's SMS domain: users, agents' contact-center sessions and channel states,
 * SMS sessions with their per-agent views, transcripts, user data and the operation state
 * machine of the GWS v2 SMS Session API (../shared/spec/gws-sms-api.md, section 2-4).
 * This header: the store's lifecycle. Each part of the domain declares its own functions
 * in the header of the file that defines them (store_agent.h users, store_me.h /me and
 * channels, store_read.h the reads, store_ops.h SMS operations, store_ctl.h the control
 * API, store_persist.h --state), so a caller includes only what it uses.
 *
 * It knows nothing of HTTP, cookies, CSRF or Bayeux. Notifications it produces go out
 * through the publish callback given to store_new(); the HTTP side queues them on the
 * recipient's Bayeux clients.
 *
 * Not thread-safe: the caller holds its own lock around every call (the simulator has one
 * mutex for all its state).
 *
 * Ownership: every json_t* returned is a new reference owned by the caller. json_t* body
 * arguments are borrowed (never stolen). The publish callback receives a new reference to
 * `data` that it must json_decref.
 */
#ifndef GWS_SIM_STORE_H
#define GWS_SIM_STORE_H

#include "store_types.h"

sim_store *store_new(sim_publish_fn publish, void *ud, const char *base_url);
void store_free(sim_store *s);

/*
 * legacy: the outcomes and shapes the simulator had before the vendor's samples (Reject ends
 * Revoked, every answer has a referenceId, Error notifications carry the session, ISO
 * timestamps, every operation in the capability lists); off, they follow the samples.
 * offer_timeout_ms: how long an offer (a first offer, transfer, invite or consult) waits.
 */
void store_configure(sim_store *s, bool legacy, long long offer_timeout_ms);

/* Frees users and sessions, leaving an empty but valid store (store_load reuses this). */
void st_store_clear(sim_store *s);

#endif
