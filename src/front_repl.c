/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The interactive front end (design items 11 and 12): GNU readline in
 * callback mode inside the same ppoll(2) loop as the sockets, so that a
 * reply shows the moment it arrives and the line being typed is never
 * lost or garbled.  This file runs readline and takes what is typed;
 * screen.c draws, commands.c runs the /commands.
 *
 * Where things go.  The prompt and the edit line go to the terminal
 * (/dev/tty), received data to stdout, messages to stderr.  So
 * `sockline host port > log` leaves exactly the peer's bytes in log,
 * and no escape sequence of readline's ever reaches a file or the peer.
 * A bracketed paste is data (design item 16): keyin.c takes it apart
 * from the keys, and every line in it goes to the peer, `exit` too.
 * Whatever way the session ends, what the terminal has sent and nobody
 * has read is thrown away as the terminal is given back, so that none
 * of it reaches the shell.
 *
 * Keys.  Ctrl-C must discard the line being typed, yet a SIGINT from
 * kill(1) must still end the session with 130 as in batch mode.  So
 * once readline has set up the terminal, ISIG is cleared: Ctrl-C then
 * reaches readline as a byte, bound to sockline-discard-line, and
 * Ctrl-Z, for the same reason, to sockline-suspend.  Readline's own
 * signal handling is off: signals.c owns SIGINT, SIGTERM and SIGHUP,
 * and stop() gives the terminal back on the normal way out (readline
 * restores the settings it saved), whatever ended the session.
 *
 * Readline's callbacks take no argument, hence the one pointer below.
 */

#include <sys/ioctl.h>

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "repl.h"

static struct repl	*the_repl;

static void	on_line(char *);
static void	on_stdin(int, int, void *);

void
repl_quit(struct repl *r, int status)
{
	session_quit(r->front.s, status);
	if (r->installed)
		rl_callback_handler_remove();
	r->installed = r->shown = 0;
}

/* msg.c's hook: errors and -v lines, above the prompt. */
static void
on_msg(const char *line)
{
	screen_message(the_repl, line);
}

static void
repl_output(struct front *f, const struct peer *from, const char *p,
    size_t n, int flags)
{
	screen_output(f->priv, from, p, n, flags);
}

static size_t
repl_room(struct front *f)
{
	return pace_room(f->priv);
}

static int
repl_flushed(struct front *f)
{
	return pace_flushed(f->priv);
}

/*
 * Keys come from a person: when none are waiting (read or unread) and
 * nothing is queued, nothing is on its way that a grace period after
 * the peer's end could still catch.  Piped input may be, any time.
 */
static int
repl_input_idle(struct front *f)
{
	struct repl	*r = f->priv;
	int		 n = 0;

	return r->in_term && !r->pasting && TAILQ_EMPTY(&r->sendq) &&
	    buf_used(&r->keys) == 0 &&
	    ioctl(STDIN_FILENO, FIONREAD, &n) == 0 && n == 0;
}

/*
 * Keys are always read; only what waits in the send queue pauses.  Not
 * so input from a pipe or a file (--interactive): it can come faster
 * than any peer takes it, so it is read only while the queue holds
 * less than SENDQ_MAX (design item 13's bounded memory).
 */
static void
repl_input_ctl(struct front *f, int on)
{
	if (on)
		sendq_pump(f->priv);
}

/* Reads stdin again, or stops, as the send queue says. */
void
repl_input_update(struct repl *r)
{
	int	want;

	if (!r->installed || r->in_eof)
		return;
	want = r->in_term || sendq_bytes(r) < SENDQ_MAX;
	if (want == r->in_reading)
		return;
	r->in_reading = want;
	ev_set(r->front.s->ev, STDIN_FILENO, want ? EV_READ : 0, on_stdin, r);
}

