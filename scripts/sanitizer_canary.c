/* scripts/check.sh runs this, built with the same sanitizer flags and named like the
 * simulator, to prove that each kind of report (ASan, UBSan, LSan) from a spawned program
 * reaches the report directory; otherwise "zero reports" would prove nothing. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    volatile int big = INT_MAX;
    char *volatile p = malloc(8);
    const char *kind = argc > 1 ? argv[1] : "";
    if (strcmp(kind, "asan") == 0)
        p[8] = 1;                       /* heap-buffer-overflow */
    if (strcmp(kind, "ubsan") == 0)
        big = big + 1;                  /* signed integer overflow */
    if (strcmp(kind, "leak") == 0)
        p = NULL;                       /* lost at exit */
    free(p);
    return big == 0;
}
