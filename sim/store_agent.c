/*
 * Users: one agent record per user (name, password, contact-center and sms channel state),
 * looked up by name; the password is compared in constant time and wiped when freed.
 */
#include "store_agent.h"
#include "store_base.h"

#include <stdlib.h>
#include <string.h>

void st_agent_free(struct agent *a)
{
    if (!a)
        return;
    if (a->password) {
        /* a freed password should not linger in the heap */
        volatile char *p = a->password;
        while (*p)
            *p++ = 0;
    }
    free(a->password);
    free(a->name);
    free(a);
}

struct agent *st_agent(const sim_store *s, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < s->nagents; i++)
        if (strcmp(s->agents[i]->name, name) == 0)
            return s->agents[i];
    return NULL;
}

int store_add_user(sim_store *s, const char *name, const char *password)
{
    /* The name is also the last segment of the user's uri and path. */
    if (!name || !*name || strchr(name, '/') || !password || st_agent(s, name))
        return -1;
    if (st_grow((void **)&s->agents, &s->cap_agents, s->nagents + 1, sizeof *s->agents))
        return -1;
    struct agent *a = calloc(1, sizeof *a);
    if (!a)
        return -1;
    a->name = strdup(name);
    a->password = strdup(password);
    if (!a->name || !a->password) {
        st_agent_free(a);
        return -1;
    }
    s->agents[s->nagents++] = a;
    return 0;
}

/* Runs over the longer of the two strings whatever they hold, so the time taken does not
 * tell how much of a guessed password was right. */
static int const_time_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t n = la > lb ? la : lb;
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < n; i++) {
        unsigned char x = i < la ? (unsigned char)a[i] : 0;
        unsigned char y = i < lb ? (unsigned char)b[i] : 0;
        diff |= x ^ y;
    }
    return diff == 0;
}

int store_has_user(const sim_store *s, const char *name)
{
    return st_agent(s, name) != NULL;
}

int store_check_password(const sim_store *s, const char *name, const char *password)
{
    const struct agent *a = st_agent(s, name);
    if (!a || !password)
        return 0;
    return const_time_equal(a->password, password);
}
