/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Hiding received data (design item 21): a key, Ctrl-O unless
 * ~/.inputrc binds the readline function sockline-hide-output to
 * another, stops received data from reaching the screen until it is
 * pressed again, and then says how many bytes were not shown.  A
 * runaway reply (a 50 MB body, a log tail) is so cut short without
 * ending the session.  Only the screen is spared: the bytes are still
 * read, counted, logged by -o (log.c sees them before the front end),
 * matched by --lockstep and answered by a responder.  While it is on,
 * the prompt begins with "(hidden)".
 */

#include <readline/readline.h>

#include "repl.h"

static struct repl	*the_repl;

static int
key_hide(int count, int key)
{
	struct repl	*r = the_repl;

	(void)count;
	(void)key;
	if (!r->out_tty) {
		/* The data goes to a file or a pipe: it never was shown. */
		repl_notice(r, "sockline: received data goes to stdout, not "
		    "to this screen: nothing to hide");
		return 0;
	}
	if (!r->hiding) {
		/* Whatever was shown so far is shown whole. */
		screen_flush_held(r);
		screen_break(r);
		r->hiding = 1;
		r->hidden = 0;
		repl_update_prompt(r);
		return 0;
	}
	r->hiding = 0;
	/* What comes next starts a row of its own. */
	render_break(&r->render);
	repl_notice(r, "sockline: %lld byte%s of received data hidden",
	    r->hidden, r->hidden == 1 ? "" : "s");
	repl_update_prompt(r);
	return 0;
}

/* True if n received bytes are to be left off the screen; they count. */
int
hide_output(struct repl *r, size_t n)
{
	if (!r->hiding)
		return 0;
	r->hidden += (long long)n;
	return 1;
}

void
hide_setup(struct repl *r)
{
	Keymap	maps[3];
	size_t	i;

	the_repl = r;
	rl_add_defun("sockline-hide-output", key_hide, -1);
	maps[0] = emacs_standard_keymap;
	maps[1] = vi_insertion_keymap;
	maps[2] = vi_movement_keymap;
	for (i = 0; i < 3; i++)
		rl_bind_key_in_map('O' & 0x1f, key_hide, maps[i]);
}
