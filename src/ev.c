/*
 * The event loop: file descriptors with read/write interest, one-shot
 * timers, and a wait that is the only place our signals get through.
 *
 * The backend is poll(2), kept behind ev_set()/ev_del() so that another
 * (epoll) can replace it without the callers noticing.  Interest is
 * given per fd and changed only when it really changes.
 */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockline.h"

struct ev_slot {
	ev_fd_cb	*cb;
	void		*arg;
	int		 events;
	int		 pidx;		/* index in pfd[], -1 if not polled */
	unsigned	 gen;		/* bumped when the fd changes owner */
};

struct ev_ready {
	int		 fd;
	int		 revents;
	unsigned	 gen;
};

struct ev {
	struct pollfd		*pfd;
	size_t			 npfd;
	size_t			 cappfd;
	struct ev_slot		*slots;		/* indexed by fd */
	size_t			 nslots;
	struct ev_ready		*ready;
	LIST_HEAD(, ev_timer)	 timers;
};

struct ev *
ev_new(void)
{
	struct ev	*ev;

	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	LIST_INIT(&ev->timers);
	return ev;
}

void
ev_free(struct ev *ev)
{
	if (ev == NULL)
		return;
	free(ev->pfd);
	free(ev->slots);
	free(ev->ready);
	free(ev);
}

static int
grow_slots(struct ev *ev, int fd)
{
	struct ev_slot	*ns;
	size_t		 n = ev->nslots ? ev->nslots : 64, i;

	while (n <= (size_t)fd)
		n *= 2;
	if ((ns = realloc(ev->slots, n * sizeof(*ns))) == NULL)
		return -1;
	for (i = ev->nslots; i < n; i++) {
		memset(&ns[i], 0, sizeof(ns[i]));
		ns[i].pidx = -1;
	}
	ev->slots = ns;
	ev->nslots = n;
	return 0;
}

static int
grow_pfd(struct ev *ev)
{
	struct pollfd	*np;
	struct ev_ready	*nr;
	size_t		 n = ev->cappfd ? ev->cappfd * 2 : 16;

	if ((np = realloc(ev->pfd, n * sizeof(*np))) == NULL)
		return -1;
	ev->pfd = np;
	if ((nr = realloc(ev->ready, n * sizeof(*nr))) == NULL)
		return -1;
	ev->ready = nr;
	ev->cappfd = n;
	return 0;
}

static void
unpoll(struct ev *ev, struct ev_slot *sl)
{
	size_t	last = ev->npfd - 1;

	if (sl->pidx < 0)
		return;
	if ((size_t)sl->pidx != last) {
		ev->pfd[sl->pidx] = ev->pfd[last];
		ev->slots[ev->pfd[last].fd].pidx = sl->pidx;
	}
	ev->npfd--;
	sl->pidx = -1;
}

/*
 * Sets the interest for fd (EV_READ | EV_WRITE, or 0 to stop watching
 * it for now) and who to call.  Returns -1 only when out of memory.
 */
int
ev_set(struct ev *ev, int fd, int events, ev_fd_cb *cb, void *arg)
{
	struct ev_slot	*sl;
	short		 pev = 0;

	if ((size_t)fd >= ev->nslots && grow_slots(ev, fd) == -1)
		return -1;
	sl = &ev->slots[fd];
	if (sl->cb != cb || sl->arg != arg)
		sl->gen++;
	sl->cb = cb;
	sl->arg = arg;
	sl->events = events;
	if (events & EV_READ)
		pev |= POLLIN;
	if (events & EV_WRITE)
		pev |= POLLOUT;
	if (pev == 0) {
		unpoll(ev, sl);
		return 0;
	}
	if (sl->pidx < 0) {
		if (ev->npfd == ev->cappfd && grow_pfd(ev) == -1)
			return -1;
		sl->pidx = (int)ev->npfd++;
		ev->pfd[sl->pidx].fd = fd;
	}
	ev->pfd[sl->pidx].events = pev;
	return 0;
}

/* Forgets fd entirely; call before closing it. */
void
ev_del(struct ev *ev, int fd)
{
	struct ev_slot	*sl;

	if (fd < 0 || (size_t)fd >= ev->nslots)
		return;
	sl = &ev->slots[fd];
	unpoll(ev, sl);
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
	int64_t		 now = now_ms();
	int		 again = 1;

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

/*
 * Waits for the next events and dispatches them.  Returns 0, or -1 with
 * errno EINTR when one of our signals arrived (sig_caught says which).
 */
int
ev_run_once(struct ev *ev)
{
	struct ev_slot	*sl;
	struct timespec	 ts, *tsp = NULL;
	int64_t		 to;
	size_t		 i, n = 0;
	int		 r, re;

	if ((to = next_timeout(ev, now_ms())) >= 0) {
		ts.tv_sec = to / 1000;
		ts.tv_nsec = (to % 1000) * 1000000L;
		tsp = &ts;
	}
	r = ppoll(ev->pfd, ev->npfd, tsp, signals_waitmask());
	if (r == -1)
		return -1;

	/*
	 * Callbacks add, remove and close fds, so work from a copy and
	 * skip any fd whose owner changed since the wait.
	 */
	for (i = 0; i < ev->npfd && r > 0; i++) {
		if (ev->pfd[i].revents == 0)
			continue;
		ev->ready[n].fd = ev->pfd[i].fd;
		ev->ready[n].revents = ev->pfd[i].revents;
		ev->ready[n].gen = ev->slots[ev->pfd[i].fd].gen;
		n++;
		r--;
	}
	for (i = 0; i < n; i++) {
		sl = &ev->slots[ev->ready[i].fd];
		if (sl->cb == NULL || sl->gen != ev->ready[i].gen)
			continue;
		re = 0;
		/* Errors and hangups are seen by trying the read or write. */
		if (ev->ready[i].revents & (POLLIN | POLLHUP | POLLERR))
			re |= EV_READ;
		if (ev->ready[i].revents & (POLLOUT | POLLERR))
			re |= EV_WRITE;
		re &= sl->events;
		if ((ev->ready[i].revents & POLLNVAL) || re == 0) {
			/* Hangup on a write-only fd: let its writer find out. */
			re = sl->events;
		}
		if (re != 0)
			sl->cb(ev->ready[i].fd, re, sl->arg);
	}
	fire_timers(ev);
	return 0;
}
