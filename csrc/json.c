/* JSON text to Lua values in one pass (RFC 8259). Until issue 14 this was lua-cjson followed by
 * a second walk turning integral floats into integers; that pair cost 44k of the 58k
 * instructions per Bayeux event, mostly in tables made empty and grown key by key and in the
 * second walk. Here each container's values wait on the Lua stack until it closes, so its
 * table is made at its final size, and numbers are made integers as they are read.
 *
 * The values are lua-cjson's plus that normalisation (the Lua side was written against them,
 * and fuzz/fuzz_json.c checks them against it): objects and arrays are tables (keys strings,
 * arrays 1..n; a repeated key: the last wins), null is cjson.null (a light userdata holding
 * NULL), a number is an integer when it is integral and |n| <= 2^53 after conversion to a
 * double, else a float (1e400 is inf). Stricter than lua-cjson where RFC 8259 is: strings must
 * be UTF-8 without raw control characters, numbers must follow the grammar ("1.", "-.5" are
 * refused), nothing may follow the value (not even a NUL). Nesting is bounded as in lua-cjson
 * (1000), and so is the Lua stack a decode uses (BATCH values per open container). Strings
 * and numbers are read and checked by json_scan.c (plain C); this file makes the Lua values. */
#include <string.h>

#include <lauxlib.h>

#include "json.h"
#include "json_scan.h"

#define MAX_DEPTH 1000
/* Stack slots (an array's values, an object's keys and values) a container keeps on the Lua
 * stack before they go into its table; a larger container is made at this size and grows from
 * there. The outermost one may keep more (a batch of 1 000 Bayeux events is made at its
 * size); at most 4096 + 999 * (512 + a few) slots wait at once, well within LUAI_MAXSTACK
 * (1 000 000), so any input within the nesting bound finds room. */
#define BATCH_OUTER 4096
#define BATCH 512

/* Recent short strings (object keys and values such as "NewMessages"), so a batch of events
 * alike interns each once: lua_pushlstring hashes every byte and searches Lua's string table
 * (29 short strings per Bayeux event, the largest single item of a decode). Direct-mapped;
 * each entry's Lua string is kept alive by the cache's userdata (user value slot + 1), so its
 * bytes stay where `s` points. One cache per Lua state (in the registry), kept across decodes.
 * Strings up to 96 bytes go in: the short ones Lua interns anyway (up to 40 bytes), and long
 * ones such as a NewMessages' smssessionUri (~70 bytes, the same on every event of a session),
 * which Lua would otherwise allocate anew per event (a string is a value: sharing one object
 * changes nothing a caller can see). The cache never holds more than 128 x 96 bytes alive.
 * An entry found again since it was stored is kept once from a miss that falls on its slot
 * (CLOCK-style second chance): values seen once (an event id, a timestamp, a text) would
 * otherwise push the repeated keys out, batch after batch. */
#define CACHE_SLOTS 128
#define CACHE_MAXLEN 96
struct string_cache {
    const char *s[CACHE_SLOTS];
    size_t len[CACHE_SLOTS]; /* 0: empty (the empty string is never cached) */
    unsigned char used[CACHE_SLOTS]; /* found again since stored or last spared */
};
static const char cache_key = 'c';

struct parser {
    lua_State *L;
    struct string_cache *cache;
    int cache_idx;     /* stack slot of the cache's userdata */
    int ensured;       /* the Lua stack is known to reach this index (see room) */
    const unsigned char *p, *start, *end;
    int depth;
    const char *why;   /* set on error: what was wrong */
    size_t where;      /* set on error: the offending byte's offset */
    int scratch;       /* stack slot of the scratch buffer (a userdata, so an error frees it) */
    unsigned char *buf;
    size_t cap;
};

static int fail(struct parser *ps, const unsigned char *at, const char *why)
{
    ps->why = why;
    ps->where = (size_t)(at - ps->start);
    return -1;
}

static void skip_space(struct parser *ps)
{
    while (ps->p < ps->end && json_space[*ps->p])
        ps->p++;
}

/* Makes the scratch buffer hold at least `need` bytes. */
static void reserve(struct parser *ps, size_t need)
{
    if (need <= ps->cap)
        return;
    size_t cap = ps->cap ? ps->cap : 256;
    while (cap < need)
        cap *= 2;
    ps->buf = lua_newuserdatauv(ps->L, cap, 0);
    ps->cap = cap;
    lua_replace(ps->L, ps->scratch);
}

/* Pushes s[0..len) as a Lua string, from the cache when it holds the same bytes. */
static void push_string(struct parser *ps, const char *s, size_t len)
{
    lua_State *L = ps->L;
    if (len == 0 || len > CACHE_MAXLEN) {
        lua_pushlstring(L, s, len);
        return;
    }
    const unsigned char *u = (const unsigned char *)s;
    unsigned slot = ((unsigned)len * 31u + u[0] * 7u + u[len >> 1] * 3u + u[len - 1]) % CACHE_SLOTS;
    struct string_cache *c = ps->cache;
    if (c->len[slot] == len && memcmp(c->s[slot], s, len) == 0) {
        c->used[slot] = 1;
        lua_getiuservalue(L, ps->cache_idx, (int)slot + 1);
        return;
    }
    if (c->used[slot]) {
        c->used[slot] = 0; /* spared once */
        lua_pushlstring(L, s, len);
        return;
    }
    lua_pushlstring(L, s, len);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, ps->cache_idx, (int)slot + 1);
    c->s[slot] = lua_tostring(L, -1);
    c->len[slot] = len;
}

