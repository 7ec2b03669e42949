/*
 * gws-sim: a simulator of the Genesys Web Services v2 SMS API for testing gws-sms.
 * This file: command line, listening socket, state file, signals and the lifecycle of
 * the one `sim` struct.
 */
#define _GNU_SOURCE /* pipe2 */
#include "bayeux_clients.h"
#include "faults.h"
#include "http.h"
#include "http_listen.h"
#include "http_log.h"
#include "http_session.h"
#include "sim.h"
#include "store.h"
#include "store_agent.h"
#include "store_ops_xfer.h"
#include "store_persist.h"
#include "traffic.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_USAGE 2

/*
 * The only global: the signal handler's way to reach main(). A self-pipe rather than
 * sigwait() because a thread we did not create (e.g. a sanitizer's) may not have the
 * signals blocked; it then runs the handler instead of dying of the default action.
 */
static int stop_pipe[2] = { -1, -1 };

static void on_stop_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(stop_pipe[1], &b, 1);
    (void)n;                    /* a full pipe already holds a stop request */
    errno = saved;
}

/* Blocks SIGTERM/SIGINT in this thread (and so in every thread created after). */
static int setup_signals(void)
{
    if (pipe2(stop_pipe, O_CLOEXEC) != 0)
        return -1;
    struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
        return -1;
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* Unblocks the signals in the main thread only (MHD's threads keep them blocked) and waits. */
static int wait_for_stop_signal(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
    /* poll first: sanitizers deliver signals promptly only inside calls they know block. */
    struct pollfd pfd = { .fd = stop_pipe[0], .events = POLLIN };
    unsigned char b = 0;
    while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
        ;
    while (read(stop_pipe[0], &b, 1) < 0 && errno == EINTR)
        ;
    return b;
}

static const char usage_text[] =
    "usage: gws-sim --port N [--host 127.0.0.1] [--user NAME:PASSWORD]... [--agents N]\n"
    "               [--no-csrf] [--poll-timeout MS] [--max-batch N] [--state FILE]\n"
    "               [--tls-cert FILE --tls-key FILE] [--max-connections N] [--threads N]\n"
    "               [--http-session-idle SECONDS] [--max-interval MS]\n"
    "               [--offer-timeout SECONDS] [--legacy-shapes] [--quiet] [--verbose]\n";

#define MAX_AGENTS 100000

struct options {
    struct sim_config cfg;
    const char **users;         /* "NAME:PASSWORD" strings from argv */
    int nusers;
    long agents;                /* --agents N: agent1..agentN; -1 = not given */
};

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "gws-sim: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n%s", usage_text);
    return -1;
}

static int parse_number(const char *flag, const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        char range[64];
        snprintf(range, sizeof range, "%ld to %ld", min, max);
        fprintf(stderr, "gws-sim: %s: '%s' is not a number from %s\n%s", flag, s, range,
                usage_text);
        return -1;
    }
    *out = v;
    return 0;
}

static int check_user(struct options *o, const char *spec)
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec)
        return usage_error("--user: expected NAME:PASSWORD, got '%s'%s", spec, "");
    for (int i = 0; i < o->nusers; i++)
        if (strncmp(o->users[i], spec, (size_t)(colon - spec + 1)) == 0) {
            fprintf(stderr, "gws-sim: --user: user '%.*s' given twice\n%s",
                    (int)(colon - spec), spec, usage_text);
            return -1;
        }
    o->users[o->nusers++] = spec;
    return 0;
}