static void
repl_event(struct front *f, enum front_event e, const struct peer *p)
{
	struct repl	*r = f->priv;
	char		 name[PEER_HOSTLEN + 32];

	peer_name(p, name, sizeof(name));
	if (e == FE_PEER_TLS) {
		repl_notice(r, "sockline: the connection to %s is now TLS; "
		    "/tls and /cert describe it", name);
		repl_update_prompt(r);
		return;
	}
	if (e == FE_PEER_GONE) {
		repl_update_prompt(r);
		return;
	}
	if (e == FE_PEER_DOWN) {
		screen_flush_held(r);
		adopt_drop(r);
		if (r->closing == p->id)
			repl_notice(r, "sockline: closed the connection to %s",
			    name);
		else if (r->front.s->stay)
			repl_notice(r, "sockline: %s closed the connection; "
			    "/reconnect opens it again, /quit quits", name);
		else
			repl_notice(r, "sockline: %s closed the connection",
			    name);
	} else if (!r->cfg->listen && r->cfg->no_commands)
		repl_notice(r, "sockline: connected to %s; every line is sent "
		    "(--no-commands); %s", name, r->cfg->udp ? "Ctrl-D quits" :
		    "Ctrl-D ends input, twice quits");
	else if (!r->cfg->listen)
		repl_notice(r, "sockline: connected to %s; /help lists the "
		    "commands, exit quits%s", name, r->cfg->udp ? ", so does "
		    "Ctrl-D" : ", Ctrl-D ends input");
	else if (r->cfg->udp)
		repl_notice(r, "sockline: a datagram from %s", name);
	else
		repl_notice(r, "sockline: %s connected", name);
	repl_update_prompt(r);
}

/*
 * A line for the peer, as it is: typed, or one of a paste (keyin.c).
 * Pasted lines are not kept in the history: a long paste would push out
 * the lines typed.
 */
void
repl_send_line(struct repl *r, const char *line)
{
	if (repl_may_send(r) && sendq_line(r, line, strlen(line)) == -1)
		session_fail(r->front.s, "out of memory");
}

/* Whether anything more may be sent; if not, a notice says why. */
int
repl_may_send(struct repl *r)
{
	if (r->cfg->recv_only) {
		repl_notice(r, "sockline: --recv-only: nothing is sent");
		return 0;
	}
	if (r->typed_eof) {
		repl_notice(r, "sockline: input has ended (Ctrl-D): nothing "
		    "more is sent; Ctrl-D%s quits", r->cfg->no_commands ? "" :
		    ", exit or /quit");
		return 0;
	}
	if (r->front.s->stay && r->front.s->nconns == 0)
		repl_notice(r, "sockline: not connected: this waits for "
		    "/reconnect");
	return 1;
}

/*
 * Ctrl-D on an empty line, or /eof (design item 18): the end of what
 * the user has to say, as the end of piped input is in batch mode
 * (item 1).  What is queued goes first, then the peer is half-closed
 * (over TLS, close_notify) and its replies still show; the prompt
 * stays for commands.  The second time, it quits.  Datagrams and a -k
 * listener's clients have no half-close: there it quits at once.
 */
void
repl_end_input(struct repl *r)
{
	if (r->typed_eof || r->cfg->udp || r->cfg->keep_open) {
		repl_quit(r, EXIT_OK);
		return;
	}
	r->typed_eof = 1;
	repl_notice(r, "sockline: end of input sent; the peer's replies "
	    "still show; Ctrl-D again%s quits", r->cfg->no_commands ? "" :
	    ", exit or /quit");
	sendq_pump(r);
}

/*
 * A line from a pipe (--interactive) that does not end: readline would
 * hold all of it, however long.  Past PIPE_LINE_MAX what it has goes to
 * the peer as it is, and the rest follows as it comes, the line end
 * last, so the bytes sent are those a shorter line would give.  A line
 * that long is data, never a command or exit; a leading backslash goes,
 * as it would.  The send queue then holds off reading, as for lines.
 */