/* A string at ps->p (its opening quote), pushed. Most have no escape: those are pushed
 * straight from the input. */
static int string(struct parser *ps)
{
    const unsigned char *s = ps->p + 1, *close = json_scan_plain(s, ps->end);
    if (close < ps->end && *close == '"') {
        push_string(ps, (const char *)s, (size_t)(close - s));
        ps->p = close + 1;
        return 0;
    }
    /* Something else than printable ASCII: read again, every byte checked. */
    struct json_fault f;
    int escaped;
    close = json_scan_string(s, ps->end, &escaped, &f);
    if (close == NULL)
        return fail(ps, f.at, f.why);
    if (!escaped) {
        push_string(ps, (const char *)s, (size_t)(close - s));
    } else {
        reserve(ps, (size_t)(close - s));
        size_t len = json_unescape(s, close, ps->buf);
        lua_pushlstring(ps->L, (const char *)ps->buf, len);
    }
    ps->p = close + 1;
    return 0;
}

static int number(struct parser *ps)
{
    struct json_fault f;
    int64_t integer;
    double real;
    int kind = json_scan_number(ps->p, ps->end, &ps->p, &integer, &real, &f);
    if (kind < 0)
        return fail(ps, f.at, f.why);
    if (kind == 1)
        lua_pushinteger(ps->L, (lua_Integer)integer);
    else
        lua_pushnumber(ps->L, real);
    return 0;
}

static int literal(struct parser *ps, const char *word, size_t len)
{
    if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len) != 0)
        return fail(ps, ps->p, "expected a value");
    ps->p += len;
    return 0;
}

static int value(struct parser *ps);

/* Room for `n` more slots above `top` on the Lua stack. Within the bounds above it is there; a
 * caller that used most of its thread's stack already may see an input refused.
 * lua_checkstack is asked for ROOM_MARGIN slots more than needed and `ensured` remembers up to
 * where the stack is then known to reach (it raises this call's own limit, which nothing
 * lowers while the decode runs: Lua shrinks a stack only down to its frames' limits), so most
 * values cost a comparison instead of a call. */
#define ROOM_MARGIN 32
static int room(struct parser *ps, int top, int n)
{
    if (top + n <= ps->ensured)
        return 1;
    if (lua_checkstack(ps->L, n + ROOM_MARGIN)) {
        ps->ensured = top + n + ROOM_MARGIN;
        return 1;
    }
    if (!lua_checkstack(ps->L, n))
        return 0;
    ps->ensured = top + n;
    return 1;
}

/* A container's table lives at base + 1, a nil until it is made; its waiting values (an
 * array's) or keys and values (an object's) are above it. flush_* put them into the table,
 * made now at their count if it does not exist yet, and leave the table on top. */
static void flush_array(lua_State *L, int base, int *made, lua_Integer *stored)
{
    int top = lua_gettop(L);
    if (!*made) {
        int n = top - base - 1;
        lua_createtable(L, n, 0);
        lua_replace(L, base + 1);
        /* Set from the last: each lua_rawseti pops the value on top. */
        for (int i = n; i >= 1; i--)
            lua_rawseti(L, base + 1, i);
        *made = 1;
        *stored = n;
        return;
    }
    /* A large array: appended in order, so the table grows as one sequence. */
    for (int i = base + 2; i <= top; i++) {
        lua_pushvalue(L, i);
        lua_rawseti(L, base + 1, ++*stored);
    }
    lua_settop(L, base + 1);
}

static void flush_object(lua_State *L, int base, int *made)
{
    int top = lua_gettop(L);
    if (!*made) {
        lua_createtable(L, 0, (top - base - 1) / 2);
        lua_replace(L, base + 1);
        *made = 1;
    }
    /* In order, so that of two equal keys the last wins. */
    for (int i = base + 2; i < top; i += 2) {
        lua_pushvalue(L, i);
        lua_pushvalue(L, i + 1);
        lua_rawset(L, base + 1);
    }
    lua_settop(L, base + 1);
}

/* After an array element or an object member: ',' says another follows (1), `close` ends the
 * container (0), anything else is an error (-1). Both containers read their separators here. */
