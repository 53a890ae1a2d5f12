/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Every program -e and -c started, from fork until it has been
 * collected, with no fixed limit: a program counts against -m until it
 * has exited, and none is ever left behind.
 *
 * A program whose client is gone is detached: it gets SIGTERM, and
 * SIGKILL PROGRAM_GRACE_MS later if it is still there (a program may
 * ignore SIGTERM, as `trap '' TERM` does).  Until it has exited it
 * holds its place under -m, so clients that reset at once cannot pile
 * up programs.  At exit every program still running gets SIGTERM, then
 * SIGKILL after EXIT_GRACE_MS, and is collected.
 */

#include <sys/queue.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "sockline.h"

/* How long a detached program has between SIGTERM and SIGKILL. */
#define PROGRAM_GRACE_MS	1000

/* The same at exit, where signals must end sockline promptly (item 17). */
#define EXIT_GRACE_MS		100

struct program {
	pid_t			 pid;
	int			 exited;	/* collected; the child still holds it */
	int			 detached;	/* its client is gone */
	int			 killed;	/* SIGKILL sent */
	int64_t			 kill_at;	/* when SIGKILL is due */
	TAILQ_ENTRY(program)	 entry;
};
static TAILQ_HEAD(, program)	programs = TAILQ_HEAD_INITIALIZER(programs);
static int			nrunning;	/* not yet collected */
static int			ndetached;	/* of those, detached */

static struct ev		*kill_ev;
static struct ev_timer		 kill_timer;

/*
 * Signals a program and whatever it started: each program leads a
 * process group of its own, so `-c 'sleep 99; echo x'` leaves no sleep
 * behind.  A program that left its group is still reached itself.
 */
static void
signal_program(pid_t pid, int sig)
{
	if (kill(-pid, sig) == -1)
		kill(pid, sig);
}

/* Starts keeping pid; NULL when out of memory. */
struct program *
program_track(pid_t pid)
{
	struct program	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->pid = pid;
	TAILQ_INSERT_TAIL(&programs, p, entry);
	nrunning++;
	return p;
}

static void
forget(struct program *p)
{
	TAILQ_REMOVE(&programs, p, entry);
	free(p);
}

/* SIGKILL for the detached programs whose grace has run out. */
static void
on_kill_timer(void *arg)
{
	struct program	*p;
	int64_t		 now = now_ms(), next = -1;

	(void)arg;
	TAILQ_FOREACH(p, &programs, entry) {
		if (!p->detached || p->exited || p->killed)
			continue;
		if (p->kill_at <= now) {
			signal_program(p->pid, SIGKILL);
			p->killed = 1;
		} else if (next == -1 || p->kill_at < next)
			next = p->kill_at;
	}
	if (next != -1)
		ev_timer_start(kill_ev, &kill_timer, (long)(next - now));
}

/*
 * The client of p is gone: p is stopped, SIGTERM now and SIGKILL after
 * the grace, and forgotten once collected.  p is not used after this.
 */
void
program_detach(struct ev *ev, struct program *p)
{
	if (p->exited) {
		forget(p);
		return;
	}
	p->detached = 1;
	ndetached++;
	signal_program(p->pid, SIGTERM);
	p->kill_at = now_ms() + PROGRAM_GRACE_MS;
	if (kill_ev == NULL) {
		kill_ev = ev;
		ev_timer_init(&kill_timer, on_kill_timer, NULL);
	}
	if (!kill_timer.active)
		ev_timer_start(kill_ev, &kill_timer, PROGRAM_GRACE_MS);
}

/* Programs not yet collected, and of those, the ones without a client. */
int
programs_running(void)
{
	return nrunning;
}

int
programs_detached(void)
{
	return ndetached;
}

/* Collects every program that has exited (SIGCHLD came). */
void
children_reap(void)
{
	struct program	*p;
	pid_t		 pid;
	int		 st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		TAILQ_FOREACH(p, &programs, entry) {
			if (p->pid == pid && !p->exited)
				break;
		}
		if (p == NULL)
			continue;
		p->exited = 1;
		nrunning--;
		if (p->detached) {
			ndetached--;
			forget(p);
		}
	}
}

/*
 * At the end (the clients are gone, so every program is detached): each
 * one still running is stopped and collected.
 */
void
children_kill(void)
{
	struct program	*p, *next;
	int		 tries;

	if (kill_ev != NULL)
		ev_timer_stop(kill_ev, &kill_timer);
	TAILQ_FOREACH(p, &programs, entry) {
		if (!p->exited)
			signal_program(p->pid, SIGTERM);
	}
	/* A polite moment to go, then no choice. */
	for (tries = 0; nrunning > 0 && tries < EXIT_GRACE_MS / 2; tries++) {
		children_reap();
		if (nrunning > 0)
			usleep(2000);
	}
	for (p = TAILQ_FIRST(&programs); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (!p->exited) {
			signal_program(p->pid, SIGKILL);
			while (waitpid(p->pid, NULL, 0) == -1 && errno == EINTR)
				continue;
			p->exited = 1;
			nrunning--;
			if (p->detached)
				ndetached--;
		}
		if (p->detached)
			forget(p);
	}
}
