/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * TLS behind the conn_io seam (design item 19): the handshake, records
 * read and written, close_notify, all non-blocking inside the event
 * loop.  tls_ctx.c made the SSL_CTX and makes each SSL; this file only
 * moves bytes and says why they stopped.
 *
 * OpenSSL's WANT_READ / WANT_WRITE become the layer's rd_wait / wr_wait,
 * so a read that needs the socket writable waits for exactly that.
 * Records are read ahead into a large buffer and a read takes every
 * decrypted byte there is room for, so bulk transfers cost few calls; a
 * -k listener's idle clients give their buffers back.  With kernel TLS
 * (OpenSSL enables it where the kernel has it) the sending side may
 * splice and sendfile as a plain socket does; in user space it may not.
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"
#include "tls.h"

/*
 * Records are read ahead this much at a time: a single conversation's
 * bulk reads take several records a call; a -k listener's many clients
 * keep to a smaller buffer (given back when idle anyway).
 */
#define TLS_READ_AHEAD		BULK_CHUNK
#define TLS_READ_AHEAD_K	(64 * 1024)

/* A write this big is several records: corked, they leave as one. */
#define TLS_CORK_MIN		(2 * 16384)

struct tls_io {
	SSL			*ssl;
	const struct config	*cfg;
	int			 hs_done;
	int			 tcp;		/* over TCP: corked in bulk */
	int			 starved;	/* the last read wanted more */
	int			 notified;	/* close_notify sent */
	int			 failed;	/* a fatal error: no close_notify */
	int			 rd_ended;	/* the peer's end has been read */
	int			 got_notify;	/* it was a close_notify */
	int			 rd_stash;	/* a read's failure, kept */
	int			 rd_errno;
	char			 label[PEER_HOSTLEN + 32];
	char			 why[512];
	struct conn_io		*under;		/* TLS inside TLS: the outer */
};

static SSL_CTX	*run_ctx;

/* An https:// proxy's TLS: its own context, trust and settings. */
static SSL_CTX		*proxy_ctx;
static struct config	 proxy_cfg;

/*
 * An end of stream without close_notify is taken as an end (OpenSSL's
 * SSL_OP_IGNORE_UNEXPECTED_EOF: otherwise it answers it with an alert
 * into a closed socket, whose reset would fail the run); this tells
 * the two apart, for the -v note.
 */
static void
on_info(const SSL *ssl, int where, int ret)
{
	struct tls_io	*t;

	/* SSL_CB_READ_ALERT shares its alert bit with the write one. */
	if ((where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT &&
	    (ret & 0xff) == SSL_AD_CLOSE_NOTIFY &&
	    (t = SSL_get_app_data(ssl)) != NULL)
		t->got_notify = 1;
}

/* Makes the run's SSL_CTX, before any socket (--tls only). */
int
conn_tls_start(const struct config *cfg, char *err, size_t errlen)
{
	if (!cfg->tls)
		return 0;
	return conn_tls_ready(cfg, err, errlen);
}

/* /starttls: the context, made now if --tls did not make it. */
int
conn_tls_ready(const struct config *cfg, char *err, size_t errlen)
{
	if (run_ctx != NULL)
		return 0;
	if ((run_ctx = tls_ctx_new(cfg, cfg->listen, err, errlen)) == NULL)
		return -1;
	if (cfg->insecure)
		msg_warn("warning: --insecure: the peer's certificate is not "
		    "verified, anyone in between can read and change the "
		    "data");
	return 0;
}

void
conn_tls_end(void)
{
	tls_ctx_free(run_ctx);
	run_ctx = NULL;
	tls_ctx_free(proxy_ctx);
	proxy_ctx = NULL;
}

/*
 * An https:// proxy is verified like any TLS peer (design item 20), but
 * against --proxy-ca (or the system store), or not with
 * --proxy-insecure; the target's --tls-* options are not its.
 */
int
conn_tls_proxy_start(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->purl.kind != PROXY_HTTPS || proxy_ctx != NULL)
		return 0;
	memset(&proxy_cfg, 0, sizeof(proxy_cfg));
	proxy_cfg.verbose = cfg->verbose;
	proxy_cfg.keep_open = 0;
	proxy_cfg.tls = 1;
	proxy_cfg.tls_ca = cfg->proxy_ca;
	proxy_cfg.insecure = cfg->proxy_insecure;
	proxy_cfg.tls_for_proxy = 1;
	if ((proxy_ctx = tls_ctx_new(&proxy_cfg, 0, err, errlen)) == NULL)
		return -1;
	if (cfg->proxy_insecure)
		msg_warn("warning: --proxy-insecure: the proxy's certificate "
		    "is not verified, anyone in between can read and change "
		    "the data");
	return 0;
}

