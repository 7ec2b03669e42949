/*
 * Fault injection for resilience tests (POST/GET/DELETE /sim/faults). Faults apply to
 * /api/v2 requests only. POST merges keys into the current state; GET shows it with the
 * remaining counts and what was applied so far; DELETE clears everything.
 * Not thread-safe: every function here is called with sim->lock held.
 */
#ifndef GWS_SIM_FAULTS_H
#define GWS_SIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "badanswer.h"

struct sim;
struct faults;

struct faults *faults_new(void);
void faults_free(struct faults *f);
void faults_clear(struct faults *f);

/*
 * Validates all of `body` first, then merges it (and performs the immediate actions
 * forget_clients / forget_http_sessions). 0 ok; -1 with a message in err, nothing changed.
 */
int faults_apply(struct sim *sim, const json_t *body, char *err, size_t errlen);

json_t *faults_to_json(const struct faults *f);

/* Per-request consumers; each counts what it applied. */
int64_t faults_stall_until(const struct faults *f);   /* monotonic ms; 0 = none */
void faults_count_stall(struct faults *f);
bool faults_take_drop(struct faults *f);
int faults_take_http_error(struct faults *f);         /* HTTP status, or 0 */
enum bad_mode faults_take_bad_answer(struct faults *f, const char *path);
long faults_take_delay(struct faults *f);             /* ms, 0 = none */
/* delay_path: ms for the next requests whose path starts with the fault's prefix, else 0. */
long faults_take_path_delay(struct faults *f, const char *path);
/* Called for an event that would reach at least one Bayeux client: true = drop it. */
bool faults_take_discard(struct faults *f);

#endif
