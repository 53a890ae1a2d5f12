/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The event loop: file descriptors with read/write interest, one-shot
 * timers, and a wait that is the only place our signals get through
 * (with signals_deliver() just after it, for a wait that returned
 * events with a signal pending).
 *
 * The backend is epoll(7), level-triggered, kept behind ev_set() and
 * ev_del() so that callers never see it.  Interest is given per fd and
 * passed to the kernel only when it really changes, so a busy loop costs
 * one epoll_pwait per round whatever the number of idle clients.  An fd
 * with no interest is not registered at all.
 *
 * Regular files and some devices (/dev/null as stdin) cannot be watched
 * by epoll; they are always ready, as poll(2) would say, so they are
 * kept aside and reported ready on every round.
 */

#include <sys/epoll.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sockline.h"

/* How many ready fds one wait reports at most. */
#define EV_BATCH	256

/* Unpollable fds are the user's stdin and stdout: a handful at most. */
#define EV_ALWAYS_MAX	8

enum slot_state {
	SLOT_NONE,		/* not known to the kernel */
	SLOT_EPOLL,		/* registered with epoll */
	SLOT_ALWAYS		/* cannot be polled: always ready */
};

struct ev_slot {
	ev_fd_cb	*cb;
	void		*arg;
	int		 events;
	enum slot_state	 state;
	uint32_t	 gen;		/* bumped when the fd changes owner */
	uint32_t	 kgen;		/* the generation epoll holds */
	int		 kevents;	/* the interest epoll holds */
};

struct ev {
	int			 epfd;
	struct ev_slot		*slots;		/* indexed by fd */
	size_t			 nslots;
	int			 always[EV_ALWAYS_MAX];
	int			 nalways;
	struct epoll_event	 ready[EV_BATCH];
	LIST_HEAD(, ev_timer)	 timers;
	TAILQ_HEAD(, ev_deferred) deferred;
};

