/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Messages for the user: one line on stderr, "sockline: " first (design
 * item 5).  While the readline prompt owns the terminal, a hook prints
 * the line above the prompt instead, so a message never garbles it.
 *
 * A message must not hold off a signal (design item 17): stderr may be
 * a terminal stopped with Ctrl-S, and a blocking write there would wait
 * with our signals blocked.  So a terminal is written through an open
 * file description of our own, non-blocking, and a write that must
 * wait does so in ppoll, where our signals get through; after a signal
 * nothing more is waited for.  A stderr that is non-blocking for other
 * reasons (it shares stdout's pipe, 2>&1) waits the same way rather
 * than lose the line to EAGAIN.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

static msg_hook_fn	*hook;

static void	emit(const char *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

void
msg_set_hook(msg_hook_fn *fn)
{
	hook = fn;
}

/* Writes p[0..n) to stderr, waiting for room as said above. */
static void
put(const char *p, size_t n)
{
	static int	 fd = -2;
	struct pollfd	 pfd;
	ssize_t		 w;

	if (fd == -2 && (fd = term_reopen(STDERR_FILENO)) == -1)
		fd = STDERR_FILENO;
	while (n > 0 && sig_caught == 0) {
		if ((w = write(fd, p, n)) >= 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (ppoll(&pfd, 1, NULL, signals_waitmask()) == -1 &&
		    errno != EINTR)
			return;
	}
	/* Told to go: what the terminal takes now, and no more. */
	if (n > 0) {
		w = write(fd, p, n);
		(void)w;
	}
}

static void
emit(const char *prefix, const char *fmt, va_list ap)
{
	char	line[1024];
	int	n;

	n = snprintf(line, sizeof(line), "%s", prefix);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (hook != NULL) {
		hook(line);
		return;
	}
	fflush(stderr);
	n = (int)strlen(line);
	line[n++] = '\n';
	put(line, (size_t)n);
}

/* An error or warning: always shown. */
void
msg_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	emit("sockline: ", fmt, ap);
	va_end(ap);
}

/*
 * A status line, shown from the given -v level up.  These use nc's
 * wording and no prefix, so scripts that parse nc's output keep working.
 */
void
msg_verbose(const struct config *cfg, int level, const char *fmt, ...)
{
	va_list	ap;

	if (cfg->verbose < level)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}