static int after_item(struct parser *ps, char close)
{
    skip_space(ps);
    if (ps->p == ps->end)
        return fail(ps, ps->p, close == ']' ? "unexpected end: expected ',' or ']'"
                                            : "unexpected end: expected ',' or '}'");
    unsigned char c = *ps->p;
    if (c == ',' || c == close) {
        ps->p++;
        return c == ',';
    }
    return fail(ps, ps->p, close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
}

static int array(struct parser *ps)
{
    lua_State *L = ps->L;
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, ps->p, "nested too deeply (more than 1000 levels)");
    ps->p++;
    int base = lua_gettop(L), made = 0, batch = ps->depth == 1 ? BATCH_OUTER : BATCH;
    lua_Integer stored = 0;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        lua_createtable(L, 0, 0);
        ps->depth--;
        return 0;
    }
    lua_pushnil(L); /* the table's slot, base + 1 */
    for (;;) {
        int top = lua_gettop(L);
        if (top - base >= batch || !room(ps, top, 4)) {
            flush_array(L, base, &made, &stored);
            if (!room(ps, lua_gettop(L), 4))
                return fail(ps, ps->p, "too large to decode (Lua stack exhausted)");
        }
        if (value(ps) != 0)
            return -1;
        int more = after_item(ps, ']');
        if (more < 0)
            return -1;
        if (!more)
            break;
    }
    flush_array(L, base, &made, &stored);
    ps->depth--;
    return 0;
}

static int object(struct parser *ps)
{
    lua_State *L = ps->L;
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, ps->p, "nested too deeply (more than 1000 levels)");
    ps->p++;
    int base = lua_gettop(L), made = 0, batch = ps->depth == 1 ? BATCH_OUTER : BATCH;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        lua_createtable(L, 0, 0);
        ps->depth--;
        return 0;
    }
    lua_pushnil(L); /* the table's slot, base + 1 */
    for (;;) {
        int top = lua_gettop(L);
        if (top - base >= batch || !room(ps, top, 5)) {
            flush_object(L, base, &made);
            if (!room(ps, lua_gettop(L), 5))
                return fail(ps, ps->p, "too large to decode (Lua stack exhausted)");
        }
        skip_space(ps);
        if (ps->p == ps->end || *ps->p != '"')
            return fail(ps, ps->p, "expected a string key");
        if (string(ps) != 0)
            return -1;
        skip_space(ps);
        if (ps->p == ps->end || *ps->p != ':')
            return fail(ps, ps->p, "expected ':'");
        ps->p++;
        if (value(ps) != 0)
            return -1;
        int more = after_item(ps, '}');
        if (more < 0)
            return -1;
        if (!more)
            break;
    }
    flush_object(L, base, &made);
    ps->depth--;
    return 0;
}

static int value(struct parser *ps)
{
    skip_space(ps);
    if (ps->p == ps->end)
        return fail(ps, ps->p, "unexpected end: expected a value");
    switch (*ps->p) {
    case '{':
        return object(ps);
    case '[':
        return array(ps);
    case '"':
        return string(ps);
    case 't':
        if (literal(ps, "true", 4) != 0)
            return -1;
        lua_pushboolean(ps->L, 1);
        return 0;
    case 'f':
        if (literal(ps, "false", 5) != 0)
            return -1;
        lua_pushboolean(ps->L, 0);
        return 0;
    case 'n':
        if (literal(ps, "null", 4) != 0)
            return -1;
        lua_pushlightuserdata(ps->L, NULL); /* == cjson.null */
        return 0;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return number(ps);
        return fail(ps, ps->p, "expected a value");
    }
}

/* Under lua_pcall (memory errors must not unwind through the caller's C frames): 1 = the
 * input, as a light userdata pointing at its struct parser. Returns the value, or nothing. */
static int decode_protected(lua_State *L)
{
    struct parser *ps = lua_touserdata(L, 1);
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &cache_key) != LUA_TUSERDATA) {
        lua_pop(L, 1);
        ps->cache = lua_newuserdatauv(L, sizeof *ps->cache, CACHE_SLOTS);
        memset(ps->cache, 0, sizeof *ps->cache);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &cache_key);
    } else {
        ps->cache = lua_touserdata(L, -1);
    }
    ps->cache_idx = lua_gettop(L);
    lua_pushnil(L); /* the scratch buffer's slot */
    ps->scratch = lua_gettop(L);
    if (value(ps) != 0)
        return 0;
    skip_space(ps);
    if (ps->p != ps->end) {
        fail(ps, ps->p, "data after the value");
        return 0;
    }
    return 1;
}

int json_decode(lua_State *L, const char *s, size_t len)
{
    json_scan_init();
    struct parser ps = { 0 };
    ps.L = L;
    ps.start = ps.p = (const unsigned char *)s;
    ps.end = ps.start + len;
    lua_pushcfunction(L, decode_protected);
    lua_pushlightuserdata(L, &ps);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        /* Only a memory error raises in there: its message is Lua's own, plain ASCII. */
        lua_pop(L, 1);
        lua_pushnil(L);
        lua_pushliteral(L, "not enough memory to decode the JSON");
        return 0;
    }
    if (ps.why != NULL) {
        lua_pop(L, 1);
        lua_pushnil(L);
        /* Our own words and a position, never the input's bytes: bounded and clean. */
        lua_pushfstring(L, "%s at character %I", ps.why, (lua_Integer)ps.where + 1);
        return 0;
    }
    lua_pushnil(L);
    return 1;
}

int json_decode_string(lua_State *L, int idx)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    return json_decode(L, s, len);
}
