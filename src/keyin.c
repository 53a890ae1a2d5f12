/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the terminal sends, on its way to readline, and bracketed pastes
 * taken out of it as data (design item 16).
 *
 * sockline reads the terminal itself and hands the bytes to readline
 * one at a time through rl_getc_function.  Readline still parses every
 * key, the paste's opening ESC [200~ included, which is bound to
 * sockline-paste-begin; from there up to ESC [201~ the bytes never reach
 * readline's key bindings.  A line end inside the paste sends the line
 * being edited, up to the cursor, as it is: `exit`, `/quit` or
 * `\exit` in a paste go to the peer like any other line.  What follows
 * the paste's last line end stays on the edit line, for Enter.
 *
 * Readline's own bracketed-paste-begin would not do: it blocks until
 * the paste ends, and leaves the whole paste on the edit line, where
 * Enter could no longer tell a pasted `exit` from a typed one.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <readline/readline.h>

#include "repl.h"

/* What ends a bracketed paste (xterm's mode 2004). */
static const char	paste_end[] = "\033[201~";
#define PASTE_END_LEN	(sizeof(paste_end) - 1)

/* How long the rest of a paste is waited for when the session ends. */
#define PASTE_PAUSE_MS		500
#define PASTE_DRAIN_SECS	3

/* Readline's hooks take no argument. */
static struct repl	*the_repl;

/* rl_getc_function: the next byte read, else what readline would read. */
static int
key_getc(FILE *fp)
{
	struct repl	*r = the_repl;
	int		 c;

	if (buf_used(&r->keys) > 0) {
		c = (unsigned char)*buf_head(&r->keys);
		buf_consume(&r->keys, 1);
		return c;
	}
	if (r->keys_eof)
		return EOF;
	/* Readline wants more of a key than has come: wait as it would. */
	return rl_getc(fp);
}

/* rl_input_available_hook: so readline takes typed-ahead text at once. */
static int
key_ready(void)
{
	struct pollfd	pfd;

	/*
	 * A line from a pipe (--interactive) that does not end stops here
	 * for a while, or readline would read on to the end of the input:
	 * repl_line_overflow() sends what it has.
	 */
	if (!the_repl->in_term && rl_end >= PIPE_LINE_MAX)
		return 0;
	if (buf_used(&the_repl->keys) > 0)
		return 1;
	pfd.fd = fileno(rl_instream);
	pfd.events = POLLIN;
	return poll(&pfd, 1, 0) > 0;
}

/* ESC [200~, as readline parsed it: what comes is data until ESC [201~. */
static int
key_paste_begin(int count, int key)
{
	struct repl	*r = the_repl;

	(void)count;
	(void)key;
	r->pasting = 1;
	r->paste_match = 0;
	r->paste_cr = 0;
	return 0;
}

/*
 * A line end in a paste: what is before the cursor goes to the peer,
 * and stays on the screen after the prompt as a typed line does; what
 * is after it begins the next line.
 */
static void
paste_line(struct repl *r)
{
	char	*line, *rest;

	line = strndup(rl_line_buffer, (size_t)rl_point);
	rest = strdup(rl_line_buffer + rl_point);
	if (line == NULL || rest == NULL) {
		session_fail(r->front.s, "out of memory");
		goto out;
	}
	rl_replace_line(line, 1);
	rl_point = rl_end;
	if (r->shown && r->tty_term) {
		rl_redisplay();
		fputs("\r\n", rl_outstream);
		fflush(rl_outstream);
	}
	r->shown = 0;
	r->tail_live = 0;
	render_break(&r->render);
	repl_send_line(r, line);
	rl_replace_line(rest, 1);
	rl_point = 0;
	rl_on_new_line();
	screen_refresh_prompt(r);
	r->shown = 1;
	rl_redisplay();
out:
	free(line);
	free(rest);
}

/* Pasted text that ends no line yet goes on the edit line. */
static void
paste_insert(char *seg, size_t *n)
{
	if (*n == 0)
		return;
	seg[*n] = '\0';
	rl_insert_text(seg);
	*n = 0;
}

/* Takes the paste's bytes that have come, up to its end. */
static void
paste_take(struct repl *r)
{
	struct session	*s = r->front.s;
	char		 seg[1024];
	size_t		 n = 0;
	int		 c;

	while (r->pasting && buf_used(&r->keys) > 0 && !s->done) {
		c = (unsigned char)*buf_head(&r->keys);
		buf_consume(&r->keys, 1);
		if (c == paste_end[r->paste_match]) {
			if (++r->paste_match == PASTE_END_LEN)
				r->pasting = 0;
			continue;
		}
		if (r->paste_match > 0) {
			/* Not the end after all: those bytes were text. */
			if (n + r->paste_match >= sizeof(seg))
				paste_insert(seg, &n);
			memcpy(seg + n, paste_end, r->paste_match);
			n += r->paste_match;
			r->paste_cr = 0;
			r->paste_match = c == paste_end[0];
			if (r->paste_match > 0)
				continue;
		}
		/* CRLF is one line end; terminals send CR for a newline. */
		if (c == '\n' && r->paste_cr) {
			r->paste_cr = 0;
			continue;
		}
		r->paste_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			paste_insert(seg, &n);
			paste_line(r);
			continue;
		}
		/* A NUL would cut readline's string short. */
		if (c == '\0')
			continue;
		if (n + 1 >= sizeof(seg))
			paste_insert(seg, &n);
		seg[n++] = (char)c;
	}
	paste_insert(seg, &n);
	if (r->shown)
		rl_redisplay();
}

