/*
 * The console's files, embedded: .incbin copies sim/ui/<file> into .rodata at assembly time
 * (paths are relative to the directory the compiler runs in: the checkout root, where the
 * Makefile runs; the Makefile rebuilds this object when a file under sim/ui/ changes).
 * A NUL after each file makes it a C string.
 */
#include "ui_assets.h"

#include <string.h>

#define EMBED(sym, file)                                                                   \
    __asm__(".section .rodata\n"                                                          \
            ".global " #sym "\n"                                                          \
            ".type " #sym ", @object\n"                                                   \
            ".balign 16\n" #sym ":\n"                                                     \
            ".incbin \"" file "\"\n"                                                      \
            ".byte 0\n"                                                                   \
            ".previous\n");                                                               \
    extern const char sym[]

EMBED(gws_ui_index_html, "sim/ui/index.html");
EMBED(gws_ui_app_js, "sim/ui/app.js");
EMBED(gws_ui_style_css, "sim/ui/style.css");

static const struct ui_asset assets[] = {
    { "", "text/html; charset=utf-8", gws_ui_index_html },
    { "index.html", "text/html; charset=utf-8", gws_ui_index_html },
    { "app.js", "text/javascript; charset=utf-8", gws_ui_app_js },
    { "style.css", "text/css; charset=utf-8", gws_ui_style_css },
};

const struct ui_asset *ui_asset_find(const char *name)
{
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
        if (strcmp(assets[i].name, name) == 0)
            return &assets[i];
    return NULL;
}
