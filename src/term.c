/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user's terminal, from outside readline: its settings, saved when
 * the prompt starts and put back on every way out, and an open file
 * description of our own for writing to it.
 *
 * term_restore() is the one place the terminal is given back.  It uses
 * nothing but tcsetattr(2) with TCSANOW, so the signal handlers of
 * signals.c may call it too, and it never waits for output the terminal
 * will not take (Ctrl-S, a pane nobody reads): TCSADRAIN would.
 */

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sockline.h"

static struct termios		saved;
static volatile sig_atomic_t	saved_fd = -1;

/* Notes fd's settings, to be put back by term_restore(). */
void
term_save(int fd)
{
	if (tcgetattr(fd, &saved) == 0)
		saved_fd = fd;
}

/* Puts back what term_save() found.  Async-signal-safe. */
void
term_restore(void)
{
	int	e = errno;

	if (saved_fd != -1)
		tcsetattr(saved_fd, TCSANOW, &saved);
	errno = e;
}

/*
 * Throws away what was typed or pasted and not read (design item 16),
 * for a signal that ends us from its handler.  Not when the terminal
 * belongs to another process group (we were put in the background):
 * tcflush() would stop us.  Async-signal-safe.
 */
void
term_discard_input(void)
{
	int	e = errno;

	if (saved_fd != -1 && tcgetpgrp(saved_fd) == getpgrp())
		tcflush(saved_fd, TCIFLUSH);
	errno = e;
}

/*
 * Opens the terminal fd is on again, non-blocking.  The shell shares
 * fd's own open file description, so O_NONBLOCK must not be set there;
 * a new one is ours alone.  Returns the new fd, or -1 if fd is not a
 * terminal or cannot be opened again.
 */
int
term_reopen(int fd)
{
	char	path[64];

	if (!isatty(fd))
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
}

/*
 * The device of the terminal fd is on, or 0.  /dev/tty is a device of
 * its own (5,0) that stands for the controlling terminal: that one's
 * number is in /proc/self/stat.
 */
dev_t
term_device(int fd)
{
	struct stat	 st;
	char		 line[1024], *p;
	unsigned long	 nr;
	FILE		*f;

	if (fstat(fd, &st) == -1 || !S_ISCHR(st.st_mode))
		return 0;
	if (st.st_rdev != makedev(5, 0))
		return st.st_rdev;
	if ((f = fopen("/proc/self/stat", "re")) == NULL)
		return 0;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	/* pid (comm) state ppid pgrp session tty_nr: after the last ')'. */
	if (p == NULL || (p = strrchr(line, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %lu", &nr) != 1)
		return 0;
	return (dev_t)nr;
}
