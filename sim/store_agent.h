/*
 * Users: one agent record per user, with its contact-center and sms channel state. The
 * store_* functions here are public (main.c adds the users, the HTTP side checks passwords).
 */
#ifndef GWS_SIM_STORE_AGENT_H
#define GWS_SIM_STORE_AGENT_H

#include "store_types.h"

/* Users. Default users are added by the caller. Returns 0, or -1 if it already exists. */
int store_add_user(sim_store *s, const char *name, const char *password);
/* 1 when a user of that name exists, else 0. */
int store_has_user(const sim_store *s, const char *name);
/* 1 when name/password match a user, else 0. Constant-time compare of the password. */
int store_check_password(const sim_store *s, const char *name, const char *password);

struct agent *st_agent(const sim_store *s, const char *name);   /* NULL: no such user */
void st_agent_free(struct agent *a);                            /* wipes the password */

#endif