void
repl_line_overflow(struct repl *r)
{
	const char	*p = rl_line_buffer;
	size_t		 n = (size_t)rl_end;

	if (!r->line_cont && !r->cfg->no_commands && n > 0 && p[0] == '\\') {
		p++;
		n--;
	}
	if (repl_may_send(r) && sendq_exact(r, p, n) == -1)
		session_fail(r->front.s, "out of memory");
	r->line_cont = 1;
	/* Its undo list too, which grows with every byte. */
	rl_replace_line("", 1);
	rl_point = rl_mark = 0;
}

/* A line ended by Enter: exit, a /command, or a line for the peer. */
static void
typed(struct repl *r, const char *line)
{
	/* The end of a line whose start has gone: data, as it is. */
	if (r->line_cont) {
		r->line_cont = 0;
		repl_send_line(r, line);
		return;
	}
	/* --no-commands: a reverse shell's /bin/sh, an email's lines. */
	if (r->cfg->no_commands) {
		hist_add(&r->hist, line);
		repl_send_line(r, line);
		return;
	}
	/* Not kept: Up in the next session should find real work. */
	if (strcmp(line, "exit") == 0) {
		repl_quit(r, EXIT_OK);
		return;
	}
	hist_add(&r->hist, line);
	if (line[0] == '/') {
		commands_run(r, line);
		return;
	}
	/* A leading backslash sends the rest as it is: \exit, \/help. */
	if (line[0] == '\\')
		line++;
	repl_send_line(r, line);
}

/*
 * --interactive reading a pipe or a file: its end is not someone
 * leaving but the end of what they had to say, so it is treated as in
 * batch mode (design item 1): what was given is sent, the peer is
 * half-closed and its answers are printed until it closes or -q runs
 * out.  sendq.c ends the session's input once the queue is empty.
 */
static void
input_ended(struct repl *r)
{
	if (r->installed)
		rl_callback_handler_remove();
	r->installed = r->shown = 0;
	ev_del(r->front.s->ev, STDIN_FILENO);
	r->in_eof = 1;
	sendq_pump(r);
}

static void
on_line(char *line)
{
	struct repl	*r = the_repl;
	struct session	*s = r->front.s;
	char		*p, *nl;

	/* Readline has moved below the line: the prompt is gone. */
	r->shown = 0;
	r->tail_live = 0;
	adopt_drop(r);
	render_break(&r->render);
	if (line == NULL) {
		fputs(r->tty_term ? "\r\n" : "\n", r->tty);
		fflush(r->tty);
		/* Ctrl-D on an empty line. */
		if (!r->in_term) {
			input_ended(r);
			return;
		}
		repl_end_input(r);
		if (s->done || s->quitting)
			return;
		screen_refresh_prompt(r);
		r->shown = 1;
		return;
	}
	/*
	 * Only a paste that readline took itself (an inputrc binding
	 * bracketed-paste-begin) or Ctrl-V Ctrl-J puts a newline in the
	 * line: then every line of it is data, the last one too.
	 */
	if (strchr(line, '\n') == NULL)
		typed(r, line);
	else {
		for (p = line; p != NULL && !s->done; p = nl) {
			if ((nl = strchr(p, '\n')) != NULL)
				*nl++ = '\0';
			if (nl != NULL && *nl == '\0')
				nl = NULL;
			repl_send_line(r, p);
		}
	}
	free(line);
	if (s->done) {
		repl_quit(r, s->status);
		return;
	}
	screen_refresh_prompt(r);
	/* Readline draws the prompt again once this returns. */
	r->shown = 1;
}

/* Ctrl-C: the line stays on the screen, marked, and a new one begins. */
static int
key_discard(int count, int key)
{
	struct repl	*r = the_repl;

	(void)count;
	(void)key;
	rl_callback_sigcleanup();
	rl_point = rl_end;
	rl_redisplay();
	fputs("^C\r\n", rl_outstream);
	fflush(rl_outstream);
	rl_replace_line("", 1);
	rl_point = rl_mark = 0;
	using_history();
	screen_break(r);
	r->shown = 0;
	sendq_cancel(r);
	r->shown = 1;
	rl_forced_update_display();
	return 0;
}

