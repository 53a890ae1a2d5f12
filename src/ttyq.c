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
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl.h"

static void	flush_now(void *);

static ssize_t
cookie_write(void *arg, const char *p, size_t n)
{
	struct ttyq	*q = arg;

	if (buf_append(&q->b, p, n) == 0)
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
	return 0;
}

/* Bytes after whatever readline has written so far. */
void
ttyq_put(struct ttyq *q, const char *p, size_t n)
{
	fflush(q->fp);
	if (buf_append(&q->b, p, n) == 0)
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
	if (q->fd == -1)
		return;
	fclose(q->fp);
	ev_del(q->ev, q->fd);
	if (q->flush.pending)
		ev_undefer(q->ev, &q->flush);
	close(q->fd);
	buf_free(&q->b);
	q->fd = -1;
	q->fp = NULL;
}