/* What an SSL call's failure means, as errno, with why[] for EPROTO. */
static int
tls_errno(struct tls_io *t, int r, int *wait)
{
	int	e = SSL_get_error(t->ssl, r), saved = errno;

	*wait = 0;
	switch (e) {
	case SSL_ERROR_WANT_READ:
		*wait = t->under != NULL && t->under->rd_wait != 0 ?
		    t->under->rd_wait : EV_READ;
		return EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		*wait = t->under != NULL && t->under->wr_wait != 0 ?
		    t->under->wr_wait : EV_WRITE;
		return EAGAIN;
	case SSL_ERROR_SYSCALL:
		/* A socket's own error reads as the same for TLS. */
		if (ERR_peek_error() == 0 && saved != 0) {
			t->failed = 1;
			ERR_clear_error();
			return saved;
		}
		break;
	}
	t->failed = 1;
	tls_fail_reason(t->ssl, t->cfg, e, saved, t->why, sizeof(t->why));
	return EPROTO;
}

static int
tls_handshake(struct conn_io *io)
{
	struct tls_io	*t = io->ctx;
	int		 r, wait;

	ERR_clear_error();
	if ((r = SSL_do_handshake(t->ssl)) == 1) {
		t->hs_done = 1;
		io->rd_wait = io->wr_wait = 0;
		return 0;
	}
	if (SSL_get_error(t->ssl, r) == SSL_ERROR_ZERO_RETURN) {
		snprintf(t->why, sizeof(t->why), "the peer closed the "
		    "connection during the handshake");
		t->failed = 1;
		ERR_clear_error();
		errno = EPROTO;
		return -1;
	}
	errno = tls_errno(t, r, &wait);
	/* Any end here, even a TCP one, fails the handshake. */
	if (errno != EAGAIN && errno != EPROTO) {
		tls_fail_reason(t->ssl, t->cfg, SSL_ERROR_SYSCALL, errno,
		    t->why, sizeof(t->why));
		errno = EPROTO;
	}
	io->rd_wait = wait;
	return -1;
}

/*
 * The peer's TCP end came without its close_notify.  Whatever was sent
 * arrived whole (each record is authenticated), only the TLS goodbye is
 * missing, as with many servers: a note, and the usual end.
 */
static ssize_t
tls_eof(struct tls_io *t, int clean)
{
	if (!clean)
		msg_verbose(t->cfg, 1, "%s: the connection ended without a "
		    "TLS close_notify", t->label);
	ERR_clear_error();
	return 0;
}

