/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A proxy tunnel as a conn_io handshake (design item 20, conn_io.h): the
 * SOCKS or HTTP CONNECT dialogue runs non-blocking in the event loop
 * (hs.c), over the connection to the proxy, which is plain or, for an
 * https:// proxy, TLS.  When the proxy says yes, that connection is the
 * tunnel: conn_proxy_take() hands it back and the session (or TLS to
 * the target first) starts on it.
 *
 * Replies are read no further than they go (proxy_msg.c says how much
 * more it needs), so whatever the target sends at once stays in the
 * socket for the session.  The credentials sent are wiped from memory
 * once written, and never reach a message.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"

#define REPLY_MAX	16384

struct proxy_io {
	const struct config	*cfg;
	const struct proxy_url	*u;
	struct conn_io		 over;		/* to the proxy */
	int			 over_done;	/* its own handshake (TLS) */
	int			 stage;		/* the reply awaited */
	struct proxy_target	 target;
	unsigned char		 out[PROXY_REQ_MAX];
	size_t			 outlen;
	size_t			 outoff;
	unsigned char		 in[REPLY_MAX];
	size_t			 inlen;
	char			 why[512];
};

static int
fail(struct conn_io *io, const char *what, const char *detail)
{
	struct proxy_io	*p = io->ctx;

	snprintf(p->why, sizeof(p->why), "%s%s", what, detail);
	errno = EPROTO;
	return -1;
}

/* The request that follows a reply at stage (0: the first one). */
static void
request(struct proxy_io *p, int after)
{
	const struct proxy_url	*u = p->u;

	explicit_bzero(p->out, sizeof(p->out));
	p->outoff = p->inlen = 0;
	if (u->kind == PROXY_HTTP || u->kind == PROXY_HTTPS) {
		p->outlen = proxy_http_connect(u, &p->target, (char *)p->out,
		    sizeof(p->out));
		p->stage = PXS_HTTP;
	} else if (u->kind == PROXY_SOCKS4 || u->kind == PROXY_SOCKS4A) {
		p->outlen = proxy_socks4_connect(u, &p->target, p->out);
		p->stage = PXS_S4_CONNECT;
	} else if (after == 0) {
		p->outlen = proxy_socks5_hello(u, p->out);
		p->stage = PXS_S5_METHOD;
	} else if (after == PXS_S5_METHOD && u->auth) {
		p->outlen = proxy_socks5_auth(u, p->out);
		p->stage = PXS_S5_AUTH;
	} else {
		p->outlen = proxy_socks5_connect(&p->target, p->out);
		p->stage = PXS_S5_CONNECT;
	}
}

/* A whole reply: 1 to go on, 0 when the tunnel is open, -1 refused. */
static int
answered(struct conn_io *io, const struct proxy_reply *r)
{
	struct proxy_io	*p = io->ctx;

	if (p->stage == PXS_S5_METHOD && r->code == 2 && !p->u->auth)
		return fail(io, "the proxy wants a user name and password "
		    "(give --proxy-auth USER:PASS)", "");
	if (p->stage == PXS_S5_METHOD && r->code == 0xff)
		return fail(io, "no acceptable authentication method "
		    "(SOCKS5 method 255)", p->u->auth ? "" :
		    "; does it want --proxy-auth USER:PASS?");
	if (!r->ok) {
		if (p->stage == PXS_HTTP && r->code == 407)
			return fail(io, "", p->u->auth ? "the credentials "
			    "were rejected (407)" : "the proxy wants "
			    "credentials (407; give --proxy-auth USER:PASS)");
		return fail(io, "", r->why);
	}
	if (p->stage == PXS_S5_METHOD || p->stage == PXS_S5_AUTH) {
		/* Method 0 needs no authentication: the request at once. */
		request(p, p->stage == PXS_S5_METHOD && r->code == 0 ?
		    PXS_S5_AUTH : p->stage);
		return 1;
	}
	return 0;
}

/* Whether the reply we wait for is whole, and what it says. */
static int
step_read(struct conn_io *io)
{
	struct proxy_io		*p = io->ctx;
	struct proxy_reply	 r;
	ssize_t			 n;
	int			 need;

	for (;;) {
		need = proxy_reply(p->stage, p->in, p->inlen, &r);
		if (need == -1)
			return fail(io, "the proxy's answer is garbage: ",
			    r.why);
		if (need == 0)
			return answered(io, &r);
		if ((size_t)need > sizeof(p->in) - p->inlen)
			return fail(io, "the proxy's answer is too long", "");
		n = p->over.ops->read(&p->over, p->in + p->inlen,
		    (size_t)need);
		if (n == 0)
			return fail(io, "the proxy closed the connection ", p->inlen == 0 ? "without answering" :
			    "in the middle of its answer");
		if (n < 0) {
			if (errno == EAGAIN)
				io->rd_wait = p->over.rd_wait != 0 ?
				    p->over.rd_wait : EV_READ;
			else
				return fail(io, "", conn_io_strerror(&p->over,
				    errno));
			return -1;
		}
		p->inlen += (size_t)n;
	}
}

