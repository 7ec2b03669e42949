/* One clock for the whole module: deadlines from curl and core.now() must agree. */
#ifndef GWS_CLOCK_H
#define GWS_CLOCK_H

#include <time.h>

/* CLOCK_MONOTONIC so wall-clock jumps (NTP, suspend adjustments) never fire or stall timers. */
static inline double gws_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