static ssize_t
tls_read(struct conn_io *io, void *p, size_t n)
{
	struct tls_io	*t = io->ctx;
	unsigned long	 first;
	size_t		 got = 0;
	int		 r, e, wait;

	if (t->rd_stash) {
		t->rd_stash = 0;
		errno = t->rd_errno;
		if (errno == 0)
			t->rd_ended = 1;
		return errno == 0 ? 0 : -1;
	}
	io->rd_wait = 0;
	while (got < n) {
		ERR_clear_error();
		r = SSL_read(t->ssl, (char *)p + got,
		    n - got > INT_MAX ? INT_MAX : (int)(n - got));
		if (r > 0) {
			t->starved = 0;
			got += (size_t)r;
			if (!SSL_has_pending(t->ssl))
				break;
			continue;
		}
		e = SSL_get_error(t->ssl, r);
		first = ERR_peek_error();
		if (e == SSL_ERROR_ZERO_RETURN)
			e = tls_eof(t, t->got_notify);
		else if ((e == SSL_ERROR_SYSCALL && first == 0 &&
		    errno == 0) || (e == SSL_ERROR_SSL &&
		    ERR_GET_LIB(first) == ERR_LIB_SSL &&
		    ERR_GET_REASON(first) == SSL_R_UNEXPECTED_EOF_WHILE_READING))
			e = tls_eof(t, 0);
		else {
			e = tls_errno(t, r, &wait);
			if (e == EAGAIN) {
				t->starved = wait == EV_READ;
				io->rd_wait = wait;
				/* Idle -k clients give their buffers back. */
				if (got == 0 && t->cfg->keep_open)
					SSL_free_buffers(t->ssl);
			}
		}
		if (got > 0) {
			/* Said at the next call, after these bytes. */
			if (e != EAGAIN) {
				t->rd_stash = 1;
				t->rd_errno = e;
			}
			break;
		}
		errno = e;
		if (e == 0)
			t->rd_ended = 1;
		return e == 0 ? 0 : -1;
	}
	return (ssize_t)got;
}

/* TCP_CORK on or off. */
static void
tls_cork(int fd, int on)
{
	setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}

/*
 * Partial writes are on, so that a count is exact when the socket fills:
 * each SSL_write() then sends one record, and this goes on record after
 * record while the socket takes them, as one send(2) would.
 */
static ssize_t
tls_write(struct conn_io *io, const void *p, size_t n)
{
	struct tls_io	*t = io->ctx;
	size_t		 done = 0;
	int		 r, e, wait, cork;

	/*
	 * Each record is a send(2) of its own, and with TCP_NODELAY each
	 * would be pushed alone; corked, the kernel sends full segments and
	 * the peer wakes up less often.  Uncorking pushes what is left.
	 */
	if ((cork = n >= TLS_CORK_MIN && t->tcp && t->under == NULL))
		tls_cork(io->fd, 1);
	while (done < n) {
		ERR_clear_error();
		r = SSL_write(t->ssl, (const char *)p + done,
		    n - done > INT_MAX ? INT_MAX : (int)(n - done));
		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		e = tls_errno(t, r, &wait);
		io->wr_wait = wait;
		if (done > 0 && e == EAGAIN)
			break;
		/* An error after some records: said at the next call. */
		if (done > 0)
			break;
		if (cork)
			tls_cork(io->fd, 0);
		errno = e;
		return -1;
	}
	if (cork)
		tls_cork(io->fd, 0);
	if (done == n)
		io->wr_wait = 0;
	return (ssize_t)done;
}

/*
 * close_notify, then TCP's half-close, so both kinds of reader know.
 * A peer that has ended and closed answers the close_notify with a
 * reset; when all we sent before was acknowledged, it loses nothing.
 */
static int
tls_shutdown(struct conn_io *io)
{
	struct tls_io	*t = io->ctx;
	int		 r, wait;

	if (!t->notified) {
		if (t->rd_ended && conn_io_unacked(io) == 0)
			io->reset_ok = 1;
		ERR_clear_error();
		if ((r = SSL_shutdown(t->ssl)) < 0) {
			errno = tls_errno(t, r, &wait);
			io->wr_wait = wait;
			return -1;
		}
		t->notified = 1;
		io->wr_wait = 0;
	}
	/* Inside an https:// proxy's TLS, that one ends too. */
	if (t->under != NULL) {
		if (t->under->ops->shutdown(t->under) == -1) {
			io->wr_wait = t->under->wr_wait;
			return -1;
		}
		return 0;
	}
	if (shutdown(io->fd, SHUT_WR) == -1 && errno == ENOTCONN &&
	    !io->reset_ok) {
		errno = ECONNRESET;
		return -1;
	}
	return 0;
}

