/*
 * Stream connections (TCP, unix stream): reading, writing, half-close.
 */

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

static char	scratch[BUF_CHUNK];

/*
 * Why a write to c failed.  sendfile(2) and splice(2) say EPIPE where
 * send(2) says the peer reset the connection; since we had not shut our
 * side down, a reset is what it was.
 */
int
stream_write_errno(const struct conn *c, int e)
{
	return e == EPIPE && !c->wr_shut ? ECONNRESET : e;
}

/*
 * Queues bytes for c, sending at once whatever the socket takes when
 * nothing is waiting ahead of them: no buffer, no extra round of the
 * loop, no memory for the common case of a socket that keeps up.
 * Returns -1 only when out of memory.  A failed send is reported as
 * usual, and may close c (with -k): callers look at c->dead.
 */
int
stream_queue(struct session *s, struct conn *c, const char *p, size_t n)
{
	ssize_t	w = 0;

	if (buf_used(&c->out) == 0 && n > 0 && !c->wr_shut && !s->done) {
		w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w == -1) {
			if (errno != EAGAIN && errno != EINTR) {
				session_conn_fail(s, c,
				    stream_write_errno(c, errno));
				return 0;
			}
			w = 0;
		} else if (w > 0) {
			c->sent[0] += (size_t)w;
			c->progress_ms = now_ms();
			session_traffic(s);
		}
	}
	if ((size_t)w < n) {
		if (buf_append(&c->out, p + w, n - (size_t)w) == -1)
			return -1;
		conn_queued(s, c);
	}
	return 0;
}

/*
 * A peer that closed (not half-closed) answers what we sent after that
 * with a reset, which may show only as an error pending on the socket.
 * Those bytes were lost, so this is a reset, not a clean end (design
 * item 3).  Returns 1 after failing c when there is such an error.
 */
int
stream_pending_error(struct session *s, struct conn *c)
{
	int		e = 0;
	socklen_t	len = sizeof(e);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1 || e == 0)
		return 0;
	session_conn_fail(s, c, stream_write_errno(c, e));
	return 1;
}

/* Half-closes c once everything the user sent has left. */
void
stream_maybe_shutdown(struct session *s, struct conn *c)
{
	if (c->wr_shut || buf_used(&c->out) > 0)
		return;
	/* A reset may also show as a socket no longer connected at all. */
	if (stream_pending_error(s, c))
		return;
	if (!s->cfg->no_shutdown && !s->cfg->recv_only &&
	    shutdown(c->fd, SHUT_WR) == -1 && errno == ENOTCONN) {
		session_conn_fail(s, c, ECONNRESET);
		return;
	}
	c->wr_shut = 1;
	s->nstreams--;
}

static void
stream_write(struct session *s, struct conn *c)
{
	ssize_t	n;

	/* Zero-copy input waited for room in the socket: there is some. */
	if (c->zc_wait && buf_used(&c->out) == 0) {
		c->zc_wait = 0;
		session_update_input(s);
		return;
	}

	n = send(c->fd, buf_head(&c->out), buf_used(&c->out), MSG_NOSIGNAL);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			session_conn_fail(s, c, stream_write_errno(c, errno));
		return;
	}
	buf_consume(&c->out, (size_t)n);
	c->sent[0] += (size_t)n;
	c->progress_ms = now_ms();
	session_traffic(s);
	session_update_input(s);
}

/* True if the pipe fd writes to has no reader left. */
static int
reader_gone(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLOUT };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR) != 0;
}

/*
 * Received bytes straight to the user's output pipe, when allowed.
 * Returns 0 when done so, -1 when the bytes must be read instead.
 */
