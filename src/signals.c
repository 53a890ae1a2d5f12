/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Signals.  SIGINT, SIGTERM and SIGHUP only set a flag, and they are
 * blocked everywhere except inside the event loop's waits (epoll_pwait
 * and ppoll), so one can never slip in between the check of the flag
 * and the wait.  The loop then unwinds normally: terminal restored,
 * socket files removed, history saved, exit 128+signal.  That is prompt
 * (design item 17) because nothing outside those waits ever blocks:
 * the terminal, pipes and sockets are written without blocking, and a
 * write that must wait does so in ppoll with the same mask.  SIGWINCH,
 * while the prompt runs, is handled the same way but only asks for a
 * redraw.
 *
 * The other signals whose default is to end the process (SIGQUIT,
 * SIGUSR1, SIGUSR2, SIGALRM, SIGXFSZ) still end it as they would, core
 * dump and all, but first give the terminal back and remove the unix
 * socket file we bound: both with async-signal-safe calls only, since
 * they may come at any moment.  SIGPIPE is ignored: a reader that goes
 * away is an error to report.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>

#include "sockline.h"

volatile sig_atomic_t	 sig_caught;
volatile sig_atomic_t	 sig_child;
volatile sig_atomic_t	 sig_winch;
volatile sig_atomic_t	 sig_cont;
static sigset_t		 waitmask;
static int		 winch_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	sig_caught = sig;
}

/* Dies of sig, as if there were no handler, after tidying up. */
static void
on_fatal(int sig)
{
	sigset_t	set;

	term_restore();
	term_discard_input();
	unix_cleanup();
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

/* A program of -e or -c exited: collect it, the session goes on. */
static void
on_child(int sig)
{
	(void)sig;
	sig_child = 1;
}

void
signals_init(void)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	static const int	 fatal[] = { SIGQUIT, SIGUSR1, SIGUSR2,
				    SIGALRM, SIGXFSZ };
	struct sigaction	 sa, old;
	sigset_t		 block;
	size_t			 i;

	/* A peer or reader that goes away is an error to report, not death. */
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&block, sigs[i]);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigdelset(&waitmask, sigs[i]);
	sigdelset(&waitmask, SIGCHLD);

	sa.sa_handler = on_signal;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);

	/* One that was ignored when we started (nohup, a parent) stays so. */
	sa.sa_handler = on_fatal;
	sa.sa_flags = 0;
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
		if (sigaction(fatal[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_DFL)
			sigaction(fatal[i], &sa, NULL);
	}
}

/*
 * In a child about to exec a program: our handlers must not run there,
 * where on_fatal() would remove the parent's socket file.
 */
void
signals_default(void)
{
	static const int	sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				    SIGUSR1, SIGUSR2, SIGALRM, SIGXFSZ };
	struct sigaction	old;
	size_t			i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			signal(sigs[i], SIG_DFL);
	}
}

/*
 * A wait that returns ready events puts the old mask back before a
 * pending signal is delivered (epoll_pwait and ppoll alike), so under a
 * flood, ready every round, the signal would wait for a round with
 * nothing to do: never.  After each wait, one that is pending is let in
 * here; it costs one sigpending(2) when none is.
 */
void
signals_deliver(void)
{
	sigset_t	pending, old;
	int		i;

	if (sigpending(&pending) == -1)
		return;
	for (i = 1; i < NSIG; i++) {
		if (sigismember(&pending, i) == 1 &&
		    sigismember(&waitmask, i) == 0)
			break;
	}
	if (i == NSIG)
		return;
	sigprocmask(SIG_SETMASK, &waitmask, &old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The mask to wait with: the usual one with our signals let through. */
const sigset_t *
signals_waitmask(void)
{
	return &waitmask;
}

/*
 * A resized terminal must not end the session, and ppoll() returning
 * EINTR alone would not tell the prompt to redraw: the handler sets a
 * flag and writes to a pipe whose read end the caller watches.  Like
 * the others, SIGWINCH only gets through inside the loop's wait.
 * SIGCONT goes the same way: after a stop that was not ours (kill
 * -TSTP), the shell has given the terminal its own settings, and the
 * prompt must take its own back.
 */
static void
on_winch(int sig)
{
	ssize_t	n;
	int	e = errno;

	if (sig == SIGCONT)
		sig_cont = 1;
	else
		sig_winch = 1;
	n = write(winch_pipe[1], "", 1);
	(void)n;
	errno = e;
}

/* Returns the fd that becomes readable on SIGWINCH, or -1. */
int
signals_winch_start(void)
{
	struct sigaction	sa;
	sigset_t		block;
	int			i;

	if (pipe2(winch_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGCONT);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigdelset(&waitmask, SIGWINCH);
	sigdelset(&waitmask, SIGCONT);
	sa.sa_handler = on_winch;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGWINCH, &sa, NULL) == -1 ||
	    sigaction(SIGCONT, &sa, NULL) == -1) {
		for (i = 0; i < 2; i++) {
			close(winch_pipe[i]);
			winch_pipe[i] = -1;
		}
		return -1;
	}
	return winch_pipe[0];
}

void
signals_winch_stop(void)
{
	sigset_t	unblock;
	int		i;

	signal(SIGWINCH, SIG_DFL);
	signal(SIGCONT, SIG_DFL);
	sigemptyset(&unblock);
	sigaddset(&unblock, SIGWINCH);
	sigaddset(&unblock, SIGCONT);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	for (i = 0; i < 2; i++) {
		if (winch_pipe[i] != -1)
			close(winch_pipe[i]);
		winch_pipe[i] = -1;
	}
}
