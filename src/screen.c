/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Everything the interactive front end draws: received data above the
 * prompt, notices, the prompt's text, and stdout when it is a file or
 * a pipe.
 *
 * Above the prompt.  The prompt and the line being edited are wiped
 * (rl_clear_visible_line), the bytes written, and the prompt drawn
 * again (rl_forced_update_display) with the line and the cursor as they
 * were; readline 8's clear-visible-line is used rather than saving the
 * prompt, so an incremental search in progress is redrawn as it was.
 * An unfinished line ("login: ") stays on its own row just above the
 * prompt; when more of it comes we go up a row (the terminal's "up"
 * capability), write that row again and go on, so the line reads as the
 * peer sent it.  render.c says what the bytes look like and keeps that
 * row's text.  Anything else printed above the prompt, or a line typed,
 * moves the open line's end out of reach: its rest then starts a row.
 *
 * Never blocking (design item 17).  All of it goes through ttyq.c, so a
 * terminal that stops taking output (Ctrl-S) pauses the peer instead of
 * the loop, and a signal still ends the session at once; pace.c says
 * how much the session may hand us, and rests a flood for the prompt.
 */


#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/readline.h>

#include "repl.h"

/* Room for --prompt TEXT, a peer's name and a few words, or the peer's
 * own prompt (adopt.c). */
#define PROMPT_MAX	(RENDER_TAIL + 64)

static void	on_stdout(int, int, void *);

static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return;		/* a vanished terminal: nothing to do */
		}
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Wipes the prompt and the edit line, to write above them.  Without a
 * terminal (--interactive on a pipe) there is nothing to wipe, and no
 * escape sequence is written.
 */
void
screen_above_begin(struct repl *r)
{
	if (!r->shown || !r->tty_term)
		return;
	rl_clear_visible_line();
	fflush(rl_outstream);
}

/* Draws them again, the cursor where it was. */
void
screen_above_end(struct repl *r)
{
	if (!r->shown || !r->tty_term)
		return;
	rl_forced_update_display();
}

/* Something other than data went above the prompt: the open line
 * cannot go on where it was. */
void
screen_break(struct repl *r)
{
	adopt_break(r);
	if (r->tail_live) {
		r->tail_live = 0;
		render_break(&r->render);
	}
}

/* The prompt's text: --prompt, or whom typed lines go to. */
static void
prompt_text(struct repl *r, char *buf, size_t len)
{
	const struct peer	*list[64];
	struct session		*s = r->front.s;
	const struct config	*cfg = r->cfg;
	char			 name[PEER_HOSTLEN + 16];
	int			 n, i, tls = 0;

	if (r->hiding && len > 16) {
		/* Said first, so it is seen whatever the prompt. */
		n = snprintf(buf, len, "(hidden) ");
		buf += n;
		len -= (size_t)n;
	}
	if (r->adopted) {
		snprintf(buf, len, "%s", r->adopt_text);
		return;
	}
	if (cfg->prompt != NULL) {
		snprintf(buf, len, "%s", cfg->prompt);
		return;
	}
	n = session_peers(s, list, 64);
	name[0] = '\0';
	for (i = 0; i < n; i++) {
		if ((s->to_id != 0 && list[i]->id == s->to_id) ||
		    (s->to_id == 0 && (n == 1 || (s->target != NULL &&
		    list[i]->id == s->target->peer.id)))) {
			peer_short(list[i], name, sizeof(name));
			tls = session_peer_upgraded(s, list[i]->id);
		}
	}
	/* After STARTTLS the prompt says the session changed. */
	if (name[0] != '\0')
		snprintf(buf, len, "%s%s> ", name, tls ? " tls" : "");
	else if (n > 1)
		snprintf(buf, len, "%d peers> ", n);
	else if (cfg->listen && cfg->unix_sock)
		snprintf(buf, len, "waiting for a %s on %s> ",
		    cfg->udp ? "datagram" : "client", cfg->path);
	else if (cfg->listen)
		snprintf(buf, len, "waiting for a %s on port %u> ",
		    cfg->udp ? "datagram" : "client", s->listen_port);
	else
		snprintf(buf, len, "sockline> ");
	/* A unix peer names itself: nothing of it reaches the terminal. */
	for (; *buf != '\0'; buf++) {
		if ((unsigned char)*buf < 0x20 || *buf == 0x7f)
			*buf = '?';
	}
}

/* Sets the prompt readline draws next. */
void
screen_refresh_prompt(struct repl *r)
{
	char	text[PROMPT_MAX], *p;

	prompt_text(r, text, sizeof(text));
	if (r->prompt != NULL && strcmp(r->prompt, text) == 0)
		return;
	if ((p = strdup(text)) == NULL)
		return;
	free(r->prompt);
	r->prompt = p;
	if (r->installed)
		rl_set_prompt(r->prompt);
}

