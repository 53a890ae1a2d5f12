/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The peer's prompt as the prompt (design item 21), as rlwrap does it.
 * When the peer's last bytes are an unfinished line (">>> ", "ftp> ",
 * "login: ", "Password: ") and nothing more has come for
 * LINE_PAUSE_MS, the row screen.c left it on, just above the prompt,
 * is wiped and its text becomes the prompt: typing goes on after it, as
 * it would at the service's own terminal, and what is sent is only what
 * was typed (readline's line never holds its prompt).
 *
 * It stops being the prompt when more of that line comes (the row is
 * written again where the prompt was, and the bytes go on after it),
 * when a line is entered (the row stays on the screen with what was
 * typed after it), and when the peer goes.  A notice or Ctrl-C in
 * between leaves it the prompt, but what comes next then starts a row
 * of its own.
 *
 * Only where the row is sure: data on the prompt's own terminal, text
 * rendered escaped (not --raw, not -x), a line that began on that row
 * and fits it (a long one that wrapped is output, not a prompt), one
 * peer (not -k, not datagrams), and output not hidden (Ctrl-O).
 */

#include <string.h>

#include <readline/readline.h>

#include "repl.h"

static void
adopt_now(void *arg)
{
	struct repl		*r = arg;
	const struct config	*cfg = r->cfg;
	const struct render	*rd = &r->render;
	const char		*up = rl_get_termcap("up");
	const char		*ce = rl_get_termcap("ce");
	struct buf		 b;

	if (!r->tail_live || !r->shown || !r->tty_term || r->dq != &r->tq ||
	    !rd->tail_ok || !rd->tail_whole || rd->tail_len == 0 ||
	    rd->tail_len >= sizeof(r->adopt_text) || rd->nhold != 0 ||
	    rd->hex || rd->raw || cfg->keep_open || cfg->udp || r->hiding ||
	    up == NULL || *up == '\0' || ce == NULL || *ce == '\0')
		return;
	memset(&b, 0, sizeof(b));
	if (buf_append(&b, up, strlen(up)) == -1 ||
	    buf_append(&b, "\r", 1) == -1 ||
	    buf_append(&b, ce, strlen(ce)) == -1) {
		buf_free(&b);
		return;
	}
	memcpy(r->adopt_text, rd->tail, rd->tail_len);
	r->adopt_text[rd->tail_len] = '\0';
	screen_above_begin(r);
	screen_data(r, buf_head(&b), buf_used(&b));
	buf_free(&b);
	r->tail_live = 0;
	r->adopted = 1;
	r->adopt_live = 1;
	screen_refresh_prompt(r);
	screen_above_end(r);
	fflush(r->tty);
}

void
adopt_init(struct repl *r)
{
	ev_timer_init(&r->adopt_timer, adopt_now, r);
}

/* An unfinished line was just shown above the prompt: it is the
 * peer's prompt if nothing more comes for a while. */
void
adopt_arm(struct repl *r)
{
	ev_timer_stop(r->front.s->ev, &r->adopt_timer);
	if (r->tail_live)
		ev_timer_start(r->front.s->ev, &r->adopt_timer,
		    LINE_PAUSE_MS);
}

/*
 * More bytes come: b, which then goes where the prompt was wiped,
 * starts with the adopted text again, if the line goes on there.
 * Returns -1 when out of memory.
 */
int
adopt_resume(struct repl *r, struct buf *b)
{
	int	live = r->adopted && r->adopt_live;

	ev_timer_stop(r->front.s->ev, &r->adopt_timer);
	r->adopted = 0;
	if (!live)
		return 0;
	if (buf_append(b, "\r", 1) == -1 ||
	    buf_append(b, r->render.tail, r->render.tail_len) == -1)
		return -1;
	return 0;
}

/* Something else went above the prompt: the line cannot go on there. */
void
adopt_break(struct repl *r)
{
	r->adopt_live = 0;
}

/* A line was entered or the peer went: the prompt is ours again. */
void
adopt_drop(struct repl *r)
{
	ev_timer_stop(r->front.s->ev, &r->adopt_timer);
	r->adopted = 0;
	r->adopt_live = 0;
}
