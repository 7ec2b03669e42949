/* The customer console's routes (see ui.h): static files, the state read, the / link page. */
#include "ui.h"
#include "faults.h"
#include "sim.h"
#include "store_ui.h"
#include "ui_assets.h"

#include <stdbool.h>
#include <string.h>

/* Enough for a demo, small enough to poll twice a second even after a flood. */
#define UI_MAX_SESSIONS 50
#define UI_MAX_MESSAGES 200

static const char root_page[] =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>gws-sim</title>"
    "<link rel=\"icon\" href=\"data:,\"></head>"
    "<body><h1>gws-sim</h1><p>A Genesys Web Services v2 SMS simulator. The GWS API is under "
    "<code>/api/v2</code>, the control API under <code>/sim</code>.</p>"
    "<p><a href=\"/sim/ui/\">Open the customer console</a></p></body></html>\n";

static void state(struct request *rq, struct reply *out)
{
    struct sim *sim = rq->sim;
    pthread_mutex_lock(&sim->lock);
    json_t *snap = store_ui_snapshot(sim->store, UI_MAX_SESSIONS, UI_MAX_MESSAGES);
    if (snap && json_object_set_new(snap, "faults", faults_to_json(sim->faults)) != 0) {
        json_decref(snap);
        snap = NULL;
    }
    /* Serialised under the lock: the snapshot shares strings with nothing, but stay uniform. */
    reply_json_now(out, 200, snap);
    pthread_mutex_unlock(&sim->lock);
}

void ui_handle(struct request *rq, struct reply *out)
{
    const char *path = rq->path;
    bool get = strcmp(rq->method, "GET") == 0;
    if (strcmp(path, "/") == 0) {
        if (get)
            reply_text(out, 200, CT_HTML, root_page);
        else
            reply_ctl_error(out, 405, "GET only");
    } else if (strcmp(path, "/sim/ui") == 0) {
        /* The page's relative links need the trailing slash. */
        reply_text(out, 301, CT_TEXT, "moved to /sim/ui/\n");
        reply_header(out, "Location", "/sim/ui/");
    } else if (strncmp(path, "/sim/ui/", 8) != 0) {
        /* "//x" also lies under the "/" prefix: only "/" itself is ours. */
        reply_gws_error(out, 404, 6, "Resource not found");
    } else if (!get) {
        reply_ctl_error(out, 405, "GET only");
    } else if (strcmp(path, "/sim/ui/state") == 0) {
        state(rq, out);
    } else {
        const struct ui_asset *a = ui_asset_find(path + 8);
        if (a) {
            reply_text(out, 200, a->content_type, a->data);
            reply_header(out, "Cache-Control", "no-store");
        } else {
            reply_ctl_error(out, 404, "no such console file");
        }
    }
}
