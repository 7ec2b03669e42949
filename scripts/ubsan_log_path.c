/* LD_PRELOAD shim for `make check` (scripts/check.sh): makes UBSAN_OPTIONS=log_path=… work
 * in programs built by gcc with -fsanitize=address,undefined.
 *
 * gcc links two runtimes, libasan and libubsan, each with its own copy of the sanitizer
 * report file. libubsan applies log_path by calling __sanitizer_set_report_path, but libasan,
 * loaded first, exports the same symbol, so the call lands in libasan and libubsan's own
 * reports keep going to stderr. A simulator's stderr is a temp file the spec helper deletes,
 * so its UBSan reports would be lost. This calls libubsan's own copy, found with dlsym on
 * libubsan's handle, with the log_path from UBSAN_OPTIONS. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

__attribute__((constructor)) static void ubsan_log_path(void)
{
    const char *opts = getenv("UBSAN_OPTIONS");
    const char *p = opts ? strstr(opts, "log_path=") : NULL;
    void *ubsan = dlopen("libubsan.so.1", RTLD_NOW | RTLD_NOLOAD);
    if (p == NULL || ubsan == NULL)
        return;
    p += strlen("log_path=");
    char path[4096];
    size_t n = strcspn(p, ":");
    if (n >= sizeof path)
        return;
    memcpy(path, p, n);
    path[n] = '\0';
    void (*set_report_path)(const char *) =
        (void (*)(const char *))dlsym(ubsan, "__sanitizer_set_report_path");
    if (set_report_path != NULL)
        set_report_path(path);
}
