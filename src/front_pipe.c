/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The batch front end: stdin and stdout as plain byte streams, for
 * pipelines and scripts.  Exact bytes, no prompt, no escapes.
 *
 * Pipes and sockets are switched to non-blocking mode (and switched
 * back on the way out) so that a stalled reader can never block the
 * loop, and with it signals and the other direction.  Files stay as
 * they are: a file never blocks.  A terminal on stdout is shared with
 * the shell, so it is opened again for an open file description of our
 * own that can be non-blocking: one that stops taking output (Ctrl-S)
 * must not hold the loop either (design item 17).
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

struct pipe_front {
	struct front	 front;
	struct buf	 out;		/* received bytes stdout has not taken */
	int		 in_open;	/* stdin not yet at end of file */
	int		 flags[2];	/* original fcntl flags, -1: untouched */
	int		 out_fd;	/* stdout, or our own open of its tty */
	int		 zc_in;		/* ZC_* of stdin */
	int		 zc_out;	/* stdout is a pipe bytes may go to */
	int		 zc_wait;	/* ... and it was full */
	struct render	 hex;		/* -x: a hex dump instead of bytes */
	struct ev_deferred flush;	/* stdout is written once per round */
	int		 discard;	/* stdout is /dev/null */
	char		 chunk[BULK_CHUNK];
};

static void	pipe_out_event(int, int, void *);

/* Output at least this big is written at once rather than gathered. */
#define DIRECT_MIN	(BUF_CHUNK / 4)

/*
 * True if fd is /dev/null: a background server's usual stdout, where a
 * write per message would cost a system call and do nothing.
 */
static int
is_dev_null(int fd)
{
	struct stat	st, null;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	    stat("/dev/null", &null) == 0 && st.st_rdev == null.st_rdev;
}

static int
pipe_start(struct front *f)
{
	struct pipe_front	*pf = f->priv;
	const struct config	*cfg = f->s->cfg;

	pf->flags[STDIN_FILENO] = fd_nonblocking(STDIN_FILENO);
	pf->flags[STDOUT_FILENO] = fd_nonblocking(STDOUT_FILENO);
	if ((pf->out_fd = term_reopen(STDOUT_FILENO)) == -1)
		pf->out_fd = STDOUT_FILENO;
	pf->zc_in = zcopy_kind(STDIN_FILENO);
	pf->zc_out = zcopy_kind(STDOUT_FILENO) == ZC_PIPE;
	pf->discard = is_dev_null(STDOUT_FILENO);
	/*
	 * With a responder, stdin is not read at all, so a background
	 * `sockline -l 0 --echo &` with stdin at /dev/null serves normally
	 * and never half-closes its clients (design item 13).  A relay is
	 * a -k listener, which never half-closes: stdin goes to all.
	 */
	if (cfg->recv_only || (cfg->responder != RESP_NONE &&
	    cfg->responder != RESP_BROKER && cfg->responder != RESP_CHAT)) {
		pf->in_open = 0;
		session_input_none(f->s);
	}
	return 0;
}

static void
pipe_in_event(int fd, int events, void *arg)
{
	struct pipe_front	*pf = arg;
	struct session		*s = pf->front.s;
	size_t			 want;
	ssize_t			 n;

	(void)events;
	if (s->done)
		return;
	/* Straight from stdin to the socket when the session allows. */
	if (pf->zc_in != ZC_NONE && session_input_fd(s, fd, pf->zc_in) == 0)
		return;
	want = session_input_room(s);
	if (want > sizeof(pf->chunk))
		want = sizeof(pf->chunk);
	if (want == 0)
		return;
	n = read(fd, pf->chunk, want);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		session_fail(s, "read from stdin failed: %s",
		    strerror(errno));
		return;
	}
	if (n == 0) {
		pf->in_open = 0;
		ev_del(s->ev, fd);
		session_input_eof(s);
		return;
	}
	session_input(s, pf->chunk, (size_t)n);
}

static void
pipe_input_ctl(struct front *f, int on)
{
	struct pipe_front	*pf = f->priv;

	if (!pf->in_open)
		return;
	ev_set(f->s->ev, STDIN_FILENO, on ? EV_READ : 0, pipe_in_event, pf);
}

/* Writes what stdout takes; returns -1 after failing the session. */
static int
flush_out(struct pipe_front *pf, const char *p, size_t n, size_t *done)
{
	ssize_t	w;

	*done = 0;
	while (*done < n) {
		w = write(pf->out_fd, p + *done, n - *done);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			session_fail(pf->front.s, "write to stdout failed: %s",
			    strerror(errno));
			return -1;
		}
		*done += (size_t)w;
	}
	return 0;
}

