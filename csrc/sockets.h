/* Which sockets the engine's epoll set holds and what for, mirroring curl's interest
 * (CURLMOPT_SOCKETFUNCTION). Registrations are one-shot: a socket that fired stays in the set
 * but silent, so an idle kept-alive connection closed by the server wakes nobody, and the
 * next request on that connection re-arms it with one epoll_ctl (MOD) instead of a DEL when
 * its answer is read and an ADD for the next request (bench/README.md, issue 14). */
#ifndef GWS_SOCKETS_H
#define GWS_SOCKETS_H

#include <curl/curl.h>

struct socket_state {
    unsigned char wanted; /* curl's interest: CURL_POLL_IN, _OUT or _INOUT; 0: none */
    unsigned char in_set; /* registered in the epoll set (armed or not), as far as we know */
    unsigned char armed;  /* registered and not fired since */
};

struct sockets {
    struct socket_state *by_fd; /* grown as sockets come */
    int cap;
};

/* curl's new interest in fd (CURL_POLL_REMOVE included): 0, or -1 when epoll refused it or
 * memory ran out (curl then fails the transfers on that socket). */
int sockets_want(struct sockets *s, int epfd, curl_socket_t fd, int what);

/* Around curl_multi_socket_action for an event epoll reported on fd: before, it is marked
 * fired (one-shot); after, re-armed if curl still wants it (curl calls back only on a
 * change of interest). */
void sockets_fired(struct sockets *s, int fd);
void sockets_rearm(struct sockets *s, int epfd, int fd);

void sockets_free(struct sockets *s);

#endif
