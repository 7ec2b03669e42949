/*
 * The console's static files, embedded at build time from sim/ui/ (ui_assets.c uses the
 * assembler's .incbin: no generated source, no build step besides the C compiler).
 */
#ifndef GWS_SIM_UI_ASSETS_H
#define GWS_SIM_UI_ASSETS_H

#include <stddef.h>

struct ui_asset {
    const char *name;           /* file name under /sim/ui/, "" for the index page */
    const char *content_type;
    const char *data;           /* NUL-terminated (the files are text) */
};

/* The asset called `name`, or NULL. */
const struct ui_asset *ui_asset_find(const char *name);

#endif
