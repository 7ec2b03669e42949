/*
 * The HTTP daemon of gws-sim (libmicrohttpd: epoll and a pool of worker threads; a request
 * that has to wait is parked, see hold.h): collects request bodies and dispatches each
 * request by path prefix (one table in http.c) to the GWS API (/api/v2, through the request
 * log and the fault pipeline) or the control API (/sim).
 */
#ifndef GWS_SIM_HTTP_H
#define GWS_SIM_HTTP_H

#include "sim.h"

/* Starts the daemon on an already listening socket (MHD takes it over). 0 ok, -1 error. */
int http_start(struct sim *sim, int listen_fd);

/* Resumes every parked request, then stops the daemon (joins its threads). */
void http_stop(struct sim *sim);

#endif
