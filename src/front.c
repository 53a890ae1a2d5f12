/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Which front end a run gets.  The readline prompt is for a person at a
 * terminal; everything else (pipes, files, scripts) gets exact bytes.
 */

#include <termios.h>
#include <unistd.h>

#include "sockline.h"

static int
prompt_wanted(const struct config *cfg)
{
	return !cfg->batch && (cfg->interactive || isatty(STDIN_FILENO));
}

struct front *
front_new(struct session *s)
{
	if (!prompt_wanted(s->cfg))
		return front_pipe_new(s);
	return front_repl_new(s);
}

/*
 * At the very end of a run meant for the prompt: what was typed ahead
 * for the peer and never read (the connection failed before the prompt
 * came up) must not run in the shell either (design item 16).  The
 * prompt itself discards what is left when it stops.  Not when the
 * terminal belongs to another process group: tcflush() would stop us.
 */
void
front_discard_typed(const struct config *cfg)
{
	if (prompt_wanted(cfg) && !cfg->zero && isatty(STDIN_FILENO) &&
	    tcgetpgrp(STDIN_FILENO) == getpgrp())
		tcflush(STDIN_FILENO, TCIFLUSH);
}

/* The front end's word that no input is on its way (see front_ops). */
int
front_input_idle(struct front *f)
{
	return f != NULL && f->ops->input_idle != NULL && f->ops->input_idle(f);
}