/* Fills `o` from argv. 0 ok, 1 --help, -1 usage error (already reported). */
static int parse_args(int argc, char **argv, struct options *o)
{
    long n;
    bool have_port = false;
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (!strcmp(flag, "--help") || !strcmp(flag, "-h"))
            return 1;
        if (!strcmp(flag, "--no-csrf")) { o->cfg.csrf = false; continue; }
        if (!strcmp(flag, "--quiet")) { o->cfg.quiet = true; continue; }
        if (!strcmp(flag, "--verbose")) { o->cfg.verbose = true; continue; }
        if (!strcmp(flag, "--legacy-shapes")) { o->cfg.legacy_shapes = true; continue; }
        static const char *const with_value[] = { "--port", "--host", "--user",
            "--poll-timeout", "--max-batch", "--state", "--tls-cert", "--tls-key", "--agents",
            "--max-connections", "--threads", "--http-session-idle", "--max-interval",
            "--offer-timeout", NULL };
        int known = 0;
        for (int k = 0; with_value[k]; k++)
            known |= !strcmp(flag, with_value[k]);
        if (!known)
            return usage_error("unknown option '%s'%s", flag, "");
        if (i + 1 >= argc)
            return usage_error("%s needs a value%s", flag, "");
        const char *v = argv[++i];
        if (!strcmp(flag, "--port")) {
            if (parse_number(flag, v, 0, 65535, &n) != 0)
                return -1;
            o->cfg.port = (int)n;
            have_port = true;
        } else if (!strcmp(flag, "--poll-timeout")) {
            if (parse_number(flag, v, 0, 3600000, &n) != 0)
                return -1;
            o->cfg.poll_timeout_ms = n;
        } else if (!strcmp(flag, "--max-batch")) {
            if (parse_number(flag, v, 1, 1000000, &n) != 0)
                return -1;
            o->cfg.max_batch = n;
        } else if (!strcmp(flag, "--agents")) {
            if (parse_number(flag, v, 0, MAX_AGENTS, &o->agents) != 0)
                return -1;
        } else if (!strcmp(flag, "--max-connections")) {
            if (parse_number(flag, v, 16, 1000000, &n) != 0)
                return -1;
            o->cfg.max_connections = n;
        } else if (!strcmp(flag, "--threads")) {
            if (parse_number(flag, v, 1, 256, &n) != 0)
                return -1;
            o->cfg.threads = n;
        } else if (!strcmp(flag, "--http-session-idle")) {
            if (parse_number(flag, v, 1, 30L * 86400, &n) != 0)
                return -1;
            o->cfg.http_session_idle_ms = n * 1000;
        } else if (!strcmp(flag, "--max-interval")) {
            if (parse_number(flag, v, 100, 3600000, &n) != 0)
                return -1;
            o->cfg.max_interval_ms = n;
        } else if (!strcmp(flag, "--offer-timeout")) {
            if (parse_number(flag, v, 1, 30L * 86400, &n) != 0)
                return -1;
            o->cfg.offer_timeout_ms = n * 1000;
        } else if (!strcmp(flag, "--user")) {
            if (check_user(o, v) != 0)
                return -1;
        } else if (!strcmp(flag, "--host")) {
            o->cfg.host = v;
        } else if (!strcmp(flag, "--state")) {
            o->cfg.state_file = v;
        } else if (!strcmp(flag, "--tls-cert")) {
            o->cfg.tls_cert = v;
        } else {
            o->cfg.tls_key = v;
        }
    }
    if (!have_port)
        return usage_error("--port is required%s%s", "", "");
    if (!o->cfg.tls_cert != !o->cfg.tls_key)
        return usage_error("%s needs %s too", o->cfg.tls_cert ? "--tls-cert" : "--tls-key",
                           o->cfg.tls_cert ? "--tls-key" : "--tls-cert");
    return 0;
}

static int load_state(struct sim *sim, const char *path)
{
    struct stat st;
    /* First run: no file, or an empty one (e.g. made by mktemp); it is written at exit. */
    if (stat(path, &st) != 0 || st.st_size == 0)
        return 0;
    json_error_t err;
    json_t *state = json_load_file(path, 0, &err);
    if (!state) {
        fprintf(stderr, "gws-sim: --state %s: line %d: %s\n", path, err.line, err.text);
        return -1;
    }
    int rc = store_load(sim->store, state);
    json_decref(state);
    if (rc != 0)
        fprintf(stderr, "gws-sim: --state %s: not a simulator state file\n", path);
    return rc;
}

/* Written to a temporary file first, so a crash never leaves a half-written state. */
static int save_state(struct sim *sim, const char *path)
{
    pthread_mutex_lock(&sim->lock);
    json_t *state = store_save(sim->store);
    pthread_mutex_unlock(&sim->lock);
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    int rc = -1;
    if (state && tmp) {
        snprintf(tmp, n, "%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        if (f) {
            int ok = json_dumpf(state, f, JSON_INDENT(1)) == 0 && fputc('\n', f) != EOF &&
                     fflush(f) == 0 && fsync(fileno(f)) == 0;
            ok = (fclose(f) == 0) && ok;
            rc = ok && rename(tmp, path) == 0 ? 0 : -1;
            if (rc != 0)
                unlink(tmp);
        }
    }
    if (rc != 0)
        fprintf(stderr, "gws-sim: cannot save state to %s: %s\n", path, strerror(errno));
    json_decref(state);
    free(tmp);
    return rc;
}

static void sim_destroy(struct sim *sim)
{
    store_free(sim->store);
    bayeux_free(sim->bayeux);
    sessions_free(sim->sessions);
    reqlog_free(sim->log);
    faults_free(sim->faults);
    free(sim->tls_cert_pem);
    free(sim->tls_key_pem);
    pthread_cond_destroy(&sim->cond);
    pthread_mutex_destroy(&sim->lock);
}

static int sim_init(struct sim *sim, const struct sim_config *cfg)
{
    memset(sim, 0, sizeof *sim);
    sim->cfg = cfg;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&sim->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&sim->lock, NULL);
    sim->bayeux = bayeux_new();
    sim->sessions = sessions_new(cfg->http_session_idle_ms);
    sim->log = reqlog_new(REQLOG_MAX_ENTRIES);
    sim->faults = faults_new();
    if (cfg->tls_cert) {
        if (!(sim->tls_cert_pem = http_read_file(cfg->tls_cert)) ||
            !(sim->tls_key_pem = http_read_file(cfg->tls_key)))
            return -1;
    }
    return sim->bayeux && sim->sessions && sim->log && sim->faults ? 0 : -1;
}