/* Decrypted (or read-ahead) bytes that no poll would announce. */
static int
tls_pending(const struct conn_io *io)
{
	const struct tls_io	*t = io->ctx;

	if (t->under != NULL && t->under->ops->pending(t->under))
		return 1;
	return !t->starved && !t->rd_stash ? SSL_has_pending(t->ssl) :
	    t->rd_stash;
}

/*
 * splice(2) and sendfile(2) bypass OpenSSL: only where the kernel makes
 * the records (kTLS).  Received bytes always go through SSL_read, which
 * sees the alerts and close_notify that a splice would trip over.
 */
static int
tls_zcopy(const struct conn_io *io, int dir)
{
	const struct tls_io	*t = io->ctx;

	if (dir != IO_SEND)
		return 0;
	return BIO_get_ktls_send(SSL_get_wbio(t->ssl)) > 0;
}

static const char *
tls_why(const struct conn_io *io, int e)
{
	const struct tls_io	*t = io->ctx;

	return conn_io_reason(t->why, e);
}

/*
 * A conversation that ended well ends with our close_notify, so a peer
 * that checks for truncation (python's ssl does) sees a clean end.
 * Never blocking: one try.
 */
static void
tls_close(struct conn_io *io)
{
	struct tls_io	*t = io->ctx;

	if (t != NULL) {
		if (t->hs_done && !t->notified && !t->failed) {
			ERR_clear_error();
			SSL_shutdown(t->ssl);
			ERR_clear_error();
		}
		SSL_free(t->ssl);
		if (t->under != NULL) {
			t->under->ops->close(t->under);
			free(t->under);
			io->fd = -1;
		}
		free(t);
		io->ctx = NULL;
	}
	conn_io_close_fd(io);
}

static const struct conn_io_ops tls_ops = {
	.name = "tls",
	.handshake = tls_handshake,
	.read = tls_read,
	.write = tls_write,
	.shutdown = tls_shutdown,
	.pending = tls_pending,
	.zcopy = tls_zcopy,
	.why = tls_why,
	.close = tls_close,
};

/*
 * A BIO over another conn_io (the TLS to an https:// proxy): records of
 * the inner TLS travel as that layer's data.  EAGAIN is a retry, and
 * the waits it needs come from that layer (tls_errno looks there).
 */
static int
under_write(BIO *b, const char *p, int n)
{
	struct conn_io	*u = BIO_get_data(b);
	ssize_t		 r;

	BIO_clear_retry_flags(b);
	if ((r = u->ops->write(u, p, (size_t)n)) < 0 && errno == EAGAIN)
		BIO_set_retry_write(b);
	return (int)r;
}

static int
under_read(BIO *b, char *p, int n)
{
	struct conn_io	*u = BIO_get_data(b);
	ssize_t		 r;

	BIO_clear_retry_flags(b);
	if ((r = u->ops->read(u, p, (size_t)n)) < 0 && errno == EAGAIN)
		BIO_set_retry_read(b);
	return (int)r;
}

static long
under_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int
under_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int
stack_on(struct tls_io *t, struct conn_io *io)
{
	static BIO_METHOD	*meth;
	BIO			*b;

	if (meth == NULL) {
		if ((meth = BIO_meth_new(BIO_get_new_index() |
		    BIO_TYPE_SOURCE_SINK, "sockline conn_io")) == NULL)
			return -1;
		BIO_meth_set_write(meth, under_write);
		BIO_meth_set_read(meth, under_read);
		BIO_meth_set_ctrl(meth, under_ctrl);
		BIO_meth_set_create(meth, under_create);
	}
	if ((t->under = malloc(sizeof(*t->under))) == NULL)
		return -1;
	if ((b = BIO_new(meth)) == NULL) {
		free(t->under);
		t->under = NULL;
		return -1;
	}
	*t->under = *io;
	BIO_set_data(b, t->under);
	SSL_set_bio(t->ssl, b, b);
	return 0;
}

