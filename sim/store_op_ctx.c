/* The SMS operations' shared context: referenceIds, the ok answer, parameter checks. */
#include "store_op_ctx.h"
#include "store_base.h"

json_t *st_ok_ref(int *http, long long ref)
{
    *http = 200;
    return json_pack("{s:i,s:I}", "statusCode", 0, "referenceId", (json_int_t)ref);
}

int st_param_string(struct op_ctx *c, const char *name, bool required, const char **out)
{
    const json_t *v = json_object_get(c->body, name);
    *out = NULL;
    if (!v && !required)
        return 0;
    if (!v)
        c->err = st_status(c->http, 1, "Missing required parameter: %s", name);
    else if (!json_is_string(v))
        c->err = st_status(c->http, 10, "Parameter %s must be a string", name);
    else {
        *out = json_string_value(v);
        return 0;
    }
    return -1;
}

int st_param_bool(struct op_ctx *c, const char *name, int *out)
{
    const json_t *v = json_object_get(c->body, name);
    *out = -1;
    if (!v)
        return 0;
    if (!json_is_boolean(v)) {
        c->err = st_status(c->http, 10, "Parameter %s must be a boolean", name);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

long long st_next_ref(struct op_ctx *c)
{
    return ++c->s->next_ref;
}
