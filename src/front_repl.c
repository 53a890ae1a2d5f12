/*
 * The interactive front end (design items 11 and 12): GNU readline in
 * callback mode inside the same ppoll(2) loop as the sockets, so that a
 * reply shows the moment it arrives and the line being typed is never
 * lost or garbled.
 *
 * The screen.  Received bytes are written above the prompt: the prompt
 * and the line being edited are wiped (rl_clear_visible_line), the
 * bytes written, and the prompt drawn again (rl_forced_update_display)
 * with the line and the cursor as they were.  An unfinished line
 * ("login: ") stays on its own row just above the prompt; when more of
 * it comes we go up a row, write that row again and go on, so the line
 * reads as the peer sent it.  render.c says what the bytes look like.
 *
 * Where things go.  The prompt and the edit line go to the terminal
 * (/dev/tty), received data to stdout, messages to stderr.  So
 * `sockline host port > log` leaves exactly the peer's bytes in log,
 * and no escape sequence of readline's ever reaches a file or the peer.
 * Bracketed paste is off by default, so pasting two lines sends two
 * lines; an ~/.inputrc that turns it on gets each pasted line sent
 * apart all the same.
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

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
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

/* Wipes the prompt and the edit line, to write above them. */
static void
above_begin(struct repl *r)
{
	if (!r->shown)
		return;
	rl_clear_visible_line();
	fflush(rl_outstream);
}

/* Draws them again, the cursor where it was. */
static void
above_end(struct repl *r)
{
	if (!r->shown)
		return;
	rl_forced_update_display();
}

/* Something other than data went above the prompt: the open line
 * cannot go on where it was. */