static int	tls_new(SSL_CTX *, struct conn_io *, const struct config *, int,
		    const char *, const char *, char *, size_t);

/*
 * Puts TLS on io's socket: server for a listener's client; a client
 * checks name (the host operand, NULL for -U).  label names the peer in
 * messages.  -1 with a message in err.
 */
int
conn_tls_new(struct conn_io *io, const struct config *cfg, int server,
    const char *name, const char *label, char *err, size_t errlen)
{
	return tls_new(run_ctx, io, cfg, server, name, label, err, errlen);
}

/* TLS to an https:// proxy, on io's socket (conn_tls_proxy_start first). */
int
conn_tls_proxy_new(struct conn_io *io, const struct config *cfg,
    const char *label, char *err, size_t errlen)
{
	return tls_new(proxy_ctx, io, &proxy_cfg, 0, cfg->purl.host, label,
	    err, errlen);
}

static int
tls_new(SSL_CTX *ctx, struct conn_io *io, const struct config *cfg,
    int server, const char *name, const char *label, char *err,
    size_t errlen)
{
	struct tls_io	*t;
	int		 one = 1;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((t->ssl = tls_ssl_new(ctx, cfg, server, name, err,
	    errlen)) == NULL) {
		free(t);
		return -1;
	}
	if (io->ctx != NULL) {
		/* TLS to the target inside an https:// proxy's TLS. */
		if (stack_on(t, io) == -1) {
			snprintf(err, errlen, "cannot start TLS inside the "
			    "proxy's TLS");
			goto fail;
		}
	} else if (SSL_set_fd(t->ssl, io->fd) != 1) {
		snprintf(err, errlen, "cannot start TLS on the socket");
		goto fail;
	}
	SSL_set_mode(t->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* A single conversation keeps its buffers: no churn in bulk. */
	if (!cfg->keep_open)
		SSL_clear_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS);
	SSL_set_read_ahead(t->ssl, 1);
	SSL_set_options(t->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_set_app_data(t->ssl, t);
	SSL_set_info_callback(t->ssl, on_info);
	SSL_set_default_read_buffer_len(t->ssl, cfg->keep_open ?
	    TLS_READ_AHEAD_K : TLS_READ_AHEAD);
	/*
	 * Records go out whole, so Nagle has nothing to merge; it would
	 * only hold an answer behind the listener's unacknowledged session
	 * tickets until the peer's delayed ACK (40 ms a connection).  Not
	 * TCP (a unix socket): refused, harmlessly.
	 */
	t->tcp = setsockopt(io->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == 0;
	t->cfg = cfg;
	snprintf(t->label, sizeof(t->label), "%s", label);
	io->ops = &tls_ops;
	io->ctx = t;
	return 0;

fail:
	ERR_clear_error();
	SSL_free(t->ssl);
	free(t);
	return -1;
}

/* -v, after the handshake: version, cipher, ALPN, who was verified. */
void
conn_tls_report(const struct conn_io *io, const struct config *cfg,
    const char *label)
{
	const struct tls_io	*t = io->ctx;

	/* The proxy's connection has a config of its own. */
	if (io->ops == &tls_ops)
		tls_report(t->cfg->tls_for_proxy ? t->cfg : cfg, t->ssl, label);
}

/* /tls (chain 0) and /cert (chain 1), a line at a time; -1: not TLS. */
int
conn_tls_lines(const struct conn_io *io, const struct config *cfg, int chain,
    void (*line)(void *, const char *), void *arg)
{
	if (io->ops != &tls_ops)
		return -1;
	if (chain)
		tls_cert_lines(((struct tls_io *)io->ctx)->ssl, line, arg);
	else
		tls_session_lines(cfg, ((struct tls_io *)io->ctx)->ssl, line,
		    arg);
	return 0;
}

/* In an -e/-c child, before exec: SOCKLINE_TLS_*. */
void
conn_tls_setenv(const struct conn_io *io)
{
	if (io->ops == &tls_ops)
		tls_setenv(((struct tls_io *)io->ctx)->ssl);
}
