/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * -e and -c: a program per client (or per datagram sender), wired to
 * it through two pipes rather than the socket itself, so that what the
 * client sends is still shown locally and nothing the program writes is
 * lost when the client half-closes first.
 *
 * The program gets SOCKLINE_REMOTE_ADDR, SOCKLINE_REMOTE_PORT,
 * SOCKLINE_LOCAL_ADDR, SOCKLINE_LOCAL_PORT and SOCKLINE_PROTO.  Its exit
 * (the end of its output) closes the client once everything it wrote
 * has been sent.  Nothing runs unless -e or -c was given, and -e never
 * goes through a shell (design item 14).
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

/* What a program may have waiting for its stdin before we stop reading
 * its client. */
#define CHILD_IN_MAX	(4 * BUF_CHUNK)

struct child {
	struct session		*s;
	struct conn		*c;
	struct sender		*sd;		/* datagram: who to answer */
	pid_t			 pid;
	struct program		*prog;		/* until it has exited */
	int			 in_fd;		/* its stdin; -1 once closed */
	int			 out_fd;	/* its stdout; -1 at its end */
	struct buf		 to;		/* waiting for its stdin */
	struct buf		 line;		/* datagram: a partial line */
	int			 in_eof;	/* close its stdin once drained */
	int			 in_events;
	int			 out_events;
};

static char	scratch[BUF_CHUNK];

static void	child_in_event(int, int, void *);
static void	child_out_event(int, int, void *);

static void
set_env(const char *name, const char *host, uint16_t port, int unix_sock)
{
	char	var[64], num[8];

	snprintf(var, sizeof(var), "SOCKLINE_%s_ADDR", name);
	setenv(var, host, 1);
	snprintf(var, sizeof(var), "SOCKLINE_%s_PORT", name);
	snprintf(num, sizeof(num), "%u", port);
	setenv(var, unix_sock ? "" : num, 1);
}

/* In the new process: becomes the program, or says why not. */
static void
run_program(struct child *ch, int in, int out)
{
	const struct config	*cfg = ch->s->cfg;
	const struct peer	*remote = ch->sd != NULL ? &ch->sd->peer :
				    &ch->c->peer;
	struct sockaddr_storage	 ss;
	struct peer		 local;
	socklen_t		 len = sizeof(ss);
	sigset_t		 none;

	/* Its own process group, for signal_program(). */
	setpgid(0, 0);
	signals_default();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1)
		_exit(126);
	set_env("REMOTE", remote->host, remote->port, cfg->unix_sock);
	memset(&local, 0, sizeof(local));
	if (getsockname(ch->c->fd, (struct sockaddr *)&ss, &len) == 0) {
		peer_set(&local, remote->proto, (struct sockaddr *)&ss, len);
		if (cfg->unix_sock)
			snprintf(local.host, sizeof(local.host), "%s",
			    cfg->path);
	}
	set_env("LOCAL", local.host, local.port, cfg->unix_sock);
	setenv("SOCKLINE_PROTO", remote->proto, 1);
	conn_tls_setenv(&ch->c->io);
	execvp(cfg->exec_argv[0], cfg->exec_argv);
	dprintf(STDERR_FILENO, "sockline: cannot run %s: %s\n",
	    cfg->exec_argv[0], strerror(errno));
	_exit(127);
}

struct child *
child_start(struct session *s, struct conn *c, struct sender *sd)
{
	struct child	*ch;
	int		 in[2] = { -1, -1 }, out[2] = { -1, -1 };

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	ch->s = s;
	ch->c = c;
	ch->sd = sd;
	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1)
		goto fail;
	switch (ch->pid = fork()) {
	case -1:
		goto fail;
	case 0:
		run_program(ch, in[0], out[1]);
	}
	/* Also here, so no signal can come before the child has done it. */
	setpgid(ch->pid, ch->pid);
	if ((ch->prog = program_track(ch->pid)) == NULL) {
		/* Untracked, it could escape -m and the end: it goes now. */
		kill(-ch->pid, SIGKILL);
		while (waitpid(ch->pid, NULL, 0) == -1 && errno == EINTR)
			continue;
		errno = ENOMEM;
		goto fail;
	}
	close(in[0]);
	close(out[1]);
	ch->in_fd = in[1];
	ch->out_fd = out[0];
	sock_nonblock(ch->in_fd);
	sock_nonblock(ch->out_fd);
	child_update(ch);
	return ch;
fail:
	msg_warn("cannot start %s: %s", s->cfg->exec_argv[0],
	    strerror(errno));
	if (in[0] != -1) {
		close(in[0]);
		close(in[1]);
	}
	if (out[0] != -1) {
		close(out[0]);
		close(out[1]);
	}
	free(ch);
	return NULL;
}

