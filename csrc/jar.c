/* Cookie jars: a curl share per jar, kept within bounds by reading it back after a response
 * set cookies. See jar.h. curl has no call to drop one cookie or to list them by age, so the
 * jar ages them itself (by stamps kept beside curl's list) and, when it must drop some, empties
 * curl's list and adds back the ones it keeps, oldest first. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jar.h"

struct jar *jar_new(size_t max_cookies, size_t max_bytes)
{
    struct jar *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->refs = 1;
    j->max_cookies = max_cookies;
    j->max_bytes = max_bytes;
    j->share = curl_share_init();
    /* Cookies only. DNS answers are cached by the engine's multi handle for every transfer,
     * and connections stay there too (see jar.h). */
    if (j->share == NULL ||
        curl_share_setopt(j->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) != CURLSHE_OK) {
        jar_release(j);
        return NULL;
    }
    return j;
}

void jar_retain(struct jar *j)
{
    j->refs++;
}

void jar_release(struct jar *j)
{
    if (j == NULL || --j->refs > 0)
        return;
    if (j->share != NULL)
        curl_share_cleanup(j->share);
    free(j->entries);
    free(j);
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define FNV_BASIS 0xcbf29ce484222325ULL

/* One line of curl's list (CURLINFO_COOKIELIST, Netscape format): domain, tail-match flag,
 * path, secure flag, expiry, name, value, separated by tabs. */
struct cookie {
    const char *line;
    const char *name;
    size_t name_len;
    struct jar_entry e;
};

/* Fills c from `line`; returns 0, or -1 for a line that is not a live cookie (malformed, or
 * expired and only waiting for curl to notice). */
static int parse(const char *line, time_t now, struct cookie *c)
{
    const char *field[7];
    size_t len[7];
    const char *p = line;
    for (int i = 0; i < 7; i++) {
        field[i] = p;
        const char *tab = i < 6 ? strchr(p, '\t') : NULL;
        if (i < 6 && tab == NULL)
            return -1;
        len[i] = i < 6 ? (size_t)(tab - p) : strlen(p);
        p += len[i] + 1;
    }
    long long expires = strtoll(field[4], NULL, 10);
    if (expires > 0 && expires < (long long)now)
        return -1;
    uint64_t key = fnv1a(FNV_BASIS, field[0], len[0]);
    key = fnv1a(key, "\t", 1);
    key = fnv1a(key, field[2], len[2]);
    key = fnv1a(key, "\t", 1);
    c->line = line;
    c->name = field[5];
    c->name_len = len[5];
    c->e.key = fnv1a(key, field[5], len[5]);
    c->e.line = fnv1a(FNV_BASIS, line, strlen(line));
    c->e.bytes = strlen(line);
    c->e.stamp = 0;
    return 0;
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = ((const struct jar_entry *)a)->key, y = ((const struct jar_entry *)b)->key;
    return x < y ? -1 : x > y;
}

static int by_stamp(const void *a, const void *b)
{
    uint64_t x = ((const struct cookie *)a)->e.stamp, y = ((const struct cookie *)b)->e.stamp;
    return x < y ? -1 : x > y;
}

static const struct jar_entry *known(const struct jar *j, uint64_t key)
{
    size_t lo = 0, hi = j->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (j->entries[mid].key == key)
            return &j->entries[mid];
        if (j->entries[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* curl's list as cookies, each stamped: the stamp it had if its line is unchanged, a new one
 * otherwise. Returns the array (NULL with *n 0 for an empty jar) or NULL with *n -1. */
static struct cookie *read_cookies(struct jar *j, struct curl_slist *list, long *n)
{
    size_t lines = 0;
    for (struct curl_slist *l = list; l != NULL; l = l->next)
        lines++;
    *n = 0;
    if (lines == 0)
        return NULL;
    struct cookie *c = malloc(lines * sizeof *c);
    if (c == NULL) {
        *n = -1;
        return NULL;
    }
    time_t now = time(NULL);
    size_t k = 0;
    for (struct curl_slist *l = list; l != NULL; l = l->next) {
        if (parse(l->data, now, &c[k]) != 0)
            continue;
        const struct jar_entry *old = known(j, c[k].e.key);
        c[k].e.stamp = old != NULL && old->line == c[k].e.line ? old->stamp : ++j->clock;
        k++;
    }
    *n = (long)k;
    return c;
}

/* Makes c[0..n) the jar's record of its cookies (they are what curl holds now). */
static int remember(struct jar *j, const struct cookie *c, size_t n)
{
    if (n > j->cap) {
        struct jar_entry *grown = realloc(j->entries, n * sizeof *grown);
        if (grown == NULL)
            return -1;
        j->entries = grown;
        j->cap = n;
    }
    j->bytes = 0;
    for (size_t i = 0; i < n; i++) {
        j->entries[i] = c[i].e;
        j->bytes += c[i].e.bytes;
    }
    j->count = n;
    if (n > 1)
        qsort(j->entries, n, sizeof *j->entries, by_key);
    return 0;
}

/* Empties curl's list and adds back c[0..n) (sorted by stamp, so curl's creation order follows
 * the jar's ages). A line curl refuses to take back is lost; it was one curl had accepted. */
static CURLcode refill(CURL *easy, const struct cookie *c, size_t n)
{
    CURLcode rc = curl_easy_setopt(easy, CURLOPT_COOKIELIST, "ALL");
    for (size_t i = 0; rc == CURLE_OK && i < n; i++)
        rc = curl_easy_setopt(easy, CURLOPT_COOKIELIST, c[i].line);
    return rc;
}

size_t jar_update(struct jar *j, CURL *easy)
{
    struct curl_slist *list = NULL;
    if (curl_easy_getinfo(easy, CURLINFO_COOKIELIST, &list) != CURLE_OK)
        return 0;
    long n;
    struct cookie *c = read_cookies(j, list, &n);
    if (n <= 0) {
        if (n == 0)
            j->count = j->bytes = 0;
        free(c);
        curl_slist_free_all(list);
        return 0;
    }
    size_t count = (size_t)n, bytes = 0;
    for (size_t i = 0; i < count; i++)
        bytes += c[i].e.bytes;
    size_t first = 0; /* c[first..count) are kept */
    if (count > j->max_cookies || bytes > j->max_bytes) {
        qsort(c, count, sizeof *c, by_stamp);
        while (first < count && (count - first > j->max_cookies || bytes > j->max_bytes))
            bytes -= c[first++].e.bytes;
        if (refill(easy, c + first, count - first) != CURLE_OK) {
            /* Whatever curl holds now is read again after the next response that sets one. */
            j->count = 0;
            first = count;
        }
        j->dropped += first;
    }
    remember(j, c + first, count - first);
    free(c);
    curl_slist_free_all(list);
    return first;
}

static int named(const struct cookie *c, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(names[i]) == c->name_len && memcmp(names[i], c->name, c->name_len) == 0)
            return 1;
    return 0;
}

CURLcode jar_forget(struct jar *j, CURL *easy, const char *const *names, size_t count)
{
    if (names == NULL) {
        j->count = j->bytes = 0;
        return curl_easy_setopt(easy, CURLOPT_COOKIELIST, "ALL");
    }
    struct curl_slist *list = NULL;
    CURLcode rc = curl_easy_getinfo(easy, CURLINFO_COOKIELIST, &list);
    if (rc != CURLE_OK)
        return rc;
    long n;
    struct cookie *c = read_cookies(j, list, &n);
    if (n <= 0) {
        if (n == 0)
            j->count = j->bytes = 0;
        free(c);
        curl_slist_free_all(list);
        return n == 0 ? CURLE_OK : CURLE_OUT_OF_MEMORY;
    }
    size_t kept = 0;
    for (size_t i = 0; i < (size_t)n; i++)
        if (!named(&c[i], names, count))
            c[kept++] = c[i];
    if (kept < (size_t)n) {
        qsort(c, kept, sizeof *c, by_stamp);
        rc = refill(easy, c, kept);
    }
    if (rc == CURLE_OK && remember(j, c, kept) != 0)
        rc = CURLE_OUT_OF_MEMORY;
    free(c);
    curl_slist_free_all(list);
    return rc;
}
