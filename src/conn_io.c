/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What every conn_io layer shares: turning the session's wishes into
 * poll interest and back, and the looks at the socket under any layer
 * that the end of a stream needs (design items 1 and 3).
 */

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

/*
 * The socket events to wait for, given what the session wants to do
 * (EV_READ: read, EV_WRITE: write): a layer whose last read or write
 * waits for something else says so in rd_wait / wr_wait.
 */
int
conn_io_events(const struct conn_io *io, int want)
{
	int	events = 0;

	if (want & EV_READ)
		events |= io->rd_wait != 0 ? io->rd_wait : EV_READ;
	if (want & EV_WRITE)
		events |= io->wr_wait != 0 ? io->wr_wait : EV_WRITE;
	return events;
}

/* The reverse: which of the wanted operations the socket events allow. */
int
conn_io_ready(const struct conn_io *io, int want, int events)
{
	int	ready = 0;

	if ((want & EV_READ) &&
	    (events & (io->rd_wait != 0 ? io->rd_wait : EV_READ)))
		ready |= EV_READ;
	if ((want & EV_WRITE) &&
	    (events & (io->wr_wait != 0 ? io->wr_wait : EV_WRITE)))
		ready |= EV_WRITE;
	return ready;
}

/* An error the socket holds (a reset after the peer's end), or 0. */
int
conn_io_pending_error(const struct conn_io *io)
{
	int		e = 0;
	socklen_t	len = sizeof(e);

	if (io->reset_ok)
		return 0;
	if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return 0;
	return e;
}

/*
 * Whether TCP still holds bytes sent and not acknowledged: 1 yes, 0 no
 * (or not TCP), -1 the connection is closed with some unacknowledged,
 * which only an error pending on it can explain.
 */
int
conn_io_unacked(const struct conn_io *io)
{
	struct tcp_info	ti;
	socklen_t	len = sizeof(ti);
	int		q;

	if (io->reset_ok)
		return 0;
	if (ioctl(io->fd, SIOCOUTQ, &q) == -1 || q == 0)
		return 0;
	if (getsockopt(io->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    ti.tcpi_state == TCP_CLOSE)
		return -1;
	return 1;
}

/* A failure in words: the layer's own reason, or errno's. */
const char *
conn_io_strerror(const struct conn_io *io, int e)
{
	return io->ops->why(io, e);
}

/*
 * A layer's why(): EPROTO is the layer's own failure, told in reason
 * (NULL or empty: it has none); any other errno is the socket's.
 */
const char *
conn_io_reason(const char *reason, int e)
{
	if (e == EPROTO && reason != NULL && reason[0] != '\0')
		return reason;
	return strerror(e);
}

/*
 * The end of every layer's close(): the socket, unless a layer under
 * this one owned it and has closed it already (fd -1).
 */
void
conn_io_close_fd(struct conn_io *io)
{
	if (io->fd != -1)
		close(io->fd);
	io->fd = -1;
}
