/*
 * Held requests. A request that has to wait (a long poll, a stalled or delayed answer, a
 * trickled body) is suspended off libmicrohttpd's event loop (MHD_suspend_connection) and
 * parked here, so it pins no thread: a thousand long polls cost a thousand small records,
 * not a thousand threads. The one hold thread resumes a parked request
 * (MHD_resume_connection) at its deadline, as soon as its `ready` test passes (checked on
 * every sim_wake_all), or when its peer hangs up (`watch_peer`); anyone may release it
 * earlier with hold_release (an event for a held connect, a newer connect). MHD then calls
 * the access handler (or the content reader) again, which carries on where it stopped.
 * The hold thread also runs the simulator's clock-driven events (sim->tick).
 *
 * Every function here except hold_start and hold_stop is called with sim->lock held; the
 * hold thread runs under that lock too and waits only in sim_wait_until.
 */
#ifndef GWS_SIM_HOLD_H
#define GWS_SIM_HOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"

struct MHD_Connection;

struct hold {
    struct hold *next, *prev;       /* in the parked list while parked */
    struct MHD_Connection *conn;
    int64_t deadline;               /* monotonic ms: resumed then at the latest */
    bool (*ready)(struct sim *sim); /* optional: true = resume now */
    bool watch_peer;                /* resume as soon as the client closes its end */
    struct hold **owner;            /* optional: set to NULL when the hold is released */
    int peer_fd;                    /* the connection's socket while parked (watch_peer) */
    bool parked;
    bool peer_gone;                 /* released because the client hung up */
};

/*
 * Suspends `conn` and parks `h` until `deadline` (h->ready, h->watch_peer and h->owner are
 * set by the caller beforehand, or zero). Only from MHD's access handler or content reader
 * of that connection. Returns false, doing nothing, while the simulator shuts down: the
 * caller answers at once instead.
 */
bool hold_park(struct sim *sim, struct hold *h, struct MHD_Connection *conn, int64_t deadline);

/* Resumes a parked request now (no-op for NULL or a hold not parked). */
void hold_release(struct sim *sim, struct hold *h);

/* Requests parked right now. */
size_t hold_count(const struct sim *sim);

/* Starts the hold thread. 0 ok, -1 error. */
int hold_start(struct sim *sim);

/*
 * Releases every parked request and joins the hold thread; call after setting
 * sim->shutting_down (under the lock) and before MHD_stop_daemon, which must find no
 * connection suspended.
 */
void hold_stop(struct sim *sim);

#endif
