/*
 * The one `sim` struct that owns all simulator state, its configuration, and the clock,
 * wait and random helpers every part shares. The bottom of the simulator: it includes no
 * other file of it. Every other piece (store, Bayeux, control API, faults, request log, HTTP
 * sessions, the daemon) hangs off this struct and is reached through it, so there are no
 * mutable globals; main.c builds and tears it down.
 *
 * Locking: `lock` guards everything reachable from the struct except the immutable config.
 * A function that takes the lock releases it before it returns. No request waits in a
 * thread: long polls, delays, stalls and trickled bodies are parked off the event loop
 * (hold.h), and the one thread that resumes them waits only in sim_wait_until(), i.e. in
 * pthread_cond_timedwait on `cond`, which releases the lock while asleep.
 */
#ifndef GWS_SIM_SIM_H
#define GWS_SIM_SIM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct MHD_Daemon;
struct sim_store;
struct bayeux;
struct http_sessions;
struct reqlog;
struct faults;
struct hold;

/* Command-line configuration; read-only once the daemon runs. */
struct sim_config {
    const char *host;          /* address to bind (default 127.0.0.1) */
    int port;                  /* 0: any free port */
    bool csrf;                 /* CSRF protection (on unless --no-csrf) */
    long poll_timeout_ms;      /* Bayeux advice.timeout and long-poll hold time */
    long max_batch;            /* events per /meta/connect reply */
    const char *state_file;    /* --state FILE, or NULL */
    const char *tls_cert;      /* PEM file names, or NULL */
    const char *tls_key;
    bool quiet;
    bool verbose;              /* --verbose: the traffic log on stderr (traffic.h) */
    long max_connections;      /* --max-connections: refused (and logged) beyond this */
    long threads;              /* --threads: MHD's worker pool */
    long http_session_idle_ms; /* --http-session-idle: an unused HTTP session expires */
    long max_interval_ms;      /* --max-interval: advice.maxInterval; a silent client goes */
    long offer_timeout_ms;     /* --offer-timeout: an unanswered offer is withdrawn */
    bool legacy_shapes;        /* --legacy-shapes: the pre-vendor shapes and outcomes */
};

struct sim {
    const struct sim_config *cfg;
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock;
    pthread_cond_t cond;        /* CLOCK_MONOTONIC; broadcast on every change worth waking for */
    bool shutting_down;         /* under lock; once set, nothing waits any more */
    struct sim_store *store;
    struct bayeux *bayeux;
    struct http_sessions *sessions;
    struct reqlog *log;
    struct faults *faults;
    int port;                   /* the port actually bound */
    char *tls_cert_pem;         /* kept alive while the daemon runs */
    char *tls_key_pem;
    /* Held requests (hold.h): the parked list and the thread that resumes them. */
    struct hold *held;
    size_t nheld;
    int64_t hold_wake_at;       /* when the hold thread wakes next (monotonic ms) */
    bool hold_stop;
    bool hold_running;
    pthread_t hold_thread;
    /*
     * Run by the hold thread with the lock held, about once a second or when it said it is
     * due: the simulator's own clock-driven events (offers timing out). Returns the ms until
     * it is due again, or -1 for "nothing pending". May be NULL.
     */
    long long (*tick)(struct sim *sim);
    int64_t next_tick;
    atomic_long connections;    /* open HTTP connections */
    atomic_bool limit_logged;   /* the connection limit was reported and not left since */
};

/* Monotonic clock in milliseconds. */
int64_t sim_now_ms(void);

/*
 * With sim->lock held: sleep until `deadline_ms` (monotonic), a broadcast on sim->cond, or
 * shutdown, whichever comes first. Callers re-check their condition in a loop.
 */
void sim_wait_until(struct sim *sim, int64_t deadline_ms);

/*
 * Wakes the hold thread (call with the lock held): something a parked request's `ready`
 * test reads has changed (a fault), or a deadline earlier than its own was parked.
 */
void sim_wake_all(struct sim *sim);

/* Fills `out` with 2*nbytes lowercase hex characters from the kernel's CSPRNG plus a NUL. */
int sim_random_hex(char *out, size_t nbytes);

#endif
