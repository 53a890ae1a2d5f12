/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Handshakes before a session: a socket whose conn_io must finish a
 * dialogue (TLS, a proxy's tunnel) before its data may flow.  Each
 * runs non-blocking in the event loop with a deadline of its own, so a
 * silent or slow peer delays no one; when it is done the socket and its
 * layer are handed to whoever asked (the listener, or the client before
 * its session), and only then does the session know of it.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"

static void
hs_finish(struct hs *h, int ok, const char *why)
{
	ev_timer_stop(h->ev, &h->timer);
	ev_del(h->ev, h->io.fd);
	h->events = 0;
	h->done(h, ok, why);
	/* Handed over when it went well; else it is ours to close. */
	if (!ok)
		h->io.ops->close(&h->io);
	free(h);
}

static void	hs_event(int, int, void *);

static void
hs_step(struct hs *h)
{
	int	events;

	if (h->io.ops->handshake(&h->io) == 0) {
		hs_finish(h, 1, NULL);
		return;
	}
	if (errno != EAGAIN) {
		hs_finish(h, 0, conn_io_strerror(&h->io, errno));
		return;
	}
	events = conn_io_events(&h->io, EV_READ);
	if (events != h->events) {
		h->events = events;
		ev_set(h->ev, h->io.fd, events, hs_event, h);
	}
}


static void
hs_event(int fd, int events, void *arg)
{
	(void)fd;
	(void)events;
	hs_step(arg);
}

static void
on_hs_timer(void *arg)
{
	struct hs	*h = arg;
	char		 why[64];

	snprintf(why, sizeof(why), "handshake not done after %ld.%03ld s",
	    h->limit_ms / 1000, h->limit_ms % 1000);
	hs_finish(h, 0, why);
}

/*
 * Starts io's handshake, to be over within limit_ms; done() is called
 * once, with ok 1 (the io is then the caller's) or 0 and the reason
 * (the io is closed after).  NULL when out of memory.
 */
struct hs *
hs_start(struct ev *ev, const struct conn_io *io, long limit_ms,
    hs_done_fn *done, void *arg)
{
	struct hs	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->ev = ev;
	h->io = *io;
	h->limit_ms = limit_ms;
	h->done = done;
	h->arg = arg;
	ev_timer_init(&h->timer, on_hs_timer, h);
	ev_timer_start(ev, &h->timer, limit_ms);
	/*
	 * The first step runs from the loop, never from here: done() may
	 * free what the caller is still setting up.  Either side may have
	 * the first word, so either readiness starts it.
	 */
	h->events = EV_READ | EV_WRITE;
	ev_set(ev, h->io.fd, h->events, hs_event, h);
	return h;
}

/* Gives up a handshake (the run ends): its socket is closed. */
void
hs_abort(struct hs *h)
{
	ev_timer_stop(h->ev, &h->timer);
	ev_del(h->ev, h->io.fd);
	h->io.ops->close(&h->io);
	free(h);
}

/* Gives up a handshake on a socket that stays its owner's (/starttls on
 * a conn that is closing): the layer goes, the socket stays open. */
void
hs_release(struct hs *h)
{
	ev_timer_stop(h->ev, &h->timer);
	ev_del(h->ev, h->io.fd);
	h->io.fd = -1;
	h->io.ops->close(&h->io);
	free(h);
}

/* What hs_run()'s handshake came to. */
struct hs_wait {
	int		 finished;
	int		 ok;
	struct conn_io	 io;
	char		*why;
	size_t		 whylen;
};

static void
hs_wait_done(struct hs *h, int ok, const char *why)
{
	struct hs_wait	*w = h->arg;

	w->finished = 1;
	w->ok = ok;
	if (ok)
		w->io = h->io;
	else
		snprintf(w->why, w->whylen, "%s", why);
}

/*
 * For a client, before its session: runs io's handshake to its end in
 * ev, within limit_ms.  Returns 0 with *io the finished layer; -1 with
 * the reason in why (io is closed); 128+N when a signal ended it.
 */
int
hs_run(struct ev *ev, struct conn_io *io, long limit_ms, char *why,
    size_t whylen)
{
	struct hs_wait	 w;
	struct hs	*h;

	memset(&w, 0, sizeof(w));
	w.why = why;
	w.whylen = whylen;
	if ((h = hs_start(ev, io, limit_ms, hs_wait_done, &w)) == NULL) {
		io->ops->close(io);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	while (!w.finished) {
		if ((ev_run_once(ev) == -1 && errno != EINTR) ||
		    sig_caught != 0) {
			if (!w.finished)
				hs_abort(h);
			if (sig_caught != 0)
				return 128 + sig_caught;
			snprintf(why, whylen, "poll: %s", strerror(errno));
			return -1;
		}
	}
	if (!w.ok)
		return -1;
	*io = w.io;
	return 0;
}
