/* Held requests: suspended connections and the thread that resumes them (see hold.h). */
#include "hold.h"

#include <errno.h>
#include <microhttpd.h>
#include <sys/socket.h>

#define PEER_CHECK_MS 1000      /* how often a parked long poll looks whether its client left */
#define IDLE_WAKE_MS 60000      /* nothing parked: wake now and then anyway */
#define TICK_MS 1000            /* the simulator's tick runs at least this often */

static void unlink_hold(struct sim *sim, struct hold *h)
{
    if (h->prev)
        h->prev->next = h->next;
    else
        sim->held = h->next;
    if (h->next)
        h->next->prev = h->prev;
    h->next = h->prev = NULL;
    h->parked = false;
    sim->nheld--;
}

bool hold_park(struct sim *sim, struct hold *h, struct MHD_Connection *conn, int64_t deadline)
{
    if (sim->shutting_down || h->parked)
        return false;
    h->conn = conn;
    h->deadline = deadline;
    h->peer_gone = false;
    h->peer_fd = -1;
    if (h->watch_peer) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        h->peer_fd = ci ? ci->connect_fd : -1;
    }
    MHD_suspend_connection(conn);
    h->prev = NULL;
    h->next = sim->held;
    if (sim->held)
        sim->held->prev = h;
    sim->held = h;
    h->parked = true;
    sim->nheld++;
    /* The hold thread may be asleep until a later deadline than this one. */
    if (deadline < sim->hold_wake_at)
        sim_wake_all(sim);
    return true;
}

void hold_release(struct sim *sim, struct hold *h)
{
    if (!h || !h->parked)
        return;
    unlink_hold(sim, h);
    if (h->owner) {
        *h->owner = NULL;
        h->owner = NULL;
    }
    /* Safe from any thread at any time; the connection's worker picks it up. */
    MHD_resume_connection(h->conn);
}

size_t hold_count(const struct sim *sim)
{
    return sim->nheld;
}

/* True when the client has closed its end (0 = orderly close; data or EAGAIN = still open). */
static bool peer_closed(int fd)
{
    if (fd < 0)
        return false;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* One pass over the parked requests; returns when the next pass is due. */
static int64_t sweep(struct sim *sim, bool check_peers)
{
    int64_t now = sim_now_ms(), next = now + IDLE_WAKE_MS;
    struct hold *h = sim->held;
    while (h) {
        struct hold *after = h->next;
        bool gone = check_peers && h->watch_peer && peer_closed(h->peer_fd);
        if (sim->shutting_down || gone || now >= h->deadline || (h->ready && h->ready(sim))) {
            h->peer_gone = gone;
            hold_release(sim, h);
        } else {
            if (h->deadline < next)
                next = h->deadline;
            if (h->watch_peer && now + PEER_CHECK_MS < next)
                next = now + PEER_CHECK_MS;
        }
        h = after;
    }
    return next;
}

/* The simulator's tick (sim->tick) when it is due; returns when it is due next. */
static int64_t run_tick(struct sim *sim)
{
    int64_t now = sim_now_ms();
    if (sim->tick && now >= sim->next_tick) {
        long long due = sim->tick(sim);
        sim->next_tick = now + (due >= 0 && due < TICK_MS ? due : TICK_MS);
    }
    return sim->tick ? sim->next_tick : INT64_MAX;
}

static void *hold_thread(void *arg)
{
    struct sim *sim = arg;
    pthread_mutex_lock(&sim->lock);
    int64_t next_peer_check = 0;
    while (!sim->hold_stop) {
        bool check_peers = sim_now_ms() >= next_peer_check;
        if (check_peers)
            next_peer_check = sim_now_ms() + PEER_CHECK_MS;
        int64_t tick_at = sim->shutting_down ? INT64_MAX : run_tick(sim);
        sim->hold_wake_at = sweep(sim, check_peers);
        if (tick_at < sim->hold_wake_at)
            sim->hold_wake_at = tick_at;
        if (sim->shutting_down)
            break;      /* the sweep released everything, and nothing parks any more */
        sim_wait_until(sim, sim->hold_wake_at);
    }
    pthread_mutex_unlock(&sim->lock);
    return NULL;
}

int hold_start(struct sim *sim)
{
    sim->hold_wake_at = INT64_MAX;
    if (pthread_create(&sim->hold_thread, NULL, hold_thread, sim) != 0)
        return -1;
    sim->hold_running = true;
    return 0;
}

void hold_stop(struct sim *sim)
{
    pthread_mutex_lock(&sim->lock);
    sim->hold_stop = true;
    while (sim->held)
        hold_release(sim, sim->held);
    sim_wake_all(sim);
    pthread_mutex_unlock(&sim->lock);
    if (sim->hold_running)
        pthread_join(sim->hold_thread, NULL);
    sim->hold_running = false;
}
