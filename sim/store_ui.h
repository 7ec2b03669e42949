/*
 * The store's read for the customer console (sim/ui.c): every session as the control API's
 * GET /sim/sessions/{id} shows it (newest first, transcripts cut to their last messages)
 * and every agent with its contact-center and sms channel state. Same rules as store.h:
 * the caller holds the simulator's lock; the returned value is the caller's.
 */
#ifndef GWS_SIM_STORE_UI_H
#define GWS_SIM_STORE_UI_H

#include <jansson.h>

#include "store_types.h"

/* {"sessions":[…], "agents":[{"name","state"}…]}: at most max_sessions sessions, each with
 * at most max_messages transcript entries (the latest) and "messages" = the full count. */
json_t *store_ui_snapshot(sim_store *s, size_t max_sessions, size_t max_messages);

#endif
