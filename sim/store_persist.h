/* Persistence for --state FILE: the whole domain as one JSON value, and back. */
#ifndef GWS_SIM_STORE_PERSIST_H
#define GWS_SIM_STORE_PERSIST_H

#include "store_types.h"

json_t *store_save(const sim_store *s);
/* 0 ok; -1 bad shape, and then the store is exactly as it was. */
int store_load(sim_store *s, const json_t *state);

#endif
