/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * STARTTLS as a conn_io layer (see conn_io.h): its handshake() runs the
 * protocol's plaintext dialogue on the socket, non-blocking, then puts
 * TLS on the same socket and runs TLS's handshake; when that is done the
 * layer replaces itself with the TLS one, so the session only ever sees
 * a finished TLS connection.  hs.c drives it like any handshake, with
 * the same deadline (-w, else 10 s) over the whole of it.
 *
 * The plaintext part is the user's to see: -v shows each line, and the
 * -o log has it, as it has the rest of the conversation.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"

struct stls_io {
	const struct config	*cfg;
	struct stls		 st;
	int			 server;	/* the listener's side */
	int			 tls_phase;	/* the dialogue is over */
	int			 upgrade;	/* server: TLS once out drains */
	int			 quit;		/* server: the client left */
	struct buf		 in;
	struct buf		 out;
	struct conn_io		 tls;
	struct peer		 peer;		/* for the -o log */
	const char		*name;		/* the name TLS checks */
	char			 label[PEER_HOSTLEN + 32];
	char			 why[700];
};

/* -v and -o: what crossed the wire in plain text, line by line. */
static void
show(struct stls_io *t, int dir, const char *p, size_t n)
{
	char	esc[400];
	size_t	k, e;

	log_data(dir, &t->peer, p, n, t->cfg->keep_open ? OUT_SENDER : 0);
	if (t->cfg->verbose < 1)
		return;
	while (n > 0) {
		k = n;
		if (memchr(p, '\n', n) != NULL)
			k = (size_t)((const char *)memchr(p, '\n', n) - p) + 1;
		/* The line ends are implied by the line. */
		e = k;
		if (e > 0 && p[e - 1] == '\n')
			e--;
		if (e > 0 && p[e - 1] == '\r')
			e--;
		stls_escape(p, e, esc, sizeof(esc));
		msg_verbose(t->cfg, 1, "%s %c %s", t->label,
		    dir == LOG_SENT ? '>' : '<', esc);
		p += k;
		n -= k;
	}
}

static int	fail(struct stls_io *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
fail(struct stls_io *t, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	errno = EPROTO;
	return -1;
}

/* Sends what is queued; 0 when all of it left, -1 (EAGAIN or not). */
static int
flush(struct conn_io *io, struct stls_io *t)
{
	ssize_t	w;

	while (buf_used(&t->out) > 0) {
		w = send(io->fd, buf_head(&t->out), buf_used(&t->out),
		    MSG_NOSIGNAL);
		if (w == -1) {
			if (errno == EAGAIN || errno == EINTR) {
				io->rd_wait = EV_WRITE;
				errno = EAGAIN;
				return -1;
			}
			return fail(t, "%s", strerror(errno));
		}
		buf_consume(&t->out, (size_t)w);
	}
	return 0;
}

/* Queues bytes to send, shown as they go. */
static int
queue(struct stls_io *t, const char *p, size_t n)
{
	show(t, LOG_SENT, p, n);
	if (buf_append(&t->out, p, n) == -1)
		return fail(t, "%s", "out of memory");
	return 0;
}

/* The client: the next reply.  1 went on, 0 wants more, -1 failed. */
static int
client_step(struct stls_io *t)
{
	size_t	used;

	switch (stls_feed(&t->st, buf_head(&t->in), buf_used(&t->in),
	    &used)) {
	case STLS_FAIL:
		return fail(t, "%s", t->st.why);
	case STLS_DONE:
		buf_consume(&t->in, used);
		/* Bytes before TLS that TLS would take as its own: an
		 * injection (CVE-2011-0411's kind), never passed on. */
		if (buf_used(&t->in) > 0) {
			return fail(t, "the server sent %zu bytes after its "
			    "go-ahead, before TLS", buf_used(&t->in));
		}
		t->tls_phase = 1;
		return 1;
	}
	buf_consume(&t->in, used);
	return used > 0;
}

/* The server: the client's next line. */
static int
server_step(struct stls_io *t)
{
	size_t	k;
	char	*nl;
	int	r;

	if (buf_used(&t->in) == 0)
		return 0;
	if ((nl = memchr(buf_head(&t->in), '\n', buf_used(&t->in))) == NULL) {
		if (buf_used(&t->in) > STLS_LINE_MAX)
			return fail(t, "%s", "a line too long from the client");
		return 0;
	}
	k = (size_t)(nl - buf_head(&t->in)) + 1;
	r = stls_srv_line(t->st.proto, buf_head(&t->in), k, &t->out);
	show(t, LOG_SENT, buf_head(&t->out), buf_used(&t->out));
	buf_consume(&t->in, k);
	if (r == -1)
		return fail(t, "%s", "out of memory");
	if (r == STLS_SRV_UPGRADE) {
		if (buf_used(&t->in) > 0)
			return fail(t, "%s", "the client sent more after "
			    "STARTTLS, before TLS");
		t->upgrade = 1;
	} else if (r == STLS_SRV_CLOSE)
		t->quit = 1;
	return 1;
}

/* The TLS half: made on the same socket, then run. */
static int
tls_step(struct conn_io *io, struct stls_io *t)
{
	struct conn_io	 done;
	char		 err[512];

	if (t->tls.ops == NULL) {
		conn_io_plain(&t->tls, io->fd);
		if (conn_tls_new(&t->tls, t->cfg, t->server, t->name,
		    t->label, err, sizeof(err)) == -1) {
			t->tls.ops = NULL;
			return fail(t, "%s", err);
		}
	}
	if (t->tls.ops->handshake(&t->tls) == 0) {
		done = t->tls;
		buf_free(&t->in);
		buf_free(&t->out);
		free(t);
		*io = done;
		return 0;
	}
	io->rd_wait = t->tls.rd_wait;
	io->wr_wait = t->tls.wr_wait;
	if (errno == EAGAIN)
		return -1;
	return fail(t, "the TLS handshake failed: %s",
	    conn_io_strerror(&t->tls, errno));
}

static int
stls_handshake(struct conn_io *io)
{
	struct stls_io	*t = io->ctx;
	char		 cmd[600];
	ssize_t		 n;
	size_t		 len;
	int		 r;

	for (;;) {
		if (t->tls_phase)
			return tls_step(io, t);
		if (flush(io, t) == -1)
			return -1;
		if (t->quit)
			return fail(t, "%s", "the client quit before STARTTLS");
		if (t->upgrade) {
			t->tls_phase = 1;
			continue;
		}
		if (!t->server && (len = stls_command(&t->st, cmd,
		    sizeof(cmd))) > 0) {
			if (queue(t, cmd, len) == -1)
				return -1;
			continue;
		}
		r = t->server ? server_step(t) : client_step(t);
		if (r == -1)
			return -1;
		if (r == 1)
			continue;
		if (buf_room(&t->in, STLS_REPLY_MAX + 4096) == 0)
			return fail(t, "%s", "a reply too long");
		n = recv(io->fd, cmd, sizeof(cmd), 0);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR) {
				io->rd_wait = EV_READ;
				errno = EAGAIN;
				return -1;
			}
			return fail(t, "%s", strerror(errno));
		}
		if (n == 0)
			return fail(t, "the %s closed the connection during "
			    "the STARTTLS dialogue", t->server ? "client" :
			    "server");
		show(t, LOG_RECEIVED, cmd, (size_t)n);
		if (buf_append(&t->in, cmd, (size_t)n) == -1)
			return fail(t, "%s", "out of memory");
	}
}

