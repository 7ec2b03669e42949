/* B1 reference: what libcurl alone costs to send the bytes client:send_message sends.
 *
 *   raw_curl BASE_URL USER PASSWORD SESSION_ID N BODY
 *
 * One easy handle, reused for every request (so one kept-alive connection). A first
 * GET /api/v2/me brings the JSESSIONID cookie (curl's cookie engine keeps it) and the CSRF
 * token; then 1 warm-up POST and N timed POSTs to /api/v2/me/smssessions/ID with the same
 * headers the client sends (Basic auth, cookie, CSRF token, Accept, Content-Type, User-Agent,
 * no Expect) and BODY. Every answer must be HTTP 200 with "statusCode":0.
 * Prints one JSON line: {"ops":N,"cpu":seconds (getrusage user+sys),"wall":seconds}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include <curl/curl.h>

#include "csrf.h"

struct buf {
    char data[65536];
    size_t len;
};


static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    size_t len = size * n;
    if (len > sizeof b->data - 1 - b->len)
        return 0;
    memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return len;
}

static double user_seconds, sys_seconds;

/* user + sys of this process; also leaves the two parts in user_seconds and sys_seconds. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    user_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    sys_seconds = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return user_seconds + sys_seconds;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int perform(CURL *h, struct buf *b, const char *what)
{
    b->len = 0;
    b->data[0] = '\0';
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200 || strstr(b->data, "\"statusCode\":0") == NULL) {
        fprintf(stderr, "raw_curl: %s: %s, HTTP %ld: %.200s\n", what, curl_easy_strerror(rc),
                status, b->data);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: raw_curl BASE_URL USER PASSWORD SESSION_ID N BODY\n");
        return 2;
    }
    const char *base = argv[1], *session = argv[4], *body = argv[6];
    long n = strtol(argv[5], NULL, 10);
    char url[1024];
    static struct buf b;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    if (h == NULL)
        return 1;
    snprintf(url, sizeof url, "%s/api/v2/me", base);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, argv[2]);
    curl_easy_setopt(h, CURLOPT_PASSWORD, argv[3]);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "gws-sms/0.1.0");
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, (void *)&b);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    struct curl_slist *get_headers = curl_slist_append(NULL, "Accept: application/json");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, get_headers);
    if (perform(h, &b, "GET /me") != 0)
        return 1;
    if (csrf_value[0] == '\0') {
        fprintf(stderr, "raw_curl: GET /me brought no CSRF token\n");
        return 1;
    }

    char line[1024];
    snprintf(line, sizeof line, "%s: %s", csrf_name, csrf_value);
    struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Content-Type: application/json;charset=UTF-8");
    headers = curl_slist_append(headers, line);
    snprintf(url, sizeof url, "%s/api/v2/me/smssessions/%s", base, session);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));

    if (perform(h, &b, "warm-up POST") != 0)
        return 1;
    double c0 = cpu_seconds(), w0 = wall_seconds();
    double u0 = user_seconds, s0 = sys_seconds;
    for (long i = 0; i < n; i++)
        if (perform(h, &b, "POST") != 0)
            return 1;
    double cpu = cpu_seconds() - c0, wall = wall_seconds() - w0;
    long connects = 0;
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    printf("{\"ops\":%ld,\"cpu\":%.6f,\"wall\":%.6f,\"user\":%.6f,\"sys\":%.6f,\"connects\":%ld}\n",
           n, cpu, wall, user_seconds - u0, sys_seconds - s0, connects);
    curl_slist_free_all(headers);
    curl_slist_free_all(get_headers);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return 0;
}
