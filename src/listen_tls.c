/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A TLS listener's new clients: each one's handshake runs in the event
 * loop (hs.c) with a deadline (10 s, or -w), and the client joins the
 * session only once it is done, so responders, programs and the prompt
 * only ever see clients whose handshake succeeded.  Clients still in
 * their handshake count against -m.
 */

#include <stdio.h>
#include <unistd.h>

#include "sockline.h"

static void
handshake_done(struct hs *h, int ok, const char *why)
{
	struct tls_accepts	*ta = h->arg;
	struct session		*s = ta->s;
	const struct config	*cfg = s->cfg;
	struct peer		 p;
	char			 name[PEER_HOSTLEN + 32];

	LIST_REMOVE(h, entry);
	ta->n--;
	peer_set(&p, CFG_PROTO(cfg), (struct sockaddr *)&h->ss, h->sslen);
	if (!ok) {
		if (cfg->keep_open)
			msg_verbose(cfg, 1, "Dropped %s: TLS handshake failed: "
			    "%s", peer_addr(&p, name, sizeof(name)), why);
		else
			session_fail(s, "TLS handshake with %s failed: %s",
			    peer_name(&p, name, sizeof(name)), why);
		return;
	}
	conn_tls_report(&h->io, cfg, peer_addr(&p, name, sizeof(name)));
	if (session_add_conn(s, &h->io, CONN_STREAM, 1,
	    (struct sockaddr *)&h->ss, h->sslen) == NULL) {
		h->io.ops->close(&h->io);
		session_fail(s, "out of memory");
	}
}

/* Starts the handshake of a client just accepted on fd; -1: give up. */
int
tls_accept(struct tls_accepts *ta, int fd, const struct sockaddr_storage *ss,
    socklen_t len)
{
	const struct config	*cfg = ta->s->cfg;
	struct conn_io		 io;
	struct peer		 p;
	struct hs		*h;
	char			 name[PEER_HOSTLEN + 32], err[256];

	peer_set(&p, CFG_PROTO(cfg), (const struct sockaddr *)ss, len);
	peer_addr(&p, name, sizeof(name));
	conn_io_plain(&io, fd);
	/* -l --starttls: the protocol's dialogue first, in the same step. */
	if ((cfg->starttls > 0 ? conn_stls_new(&io, cfg, 1, cfg->starttls, 0,
	    NULL, "", &p, name, err, sizeof(err)) :
	    conn_tls_new(&io, cfg, 1, NULL, name, err, sizeof(err))) == -1) {
		close(fd);
		session_fail(ta->s, "%s", err);
		return -1;
	}
	if ((h = hs_start(ta->s->ev, &io, cfg->wait_ms >= 0 ? cfg->wait_ms :
	    HS_LIMIT_MS, handshake_done, ta)) == NULL) {
		io.ops->close(&io);
		session_fail(ta->s, "out of memory");
		return -1;
	}
	memcpy(&h->ss, ss, len);
	h->sslen = len;
	LIST_INSERT_HEAD(&ta->list, h, entry);
	ta->n++;
	return 0;
}

/* The run ends: handshakes still going are given up. */
void
tls_accepts_abort(struct tls_accepts *ta)
{
	struct hs	*h;

	while ((h = LIST_FIRST(&ta->list)) != NULL) {
		LIST_REMOVE(h, entry);
		hs_abort(h);
	}
	ta->n = 0;
}
