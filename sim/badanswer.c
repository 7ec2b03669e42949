/* Hostile answers: malformed, truncated, huge, trickled or broken replies. */
#include "badanswer.h"
#include "hold.h"
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#define HUGE_BODY_SIZE ((uint64_t)50 << 20)
#define HUGE_HEADER_SIZE (100u << 10)
#define TRICKLE_INTERVAL_MS 1000
#define TRUNCATED_MISSING 1024      /* bytes promised by Content-Length but never sent */

static const char *const names[] = {
    [BAD_NONE] = "none",
    [BAD_MALFORMED_JSON] = "malformed_json",
    [BAD_TRUNCATED] = "truncated",
    [BAD_HTML] = "html",
    [BAD_WRONG_CONTENT_TYPE] = "wrong_content_type",
    [BAD_HUGE_BODY] = "huge_body",
    [BAD_HUGE_HEADER] = "huge_header",
    [BAD_TRICKLE] = "trickle",
    [BAD_RESET] = "reset",
    [BAD_BAYEUX_NOT_ARRAY] = "bayeux_not_array",
    [BAD_UNKNOWN_FIELDS] = "unknown_fields",
    [BAD_REDIRECT] = "redirect",
};

enum bad_mode bad_mode_parse(const char *name)
{
    for (size_t i = 1; name && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return (enum bad_mode)i;
    return BAD_NONE;
}

const char *bad_mode_name(enum bad_mode mode)
{
    return (size_t)mode < sizeof names / sizeof names[0] ? names[mode] : "none";
}

bool bad_mode_replaces(enum bad_mode mode)
{
    return mode == BAD_MALFORMED_JSON || mode == BAD_HTML || mode == BAD_HUGE_BODY ||
           mode == BAD_REDIRECT;
}

bool bad_mode_fits_path(enum bad_mode mode, const char *path)
{
    if (mode == BAD_BAYEUX_NOT_ARRAY || mode == BAD_UNKNOWN_FIELDS)
        return strncmp(path, "/api/v2/notifications", 21) == 0 &&
               (path[21] == '\0' || path[21] == '/');
    return mode != BAD_NONE;
}

/* State of a streamed body; freed by MHD through stream_free. */
struct stream {
    struct sim *sim;
    struct MHD_Connection *conn;
    struct hold hold;           /* trickle: parked between two bytes */
    int64_t next_at;            /* trickle: when the next byte is due (monotonic ms) */
    char *data;
    size_t len;
};

static void stream_free(void *cls)
{
    struct stream *st = cls;
    free(st->data);
    free(st);
}

/* Sends the whole body; Content-Length promised more, so the client waits, then sees a close. */
static ssize_t truncated_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *st = cls;
    if (pos >= st->len)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = st->len - (size_t)pos < max ? st->len - (size_t)pos : max;
    memcpy(buf, st->data + pos, n);
    return (ssize_t)n;
}

/* Chunked: sends the first half of the body and breaks off without the final chunk. */
static ssize_t reset_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *st = cls;
    size_t half = st->len / 2 ? st->len / 2 : 1;
    if (pos >= half || pos >= st->len)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = half - (size_t)pos < max ? half - (size_t)pos : max;
    memcpy(buf, st->data + pos, n);
    return (ssize_t)n;
}

/*
 * One byte per second. Between two bytes the connection is parked (hold.h), so a trickled
 * answer pins no worker thread; MHD calls again when it is resumed.
 */
static ssize_t trickle_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *st = cls;
    struct sim *sim = st->sim;
    if (pos >= st->len || max == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    pthread_mutex_lock(&sim->lock);
    int64_t now = sim_now_ms();
    ssize_t ret = 1;
    if (sim->shutting_down) {
        ret = MHD_CONTENT_READER_END_WITH_ERROR;
    } else if (pos > 0 && now < st->next_at) {
        st->hold = (struct hold){ .watch_peer = true };
        ret = hold_park(sim, &st->hold, st->conn, st->next_at) ? 0
                                                              : MHD_CONTENT_READER_END_WITH_ERROR;
    } else {
        st->next_at = now + TRICKLE_INTERVAL_MS;
        buf[0] = st->data[pos];
    }
    pthread_mutex_unlock(&sim->lock);
    return ret;
}

