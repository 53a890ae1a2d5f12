/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The two directions of a --proxy-server tunnel: bytes from one socket
 * to the other through splice(2) and a pipe per direction, made only
 * when bytes first flow (an idle tunnel costs two sockets and a few
 * hundred bytes) and grown for bulk; where splice cannot, a buffer read
 * only when empty, so a slow reader holds back a fast writer either
 * way.  An end of stream is passed on as a half-close, in each
 * direction alone.
 */

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

#define PIPE_CAP	(64 * 1024)
/* A bulk tunnel's pipe is grown to this: fewer, larger splices. */
#define PIPE_BULK	(1024 * 1024)

void
relay_dir_init(struct relay_dir *d)
{
	memset(d, 0, sizeof(*d));
	d->pipe[0] = d->pipe[1] = -1;
}

void
relay_dir_free(struct relay_dir *d)
{
	if (d->pipe[0] != -1) {
		close(d->pipe[0]);
		close(d->pipe[1]);
	}
	free(d->buf);
	relay_dir_init(d);
}

/*
 * Moves what it can from one socket to the other.  Returns -1 when the
 * tunnel broke (why set), else 0; *want gets the events it waits for:
 * bit 0 the sender readable, bit 1 the receiver writable.
 */
int
relay_pass(struct relay_dir *d, int from, int to, int *want, const char **why)
{
	ssize_t	n;

	*want = 0;
	for (;;) {
		if (d->inpipe > 0 || d->len > 0) {
			if (d->nosplice)
				n = send(to, d->buf + d->off, d->len,
				    MSG_NOSIGNAL);
			else
				n = splice(d->pipe[0], NULL, to, NULL,
				    d->inpipe, SPLICE_F_MOVE |
				    SPLICE_F_NONBLOCK);
			if (n == -1 && errno == EAGAIN) {
				*want |= 2;
				if (d->nosplice || d->inpipe >= d->cap)
					return 0;
			} else if (n == -1) {
				*why = strerror(errno);
				return -1;
			} else {
				d->bytes += (unsigned long long)n;
				if (d->nosplice) {
					d->off += (size_t)n;
					d->len -= (size_t)n;
				} else
					d->inpipe -= (size_t)n;
				continue;
			}
		}
		if (d->eof) {
			if (d->inpipe == 0 && d->len == 0 && !d->done) {
				d->done = 1;
				shutdown(to, SHUT_WR);
			}
			return 0;
		}
		if (!d->nosplice && d->pipe[0] == -1) {
			if (pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
				d->pipe[0] = d->pipe[1] = -1;
				d->nosplice = 1;
			} else {
				/* Pages are taken only as bytes fill it. */
				n = fcntl(d->pipe[1], F_SETPIPE_SZ, PIPE_BULK);
				d->cap = n > 0 ? (size_t)n : PIPE_CAP;
			}
		}
		if (d->nosplice) {
			if (d->buf == NULL && (d->buf = malloc(BUF_CHUNK)) ==
			    NULL) {
				*why = "out of memory";
				return -1;
			}
			d->off = 0;
			n = read(from, d->buf, BUF_CHUNK);
			if (n > 0)
				d->len = (size_t)n;
		} else {
			n = splice(from, NULL, d->pipe[1], NULL,
			    d->cap - d->inpipe, SPLICE_F_MOVE |
			    SPLICE_F_NONBLOCK);
			if (n == -1 && errno == EINVAL && d->inpipe == 0) {
				/* Not spliceable here: buffered from now. */
				close(d->pipe[0]);
				close(d->pipe[1]);
				d->pipe[0] = d->pipe[1] = -1;
				d->nosplice = 1;
				continue;
			}
			if (n > 0)
				d->inpipe += (size_t)n;
		}
		if (n == 0)
			d->eof = 1;
		else if (n == -1 && errno == EAGAIN) {
			*want |= 1;
			return 0;
		} else if (n == -1) {
			*why = strerror(errno);
			return -1;
		}
	}
}

