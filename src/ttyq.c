/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the prompt writes to the terminal, queued and written without
 * blocking (design item 17).
 *
 * A terminal may stop taking output for as long as it likes: Ctrl-S, a
 * tmux pane nobody looks at, a slow serial line.  A blocking write
 * there would hold the whole loop, and with it the signals that only
 * get through in the loop's wait.  So the terminal is opened again
 * (an open file description of our own: the shell's stays blocking),
 * everything for it, readline's drawing included, goes through one
 * queue in the order it was written, and the queue is written at the
 * end of each round as far as the terminal takes it.  Readline writes
 * through a stdio stream (fopencookie) that feeds the same queue.  The
 * caller reads from it no more than the queue has room for, so memory
 * stays bounded and a stopped terminal pauses the peer, not us.
 *
 * Line ends.  A terminal set the usual way (OPOST|ONLCR and nothing
 * else) has the kernel turn each LF into CR LF, a line at a time: for a
 * flood of short lines that is most of the work of drawing them (issue
 * 16 item 9: a third of a second of system time for 50 MB).  So a queue
 * on such a terminal makes the CR itself, in bulk, as it copies the
 * bytes in, and the prompt turns the kernel's output processing off
 * while it has the terminal (ttyq_raw_ok()).  What reaches the screen
 * is the same: a CR already there is not doubled, which the kernel
 * would do, to no effect.  Bytes queued before the switch, or written
 * after the settings are back, carry their CR already, so the order of
 * switching and writing never matters.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "repl.h"

static void	flush_now(void *);

/* Queues p, with a CR before each LF that has none if we make them. */
static int
put(struct ttyq *q, const char *p, size_t n)
{
	const char	*nl;
	size_t		 k;

	if (!q->onlcr || n == 0)
		return buf_append(&q->b, p, n);
	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl == NULL ? n : (size_t)(nl - p);
		if (k > 0) {
			if (buf_append(&q->b, p, k) == -1)
				return -1;
			q->after_cr = p[k - 1] == '\r';
		}
		if (nl == NULL)
			break;
		if (buf_append(&q->b, &"\r\n"[q->after_cr],
		    2 - (size_t)q->after_cr) == -1)
			return -1;
		q->after_cr = 0;
		p += k + 1;
		n -= k + 1;
	}
	return 0;
}

static ssize_t
cookie_write(void *arg, const char *p, size_t n)
{
	struct ttyq	*q = arg;

	if (put(q, p, n) == 0)
		ev_defer(q->ev, &q->flush);
	return (ssize_t)n;	/* lost only when out of memory */
}

/* Takes fd, a non-blocking terminal; drained(arg) runs once it has
 * taken everything queued. */
int
ttyq_open(struct ttyq *q, int fd, struct ev *ev, void (*drained)(void *),
    void *arg)
{
	static const cookie_io_functions_t	io = { .write = cookie_write };
	struct termios				t;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->ev = ev;
	q->drained = drained;
	q->arg = arg;
	q->flush.cb = flush_now;
	q->flush.arg = q;
	if ((q->fp = fopencookie(q, "w", io)) == NULL) {
		q->fd = -1;
		return -1;
	}
	q->onlcr = tcgetattr(fd, &t) == 0 && t.c_oflag == (OPOST | ONLCR);
	return 0;
}

/*
 * The prompt takes the terminal fd is on, whose settings are t (at its
 * start, and again after each suspend: they may have been
 * changed meanwhile).  True if its output processing may be turned
 * off: it is q's terminal, set the usual way, and q makes the CRs the
 * kernel would.  Set any other way, q makes none.
 */
int
ttyq_raw_ok(struct ttyq *q, int fd, const struct termios *t)
{
	dev_t	d;

	if (q->fd == -1 || !isatty(fd) || (d = term_device(fd)) == 0 ||
	    d != term_device(q->fd))
		return 0;
	q->onlcr = t->c_oflag == (OPOST | ONLCR);
	return q->onlcr;
}

/* Bytes after whatever readline has written so far. */
void
ttyq_put(struct ttyq *q, const char *p, size_t n)
{
	fflush(q->fp);
	if (put(q, p, n) == 0)
		ev_defer(q->ev, &q->flush);
}

/* Bytes the terminal has not taken yet. */
size_t
ttyq_pending(struct ttyq *q)
{
	return buf_used(&q->b);
}

/* Writes what the terminal takes now; 0, or -1 when it is gone. */
static int
write_some(struct ttyq *q)
{
	ssize_t	w;

	fflush(q->fp);
	while (buf_used(&q->b) > 0) {
		w = write(q->fd, buf_head(&q->b), buf_used(&q->b));
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno == EAGAIN)
			return 0;
		if (w == -1) {
			/* A vanished terminal: nothing to show it on. */
			buf_free(&q->b);
			return -1;
		}
		/*
		 * A short write: the terminal is full.  Asking again would
		 * only be told so (EAGAIN); its poll says when it has room.
		 */
		if (w > 0)
			q->at_bol = buf_head(&q->b)[w - 1] == '\n';
		if ((size_t)w < buf_used(&q->b)) {
			buf_consume_keep(&q->b, (size_t)w);
			return 0;
		}
		buf_consume_keep(&q->b, (size_t)w);
	}
	return 0;
}

static void
on_writable(int fd, int events, void *arg)
{
	(void)fd;
	(void)events;
	flush_now(arg);
}

static void
flush_now(void *arg)
{
	struct ttyq	*q = arg;

	write_some(q);
	ev_set(q->ev, q->fd, buf_used(&q->b) > 0 ? EV_WRITE : 0,
	    on_writable, q);
	if (buf_used(&q->b) == 0 && q->drained != NULL)
		q->drained(q->arg);
}

/*
 * Waits until the terminal took everything (the session is over, or
 * the job stops): in ppoll, where our signals get through, so that a
 * SIGTERM still ends a wait on a stopped terminal.  After a signal
 * nothing more is waited for.
 */
void
ttyq_drain(struct ttyq *q)
{
	struct pollfd	pfd;

	if (q->fd == -1)
		return;
	while (write_some(q) == 0 && buf_used(&q->b) > 0 && !sig_caught) {
		pfd.fd = q->fd;
		pfd.events = POLLOUT;
		if (ppoll(&pfd, 1, NULL, signals_waitmask()) == -1 &&
		    errno != EINTR)
			break;
	}
	ev_set(q->ev, q->fd, 0, on_writable, q);
}

void
ttyq_close(struct ttyq *q)
{
	ssize_t	w;

	if (q->fd == -1)
		return;
	/*
	 * Ended by a signal, or told to go with output not taken, and the
	 * cursor is not at the start of a row (a flood cut in the middle of
	 * a line, or the prompt still there): whatever the shell writes
	 * next starts a row of its own.  If the terminal has no room even
	 * for that, what it holds and has not shown goes (it was to be
	 * dropped with the rest): not when we are in the background, where
	 * tcflush() would stop us.
	 */
	if ((buf_used(&q->b) > 0 || sig_caught != 0) && !q->at_bol &&
	    write(q->fd, "\r\n", 2) == -1 && errno == EAGAIN &&
	    tcgetpgrp(q->fd) == getpgrp() && tcflush(q->fd, TCOFLUSH) == 0) {
		w = write(q->fd, "\r\n", 2);
		(void)w;
	}
	fclose(q->fp);
	ev_del(q->ev, q->fd);
	if (q->flush.pending)
		ev_undefer(q->ev, &q->flush);
	close(q->fd);
	buf_free(&q->b);
	q->fd = -1;
	q->fp = NULL;
}