/*
 * The users: agent1..agentN (password "password") for --agents N, else agent1..agent3
 * unless --user names some; --user adds its own to those of --agents.
 */
static int add_users(struct sim *sim, const struct options *o)
{
    long agents = o->agents >= 0 ? o->agents : o->nusers ? 0 : 3;
    for (long i = 1; i <= agents; i++) {
        char name[32];
        snprintf(name, sizeof name, "agent%ld", i);
        if (store_add_user(sim->store, name, "password") != 0)
            return -1;
    }
    for (int i = 0; i < o->nusers; i++) {
        const char *spec = o->users[i];
        const char *colon = strchr(spec, ':');
        char *name = strndup(spec, (size_t)(colon - spec));
        int rc = name ? store_add_user(sim->store, name, colon + 1) : -1;
        if (rc != 0)
            fprintf(stderr, "gws-sim: --user %s: %s\n", name ? name : "?",
                    name && store_has_user(sim->store, name) ? "already an agent of --agents"
                                                             : "cannot add");
        free(name);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/*
 * Each connection is a file descriptor: raise the soft open-file limit as far as the
 * connection limit needs (the hard limit permitting), or lower the connection limit to what
 * the descriptors allow, and say so.
 */
static void fit_connection_limit(struct sim_config *cfg)
{
    const long spare = 64;     /* listening socket, epoll and ITC fds, state file, stdio */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = (rlim_t)(cfg->max_connections + spare);
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        long fit = (long)rl.rlim_cur - spare;
        fprintf(stderr, "gws-sim: the open-file limit (%ld, ulimit -n) allows %ld connections, "
                "not --max-connections %ld: raise the hard limit to hold more\n",
                (long)rl.rlim_cur, fit, cfg->max_connections);
        cfg->max_connections = fit > 16 ? fit : 16;
    }
}

/* The hold thread's tick: offers nobody answered time out. */
static long long expire_offers(struct sim *sim)
{
    return store_expire_offers(sim->store);
}

/* Everything between parsing and the signal: 0 when the simulator ran and stopped cleanly. */
static int run(struct sim *sim, const struct options *o)
{
    const struct sim_config *cfg = &o->cfg;
    int port = 0;
    int fd = http_listen(cfg->host, cfg->port, &port);
    if (fd < 0)
        return -1;
    sim->port = port;
    /* A wildcard address is not something to connect to: print loopback instead. */
    const char *shown = !strcmp(cfg->host, "0.0.0.0") ? "127.0.0.1"
                      : !strcmp(cfg->host, "::") ? "::1" : cfg->host;
    bool v6 = strchr(shown, ':') != NULL;
    char url[300];
    snprintf(url, sizeof url, "%s://%s%s%s:%d", cfg->tls_cert ? "https" : "http",
             v6 ? "[" : "", shown, v6 ? "]" : "", port);
    /* The store builds resource URIs from the server root (…/api/v2/users/<id>). */
    sim->store = store_new(traffic_publish, sim, url);    /* logs, then bayeux_store_publish */
    if (sim->store)
        store_configure(sim->store, cfg->legacy_shapes, cfg->offer_timeout_ms);
    sim->tick = expire_offers;
    if (!sim->store || add_users(sim, o) != 0 ||
        (cfg->state_file && load_state(sim, cfg->state_file) != 0) || http_start(sim, fd) != 0) {
        if (!sim->daemon)
            close(fd);
        fprintf(stderr, "gws-sim: cannot start\n");
        return -1;
    }
    printf("listening on %s\n", url);
    fflush(stdout);

    int sig = wait_for_stop_signal();
    if (!cfg->quiet)
        fprintf(stderr, "gws-sim: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_stop(sim);
    return cfg->state_file ? save_state(sim, cfg->state_file) : 0;
}

int main(int argc, char **argv)
{
    const char *users[argc > 0 ? argc : 1];
    struct options o = {
        .cfg = { .host = "127.0.0.1", .csrf = true, .poll_timeout_ms = 20000,
                 .max_batch = 1000, .max_connections = 4096, .threads = 4,
                 .http_session_idle_ms = 1800 * 1000, .max_interval_ms = 10000,
                 .offer_timeout_ms = 60 * 1000 },
        .users = users,
        .agents = -1,
    };
    int rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        if (rc > 0)
            fputs(usage_text, stdout);
        return rc > 0 ? 0 : EXIT_USAGE;
    }
    fit_connection_limit(&o.cfg);
    if (setup_signals() != 0) {
        perror("gws-sim: signals");
        return 1;
    }
    struct sim sim;
    rc = sim_init(&sim, &o.cfg) == 0 ? run(&sim, &o) : -1;
    http_stop(&sim);
    sim_destroy(&sim);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    return rc == 0 ? 0 : 1;
}
