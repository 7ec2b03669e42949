/* Which sockets the engine's epoll set holds and what for, mirroring curl's interest
 * (CURLMOPT_SOCKETFUNCTION), with as few epoll_ctl calls as can be: a connection's socket stays
 * registered when curl stops watching it between two requests, so the next request on that
 * kept-alive connection usually costs none (it cost DEL + ADD, bench/README.md, issue 14).
 * Should it fire meanwhile (the server closing an idle connection), it is taken out then.
 * That needs to know when curl closes a socket, or a reused descriptor number would be taken
 * for still registered: connection sockets are opened and closed through our callbacks
 * (transfer.c), which report here; any other socket curl watches (its resolver's socketpair)
 * is taken out as soon as curl stops watching it, as before. */
#ifndef GWS_SOCKETS_H
#define GWS_SOCKETS_H

#include <curl/curl.h>

struct socket_state {
    unsigned char wanted;     /* curl's interest: CURL_POLL_IN, _OUT or _INOUT; 0: none */
    unsigned char registered; /* the interest the epoll set holds for it; 0: not in the set */
    unsigned char connection; /* opened through our callback: its close is reported here */
};

struct sockets {
    struct socket_state *by_fd; /* grown as sockets come */
    int cap;
};

/* curl's new interest in fd (CURL_POLL_REMOVE included): 0, or -1 when epoll refused it or
 * memory ran out (curl then fails the transfers on that socket). */
int sockets_want(struct sockets *s, int epfd, curl_socket_t fd, int what);

/* An event epoll reported on fd: 1 when curl is to be told, 0 when curl no longer watches fd
 * (it is taken out of the set now). */
int sockets_event(struct sockets *s, int epfd, int fd);

/* A connection socket curl opened (our CURLOPT_OPENSOCKETFUNCTION) or is closing
 * (CURLOPT_CLOSESOCKETFUNCTION; the kernel takes a closed socket out of every epoll set).
 * sockets_opened returns -1 when memory ran out (the socket is then treated as any other). */
int sockets_opened(struct sockets *s, curl_socket_t fd);
void sockets_closed(struct sockets *s, curl_socket_t fd);

void sockets_free(struct sockets *s);

#endif