struct ev *
ev_new(void)
{
	struct ev	*ev;

	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	if ((ev->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(ev);
		return NULL;
	}
	LIST_INIT(&ev->timers);
	TAILQ_INIT(&ev->deferred);
	return ev;
}

void
ev_free(struct ev *ev)
{
	if (ev == NULL)
		return;
	close(ev->epfd);
	free(ev->slots);
	free(ev);
}

static int
grow_slots(struct ev *ev, int fd)
{
	struct ev_slot	*ns;
	size_t		 n = ev->nslots ? ev->nslots : 64;

	while (n <= (size_t)fd)
		n *= 2;
	if ((ns = realloc(ev->slots, n * sizeof(*ns))) == NULL)
		return -1;
	memset(ns + ev->nslots, 0, (n - ev->nslots) * sizeof(*ns));
	ev->slots = ns;
	ev->nslots = n;
	return 0;
}

static uint32_t
to_epoll(int events)
{
	uint32_t	e = 0;

	if (events & EV_READ)
		e |= EPOLLIN;
	if (events & EV_WRITE)
		e |= EPOLLOUT;
	return e;
}

/*
 * Sets the interest for fd (EV_READ | EV_WRITE, or 0 to stop watching
 * it for now) and who to call.  Returns -1 only when out of resources.
 */
int
ev_set(struct ev *ev, int fd, int events, ev_fd_cb *cb, void *arg)
{
	struct epoll_event	 ee;
	struct ev_slot		*sl;
	int			 op;

	if ((size_t)fd >= ev->nslots && grow_slots(ev, fd) == -1)
		return -1;
	sl = &ev->slots[fd];
	if (sl->cb != cb || sl->arg != arg)
		sl->gen++;
	sl->cb = cb;
	sl->arg = arg;
	sl->events = events;
	if (sl->state == SLOT_ALWAYS)
		return 0;
	if (sl->state == SLOT_EPOLL && sl->kevents == events &&
	    sl->kgen == sl->gen)
		return 0;
	/*
	 * No interest: leave epoll altogether, since it reports a hangup
	 * or an error even to an fd that asked for nothing, over and over.
	 */
	if (events == 0) {
		if (sl->state == SLOT_EPOLL)
			epoll_ctl(ev->epfd, EPOLL_CTL_DEL, fd, NULL);
		sl->state = SLOT_NONE;
		return 0;
	}
	op = sl->state == SLOT_EPOLL ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	memset(&ee, 0, sizeof(ee));
	ee.events = to_epoll(events);
	ee.data.u64 = (uint64_t)sl->gen << 32 | (uint32_t)fd;
	if (epoll_ctl(ev->epfd, op, fd, &ee) == 0) {
		sl->state = SLOT_EPOLL;
		sl->kevents = events;
		sl->kgen = sl->gen;
		return 0;
	}
	if (errno == EPERM && ev->nalways < EV_ALWAYS_MAX) {
		sl->state = SLOT_ALWAYS;
		ev->always[ev->nalways++] = fd;
		return 0;
	}
	return -1;
}

/* Forgets fd entirely; call before closing it. */
void
ev_del(struct ev *ev, int fd)
{
	struct ev_slot	*sl;
	int		 i;

	if (fd < 0 || (size_t)fd >= ev->nslots)
		return;
	sl = &ev->slots[fd];
	if (sl->state == SLOT_EPOLL)
		epoll_ctl(ev->epfd, EPOLL_CTL_DEL, fd, NULL);
	else if (sl->state == SLOT_ALWAYS) {
		for (i = 0; i < ev->nalways; i++) {
			if (ev->always[i] == fd) {
				ev->always[i] = ev->always[--ev->nalways];
				break;
			}
		}
	}
	sl->state = SLOT_NONE;
	sl->cb = NULL;
	sl->arg = NULL;
	sl->events = 0;
	sl->gen++;
}

void
ev_timer_init(struct ev_timer *t, ev_timer_cb *cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

/* (Re)arms a timer to fire once, ms milliseconds from now. */
void
ev_timer_start(struct ev *ev, struct ev_timer *t, long ms)
{
	t->when = now_ms() + ms;
	if (!t->active) {
		LIST_INSERT_HEAD(&ev->timers, t, entry);
		t->active = 1;
	}
}

void
ev_timer_stop(struct ev *ev, struct ev_timer *t)
{
	(void)ev;
	if (t->active) {
		LIST_REMOVE(t, entry);
		t->active = 0;
	}
}

/* Milliseconds until the next timer, or -1 when none is armed. */
static int64_t
next_timeout(struct ev *ev, int64_t now)
{
	struct ev_timer	*t;
	int64_t		 best = -1;

	LIST_FOREACH(t, &ev->timers, entry) {
		if (best == -1 || t->when < best)
			best = t->when;
	}
	if (best == -1)
		return -1;
	return best > now ? best - now : 0;
}

static void
fire_timers(struct ev *ev)
{
	struct ev_timer	*t, *next;
	int64_t		 now;
	int		 again = 1;

	if (LIST_EMPTY(&ev->timers))
		return;
	now = now_ms();
	/* A callback may stop or start any timer, so rescan after each. */
	while (again) {
		again = 0;
		for (t = LIST_FIRST(&ev->timers); t != NULL; t = next) {
			next = LIST_NEXT(t, entry);
			if (t->when > now)
				continue;
			ev_timer_stop(ev, t);
			t->cb(t->arg);
			again = 1;
			break;
		}
	}
}

/* Calls fd's owner, unless the fd changed hands since it was reported. */
static void
dispatch(struct ev *ev, int fd, uint32_t gen, int events)
{
	struct ev_slot	*sl;

	if ((size_t)fd >= ev->nslots)
		return;
	sl = &ev->slots[fd];
	if (sl->cb == NULL || sl->gen != gen)
		return;
	events &= sl->events;
	/* An error or hangup on a write-only fd: let its writer find out. */
	if (events == 0)
		events = sl->events;
	if (events != 0)
		sl->cb(fd, events, sl->arg);
}

/* The fds epoll cannot watch are ready now, for whatever they want. */
static void
dispatch_always(struct ev *ev)
{
	int	i, fd;

	for (i = 0; i < ev->nalways; i++) {
		fd = ev->always[i];
		if (ev->slots[fd].events != 0)
			dispatch(ev, fd, ev->slots[fd].gen,
			    ev->slots[fd].events);
	}
}

static int
always_wanted(struct ev *ev)
{
	int	i;

	for (i = 0; i < ev->nalways; i++) {
		if (ev->slots[ev->always[i]].events != 0)
			return 1;
	}
	return 0;
}

/*
 * Asks for d->cb to run once, after the callbacks of this round: many
 * small writes of one round (a busy -k listener showing what it echoes)
 * become one.
 */
void
ev_defer(struct ev *ev, struct ev_deferred *d)
{
	if (d->pending)
		return;
	d->pending = 1;
	TAILQ_INSERT_TAIL(&ev->deferred, d, entry);
}

/* Takes back an ev_defer() whose owner goes away before it ran. */
void
ev_undefer(struct ev *ev, struct ev_deferred *d)
{
	if (!d->pending)
		return;
	TAILQ_REMOVE(&ev->deferred, d, entry);
	d->pending = 0;
}

static void
run_deferred(struct ev *ev)
{
	struct ev_deferred	*d;

	while ((d = TAILQ_FIRST(&ev->deferred)) != NULL) {
		TAILQ_REMOVE(&ev->deferred, d, entry);
		d->pending = 0;
		d->cb(d->arg);
	}
}

/*
 * Waits for the next events and dispatches them.  Returns 0, or -1 with
 * errno EINTR when a signal arrived (sig_caught says if it was ours).
 */
int
ev_run_once(struct ev *ev)
{
	int64_t		 to;
	uint32_t	 e;
	int		 n, i, events, always;

	/* Work left over from outside a round (at start-up) runs first. */
	run_deferred(ev);
	always = always_wanted(ev);
	to = always ? 0 : next_timeout(ev, now_ms());
	if (to > INT32_MAX)
		to = INT32_MAX;
	/* A signal taken in a wait outside the loop (msg.c, ttyq.c) must
	 * not leave this one waiting for something else. */
	if (sig_caught != 0)
		to = 0;
	n = epoll_pwait(ev->epfd, ev->ready, EV_BATCH, (int)to,
	    signals_waitmask());
	if (n == -1)
		return -1;
	signals_deliver();
	/*
	 * A callback may close fds reported later in this batch, and a new
	 * owner may get the same number: the generation in the event's data
	 * tells them apart.
	 */
	for (i = 0; i < n; i++) {
		e = ev->ready[i].events;
		events = 0;
		if (e & (EPOLLIN | EPOLLHUP | EPOLLERR))
			events |= EV_READ;
		if (e & (EPOLLOUT | EPOLLERR))
			events |= EV_WRITE;
		dispatch(ev, (int)(ev->ready[i].data.u64 & 0xffffffff),
		    (uint32_t)(ev->ready[i].data.u64 >> 32), events);
	}
	if (always)
		dispatch_always(ev);
	fire_timers(ev);
	run_deferred(ev);
	return 0;
}