/* The same, drawn at once if it changed. */
void
repl_update_prompt(struct repl *r)
{
	char	text[PROMPT_MAX];

	prompt_text(r, text, sizeof(text));
	if (r->prompt != NULL && strcmp(r->prompt, text) == 0)
		return;
	screen_above_begin(r);
	screen_refresh_prompt(r);
	screen_above_end(r);
}

/*
 * A line for the user on the terminal, above the prompt: command
 * output and notices.  Never stdout, which holds only the peer's bytes.
 */
void
repl_notice(struct repl *r, const char *fmt, ...)
{
	va_list	 ap;
	char	 line[1024], *p;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (p = line; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	screen_above_begin(r);
	if (r->tty_term)
		screen_break(r);
	fprintf(r->tty, "%s%s", line, r->tty_term ? "\r\n" : "\n");
	fflush(r->tty);
	screen_above_end(r);
}

/* msg.c's hook: errors and -v lines, still on stderr. */
void
screen_message(struct repl *r, const char *line)
{
	/* The terminal, if stderr is it: a stopped one must not block. */
	FILE	*f = r->err_tty && r->err_same ? r->tty : stderr;

	if (r->err_tty) {
		screen_above_begin(r);
		screen_break(r);
	}
	fprintf(f, "%s%s", line, r->err_tty && r->installed ?
	    "\r\n" : "\n");
	fflush(f);
	if (r->err_tty)
		screen_above_end(r);
}

/*
 * Starts b with what takes the cursor back to the end of the open line
 * on the row above the prompt, when there is one: up, and that row
 * written again.
 */
static int
resume_tail(struct repl *r, struct buf *b)
{
	const char	*up = rl_get_termcap("up");

	if (r->adopted)
		return adopt_resume(r, b);
	if (!r->tail_live)
		return 0;
	if (buf_append(b, up, strlen(up)) == -1 ||
	    buf_append(b, "\r", 1) == -1 ||
	    buf_append(b, r->render.tail, r->render.tail_len) == -1)
		return -1;
	return 0;
}

/* Data for the terminal stdout is on, in order with the prompt's. */
void
screen_data(struct repl *r, const char *p, size_t n)
{
	if (r->dq != NULL)
		ttyq_put(r->dq, p, n);
	else
		write_all(STDOUT_FILENO, p, n);
}

/* Rendered bytes (after resume_tail()) for the terminal, above the
 * prompt; an open line is left on its own row, the prompt below. */
static void
show(struct repl *r, const char *p, size_t n)
{
	const char	*up = rl_get_termcap("up");

	screen_above_begin(r);
	screen_data(r, p, n);
	r->tail_live = 0;
	if (!r->render.bol) {
		screen_data(r, "\r\n", 2);
		if (r->render.tail_ok && up != NULL && *up != '\0')
			r->tail_live = 1;
		else
			render_break(&r->render);
	}
	screen_refresh_prompt(r);
	screen_above_end(r);
	if (r->dq != NULL)
		fflush(r->tty);
	adopt_arm(r);
	pace_count(r);
}


/* Writes what stdout (a file or a pipe) takes now. */
static void
flush_out(struct repl *r)
{
	ssize_t	w;

	while (buf_used(&r->out) > 0) {
		w = write(STDOUT_FILENO, buf_head(&r->out), buf_used(&r->out));
		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			session_fail(r->front.s, "write to stdout failed: %s",
			    strerror(errno));
			buf_free(&r->out);
			return;
		}
		buf_consume(&r->out, (size_t)w);
	}
	ev_set(r->front.s->ev, STDOUT_FILENO, buf_used(&r->out) > 0 ?
	    EV_WRITE : 0, on_stdout, r);
}

static void
on_stdout(int fd, int events, void *arg)
{
	struct repl	*r = arg;

	(void)fd;
	(void)events;
	flush_out(r);
	session_output_ready(r->front.s);
}

