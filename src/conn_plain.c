/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Plain stream sockets behind the conn_io seam: the bytes cross the
 * socket as they are.  Every call is one system call that never blocks.
 */

#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

static int
plain_handshake(struct conn_io *io)
{
	(void)io;
	return 0;
}

static ssize_t
plain_read(struct conn_io *io, void *p, size_t n)
{
	return read(io->fd, p, n);
}

static ssize_t
plain_write(struct conn_io *io, const void *p, size_t n)
{
	return send(io->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* A socket no longer connected at all was reset. */
static int
plain_shutdown(struct conn_io *io)
{
	if (shutdown(io->fd, SHUT_WR) == -1 && errno == ENOTCONN) {
		errno = ECONNRESET;
		return -1;
	}
	return 0;
}

static int
plain_pending(const struct conn_io *io)
{
	(void)io;
	return 0;
}

static int
plain_zcopy(const struct conn_io *io, int dir)
{
	(void)io;
	(void)dir;
	return 1;
}

static const char *
plain_why(const struct conn_io *io, int e)
{
	(void)io;
	return conn_io_reason(NULL, e);
}

static const struct conn_io_ops plain_ops = {
	.name = "plain",
	.handshake = plain_handshake,
	.read = plain_read,
	.write = plain_write,
	.shutdown = plain_shutdown,
	.pending = plain_pending,
	.zcopy = plain_zcopy,
	.why = plain_why,
	.close = conn_io_close_fd,
};

void
conn_io_plain(struct conn_io *io, int fd)
{
	memset(io, 0, sizeof(*io));
	io->ops = &plain_ops;
	io->fd = fd;
}