static int
proxy_handshake(struct conn_io *io)
{
	struct proxy_io	*p = io->ctx;
	ssize_t		 n;
	int		 r;

	io->rd_wait = 0;
	if (!p->over_done) {
		if (p->over.ops->handshake(&p->over) == -1) {
			if (errno == EAGAIN) {
				io->rd_wait = p->over.rd_wait != 0 ?
				    p->over.rd_wait : EV_READ;
				return -1;
			}
			return fail(io, "TLS handshake with the proxy failed: ", conn_io_strerror(&p->over, errno));
		}
		p->over_done = 1;
		conn_tls_report(&p->over, p->cfg, "the proxy");
	}
	for (;;) {
		while (p->outoff < p->outlen) {
			n = p->over.ops->write(&p->over, p->out + p->outoff,
			    p->outlen - p->outoff);
			if (n < 0 && errno == EAGAIN) {
				io->rd_wait = p->over.wr_wait != 0 ?
				    p->over.wr_wait : EV_WRITE;
				return -1;
			}
			if (n < 0)
				return fail(io, "", conn_io_strerror(&p->over,
				    errno));
			p->outoff += (size_t)n;
		}
		/* Credentials stay in memory no longer than needed. */
		explicit_bzero(p->out, sizeof(p->out));
		if ((r = step_read(io)) != 1)
			return r;
	}
}

static ssize_t
proxy_read(struct conn_io *io, void *b, size_t n)
{
	(void)io;
	(void)b;
	(void)n;
	errno = ENOTCONN;
	return -1;
}

static ssize_t
proxy_write(struct conn_io *io, const void *b, size_t n)
{
	(void)io;
	(void)b;
	(void)n;
	errno = ENOTCONN;
	return -1;
}

static int
proxy_shutdown(struct conn_io *io)
{
	(void)io;
	errno = ENOTCONN;
	return -1;
}

static int
proxy_pending(const struct conn_io *io)
{
	(void)io;
	return 0;
}

static int
proxy_zcopy(const struct conn_io *io, int dir)
{
	(void)io;
	(void)dir;
	return 0;
}

static const char *
proxy_why(const struct conn_io *io, int e)
{
	const struct proxy_io	*p = io->ctx;

	return conn_io_reason(p->why, e);
}

static void
proxy_free(struct proxy_io *p)
{
	explicit_bzero(p->out, sizeof(p->out));
	free(p);
}

static void
proxy_close(struct conn_io *io)
{
	struct proxy_io	*p = io->ctx;

	if (p != NULL) {
		p->over.ops->close(&p->over);
		proxy_free(p);
		io->ctx = NULL;
	}
	io->fd = -1;
}

static const struct conn_io_ops proxy_ops = {
	.name = "proxy",
	.handshake = proxy_handshake,
	.read = proxy_read,
	.write = proxy_write,
	.shutdown = proxy_shutdown,
	.pending = proxy_pending,
	.zcopy = proxy_zcopy,
	.why = proxy_why,
	.close = proxy_close,
};

/*
 * Makes io the dialogue with cfg's proxy over the connection over (now
 * io's: closed with it), for target.  -1 with a message in err.
 */
int
conn_proxy_new(struct conn_io *io, const struct conn_io *over,
    const struct config *cfg, const struct proxy_target *target, char *err,
    size_t errlen)
{
	struct proxy_io	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->cfg = cfg;
	p->u = &cfg->purl;
	p->over = *over;
	p->target = *target;
	request(p, 0);
	if (p->outlen == 0) {
		proxy_free(p);
		snprintf(err, errlen, "the request to the proxy is too long");
		return -1;
	}
	memset(io, 0, sizeof(*io));
	io->ops = &proxy_ops;
	io->fd = over->fd;
	io->ctx = p;
	return 0;
}

/* The handshake is done: io becomes the tunnel, the proxy's connection. */
void
conn_proxy_take(struct conn_io *io)
{
	struct proxy_io	*p = io->ctx;

	if (io->ops != &proxy_ops)
		return;
	*io = p->over;
	io->rd_wait = io->wr_wait = 0;
	proxy_free(p);
}
