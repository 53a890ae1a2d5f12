/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Messages for the user: one line on stderr, "sockline: " first (design
 * item 5).  While the readline prompt owns the terminal, a hook prints
 * the line above the prompt instead, so a message never garbles it.
 */

#include <stdio.h>
#include <string.h>

#include "sockline.h"

static msg_hook_fn	*hook;

static void	emit(const char *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

void
msg_set_hook(msg_hook_fn *fn)
{
	hook = fn;
}

static void
emit(const char *prefix, const char *fmt, va_list ap)
{
	char	line[1024];
	int	n;

	n = snprintf(line, sizeof(line), "%s", prefix);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (hook != NULL) {
		hook(line);
		return;
	}
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
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