static void
close_in(struct child *ch)
{
	if (ch->in_fd == -1)
		return;
	ev_del(ch->s->ev, ch->in_fd);
	close(ch->in_fd);
	ch->in_fd = -1;
	buf_free(&ch->to);
}

/* Room in what the program's output goes to. */
static size_t
out_room(const struct child *ch)
{
	if (ch->sd != NULL)
		return sizeof(scratch);
	return buf_room(&ch->c->out, CHILD_IN_MAX);
}

/* Gives ev the interest the program's pipes call for. */
void
child_update(struct child *ch)
{
	int	ev;

	if (ch->in_fd != -1) {
		ev = buf_used(&ch->to) > 0 ? EV_WRITE : 0;
		if (ev != ch->in_events) {
			ch->in_events = ev;
			ev_set(ch->s->ev, ch->in_fd, ev, child_in_event, ch);
		}
	}
	if (ch->out_fd != -1) {
		ev = out_room(ch) > 0 ? EV_READ : 0;
		if (ev != ch->out_events) {
			ch->out_events = ev;
			ev_set(ch->s->ev, ch->out_fd, ev, child_out_event, ch);
		}
	}
}

void
child_input(struct child *ch, const char *p, size_t n)
{
	/* A program that closed its stdin just does not get the rest. */
	if (ch->in_fd == -1 || n == 0)
		return;
	if (buf_append(&ch->to, p, n) == -1) {
		session_fail(ch->s, "out of memory");
		return;
	}
	child_update(ch);
}

void
child_input_eof(struct child *ch)
{
	ch->in_eof = 1;
	if (buf_used(&ch->to) == 0)
		close_in(ch);
}

size_t
child_room(const struct child *ch)
{
	return ch->in_fd == -1 ? BUF_CHUNK : buf_room(&ch->to, CHILD_IN_MAX);
}

/* True once the program's output has ended (it exited, as a rule). */
int
child_done(const struct child *ch)
{
	return ch->out_fd == -1;
}

static void
child_in_event(int fd, int events, void *arg)
{
	struct child	*ch = arg;
	ssize_t		 n;

	(void)events;
	n = write(fd, buf_head(&ch->to), buf_used(&ch->to));
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* EPIPE: the program stopped reading; that is its right. */
		close_in(ch);
	} else {
		buf_consume(&ch->to, (size_t)n);
		if (buf_used(&ch->to) == 0 && ch->in_eof)
			close_in(ch);
	}
	child_update(ch);
	/* Room for more of the client's bytes. */
	if (ch->sd == NULL)
		stream_after(ch->s, ch->c);
}

/* The program's output has ended (it exited, as a rule). */
static void
close_out(struct child *ch)
{
	ev_del(ch->s->ev, ch->out_fd);
	close(ch->out_fd);
	ch->out_fd = -1;
}

/* Datagram mode: each line of the program's output is one datagram. */
static void
send_lines(struct child *ch, const char *p, size_t n, int eof)
{
	struct session	*s = ch->s;
	size_t		 k;

	if (buf_append(&ch->line, p, n) == -1) {
		session_fail(s, "out of memory");
		return;
	}
	while ((k = frame_next(buf_head(&ch->line), buf_used(&ch->line),
	    DGRAM_MAX, eof)) > 0) {
		if (respond_send_dgram(s, ch->c, &ch->sd->peer,
		    buf_head(&ch->line), k) == -1) {
			session_fail(s, "out of memory");
			return;
		}
		buf_consume(&ch->line, k);
	}
	conn_update(s, ch->c);
}

static void
child_out_event(int fd, int events, void *arg)
{
	struct child	*ch = arg;
	struct session	*s = ch->s;
	struct conn	*c = ch->c;
	size_t		 room = out_room(ch);
	ssize_t		 n;

	(void)events;
	if (room > sizeof(scratch))
		room = sizeof(scratch);
	if (room == 0)
		return;
	n = read(fd, scratch, room);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_out(ch);
		if (ch->sd != NULL)
			send_lines(ch, NULL, 0, 1);
	} else if (ch->sd != NULL)
		send_lines(ch, scratch, (size_t)n, 0);
	else if (respond_send(s, c, scratch, (size_t)n) == -1)
		session_fail(s, "out of memory");
	/*
	 * A send that failed (the client reset) may have dropped a -k
	 * client, and ch went with it; c itself lives until the end of the
	 * round, so it can say so.
	 */
	if (c->dead) {
		stream_after(s, c);
		return;
	}
	child_update(ch);
	if (ch->sd == NULL)
		stream_after(s, c);
}

/*
 * The client is gone: the program's pipes close, and a program still
 * running is stopped (SIGTERM, then SIGKILL after a grace); it counts
 * against -m until it has exited.
 */
void
child_free(struct child *ch)
{
	close_in(ch);
	if (ch->out_fd != -1)
		close_out(ch);
	program_detach(ch->s->ev, ch->prog);
	buf_free(&ch->line);
	free(ch);
}
