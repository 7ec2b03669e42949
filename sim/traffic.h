/*
 * gws-sim --verbose: one line on stderr per HTTP request (method, path, status, user,
 * operation or Bayeux channels, session) and per notification the store publishes (user,
 * notification type, session, state). What is printed is chosen field by field, never
 * copied whole: no header, cookie, body, password, CSRF token or Bayeux clientId can reach
 * the log, and query values under secret-looking names are replaced by "***".
 * Both calls do nothing unless sim->cfg->verbose is set.
 */
#ifndef GWS_SIM_TRAFFIC_H
#define GWS_SIM_TRAFFIC_H

#include <jansson.h>

#include "http_request.h"

struct sim;

/* After a request was answered (status 0: the connection was dropped unanswered). */
void traffic_request(const struct request *rq, int status);

/*
 * The store's publish callback when the simulator is verbose: logs the notification, then
 * hands it (and the reference) to bayeux_store_publish. ud is the struct sim.
 */
void traffic_publish(void *ud, const char *user, const char *channel, json_t *data);

#endif
