/* What the daemon needs before it starts: the listening socket and the TLS files. */
#ifndef GWS_SIM_HTTP_LISTEN_H
#define GWS_SIM_HTTP_LISTEN_H

/*
 * Binds `host`:`port` (0 = any free port) and listens; sets *bound_port. Our own socket
 * rather than MHD's so the port is known before the daemon (and the store) start.
 * Returns the fd, or -1 after reporting on stderr.
 */
int http_listen(const char *host, int port, int *bound_port);

/* A whole file (e.g. a PEM) as a NUL-terminated string, or NULL after reporting. */
char *http_read_file(const char *path);

#endif
