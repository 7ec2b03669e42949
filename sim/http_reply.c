/* Building replies and turning them into MHD responses. */
#include "http_reply.h"

#include <stdlib.h>
#include <string.h>

void reply_init(struct reply *r)
{
    memset(r, 0, sizeof *r);
}

static void clear_body(struct reply *r)
{
    json_decref(r->json);
    r->json = NULL;
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

void reply_free(struct reply *r)
{
    clear_body(r);
    for (int i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    r->nheaders = 0;
}

void reply_json(struct reply *r, int status, json_t *json)
{
    clear_body(r);
    r->status = status;
    r->content_type = CT_JSON;
    r->json = json;
    if (!json)
        r->failed = true;
}

void reply_json_now(struct reply *r, int status, json_t *json)
{
    reply_json(r, status, json);
    reply_serialize(r);
}

void reply_gws_error(struct reply *r, int status, int code, const char *msg)
{
    reply_json(r, status, json_pack("{s:i,s:s}", "statusCode", code, "statusMessage", msg));
}

void reply_ctl_error(struct reply *r, int status, const char *msg)
{
    reply_json(r, status, json_pack("{s:s}", "error", msg));
}

void reply_text(struct reply *r, int status, const char *content_type, const char *text)
{
    clear_body(r);
    r->status = status;
    r->content_type = content_type;
    r->body = strdup(text);
    r->len = strlen(text);
    if (!r->body)
        r->failed = true;
}

void reply_header(struct reply *r, const char *name, const char *value)
{
    if (r->nheaders == REPLY_MAX_HEADERS) {
        r->failed = true;       /* a programming error; fail loudly rather than drop it */
        return;
    }
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        r->failed = true;
        return;
    }
    r->headers[r->nheaders].name = n;
    r->headers[r->nheaders].value = v;
    r->nheaders++;
}

int reply_serialize(struct reply *r)
{
    if (r->failed)
        return -1;
    if (r->body || !r->json)
        return 0;
    r->body = json_dumps(r->json, JSON_COMPACT);
    if (!r->body) {
        r->failed = true;
        return -1;
    }
    r->len = strlen(r->body);
    json_decref(r->json);
    r->json = NULL;
    return 0;
}

int reply_add_headers(const struct reply *r, struct MHD_Response *resp)
{
    if (r->content_type &&
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type) != MHD_YES)
        return -1;
    for (int i = 0; i < r->nheaders; i++)
        if (MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value) != MHD_YES)
            return -1;
    return 0;
}

/* Last resort when memory ran out: a static body needs no allocation of ours. */
static enum MHD_Result queue_internal_error(struct MHD_Connection *conn)
{
    static const char msg[] = "{\"statusCode\":4,\"statusMessage\":\"Internal server error\"}";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CT_JSON);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result reply_queue(struct MHD_Connection *conn, struct reply *r)
{
    if (reply_serialize(r) != 0 || r->status == 0)
        return queue_internal_error(conn);
    struct MHD_Response *resp;
    if (r->body) {
        resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
        if (resp)
            r->body = NULL;     /* MHD frees it now */
    } else {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return queue_internal_error(conn);
    if (reply_add_headers(r, resp) != 0) {
        MHD_destroy_response(resp);
        return queue_internal_error(conn);
    }
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned int)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}
