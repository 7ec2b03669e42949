/* Header lists: rendering, sharing and wiping. See headers.h for why they exist. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "headers.h"

static char *concat(const char *a, const char *b, size_t blen)
{
    size_t alen = strlen(a);
    char *s = malloc(alen + blen + 1);
    if (s != NULL) {
        memcpy(s, a, alen);
        memcpy(s + alen, b, blen);
        s[alen + blen] = '\0';
    }
    return s;
}

static void base64(const unsigned char *in, size_t len, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        *out++ = abc[in[i] >> 2];
        *out++ = abc[(in[i] & 3) << 4 | in[i + 1] >> 4];
        *out++ = abc[(in[i + 1] & 15) << 2 | in[i + 2] >> 6];
        *out++ = abc[in[i + 2] & 63];
    }
    if (i < len) {
        *out++ = abc[in[i] >> 2];
        if (i + 1 < len) {
            *out++ = abc[(in[i] & 3) << 4 | in[i + 1] >> 4];
            *out++ = abc[(in[i + 1] & 15) << 2];
        } else {
            *out++ = abc[(in[i] & 3) << 4];
            *out++ = '=';
        }
        *out++ = '=';
    }
    *out = '\0';
}

/* The plain pair is wiped before it is freed. */
char *header_auth_line(const char *username, const char *password)
{
    size_t ulen = strlen(username), plen = strlen(password), len = ulen + 1 + plen;
    unsigned char *pair = malloc(len);
    char *coded = malloc((len + 2) / 3 * 4 + 1);
    char *line = NULL;
    if (pair != NULL && coded != NULL) {
        memcpy(pair, username, ulen);
        pair[ulen] = ':';
        memcpy(pair + ulen + 1, password, plen);
        base64(pair, len, coded);
        line = concat("Authorization: Basic ", coded, strlen(coded));
    }
    if (pair != NULL)
        explicit_bzero(pair, len);
    if (coded != NULL)
        explicit_bzero(coded, strlen(coded));
    free(pair);
    free(coded);
    return line;
}

const char *header_base_init(struct header_base *b, const char *username, const char *password,
                             const char *user_agent)
{
    memset(b, 0, sizeof *b);
    b->lines[b->count++] = concat("Expect:", "", 0);
    b->lines[b->count++] = concat("User-Agent: ", user_agent, strlen(user_agent));
    if (username != NULL || password != NULL)
        b->lines[b->count++] = header_auth_line(username != NULL ? username : "",
                                               password != NULL ? password : "");
    for (int i = 0; i < b->count; i++)
        if (b->lines[i] == NULL)
            return "out of memory";
    b->plain = header_list_build(NULL, 0, b, NULL);
    return b->plain != NULL ? NULL : "out of memory";
}

void header_line_free(char *line)
{
    if (line == NULL)
        return;
    explicit_bzero(line, strlen(line));
    free(line);
}

void header_base_free(struct header_base *b)
{
    header_list_release(b->plain);
    b->plain = NULL;
    for (int i = 0; i < b->count; i++) {
        header_line_free(b->lines[i]);
        b->lines[i] = NULL;
    }
    b->count = 0;
}

static int append(struct curl_slist **list, const char *line)
{
    struct curl_slist *next = curl_slist_append(*list, line);
    if (next == NULL)
        return -1;
    *list = next;
    return 0;
}

/* True when one of the fields names the same header as `line` ("Name: ..."). */
static int overridden(const struct header_field *fields, size_t count, const char *line)
{
    size_t nlen = strcspn(line, ":");
    for (size_t i = 0; i < count; i++)
        if (fields[i].name_len == nlen && strncasecmp(fields[i].name, line, nlen) == 0)
            return 1;
    return 0;
}

static int is_auth_line(const char *line)
{
    return strncasecmp(line, "Authorization:", 14) == 0;
}

/* Appends "Name: value", or "Name;" for an empty value (curl reads "Name:" as "remove this
 * header"). */
static int append_field(struct curl_slist **list, const struct header_field *f)
{
    size_t nlen = f->name_len, vlen = f->value_len;
    /* Most lines fit the stack buffer; curl copies the line anyway. */
    char small[512];
    char *line = nlen + vlen + 3 <= sizeof small ? small : malloc(nlen + vlen + 3);
    if (line == NULL)
        return -1;
    memcpy(line, f->name, nlen);
    if (vlen == 0) {
        line[nlen] = ';';
        line[nlen + 1] = '\0';
    } else {
        line[nlen] = ':';
        line[nlen + 1] = ' ';
        memcpy(line + nlen + 2, f->value, vlen);
        line[nlen + 2 + vlen] = '\0';
    }
    int rc = append(list, line);
    if (line != small)
        free(line);
    return rc;
}

struct header_list *header_list_build(const struct header_field *fields, size_t count,
                                      const struct header_base *b, const char *auth)
{
    struct header_list *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->refs = 1;
    for (int i = 0; i < b->count; i++) {
        if (overridden(fields, count, b->lines[i]) || (auth != NULL && is_auth_line(b->lines[i])))
            continue;
        if (append(&h->list, b->lines[i]) != 0)
            goto fail;
    }
    if (auth != NULL && !overridden(fields, count, auth) && append(&h->list, auth) != 0)
        goto fail;
    for (size_t i = 0; i < count; i++)
        if (append_field(&h->list, &fields[i]) != 0)
            goto fail;
    return h;
fail:
    header_list_release(h);
    return NULL;
}

void header_list_retain(struct header_list *h)
{
    h->refs++;
}

void header_list_release(struct header_list *h)
{
    if (h == NULL || --h->refs > 0)
        return;
    /* One line may carry the credentials or a CSRF token: nothing of them stays in freed
     * memory. */
    for (struct curl_slist *l = h->list; l != NULL; l = l->next)
        explicit_bzero(l->data, strlen(l->data));
    curl_slist_free_all(h->list);
    free(h);
}