/* 50 MiB of valid JSON made up on the fly: {"statusCode":0,"padding":"xxxx…"} */
static ssize_t huge_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    static const char head[] = "{\"statusCode\":0,\"padding\":\"";
    static const char tail[] = "\"}";
    const uint64_t hl = sizeof head - 1, tl = sizeof tail - 1;
    (void)cls;
    if (pos >= HUGE_BODY_SIZE)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = HUGE_BODY_SIZE - pos < max ? (size_t)(HUGE_BODY_SIZE - pos) : max;
    for (size_t i = 0; i < n; i++) {
        uint64_t at = pos + i;
        buf[i] = at < hl ? head[at]
               : at >= HUGE_BODY_SIZE - tl ? tail[at - (HUGE_BODY_SIZE - tl)] : 'x';
    }
    return (ssize_t)n;
}

/* Queues a callback response carrying the reply's status and headers. */
static enum MHD_Result queue_stream(struct sim *sim, struct MHD_Connection *conn,
                                    struct reply *r, uint64_t size,
                                    MHD_ContentReaderCallback reader)
{
    struct stream *st = calloc(1, sizeof *st);
    if (!st)
        return MHD_NO;
    st->sim = sim;
    st->conn = conn;
    st->data = r->body;
    st->len = r->len;
    r->body = NULL;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(size, 4096, reader, st, stream_free);
    if (!resp) {
        stream_free(st);
        return MHD_NO;
    }
    enum MHD_Result ret = MHD_NO;
    if (reply_add_headers(r, resp) == 0)
        ret = MHD_queue_response(conn, (unsigned int)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Extra fields a tolerant client must ignore, on every message of a Bayeux reply. */
static void add_unknown_fields(json_t *messages)
{
    size_t i;
    json_t *m;
    json_array_foreach(messages, i, m) {
        if (!json_is_object(m))
            continue;
        json_object_set_new(m, "simUnknownField", json_pack("{s:[i,s,n]}", "nested", 1,
                                                              "two"));
        json_object_set_new(m, "ext", json_pack("{s:b}", "sim", 1));
    }
}

/* The Bayeux reply's first message alone, as an object instead of the array. */
static void make_not_array(struct reply *r)
{
    json_t *first = json_array_get(r->json, 0);
    json_t *obj = first ? json_incref(first) : json_object();
    reply_json(r, r->status, obj);
}

static enum MHD_Result queue_mangled(struct sim *sim, struct MHD_Connection *conn,
                                     enum bad_mode mode, struct reply *r)
{
    if (json_is_array(r->json) && mode == BAD_UNKNOWN_FIELDS)
        add_unknown_fields(r->json);
    if (json_is_array(r->json) && mode == BAD_BAYEUX_NOT_ARRAY)
        make_not_array(r);
    if (reply_serialize(r) != 0)
        return reply_queue(conn, r);
    switch (mode) {
    case BAD_TRUNCATED:
        return queue_stream(sim, conn, r, r->len + TRUNCATED_MISSING, truncated_reader);
    case BAD_RESET:
        return queue_stream(sim, conn, r, MHD_SIZE_UNKNOWN, reset_reader);
    case BAD_TRICKLE:
        return queue_stream(sim, conn, r, r->len, trickle_reader);
    case BAD_WRONG_CONTENT_TYPE:
        r->content_type = CT_TEXT;
        break;
    case BAD_HUGE_HEADER: {
        char *pad = malloc(HUGE_HEADER_SIZE + 1);
        if (!pad)
            return MHD_NO;
        memset(pad, 'p', HUGE_HEADER_SIZE);
        pad[HUGE_HEADER_SIZE] = '\0';
        reply_header(r, "X-Padding", pad);
        free(pad);
        break;
    }
    default:
        break;
    }
    return reply_queue(conn, r);
}

enum MHD_Result badanswer_queue(struct sim *sim, struct MHD_Connection *conn,
                                enum bad_mode mode, struct reply *real)
{
    static const char html[] =
        "<!DOCTYPE html>\n<html><head><title>Error</title></head>"
        "<body><h1>Something went wrong</h1><p>The server could not process your request."
        "</p></body></html>\n";
    switch (mode) {
    case BAD_MALFORMED_JSON:
        reply_text(real, 200, CT_JSON, "{\"statusCode\":0,");
        return reply_queue(conn, real);
    case BAD_HTML:
        reply_text(real, 200, CT_HTML, html);
        return reply_queue(conn, real);
    case BAD_HUGE_BODY:
        reply_text(real, 200, CT_JSON, "");
        return queue_stream(sim, conn, real, HUGE_BODY_SIZE, huge_reader);
    case BAD_REDIRECT:
        /* Another loopback host: nothing listens there, and a client that keeps its
         * credentials to itself never goes to look. */
        reply_text(real, 302, CT_TEXT, "Moved\n");
        reply_header(real, "Location", "http://127.0.0.2:9/api/v2/elsewhere");
        return reply_queue(conn, real);
    default:
        return queue_mangled(sim, conn, mode, real);
    }
}