static void
pipe_output(struct front *f, const struct peer *from, const char *p,
    size_t n, int flags)
{
	struct pipe_front	*pf = f->priv;
	struct buf		 dump;
	size_t			 done = 0;
	char			 name[PEER_HOSTLEN + 8];

	/* Who sent a datagram goes to stderr: stdout keeps exact bytes. */
	if (flags & OUT_SENDER)
		msg_verbose(f->s->cfg, 0, "Received %zu bytes from %s", n,
		    peer_addr(from, name, sizeof(name)));
	if (stdout_closed && n > 0) {
		session_fail(f->s, "write to stdout failed: %s",
		    strerror(EBADF));
		return;
	}
	if (pf->discard)
		return;
	memset(&dump, 0, sizeof(dump));
	if (pf->hex.hex) {
		if (render_data(&pf->hex, &dump, from, p, n, flags) == -1) {
			session_fail(f->s, "out of memory");
			return;
		}
		p = buf_head(&dump);
		n = buf_used(&dump);
	}
	/*
	 * A big chunk with nothing queued goes straight through: no copy.
	 * Small ones are gathered and written once at the end of the round,
	 * so a busy -k listener does not pay a write per message.
	 */
	if (buf_used(&pf->out) == 0 && n >= DIRECT_MIN) {
		if (flush_out(pf, p, n, &done) == -1 || done == n)
			goto out;
	}
	if (buf_append(&pf->out, p + done, n - done) == -1) {
		session_fail(f->s, "out of memory");
		goto out;
	}
	if (done > 0)
		ev_set(f->s->ev, pf->out_fd, EV_WRITE, pipe_out_event, pf);
	else
		ev_defer(f->s->ev, &pf->flush);
out:
	buf_free(&dump);
}

/* The end of a round: what was gathered goes out in one write. */
static void
pipe_flush(void *arg)
{
	struct pipe_front	*pf = arg;

	pipe_out_event(pf->out_fd, EV_WRITE, pf);
}

static void
pipe_out_event(int fd, int events, void *arg)
{
	struct pipe_front	*pf = arg;
	size_t			 done;

	(void)fd;
	(void)events;
	if (pf->zc_wait) {
		/* The pipe has room again for spliced bytes. */
		pf->zc_wait = 0;
		ev_set(pf->front.s->ev, STDOUT_FILENO, 0, pipe_out_event, pf);
		session_output_ready(pf->front.s);
		return;
	}
	if (flush_out(pf, buf_head(&pf->out), buf_used(&pf->out),
	    &done) == -1)
		return;
	buf_consume(&pf->out, done);
	ev_set(pf->front.s->ev, pf->out_fd, buf_used(&pf->out) > 0 ?
	    EV_WRITE : 0, pipe_out_event, pf);
	session_output_ready(pf->front.s);
}

static size_t
pipe_room(struct front *f)
{
	struct pipe_front	*pf = f->priv;

	return pf->zc_wait ? 0 : buf_room(&pf->out, BULK_CHUNK);
}

static int
pipe_out_fd(struct front *f)
{
	struct pipe_front	*pf = f->priv;

	if (!pf->zc_out || pf->zc_wait || buf_used(&pf->out) > 0)
		return -1;
	return STDOUT_FILENO;
}

static void
pipe_out_wait(struct front *f)
{
	struct pipe_front	*pf = f->priv;

	pf->zc_wait = 1;
	ev_set(f->s->ev, STDOUT_FILENO, EV_WRITE, pipe_out_event, pf);
}

static int
pipe_flushed(struct front *f)
{
	struct pipe_front	*pf = f->priv;

	return buf_used(&pf->out) == 0;
}

static void
pipe_event(struct front *f, enum front_event e, const struct peer *p)
{
	/* The mode code already says what -v should; nothing to add. */
	(void)f;
	(void)e;
	(void)p;
}

static void
pipe_stop(struct front *f)
{
	struct pipe_front	*pf = f->priv;
	int			 fd;

	for (fd = STDIN_FILENO; fd <= STDOUT_FILENO; fd++) {
		if (pf->flags[fd] != -1)
			fcntl(fd, F_SETFL, pf->flags[fd]);
	}
	if (pf->out_fd != STDOUT_FILENO) {
		ev_del(f->s->ev, pf->out_fd);
		close(pf->out_fd);
	}
	buf_free(&pf->out);
	render_free(&pf->hex);
	free(pf);
}

static const struct front_ops pipe_ops = {
	.name = "pipe",
	.start = pipe_start,
	.output = pipe_output,
	.room = pipe_room,
	.flushed = pipe_flushed,
	.input_ctl = pipe_input_ctl,
	.event = pipe_event,
	.stop = pipe_stop,
	.out_fd = pipe_out_fd,
	.out_wait = pipe_out_wait,
};

struct front *
front_pipe_new(struct session *s)
{
	struct pipe_front	*pf;

	if ((pf = calloc(1, sizeof(*pf))) == NULL)
		return NULL;
	pf->front.ops = &pipe_ops;
	pf->front.s = s;
	pf->front.priv = pf;
	pf->in_open = 1;
	pf->flags[0] = pf->flags[1] = -1;
	pf->out_fd = STDOUT_FILENO;
	pf->flush.cb = pipe_flush;
	pf->flush.arg = pf;
	render_init(&pf->hex, s->cfg, 0);
	return &pf->front;
}
