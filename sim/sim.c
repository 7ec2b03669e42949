/* Clock, waiting and randomness shared by every part of the simulator. */
#include "sim.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>

int64_t sim_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sim_wait_until(struct sim *sim, int64_t deadline_ms)
{
    if (sim->shutting_down)
        return;
    /* The condvar was created with CLOCK_MONOTONIC, so the deadline is on that clock. */
    struct timespec ts = {
        .tv_sec = (time_t)(deadline_ms / 1000),
        .tv_nsec = (long)(deadline_ms % 1000) * 1000000,
    };
    pthread_cond_timedwait(&sim->cond, &sim->lock, &ts);
}

void sim_wake_all(struct sim *sim)
{
    pthread_cond_broadcast(&sim->cond);
}

int sim_random_hex(char *out, size_t nbytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char buf[64];
    if (nbytes > sizeof buf)
        return -1;
    size_t got = 0;
    while (got < nbytes) {
        ssize_t n = getrandom(buf + got, nbytes - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)n;
    }
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[buf[i] >> 4];
        out[2 * i + 1] = hex[buf[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return 0;
}
