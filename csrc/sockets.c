/* The epoll registrations of curl's sockets (see sockets.h). Plain C. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "sockets.h"

/* The state of fd, the array grown as needed; NULL on out of memory. */
static struct socket_state *state_of(struct sockets *s, curl_socket_t fd)
{
    if (fd < 0)
        return NULL;
    if (fd >= s->cap) {
        int cap = s->cap > 0 ? s->cap : 64;
        while (cap <= fd)
            cap *= 2;
        struct socket_state *grown = realloc(s->by_fd, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        memset(grown + s->cap, 0, (size_t)(cap - s->cap) * sizeof *grown);
        s->by_fd = grown;
        s->cap = cap;
    }
    return &s->by_fd[fd];
}

static void take_out(int epfd, curl_socket_t fd, struct socket_state *st)
{
    /* curl may have closed it already, which took it out: not an error. */
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    st->registered = 0;
}

int sockets_want(struct sockets *s, int epfd, curl_socket_t fd, int what)
{
    struct socket_state *st = state_of(s, fd);
    if (what == CURL_POLL_REMOVE) {
        if (st == NULL)
            return 0;
        st->wanted = 0;
        /* A connection's socket stays in the set for the next request on it; any other
         * socket's close is never reported here, so it goes now. */
        if (st->registered && !st->connection)
            take_out(epfd, fd, st);
        return 0;
    }
    if (st == NULL)
        return -1;
    st->wanted = (unsigned char)what;
    if (st->registered == what)
        return 0; /* the same interest: no system call */
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.data.fd = fd;
    if (what & CURL_POLL_IN)
        ev.events |= EPOLLIN;
    if (what & CURL_POLL_OUT)
        ev.events |= EPOLLOUT;
    /* One left registered (EEXIST) is changed instead; one the kernel dropped (ENOENT) added. */
    int op = st->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(epfd, op, fd, &ev) != 0) {
        int retry = op == EPOLL_CTL_MOD ? (errno == ENOENT ? EPOLL_CTL_ADD : -1)
                                        : (errno == EEXIST ? EPOLL_CTL_MOD : -1);
        if (retry < 0 || epoll_ctl(epfd, retry, fd, &ev) != 0) {
            st->registered = 0;
            return -1;
        }
    }
    st->registered = (unsigned char)what;
    return 0;
}

int sockets_event(struct sockets *s, int epfd, int fd)
{
    if (fd < 0 || fd >= s->cap)
        return 1;
    struct socket_state *st = &s->by_fd[fd];
    if (st->wanted != 0)
        return 1;
    /* An idle connection the server closed, or a stray byte: nobody is to read it here, and
     * left in the set it would wake every wait. curl finds out itself when it reuses it. */
    if (st->registered)
        take_out(epfd, fd, st);
    return 0;
}

int sockets_opened(struct sockets *s, curl_socket_t fd)
{
    struct socket_state *st = state_of(s, fd);
    if (st == NULL)
        return -1;
    /* A new socket: whatever the number held before was closed, and left the set with it. */
    st->wanted = st->registered = 0;
    st->connection = 1;
    return 0;
}

void sockets_closed(struct sockets *s, curl_socket_t fd)
{
    if (fd >= 0 && fd < s->cap)
        memset(&s->by_fd[fd], 0, sizeof s->by_fd[fd]);
}

void sockets_free(struct sockets *s)
{
    free(s->by_fd);
    s->by_fd = NULL;
    s->cap = 0;
}
