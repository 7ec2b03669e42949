/* The store's small shared helpers: growable arrays, the wall clock, ids, answer bodies. */
#ifndef GWS_SIM_STORE_BASE_H
#define GWS_SIM_STORE_BASE_H

#include "store_types.h"

/* Makes room for `need` elements in a growable array (doubling, so appends are O(1)). */
int st_grow(void **arr, size_t *cap, size_t need, size_t elem);
/* Wall clock, epoch milliseconds (message timestamps). */
long long st_now_ms(void);
void st_new_session_id(sim_store *s, char out[ID_LEN + 1]);
void st_new_participant_id(sim_store *s, char out[ID_LEN + 1]);
/* A GWS answer {"statusCode":code,"statusMessage"?}; sets *http to 200. */
json_t *st_status(int *http, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A control API error {"error":…}; sets *http to `status`. */
json_t *st_ctl_error(int *http, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
