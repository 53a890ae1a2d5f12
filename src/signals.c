/*
 * Signals.  SIGINT, SIGTERM and SIGHUP only set a flag, and they are
 * blocked everywhere except inside the event loop's wait (ppoll(2)), so
 * one can never slip in between the check of the flag and the wait.
 * The loop then unwinds normally: terminal restored, socket files
 * removed, history saved, exit 128+signal.
 */

#include <signal.h>
#include <stddef.h>

#include "sockline.h"

volatile sig_atomic_t	 sig_caught;
volatile sig_atomic_t	 sig_child;
static sigset_t		 waitmask;

static void
on_signal(int sig)
{
	sig_caught = sig;
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
	struct sigaction	 sa;
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
}

/* The mask to wait with: the usual one with our signals let through. */
const sigset_t *
signals_waitmask(void)
{
	return &waitmask;
}
