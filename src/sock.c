/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Small socket helpers in the manner of redis's anet.c: one generic
 * routine per job, no knowledge of options or modes.  Each returns -1
 * with errno kept, and the caller decides what to say.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "sockline.h"

int
sock_nonblock(int fd)
{
	int	fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	if (fl & O_NONBLOCK)
		return 0;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* A non-blocking, close-on-exec socket. */
int
sock_open(int family, int socktype, int protocol)
{
	return socket(family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    protocol);
}

/*
 * Connects a non-blocking socket, waiting at most timeout_ms (-1:
 * forever).  The wait lets SIGINT and friends through (errno EINTR), so
 * a user can always give up on a slow connect.
 */
int
sock_connect(int fd, const struct sockaddr *sa, socklen_t salen,
    long timeout_ms)
{
	struct pollfd	 pfd;
	struct timespec	 ts, *tsp = NULL;
	socklen_t	 len = sizeof(int);
	int		 e, r;

	if (connect(fd, sa, salen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	r = ppoll(&pfd, 1, tsp, signals_waitmask());
	if (r == -1)
		return -1;
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return -1;
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * Binds and listens.  For IPv6, v6only decides whether IPv4 peers are
 * accepted too (as v4-mapped addresses).
 */
int
sock_listen(const struct addrinfo *ai, int backlog, int v6only)
{
	int	fd, on = 1, e;

	if ((fd = sock_open(ai->ai_family, ai->ai_socktype,
	    ai->ai_protocol)) == -1)
		return -1;
	/* A restart right after a client left must not hit TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto error;
	if (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &v6only, sizeof(v6only)) == -1)
		goto error;
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1)
		goto error;
	if (ai->ai_socktype == SOCK_STREAM && listen(fd, backlog) == -1)
		goto error;
	return fd;
error:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int
sock_accept(int fd, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof(*ss);
	return accept4(fd, (struct sockaddr *)ss, len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/* The port the kernel picked for a socket bound to port 0. */
uint16_t
sock_local_port(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	char			 host[ADDR_STRLEN];
	uint16_t		 port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	addr_format((struct sockaddr *)&ss, host, sizeof(host), &port);
	return port;
}