static int
stream_splice_out(struct session *s, struct conn *c)
{
	const struct front_ops	*ops = s->front->ops;
	ssize_t			 n;
	int			 fd;

	if (s->done)
		return 0;
	if (ops->out_fd == NULL || s->cfg->send_only ||
	    session_zcopy_conn(s) != c || (fd = ops->out_fd(s->front)) == -1)
		return -1;
	if ((n = zcopy_out(c->fd, fd)) > 0) {
		c->rcvd[1] += (size_t)n;
		session_traffic(s);
		return 0;
	}
	if (n == 0) {
		session_conn_eof(s, c);
		return 0;
	}
	switch (errno) {
	case EAGAIN:
		/* The output pipe is full (or the socket had nothing). */
		ops->out_wait(s->front);
		return 0;
	case EINTR:
		return 0;
	case EINVAL:
	case ENOSYS:
		s->zc_off = 1;
		return -1;
	case EPIPE:
		/*
		 * Either end may say EPIPE: the output pipe lost its reader,
		 * or the socket was reset after the peer's end of stream.
		 */
		if (reader_gone(fd)) {
			session_fail(s, "write to stdout failed: %s",
			    strerror(EPIPE));
			return 0;
		}
		session_conn_fail(s, c, ECONNRESET);
		return 0;
	}
	session_conn_fail(s, c, errno);
	return 0;
}

static void
stream_read(struct session *s, struct conn *c)
{
	size_t	room = s->front->ops->room(s->front);
	ssize_t	n;

	if (room > 0 && stream_splice_out(s, c) == 0)
		return;
	if (room > sizeof(scratch))
		room = sizeof(scratch);
	if (room == 0)
		return;
	n = read(c->fd, scratch, room);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			session_conn_fail(s, c, errno);
		return;
	}
	if (n == 0) {
		session_conn_eof(s, c);
		return;
	}
	c->rcvd[0] += (size_t)n;
	session_received(s, c, NULL, scratch, (size_t)n, 0);
}

void
stream_event(int fd, int events, void *arg)
{
	struct conn	*c = arg;
	struct session	*s = c->session;

	(void)fd;
	if ((events & EV_WRITE) && !s->done)
		stream_write(s, c);
	if ((events & EV_READ) && !s->done && !c->dead)
		stream_read(s, c);
	stream_after(s, c);
}

/*
 * After anything happened on c: closes it if its conversation is over
 * (-k, responders), else refreshes what to wait for.  c may be freed.
 */
void
stream_after(struct session *s, struct conn *c)
{
	if (c->dead) {
		session_check_done(s);
		return;
	}
	conn_update(s, c);
	respond_update(c);
	session_settle(s, c);
	session_check_done(s);
}

/* "5 bytes by splice", or "9 bytes (4 by splice, 5 by read/write)". */
static void
amount(char *out, size_t len, const uint64_t n[2], const char *zc)
{
	uint64_t	total = n[0] + n[1];

	if (n[0] > 0 && n[1] > 0)
		snprintf(out, len, "%llu bytes (%llu by %s, %llu by read/write)",
		    (unsigned long long)total, (unsigned long long)n[1], zc,
		    (unsigned long long)n[0]);
	else if (total > 0)
		snprintf(out, len, "%llu bytes by %s", (unsigned long long)total,
		    n[1] > 0 ? zc : "read/write");
	else
		snprintf(out, len, "0 bytes");
}

/*
 * -vv: what went through a stream connection, each way, and by which
 * path, as it closes; the answer to "why is this slow" and "did
 * everything get through" without strace.
 */
void
stream_report(const struct session *s, const struct conn *c)
{
	char	name[PEER_HOSTLEN + 32], sent[96], rcvd[96];

	if (s->cfg->verbose < 2)
		return;
	amount(sent, sizeof(sent), c->sent,
	    c->zc_in_kind == ZC_FILE ? "sendfile" : "splice");
	amount(rcvd, sizeof(rcvd), c->rcvd, "splice");
	msg_verbose(s->cfg, 2, "Connection with %s closed: sent %s, "
	    "received %s", peer_name(&c->peer, name, sizeof(name)), sent, rcvd);
}
