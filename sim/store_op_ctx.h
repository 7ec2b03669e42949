/*
 * What every SMS operation handler gets (store_ops.c dispatches, store_ops_xfer.c holds the
 * ones that bring another agent in) and the checks of its parameters.
 */
#ifndef GWS_SIM_STORE_OP_CTX_H
#define GWS_SIM_STORE_OP_CTX_H

#include "store_types.h"

struct op_ctx {
    sim_store *s;
    struct sms_session *ss;
    struct party *p;                /* the acting agent's party */
    const json_t *body;
    const char *op;
    int *http;
    json_t *err;                    /* the answer when a parameter check fails */
};

/* The next referenceId. */
long long st_next_ref(struct op_ctx *c);
/* {"statusCode":0,"referenceId":ref}. */
json_t *st_ok_ref(int *http, long long ref);
/*
 * 0 when fine (*out is NULL if absent and optional), else -1 with the answer in c->err.
 * The answer is kept apart from the result so that running out of memory while building it
 * can never read as success.
 */
int st_param_string(struct op_ctx *c, const char *name, bool required, const char **out);
/* Optional boolean: *out is -1 when absent. 0 ok, -1 with the answer in c->err. */
int st_param_bool(struct op_ctx *c, const char *name, int *out);

#endif
