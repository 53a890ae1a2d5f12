/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Stream connections (TCP, unix stream): reading, writing, half-close,
 * all through the conn's I/O layer (conn_io.h), so the same code serves
 * a plain socket and TLS.
 */

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

/*
 * After the peer's end of stream, how long the end waits for TCP to say
 * that what was sent since arrived (or was refused), and how often it
 * looks.
 */
#define STREAM_ACK_WAIT_MS	1000
#define STREAM_ACK_POLL_MS	5

static char	scratch[BULK_CHUNK];

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

	if (buf_used(&c->out) == 0 && n > 0 && !c->wr_shut && !s->done &&
	    c->hs == NULL) {
		w = c->io.ops->write(&c->io, p, n);
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
	int	e;

	if ((e = conn_io_pending_error(&c->io)) == 0)
		return 0;
	session_conn_fail(s, c, stream_write_errno(c, e));
	return 1;
}

/*
 * Half-closes c once everything the user sent has left.  The layer may
 * need more rounds for it (TLS's close_notify into a full socket): until
 * then c waits to be writable, and input counts it as still open.
 */
void
stream_maybe_shutdown(struct session *s, struct conn *c)
{
	if (c->wr_shut || buf_used(&c->out) > 0 || c->hs != NULL)
		return;
	/* A reset may also show as a socket no longer connected at all. */
	if (stream_pending_error(s, c))
		return;
	if (!s->cfg->no_shutdown && !s->cfg->recv_only &&
	    c->io.ops->shutdown(&c->io) == -1) {
		if (errno == EAGAIN) {
			c->wr_ending = 1;
			conn_update(s, c);
			return;
		}
		session_conn_fail(s, c, errno);
		return;
	}
	c->wr_ending = 0;
	c->wr_shut = 1;
	s->nstreams--;
}

/*
 * After the peer's end, before a clean exit: waits, up to the deadline,
 * until TCP holds nothing unacknowledged, then looks for the error that
 * a peer which closed (rather than half-closed) answers late data with.
 * Returns 1 when the session may end; 0 to wait, or when it failed.
 */
int
stream_all_acked(struct session *s)
{
	struct conn	*c;
	int		 u;

	TAILQ_FOREACH(c, &s->conns, entry) {
		if (c->kind != CONN_STREAM ||
		    (c->peer.addr.ss_family != AF_INET &&
		    c->peer.addr.ss_family != AF_INET6))
			continue;
		if (stream_pending_error(s, c))
			return 0;
		if ((u = conn_io_unacked(&c->io)) == 0)
			continue;
		/*
		 * A closed connection acknowledges nothing more: if a reset
		 * closed it a moment after the look above, it says so now.
		 */
		if (u == -1) {
			if (stream_pending_error(s, c))
				return 0;
			continue;
		}
		if (s->ack_deadline == 0)
			s->ack_deadline = now_ms() + STREAM_ACK_WAIT_MS;
		if (now_ms() < s->ack_deadline) {
			ev_timer_start(s->ev, &s->ack_timer,
			    STREAM_ACK_POLL_MS);
			return 0;
		}
	}
	return 1;
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
	if (buf_used(&c->out) == 0) {
		if (c->wr_ending)
			stream_maybe_shutdown(s, c);
		return;
	}
	n = c->io.ops->write(&c->io, buf_head(&c->out), buf_used(&c->out));
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
	    session_zcopy_conn(s) != c || !c->io.ops->zcopy(&c->io, IO_RECV) ||
	    (fd = ops->out_fd(s->front)) == -1)
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
	n = c->io.ops->read(&c->io, scratch, room);
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
	/* The socket's events, as the operations the layer can go on with. */
	events = conn_io_ready(&c->io, c->want, events);
	if ((events & EV_WRITE) && !s->done)
		stream_write(s, c);
	if ((events & EV_READ) && !s->done && !c->dead)
		stream_read(s, c);
	stream_after(s, c);
}

/* Bytes the layer already holds: read at the end of this round. */
static void
on_again(void *arg)
{
	struct conn	*c = arg;
	struct session	*s = c->session;

	if (c->dead || s->done || !(c->want & EV_READ) || c->hs != NULL)
		return;
	stream_read(s, c);
	stream_after(s, c);
}

/*
 * The socket events for what the session wants of c (EV_READ, EV_WRITE).
 * A read the layer can satisfy without the socket (TLS records already
 * in memory) would wait for a poll that never comes: it is run at the
 * end of the round instead.
 */
int
stream_events(struct session *s, struct conn *c, int want)
{
	if (c->wr_ending)
		want |= EV_WRITE;
	c->want = want;
	if ((want & EV_READ) && c->io.ops->pending(&c->io)) {
		c->again.cb = on_again;
		c->again.arg = c;
		ev_defer(s->ev, &c->again);
	}
	return conn_io_events(&c->io, want);
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
