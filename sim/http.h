/*
 * The HTTP side of gws-sim: the one `sim` struct that owns all simulator state, and the
 * daemon's lifecycle. Every other piece (API routes, Bayeux, control API, faults, request
 * log, HTTP sessions) hangs off this struct and is reached through it, so there are no
 * mutable globals.
 *
 * Locking: `lock` guards everything reachable from the struct except the immutable config.
 * Waits (long polls, delays, stalls, trickled bodies) happen only in sim_wait_until(), i.e.
 * in pthread_cond_timedwait on `cond`, which releases the lock while asleep.
 */
#ifndef GWS_SIM_HTTP_H
#define GWS_SIM_HTTP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "store.h"

struct MHD_Daemon;
struct bayeux;
struct http_sessions;
struct reqlog;
struct faults;

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
};

struct sim {
    const struct sim_config *cfg;
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock;
    pthread_cond_t cond;        /* CLOCK_MONOTONIC; broadcast on every change worth waking for */
    bool shutting_down;         /* under lock; once set, nothing waits any more */
    sim_store *store;
    struct bayeux *bayeux;
    struct http_sessions *sessions;
    struct reqlog *log;
    struct faults *faults;
    int port;                   /* the port actually bound */
    char *tls_cert_pem;         /* kept alive while the daemon runs */
    char *tls_key_pem;
};

/* Monotonic clock in milliseconds. */
int64_t sim_now_ms(void);

/*
 * With sim->lock held: sleep until `deadline_ms` (monotonic), a broadcast on sim->cond, or
 * shutdown, whichever comes first. Callers re-check their condition in a loop.
 */
void sim_wait_until(struct sim *sim, int64_t deadline_ms);

/* Wakes every waiter (call with the lock held). */
void sim_wake_all(struct sim *sim);

/* Fills `out` with 2*nbytes lowercase hex characters from the kernel's CSPRNG plus a NUL. */
int sim_random_hex(char *out, size_t nbytes);

/*
 * Binds `host`:`port` (0 = any free port) and listens; sets *bound_port. Our own socket
 * rather than MHD's so the port is known before the daemon (and the store) start.
 * Returns the fd, or -1 after reporting on stderr.
 */
int http_listen(const char *host, int port, int *bound_port);

/* A whole file (e.g. a PEM) as a NUL-terminated string, or NULL after reporting. */
char *http_read_file(const char *path);

/* Starts the daemon on an already listening socket (MHD takes it over). 0 ok, -1 error. */
int http_start(struct sim *sim, int listen_fd);

/* Wakes every held request, then stops the daemon (joins all connection threads). */
void http_stop(struct sim *sim);

#endif
