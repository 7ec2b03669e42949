/*
 * Fault injection for resilience tests (POST/GET/DELETE /sim/faults). Faults apply to
 * /api/v2 requests only. POST merges keys into the current state; GET shows it with the
 * remaining counts and what was applied so far; DELETE clears everything.
 * Knows nothing of what it disturbs: the HTTP side asks it, per request, what to apply.
 * Not thread-safe: every function here is called with sim->lock held.
 */
#ifndef GWS_SIM_FAULTS_H
#define GWS_SIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "badanswer.h"

struct faults;

/* The immediate actions a POST asked for, which the caller (control.c) performs. */
struct faults_forget {
    bool clients;               /* forget_clients: every Bayeux client (402 next) */
    bool http_sessions;         /* forget_http_sessions: every HTTP session (403 next) */
    bool rotate_sessions;       /* rotate_http_session: every session gets a new id next */
};

struct faults *faults_new(void);
void faults_free(struct faults *f);
void faults_clear(struct faults *f);

/*
 * Validates all of `body` first, then merges it and sets *forget to the immediate actions
 * asked for (forget_clients / forget_http_sessions), which the caller performs and reports
 * back with faults_count_forgotten. The caller then wakes the waiting requests (a shorter
 * stall or fewer drops may release them). 0 ok; -1 with a message in err, nothing changed.
 */
int faults_apply(struct faults *f, const json_t *body, struct faults_forget *forget,
                 char *err, size_t errlen);
void faults_count_forgotten(struct faults *f, size_t clients, size_t http_sessions);
void faults_count_rotated(struct faults *f, size_t http_sessions);

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
/* lose_events: for a Bayeux reply that carries events, true = break it after its headers. */
bool faults_take_lose_events(struct faults *f);
/* Called for an event that would reach at least one Bayeux client: true = drop it. */
bool faults_take_discard(struct faults *f);

#endif
