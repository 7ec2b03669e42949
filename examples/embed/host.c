/* A C program that embeds Lua 5.4 and drives an agent from its own poll() loop: a stand-in
 * for a routing engine or any host that owns its event loop (docs/embedding.md).
 *
 *   host AGENT.lua [ARG...]     (LUA_PATH / LUA_CPATH must let it find gws.sms and gws.core)
 *
 * The agent script runs first, with ARG... as `...` (and in `arg`); it logs its agents in and
 * returns a table { loop = <the object to drive>, done = <function: true when finished> }.
 * The host then watches the object's pollfd() for events() with poll(), waits at most its
 * timeout() (nil: nothing pending, so only the host's own tick), calls step(0), and does its
 * own work between rounds. One lua_State, used by this thread only. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

/* The field of the agent table the host drives: a loop that the script's agents share
 * (sms.loop()). A script with one client and no loop returns { client = client, ... } and
 * this line reads "client": a client offers the same methods. */
static const char DRIVEN[] = "loop";

/* The host's own work runs at least this often, whatever the agent waits for. */
#define HOST_TICK_MS 200

/* Ends the run when the agent has not finished by then. */
#define HOST_DEADLINE_S 30

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A Lua error with its traceback, for lua_pcall. */
static int traceback(lua_State *L)
{
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

/* Calls agent[DRIVEN]:name() with the agent table at stack index `agent`; leaves `results`
 * values on the stack. Returns 0, or -1 after printing the error. */
static int call_method(lua_State *L, int agent, const char *name, double arg, int nargs,
                       int results)
{
    lua_pushcfunction(L, traceback);
    int handler = lua_gettop(L);
    lua_getfield(L, agent, DRIVEN);
    if (lua_getfield(L, -1, name) != LUA_TFUNCTION) {
        fprintf(stderr, "host: the agent's %s has no method %s\n", DRIVEN, name);
        lua_settop(L, handler - 1);
        return -1;
    }
    lua_insert(L, -2); /* method, self */
    if (nargs > 0)
        lua_pushnumber(L, arg);
    if (lua_pcall(L, 1 + nargs, results, handler) != LUA_OK) {
        fprintf(stderr, "host: %s:%s() failed: %s\n", DRIVEN, name, lua_tostring(L, -1));
        lua_settop(L, handler - 1);
        return -1;
    }
    lua_remove(L, handler);
    return 0;
}

/* agent.done() --> 1 when it says it is finished, 0 if not, -1 on error. */
static int agent_done(lua_State *L, int agent)
{
    lua_pushcfunction(L, traceback);
    int handler = lua_gettop(L);
    lua_getfield(L, agent, "done");
    if (lua_pcall(L, 0, 1, handler) != LUA_OK) {
        fprintf(stderr, "host: agent.done() failed: %s\n", lua_tostring(L, -1));
        lua_settop(L, handler - 1);
        return -1;
    }
    int done = lua_toboolean(L, -1);
    lua_settop(L, handler - 1);
    return done;
}

/* Loads and runs the agent script; leaves its table on the stack. Returns 0 or -1. */
static int load_agent(lua_State *L, int argc, char **argv)
{
    lua_pushcfunction(L, traceback);
    int handler = lua_gettop(L);
    if (luaL_loadfile(L, argv[1]) != LUA_OK) {
        fprintf(stderr, "host: %s\n", lua_tostring(L, -1));
        return -1;
    }
    /* arg, as lua(1) sets it: arg[0] the script, arg[1..] its arguments. */
    lua_createtable(L, argc - 2, 1);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");
    for (int i = 2; i < argc; i++)
        lua_pushstring(L, argv[i]);
    if (lua_pcall(L, argc - 2, 1, handler) != LUA_OK) {
        fprintf(stderr, "host: %s failed: %s\n", argv[1], lua_tostring(L, -1));
        return -1;
    }
    lua_remove(L, handler);
    if (!lua_istable(L, -1) || lua_getfield(L, -1, DRIVEN) == LUA_TNIL ||
        lua_getfield(L, -2, "done") != LUA_TFUNCTION) {
        fprintf(stderr, "host: %s must return { %s = ..., done = function }\n", argv[1], DRIVEN);
        return -1;
    }
    lua_pop(L, 2);
    return 0;
}

/* The loop: returns 0 when the agent is done, 1 on an error or at the deadline. */
static int drive(lua_State *L, int agent)
{
    /* A stable fd (an epoll set inside the library): asked for once. */
    if (call_method(L, agent, "pollfd", 0, 0, 1) != 0)
        return 1;
    struct pollfd pfd = { .fd = (int)lua_tointeger(L, -1) };
    lua_pop(L, 1);
    if (call_method(L, agent, "events", 0, 0, 1) != 0)
        return 1;
    const char *events = lua_tostring(L, -1);
    if (events != NULL && strchr(events, 'r'))
        pfd.events |= POLLIN;
    if (events != NULL && strchr(events, 'w'))
        pfd.events |= POLLOUT;
    lua_pop(L, 1);

    double deadline = now() + HOST_DEADLINE_S;
    long rounds = 0, ticks = 0;
    for (;;) {
        int done = agent_done(L, agent);
        if (done != 0) {
            printf("[host] agent finished after %ld rounds, %ld host ticks\n", rounds, ticks);
            return done < 0;
        }
        if (now() > deadline) {
            fprintf(stderr, "host: the agent did not finish within %d s\n", HOST_DEADLINE_S);
            return 1;
        }
        /* timeout(): seconds until step() is due, 0 = call it now, nil = nothing pending. */
        if (call_method(L, agent, "timeout", 0, 0, 1) != 0)
            return 1;
        int wait = HOST_TICK_MS;
        if (!lua_isnil(L, -1)) {
            double ms = ceil(lua_tonumber(L, -1) * 1000.0);
            if (ms < wait)
                wait = ms > 0 ? (int)ms : 0;
        }
        lua_pop(L, 1);
        int n = poll(&pfd, 1, wait);
        if (n < 0 && errno != EINTR) {
            perror("host: poll");
            return 1;
        }
        if (n == 0)
            ticks++; /* the host's own work would go here */
        /* Whether the fd fired or the timer ran out: one step, never waiting inside it. */
        if (call_method(L, agent, "step", 0, 1, 0) != 0)
            return 1;
        rounds++;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s AGENT.lua [ARG...]\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        fprintf(stderr, "host: cannot create a Lua state\n");
        return 1;
    }
    luaL_openlibs(L);
    int rc = load_agent(L, argc, argv) == 0 ? drive(L, lua_gettop(L)) : 1;
    /* Collects the clients and their loop, which closes its engine: connections and the
     * epoll fd go. */
    lua_close(L);
    return rc;
}