/* Hands what has been read to readline, or takes it as a paste. */
static void
feed(struct repl *r)
{
	struct session	*s = r->front.s;

	while (r->installed && !s->done) {
		if (r->pasting && buf_used(&r->keys) > 0)
			paste_take(r);
		else if (!r->pasting && buf_used(&r->keys) > 0) {
			rl_callback_read_char();
			if (!r->in_term && r->installed &&
			    rl_end >= PIPE_LINE_MAX)
				repl_line_overflow(r);
		} else
			break;
	}
	/* The end of input, told once per call: readline may need two. */
	if (r->installed && !s->done && r->keys_eof &&
	    buf_used(&r->keys) == 0)
		rl_callback_read_char();
}

/* The terminal (or --interactive's pipe) has something to read. */
void
keyin_read(struct repl *r, int fd)
{
	char	chunk[4096];
	ssize_t	n;

	if ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (buf_append(&r->keys, chunk, (size_t)n) == -1) {
			session_fail(r->front.s, "out of memory");
			return;
		}
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		/* A paste cut short by the end of input is over too. */
		r->keys_eof = 1;
		r->pasting = 0;
	} else
		return;
	feed(r);
}

/* Before readline reads ~/.inputrc, which may change all this. */
void
keyin_setup(struct repl *r)
{
	Keymap	maps[3];
	size_t	i;

	the_repl = r;
	rl_getc_function = key_getc;
	rl_input_available_hook = key_ready;
	/* Only a terminal gets xterm's mode 2004 turned on. */
	rl_variable_bind("enable-bracketed-paste",
	    r->in_term && r->tty_term ? "on" : "off");
	rl_add_defun("sockline-paste-begin", key_paste_begin, -1);
	/* In vi's command mode too: there a paste would be commands. */
	maps[0] = emacs_standard_keymap;
	maps[1] = vi_insertion_keymap;
	maps[2] = vi_movement_keymap;
	for (i = 0; i < 3; i++)
		rl_bind_keyseq_in_map("\033[200~", key_paste_begin, maps[i]);
}

/*
 * The session ends in the middle of a paste (the peer closed, say): the
 * terminal may not have sent the rest of it yet, and what it sends after
 * we are gone would be run by the shell.  So the rest is read and
 * dropped, up to the paste's end; a terminal sends a paste at once, so
 * a pause, or a few seconds in all, mean it will not come.  Not after a
 * signal, which must end us at once (design item 17).
 */
void
keyin_drain_paste(struct repl *r, int fd)
{
	struct pollfd	pfd;
	struct timespec	now, end;
	char		chunk[4096];
	ssize_t		n;
	int		c, ms;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += PASTE_DRAIN_SECS;
	while (r->pasting && sig_caught == 0) {
		while (r->pasting && buf_used(&r->keys) > 0) {
			c = (unsigned char)*buf_head(&r->keys);
			buf_consume(&r->keys, 1);
			if (c == paste_end[r->paste_match]) {
				if (++r->paste_match == PASTE_END_LEN)
					r->pasting = 0;
			} else
				r->paste_match = c == paste_end[0];
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (int)((end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec) / 1000000);
		if (!r->pasting || ms <= 0)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (ms > PASTE_PAUSE_MS)
			ms = PASTE_PAUSE_MS;
		if (poll(&pfd, 1, ms) <= 0 ||
		    (n = read(fd, chunk, sizeof(chunk))) <= 0 ||
		    buf_append(&r->keys, chunk, (size_t)n) == -1)
			break;
	}
	buf_free(&r->keys);
	r->pasting = 0;
}

/*
 * The terminal is given back.  What was typed or pasted for the peer
 * and not read must not run in the shell (design item 16), so its input
 * queue is thrown away, after readline has restored the settings, so
 * that what comes in between goes too.  repl_stop() calls it, the one
 * place for it on every way out: readline restores the terminal after
 * each line as well, so its deprep hook cannot be.  In the background
 * (after Ctrl-Z and bg) the terminal is not ours, and tcflush() would
 * stop us.
 */
void
keyin_discard(struct repl *r)
{
	if (r->in_term && tcgetpgrp(STDIN_FILENO) == getpgrp())
		tcflush(STDIN_FILENO, TCIFLUSH);
}

void
keyin_free(struct repl *r)
{
	buf_free(&r->keys);
	r->pasting = 0;
	the_repl = NULL;
}