/* Until the handshake is over the session never moves data here. */
static ssize_t
stls_read(struct conn_io *io, void *p, size_t n)
{
	(void)io, (void)p, (void)n;
	errno = EAGAIN;
	return -1;
}

static ssize_t
stls_write(struct conn_io *io, const void *p, size_t n)
{
	(void)io, (void)p, (void)n;
	errno = EAGAIN;
	return -1;
}

static int
stls_shutdown(struct conn_io *io)
{
	return shutdown(io->fd, SHUT_WR);
}

static int
stls_zero(const struct conn_io *io)
{
	(void)io;
	return 0;
}

static int
stls_zcopy(const struct conn_io *io, int dir)
{
	(void)io, (void)dir;
	return 0;
}

static const char *
stls_why(const struct conn_io *io, int e)
{
	const struct stls_io	*t = io->ctx;

	return conn_io_reason(t != NULL ? t->why : NULL, e);
}

static void
stls_close(struct conn_io *io)
{
	struct stls_io	*t = io->ctx;

	if (t != NULL) {
		buf_free(&t->in);
		buf_free(&t->out);
		if (t->tls.ops != NULL) {
			/* It owns the socket now (and says goodbye). */
			t->tls.fd = io->fd;
			t->tls.ops->close(&t->tls);
			io->fd = -1;
		}
		free(t);
		io->ctx = NULL;
	}
	conn_io_close_fd(io);
}

static const struct conn_io_ops stls_ops = {
	.name = "starttls",
	.handshake = stls_handshake,
	.read = stls_read,
	.write = stls_write,
	.shutdown = stls_shutdown,
	.pending = stls_zero,
	.zcopy = stls_zcopy,
	.why = stls_why,
	.close = stls_close,
};

/*
 * Puts STARTTLS of proto on io's socket.  Client: name is the host the
 * certificate is checked against (NULL for -U), also EHLO's argument or
 * XMPP's to= (hello is what to greet with); upgrade_only skips to the
 * upgrade command (/starttls PROTO in a live session).  Server: the
 * listener's side of smtp, imap or pop3.  -1 with a message in err.
 */
int
conn_stls_new(struct conn_io *io, const struct config *cfg, int server,
    int proto, int upgrade_only, const char *name, const char *hello,
    const struct peer *peer, const char *label, char *err, size_t errlen)
{
	struct stls_io	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->cfg = cfg;
	t->server = server;
	t->name = name;
	t->peer = *peer;
	snprintf(t->label, sizeof(t->label), "%s", label);
	stls_init(&t->st, proto, hello, upgrade_only);
	if (server && (stls_srv_greeting(proto, &t->out) == -1 ||
	    (show(t, LOG_SENT, buf_head(&t->out), buf_used(&t->out)), 0))) {
		free(t);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	io->ops = &stls_ops;
	io->ctx = t;
	io->rd_wait = io->wr_wait = 0;
	return 0;
}