static void
break_tail(struct repl *r)
{
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
	int			 n, i;

	if (cfg->prompt != NULL) {
		snprintf(buf, len, "%s", cfg->prompt);
		return;
	}
	n = session_peers(s, list, 64);
	name[0] = '\0';
	for (i = 0; i < n; i++) {
		if ((s->to_id != 0 && list[i]->id == s->to_id) ||
		    (s->to_id == 0 && (n == 1 || (s->target != NULL &&
		    list[i]->id == s->target->peer.id))))
			peer_short(list[i], name, sizeof(name));
	}
	if (name[0] != '\0')
		snprintf(buf, len, "%s> ", name);
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

/* Sets the prompt readline draws next; 1 if it changed. */
static int
refresh_prompt(struct repl *r)
{
	char	text[PEER_HOSTLEN + 64], *p;

	prompt_text(r, text, sizeof(text));
	if (r->prompt != NULL && strcmp(r->prompt, text) == 0)
		return 0;
	if ((p = strdup(text)) == NULL)
		return 0;
	free(r->prompt);
	r->prompt = p;
	if (r->installed)
		rl_set_prompt(r->prompt);
	return 1;
}

void
repl_update_prompt(struct repl *r)
{
	if (!r->shown) {
		refresh_prompt(r);
		return;
	}
	above_begin(r);
	refresh_prompt(r);
	above_end(r);
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
	above_begin(r);
	if (r->tty_term)
		break_tail(r);
	fprintf(r->tty, "%s%s", line, r->tty_term ? "\r\n" : "\n");
	fflush(r->tty);
	above_end(r);
}

/* msg.c's hook: errors and -v lines, still on stderr. */
static void
on_msg(const char *line)
{
	struct repl	*r = the_repl;

	if (r->err_tty) {
		above_begin(r);
		break_tail(r);
	}
	fprintf(stderr, "%s%s", line, r->err_tty && r->installed ?
	    "\r\n" : "\n");
	fflush(stderr);
	if (r->err_tty)
		above_end(r);
}

void
repl_quit(struct repl *r, int status)
{
	session_quit(r->front.s, status);
	if (r->installed)
		rl_callback_handler_remove();
	r->installed = r->shown = 0;
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

	if (!r->tail_live)
		return 0;
	if (buf_append(b, up, strlen(up)) == -1 ||
	    buf_append(b, "\r", 1) == -1 ||
	    buf_append(b, r->render.tail, r->render.tail_len) == -1)
		return -1;
	return 0;
}

/* Rendered bytes (after resume_tail()) for the terminal, above the
 * prompt; an open line is left on its own row, the prompt below. */
static void
show(struct repl *r, const char *p, size_t n)
{
	const char	*up = rl_get_termcap("up");

	above_begin(r);
	write_all(STDOUT_FILENO, p, n);
	r->tail_live = 0;
	if (!r->render.bol) {
		write_all(STDOUT_FILENO, "\r\n", 2);
		if (r->render.tail_ok && up != NULL && *up != '\0')
			r->tail_live = 1;
		else
			render_break(&r->render);
	}
	refresh_prompt(r);
	above_end(r);
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

static void
repl_output(struct front *f, const struct peer *from, const char *p,
    size_t n, int flags)
{
	struct repl	*r = f->priv;
	struct buf	 b;
	char		 name[PEER_HOSTLEN + 8];
	int		 rows, cols;

	if (!r->out_tty) {
		/* Who sent it goes to the terminal: stdout keeps the bytes. */
		if (flags & OUT_SENDER)
			msg_verbose(r->cfg, 0, "Received %zu bytes from %s", n,
			    peer_addr(from, name, sizeof(name)));
		if (render_data(&r->render, &r->out, from, p, n, flags) == -1)
			session_fail(f->s, "out of memory");
		flush_out(r);
		refresh_prompt(r);
		return;
	}
	rl_get_screen_size(&rows, &cols);
	r->render.cols = cols > 0 ? cols : 80;
	memset(&b, 0, sizeof(b));
	if (resume_tail(r, &b) == -1 ||
	    render_data(&r->render, &b, from, p, n, flags) == -1)
		session_fail(f->s, "out of memory");
	show(r, buf_head(&b), buf_used(&b));
	buf_free(&b);
}

static size_t
repl_room(struct front *f)
{
	struct repl	*r = f->priv;

	return r->out_tty ? BUF_CHUNK : buf_room(&r->out, BUF_CHUNK);
}

static int
repl_flushed(struct front *f)
{
	struct repl	*r = f->priv;

	return buf_used(&r->out) == 0;
}

/* Keys are always read; only what waits in the send queue pauses. */
static void
repl_input_ctl(struct front *f, int on)
{
	if (on)
		sendq_pump(f->priv);
}

/* A CR or part of a character held back is all there will be. */
static void
flush_held(struct repl *r)
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

static void
repl_event(struct front *f, enum front_event e, const struct peer *p)
{
	struct repl	*r = f->priv;
	char		 name[PEER_HOSTLEN + 32];

	peer_name(p, name, sizeof(name));
	if (e == FE_PEER_DOWN) {
		flush_held(r);
		if (r->closing == p->id)
			repl_notice(r, "sockline: closed the connection to %s",
			    name);
		else
			repl_notice(r, "sockline: %s closed the connection",
			    name);
	} else if (!r->cfg->listen)
		repl_notice(r, "sockline: connected to %s; /help lists the "
		    "commands, exit or Ctrl-D quits", name);
	else if (r->cfg->udp)
		repl_notice(r, "sockline: a datagram from %s", name);
	else
		repl_notice(r, "sockline: %s connected", name);
	repl_update_prompt(r);
}

/* One line of what was typed (a paste may bring several at once). */
static int
typed(struct repl *r, const char *line)
{
	/* Not kept: Up in the next session should find real work. */
	if (strcmp(line, "exit") == 0) {
		repl_quit(r, EXIT_OK);
		return -1;
	}
	hist_add(&r->hist, line);
	if (line[0] == '/') {
		commands_run(r, line);
		return 0;
	}
	/* A leading backslash sends the rest as it is: \exit, \/help. */
	if (line[0] == '\\')
		line++;
	if (r->cfg->recv_only)
		repl_notice(r, "sockline: --recv-only: nothing is sent");
	else if (sendq_line(r, line, strlen(line)) == -1)
		session_fail(r->front.s, "out of memory");
	return 0;
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
	render_break(&r->render);
	if (line == NULL) {
		/* Ctrl-D on an empty line (or the end of --interactive input). */
		fputs(r->tty_term ? "\r\n" : "\n", r->tty);
		fflush(r->tty);
		repl_quit(r, EXIT_OK);
		return;
	}
	for (p = line; p != NULL && !s->done; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		if (nl != NULL && *nl == '\0')
			nl = NULL;
		if (typed(r, p) == -1)
			break;
	}
	free(line);
	if (s->done) {
		repl_quit(r, s->status);
		return;
	}
	refresh_prompt(r);
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
	break_tail(r);
	r->shown = 0;
	sendq_cancel(r);
	r->shown = 1;
	rl_forced_update_display();
	return 0;
}

static void
prep_terminal(int meta)
{
	struct termios	t;
	int		fd = fileno(rl_instream);

	rl_prep_terminal(meta);
	if (tcgetattr(fd, &t) == 0 && (t.c_lflag & ISIG)) {
		t.c_lflag &= ~ISIG;
		tcsetattr(fd, TCSANOW, &t);
	}
}

/* Ctrl-Z: what the terminal would do with ISIG on, by hand. */
static int
key_suspend(int count, int key)
{
	struct repl	*r = the_repl;

	(void)count;
	(void)key;
	fputs("\r\n", rl_outstream);
	fflush(rl_outstream);
	(*rl_deprep_term_function)();
	kill(0, SIGTSTP);
	/* Here again after fg (or at once, with no job control). */
	prep_terminal(1);
	break_tail(r);
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
	rl_callback_read_char();
}

static void
on_winch(int fd, int events, void *arg)
{
	struct repl	*r = arg;
	char		 drain[64];

	(void)events;
	while (read(fd, drain, sizeof(drain)) > 0)
		;
	if (!sig_winch)
		return;
	sig_winch = 0;
	if (r->installed) {
		/* The rows above may have been reflowed: start afresh. */
		break_tail(r);
		rl_resize_terminal();
	}
}

/* The terminal the prompt is drawn on: /dev/tty, else stderr. */
static void
open_tty(struct repl *r)
{
	int	fd;

	if ((fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC)) != -1 &&
	    (r->tty = fdopen(fd, "w")) != NULL) {
		r->tty_term = 1;
		return;
	}
	if (fd != -1)
		close(fd);
	r->tty = stderr;
	r->tty_term = isatty(STDERR_FILENO);
}

/* A pipe on stdout must never stall the loop (cf. front_pipe.c). */
static void
stdout_nonblocking(struct repl *r)
{
	struct stat	st;
	int		fl;

	r->out_flags = -1;
	if (fstat(STDOUT_FILENO, &st) == -1 || !(S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode)))
		return;
	if ((fl = fcntl(STDOUT_FILENO, F_GETFL)) == -1 || (fl & O_NONBLOCK))
		return;
	if (fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK) == 0)
		r->out_flags = fl;
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
	rl_attempted_completion_function = complete;
	rl_variable_bind("enable-bracketed-paste", "off");
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

	setlocale(LC_CTYPE, "");
	open_tty(r);
	r->out_tty = isatty(STDOUT_FILENO);
	r->err_tty = isatty(STDERR_FILENO);
	render_init(&r->render, r->cfg, r->out_tty);
	r->render.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (!r->out_tty)
		stdout_nonblocking(r);
	hist_load(&r->hist, r->cfg);
	setup_readline(r);
	r->started = 1;
	if ((r->winch_fd = signals_winch_start()) != -1)
		ev_set(ev, r->winch_fd, EV_READ, on_winch, r);
	if (ev_set(ev, STDIN_FILENO, EV_READ, on_stdin, r) == -1)
		return -1;
	msg_set_hook(on_msg);
	refresh_prompt(r);
	rl_callback_handler_install(r->prompt, on_line);
	r->installed = r->shown = 1;
	return 0;
}

static void
repl_stop(struct front *f)
{
	struct repl	*r = f->priv;

	if (r->started) {
		flush_held(r);
		if (r->shown) {
			/* Keep a half-typed line on the screen; an empty
			 * prompt goes, so the shell's starts on its row. */
			if (rl_end == 0)
				rl_clear_visible_line();
			else {
				rl_point = rl_end;
				rl_redisplay();
				fputs("\r\n", rl_outstream);
			}
		}
		if (r->installed)
			rl_callback_handler_remove();
		fflush(rl_outstream);
		r->installed = r->shown = 0;
		hist_save(&r->hist);
		msg_set_hook(NULL);
		ev_del(f->s->ev, STDIN_FILENO);
		ev_del(f->s->ev, STDOUT_FILENO);
		if (r->winch_fd != -1)
			ev_del(f->s->ev, r->winch_fd);
		signals_winch_stop();
		if (r->out_flags != -1)
			fcntl(STDOUT_FILENO, F_SETFL, r->out_flags);
		rl_outstream = stdout;
		if (r->tty != stderr)
			fclose(r->tty);
	}
	sendq_free(r);
	render_free(&r->render);
	buf_free(&r->out);
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