/*
 * Readline's settings, less ISIG (Ctrl-C and Ctrl-Z are keys here) and,
 * where our terminal queue makes the CRs (ttyq.c), less the kernel's
 * output processing, which costs most of the time a flood takes to draw.
 * Readline's own deprep and term_restore() put both back.
 */
static struct termios	prepped;	/* the prompt's settings */
static int		have_prepped;

static void
prep_terminal(int meta)
{
	struct termios	t, was;
	int		fd = fileno(rl_instream);

	have_prepped = 0;
	rl_prep_terminal(meta);
	if (tcgetattr(fd, &t) == -1)
		return;
	was = t;
	t.c_lflag &= ~ISIG;
	/* Not with -e or -c: a program of ours may write to it too. */
	if (the_repl != NULL && ttyq_raw_ok(&the_repl->tq, fd, &t) &&
	    the_repl->cfg->exec_argv == NULL)
		t.c_oflag &= ~OPOST;
	if (t.c_lflag != was.c_lflag || t.c_oflag != was.c_oflag)
		tcsetattr(fd, TCSANOW, &t);
	prepped = t;
	have_prepped = 1;
}

/*
 * Continued after a stop that was not ours (kill -TSTP; Ctrl-Z is a key
 * here, see key_suspend()): the shell gave the terminal its own settings
 * meanwhile, and the prompt takes its own back, as after Ctrl-Z.
 */
static void
resume_terminal(struct repl *r)
{
	struct termios	t;
	int		fd = fileno(rl_instream);

	/* Continued in the background (bg): not ours to set until fg. */
	if (!have_prepped || !r->in_term || tcgetpgrp(fd) != getpgrp() ||
	    tcgetattr(fd, &t) == -1 ||
	    (t.c_lflag == prepped.c_lflag && t.c_oflag == prepped.c_oflag &&
	    t.c_iflag == prepped.c_iflag))
		return;
	tcsetattr(fd, TCSANOW, &prepped);
	screen_break(r);
	rl_forced_update_display();
}

/*
 * Readline gives back the terminal with TCSADRAIN, which waits for the
 * output to drain: forever on a stopped terminal.  After a signal only
 * term_restore() runs, which does not wait; it also runs after
 * readline's own, so that every way out ends in the same routine.
 */
static void
deprep_terminal(void)
{
	have_prepped = 0;
	if (!sig_caught)
		rl_deprep_terminal();
	term_restore();
}

/* Ctrl-Z: what the terminal would do with ISIG on, by hand. */
static int
key_suspend(int count, int key)
{
	struct repl	*r = the_repl;

	(void)count;
	(void)key;
	fputs("\r\n", rl_outstream);
	pace_drain(r);
	(*rl_deprep_term_function)();
	kill(0, SIGTSTP);
	/* Here again after fg (or at once, with no job control). */
	prep_terminal(1);
	screen_break(r);
	rl_forced_update_display();
	return 0;
}

static char **
complete(const char *text, int start, int end)
{
	(void)end;
	return commands_complete(the_repl, text, start);
}

static void
on_stdin(int fd, int events, void *arg)
{
	struct repl	*r = arg;

	(void)events;
	if (!r->installed) {
		ev_del(r->front.s->ev, fd);
		return;
	}
	keyin_read(r, fd);
}

static void
on_winch(int fd, int events, void *arg)
{
	struct repl	*r = arg;
	char		 drain[64];

	(void)events;
	while (read(fd, drain, sizeof(drain)) > 0)
		;
	if (sig_cont) {
		sig_cont = 0;
		if (r->installed)
			resume_terminal(r);
	}
	if (!sig_winch)
		return;
	sig_winch = 0;
	if (r->installed) {
		/* The rows above may have been reflowed: start afresh. */
		screen_break(r);
		rl_resize_terminal();
	}
}

