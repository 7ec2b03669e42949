/* The epoll registrations of curl's sockets, one-shot (see sockets.h). Plain C. */
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

static int arm(int epfd, curl_socket_t fd, struct socket_state *st)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.data.fd = fd;
    ev.events = EPOLLONESHOT;
    if (st->wanted & CURL_POLL_IN)
        ev.events |= EPOLLIN;
    if (st->wanted & CURL_POLL_OUT)
        ev.events |= EPOLLOUT;
    /* A socket number reused after a close dropped the old registration is new to epoll even
     * if we had it in the set; one left registered (EEXIST) is changed instead. */
    int op = st->in_set ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(epfd, op, fd, &ev) != 0) {
        int retry = op == EPOLL_CTL_MOD ? (errno == ENOENT ? EPOLL_CTL_ADD : -1)
                                        : (errno == EEXIST ? EPOLL_CTL_MOD : -1);
        if (retry < 0 || epoll_ctl(epfd, retry, fd, &ev) != 0) {
            st->in_set = st->armed = 0;
            return -1;
        }
    }
    st->in_set = st->armed = 1;
    return 0;
}

int sockets_want(struct sockets *s, int epfd, curl_socket_t fd, int what)
{
    struct socket_state *st = state_of(s, fd);
    if (what == CURL_POLL_REMOVE) {
        if (st == NULL)
            return 0;
        st->wanted = 0;
        /* Only an armed one could still fire; a fired one stays, silent, and the kernel drops
         * it from the set when curl closes the socket. curl may have closed it already. */
        if (st->armed) {
            epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
            st->in_set = st->armed = 0;
        }
        return 0;
    }
    if (st == NULL)
        return -1;
    if (st->armed && st->wanted == what)
        return 0; /* a repeated interest: no system call */
    st->wanted = (unsigned char)what;
    return arm(epfd, fd, st);
}

void sockets_fired(struct sockets *s, int fd)
{
    if (fd >= 0 && fd < s->cap)
        s->by_fd[fd].armed = 0;
}

void sockets_rearm(struct sockets *s, int epfd, int fd)
{
    /* Should it fail, curl's timeout ends the transfer. */
    if (fd >= 0 && fd < s->cap && s->by_fd[fd].wanted != 0 && !s->by_fd[fd].armed)
        arm(epfd, fd, &s->by_fd[fd]);
}

void sockets_free(struct sockets *s)
{
    free(s->by_fd);
    s->by_fd = NULL;
    s->cap = 0;
}