void
screen_output(struct repl *r, const struct peer *from, const char *p,
    size_t n, int flags)
{
	struct buf	 b;
	char		 name[PEER_HOSTLEN + 8];
	int		 rows, cols;

	if (!r->out_tty) {
		/* Who sent it goes to the terminal: stdout keeps the bytes. */
		if (flags & OUT_SENDER)
			msg_verbose(r->cfg, 0, "Received %zu bytes from %s", n,
			    peer_addr(from, name, sizeof(name)));
		if (render_data(&r->render, &r->out, from, p, n, flags) == -1)
			session_fail(r->front.s, "out of memory");
		flush_out(r);
		repl_update_prompt(r);
		return;
	}
	/* At the prompt a listener's datagrams always say who sent them
	 * (the user answers the latest sender), and so does each client of
	 * -k (design item 8). */
	if (r->cfg->listen && ((flags & OUT_DGRAM) || r->cfg->keep_open))
		flags |= OUT_SENDER;
	if (hide_output(r, n))
		return;
	rl_get_screen_size(&rows, &cols);
	r->render.cols = cols > 0 ? cols : 80;
	memset(&b, 0, sizeof(b));
	if (resume_tail(r, &b) == -1 ||
	    render_data(&r->render, &b, from, p, n, flags) == -1)
		session_fail(r->front.s, "out of memory");
	show(r, buf_head(&b), buf_used(&b));
	buf_free(&b);
}

/* A CR or part of a character held back is all there will be. */
void
screen_flush_held(struct repl *r)
{
	struct buf	b;

	if (r->render.nhold == 0)
		return;
	memset(&b, 0, sizeof(b));
	if (!r->out_tty) {
		if (render_flush(&r->render, &r->out) == 0)
			flush_out(r);
	} else if (resume_tail(r, &b) == 0 &&
	    render_flush(&r->render, &b) == 0)
		show(r, buf_head(&b), buf_used(&b));
	buf_free(&b);
}

/* True if fd is on the terminal the queue q writes to. */
static int
same_terminal(struct ttyq *q, int fd)
{
	dev_t	d;

	return q->fd != -1 && isatty(fd) && (d = term_device(fd)) != 0 &&
	    d == term_device(q->fd);
}

/*
 * The terminal the prompt is drawn on: /dev/tty, else stderr's, each
 * opened again non-blocking for the queue; else stderr as it is.
 */
static void
open_tty(struct repl *r)
{
	struct ev	*ev = r->front.s->ev;
	int		 fd, term = 1;

	fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		fd = term_reopen(STDERR_FILENO);
		term = fd != -1;
	}
	if (fd != -1 && ttyq_open(&r->tq, fd, ev, pace_drained, r) == 0) {
		r->tty = r->tq.fp;
		r->tty_term = term;
		return;
	}
	if (fd != -1)
		close(fd);
	r->tq.fd = -1;
	r->tty = stderr;
	r->tty_term = isatty(STDERR_FILENO);
}

/* Where received data for a terminal on stdout goes: the prompt's
 * queue when it is the same terminal, so that the order holds. */
static void
open_data(struct repl *r)
{
	int	fd;

	r->oq.fd = -1;
	r->dq = NULL;
	if (!r->out_tty)
		return;
	if (same_terminal(&r->tq, STDOUT_FILENO)) {
		r->dq = &r->tq;
		return;
	}
	if ((fd = term_reopen(STDOUT_FILENO)) == -1)
		return;
	if (ttyq_open(&r->oq, fd, r->front.s->ev, pace_drained, r) == 0)
		r->dq = &r->oq;
	else
		close(fd);
}

/* Finds out where things go; call after setlocale(). */
void
screen_open(struct repl *r)
{
	pace_init(r);
	adopt_init(r);
	open_tty(r);
	r->out_tty = isatty(STDOUT_FILENO);
	r->err_tty = isatty(STDERR_FILENO);
	r->err_same = same_terminal(&r->tq, STDERR_FILENO);
	open_data(r);
	render_init(&r->render, r->cfg, r->out_tty);
	r->render.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	/* A pipe on stdout must never stall the loop. */
	r->out_flags = r->out_tty ? -1 : fd_nonblocking(STDOUT_FILENO);
}

/*
 * The session is over: what is held back is shown, and the prompt goes
 * so the shell's starts on a clean row; a half-typed line stays on the
 * screen, though, as it is the user's.
 */
void
screen_leave(struct repl *r)
{
	screen_flush_held(r);
	if (r->shown && r->tty_term) {
		if (rl_end == 0)
			rl_clear_visible_line();
		else {
			rl_point = rl_end;
			rl_redisplay();
			fputs("\r\n", rl_outstream);
		}
		fflush(rl_outstream);
	}
}

void
screen_close(struct repl *r)
{
	ev_del(r->front.s->ev, STDOUT_FILENO);
	if (r->out_flags != -1)
		fcntl(STDOUT_FILENO, F_SETFL, r->out_flags);
	buf_free(&r->out);
	pace_stop(r);
	adopt_drop(r);
	/* All of it, unless a signal says to go now. */
	pace_drain(r);
	rl_outstream = stdout;
	ttyq_close(&r->oq);
	ttyq_close(&r->tq);
	r->dq = NULL;
	r->tty = NULL;
}