/* Readline settings made before it reads ~/.inputrc, which may change
 * them, and the keys that must be ours. */
static void
setup_readline(struct repl *r)
{
	static const int	keys[] = { 'C' & 0x1f, 'Z' & 0x1f };
	Keymap			maps[3];
	size_t			i, j;

	rl_readline_name = "sockline";
	rl_instream = stdin;
	rl_outstream = r->tty;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = prep_terminal;
	rl_deprep_term_function = deprep_terminal;
	rl_attempted_completion_function = complete;
	pathquote_setup();
	keyin_setup(r);
	hide_setup(r);
	rl_add_defun("sockline-discard-line", key_discard, -1);
	rl_add_defun("sockline-suspend", key_suspend, -1);
	maps[0] = emacs_standard_keymap;
	maps[1] = vi_insertion_keymap;
	maps[2] = vi_movement_keymap;
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 2; j++)
			rl_bind_key_in_map(keys[j], j == 0 ? key_discard :
			    key_suspend, maps[i]);
	}
	/* An unbound function key is swallowed whole, not typed as "~". */
	rl_bind_keyseq_in_map("\\e[", rl_skip_csi_sequence,
	    emacs_standard_keymap);
}

static int
repl_start(struct front *f)
{
	struct repl	*r = f->priv;
	struct ev	*ev = f->s->ev;

	/* Before the screen is taken: a refused file ends the session. */
	if (hist_load(&r->hist, r->cfg) == -1)
		return -1;
	setlocale(LC_CTYPE, "");
	screen_open(r);
	r->in_term = isatty(STDIN_FILENO);
	if (r->in_term)
		term_save(STDIN_FILENO);
	setup_readline(r);
	r->started = 1;
	if ((r->winch_fd = signals_winch_start()) != -1)
		ev_set(ev, r->winch_fd, EV_READ, on_winch, r);
	if (ev_set(ev, STDIN_FILENO, EV_READ, on_stdin, r) == -1)
		return -1;
	r->in_reading = 1;
	msg_set_hook(on_msg);
	screen_refresh_prompt(r);
	rl_callback_handler_install(r->prompt, on_line);
	r->installed = r->shown = 1;
	return 0;
}

static void
repl_stop(struct front *f)
{
	struct repl	*r = f->priv;

	if (r->started) {
		if (r->in_term)
			keyin_drain_paste(r, STDIN_FILENO);
		screen_leave(r);
		/* Readline puts back the terminal settings it found. */
		if (r->installed)
			rl_callback_handler_remove();
		r->installed = r->shown = 0;
		/* Unread input goes, now that the terminal is restored. */
		keyin_discard(r);
		hist_save(&r->hist);
		msg_set_hook(NULL);
		ev_del(f->s->ev, STDIN_FILENO);
		if (r->winch_fd != -1)
			ev_del(f->s->ev, r->winch_fd);
		signals_winch_stop();
		screen_close(r);
	}
	keyin_free(r);
	sendq_free(r);
	render_free(&r->render);
	free(r->prompt);
	free(r);
	the_repl = NULL;
}

static const struct front_ops repl_ops = {
	.name = "readline",
	.start = repl_start,
	.output = repl_output,
	.room = repl_room,
	.flushed = repl_flushed,
	.input_ctl = repl_input_ctl,
	.event = repl_event,
	.stop = repl_stop,
	.input_idle = repl_input_idle,
};

struct front *
front_repl_new(struct session *s)
{
	struct repl	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->front.ops = &repl_ops;
	r->front.s = s;
	r->front.priv = r;
	r->cfg = s->cfg;
	r->out_flags = -1;
	r->winch_fd = -1;
	TAILQ_INIT(&r->sendq);
	the_repl = r;
	return &r->front;
}
