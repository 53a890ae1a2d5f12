/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A live connection's I/O changing mid-life (see conn_io.h): /starttls
 * at the prompt puts TLS, or a protocol's STARTTLS dialogue and then
 * TLS, on a connection the session already carries.  While the new
 * layer's handshake runs (hs.c, bounded by -w or 10 s) conn->hs is set
 * and the session neither reads nor writes that conn: what the user
 * types waits in its queue and goes out encrypted.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sockline.h"

/* The stream peer id names (0: the only one, or the one /to picked). */
struct conn *
session_stream(struct session *s, int id)
{
	struct conn	*c, *only = NULL;
	int		 n = 0;

	if (id == 0)
		id = s->to_id;
	TAILQ_FOREACH(c, &s->conns, entry) {
		if (c->kind != CONN_STREAM)
			continue;
		if (id != 0 && c->peer.id == id)
			return c;
		only = c;
		n++;
	}
	return id == 0 && n == 1 ? only : NULL;
}

/* Whether peer id's connection was upgraded by STARTTLS (the prompt
 * says so), or is being. */
int
session_peer_upgraded(struct session *s, int id)
{
	struct conn	*c;

	TAILQ_FOREACH(c, &s->conns, entry) {
		if (c->peer.id == id && c->kind == CONN_STREAM)
			return c->upgraded;
	}
	return 0;
}

static void
upgrade_done(struct hs *h, int ok, const char *why)
{
	struct conn	*c = h->arg;
	struct session	*s = c->session;
	char		 name[PEER_HOSTLEN + 32], msg[800];

	c->hs = NULL;
	/* The session takes the socket back, whatever the outcome. */
	c->events = -1;
	if (!ok) {
		/* The socket is the conn's to close, not the layer's. */
		h->io.fd = -1;
		c->upgraded = 0;
		snprintf(msg, sizeof(msg), "%s%s failed: %s", c->stls_proto >
		    0 ? "STARTTLS " : "TLS handshake", c->stls_proto > 0 ?
		    stls_proto_name(c->stls_proto) : "", why);
		c->stls_proto = 0;
		session_drop_conn(s, c, msg);
		return;
	}
	c->io = h->io;
	conn_tls_report(&c->io, s->cfg, peer_addr(&c->peer, name,
	    sizeof(name)));
	if (s->running)
		s->front->ops->event(s->front, FE_PEER_TLS, &c->peer);
	stream_after(s, c);
}

/*
 * /starttls [PROTO] on peer id: proto 0 starts TLS now (client role when
 * we connected, server role when we listen); a protocol first sends its
 * upgrade command and waits for the go-ahead (a client only).  -1 with
 * the reason in err.
 */
int
session_starttls(struct session *s, int id, int proto, char *err,
    size_t errlen)
{
	const struct config	*cfg = s->cfg;
	struct conn		*c;
	struct conn_io		 io;
	char			 label[PEER_HOSTLEN + 32], hello[300];
	int			 server = cfg->listen;

	if ((c = session_stream(s, id)) == NULL) {
		snprintf(err, errlen, "%s", id != 0 ? "no such peer; /peers "
		    "lists them" : "no connection, or several: /to N picks "
		    "one");
		return -1;
	}
	if (c->hs != NULL || strcmp(c->io.ops->name, "plain") != 0) {
		snprintf(err, errlen, "the connection to %s is %s",
		    peer_name(&c->peer, label, sizeof(label)), c->hs != NULL ?
		    "being upgraded already" : "TLS already");
		return -1;
	}
	if (proto > 0 && server) {
		snprintf(err, errlen, "/starttls PROTO sends a client's "
		    "command; a listener answers its client's: /starttls");
		return -1;
	}
	if (buf_used(&c->out) > 0 || c->wr_shut || c->rd_eof) {
		snprintf(err, errlen, "%s", c->wr_shut || c->rd_eof ?
		    "the connection is ending" : "bytes are still queued for "
		    "it; try again in a moment");
		return -1;
	}
	if (conn_tls_ready(cfg, err, errlen) == -1)
		return -1;
	peer_name(&c->peer, label, sizeof(label));
	io = c->io;
	io.ops = NULL;
	io.ctx = NULL;
	if (proto > 0) {
		if (conn_stls_new(&io, cfg, 0, proto, 1, cfg->unix_sock ?
		    NULL : cfg->host, stls_hello_for(cfg, proto, c->fd, hello,
		    sizeof(hello)), &c->peer, label, err, errlen) == -1)
			return -1;
	} else if (conn_tls_new(&io, cfg, server, server || cfg->unix_sock ?
	    NULL : cfg->host, label, err, errlen) == -1)
		return -1;
	if ((c->hs = hs_start(s->ev, &io, cfg->wait_ms >= 0 ? cfg->wait_ms :
	    HS_LIMIT_MS, upgrade_done, c)) == NULL) {
		io.fd = -1;
		io.ops->close(&io);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->upgraded = 1;
	c->stls_proto = proto;
	return 0;
}

/* What /tls and /cert show, a line at a time; -1: that peer is not
 * TLS (err says why). */
int
session_tls_lines(struct session *s, int id, int chain,
    void (*line)(void *, const char *), void *arg, char *err,
    size_t errlen)
{
	struct conn	*c;

	if ((c = session_stream(s, id)) == NULL) {
		snprintf(err, errlen, "no connection, or several: /to N picks "
		    "one");
		return -1;
	}
	if (c->hs != NULL || conn_tls_lines(&c->io, s->cfg, chain, line,
	    arg) == -1) {
		snprintf(err, errlen, "the connection is %s", c->hs != NULL ?
		    "still in its TLS handshake" : "not TLS (/starttls "
		    "upgrades it)");
		return -1;
	}
	return 0;
}
