/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * /reconnect (issue 16 item 4): the same connection opened again, from
 * the prompt, without leaving it: the address the first connection
 * reached (not resolved again), the same -s, -p, --proxy-protocol and
 * TLS settings (--starttls: its dialogue again, then TLS), and with
 * --proxy the same proxy asked for the same target.  What is typed
 * meanwhile waits in the send queue and goes to the new connection.
 *
 * The proxy's dialogue and the TLS handshake run in the loop (hs.c), as
 * a -k listener's do, so the prompt stays live while they run; the
 * session learns of the new connection only once the tunnel is open and
 * TLS verified, and nothing is sent before.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sockline.h"

static struct {
	const struct config	*cfg;
	struct sockaddr_storage	 addr;		/* the peer's, or the proxy's */
	socklen_t		 len;
	struct proxy_target	 via;		/* what the proxy is asked */
	struct hs		*hs;		/* a handshake under way */
} target;

/*
 * Called once the first connection is up: only a client can.  With
 * --proxy, sa is the proxy's address and via what it was asked for.
 */
void
reconnect_target(const struct config *cfg, const struct sockaddr *sa,
    socklen_t len, const struct proxy_target *via)
{
	target.cfg = cfg;
	memcpy(&target.addr, sa, len);
	target.len = len;
	if (via != NULL)
		target.via = *via;
}

static void
joined(struct session *s, const struct conn_io *io)
{
	const struct config	*cfg = target.cfg;

	if (session_add_conn(s, io, cfg->udp ? CONN_DGRAM : CONN_STREAM, 1,
	    (struct sockaddr *)&target.addr, target.len) == NULL)
		session_fail(s, "out of memory");
}

static void
tls_done(struct hs *h, int ok, const char *why)
{
	struct session	*s = h->arg;
	struct peer	 p;
	char		 name[PEER_HOSTLEN + 32];

	target.hs = NULL;
	if (!ok) {
		proxy_peer_set(target.cfg, &p, (struct sockaddr *)&target.addr,
		    target.len);
		peer_name(&p, name, sizeof(name));
		/* As the first connection says it (connect.c). */
		if (target.cfg->starttls > 0)
			msg_warn("STARTTLS (%s) with %s failed: %s",
			    stls_proto_name(target.cfg->starttls), name, why);
		else
			msg_warn("TLS handshake with %s failed: %s", name,
			    why);
		return;
	}
	conn_tls_report(&h->io, target.cfg, NULL);
	joined(s, &h->io);
}

/*
 * The connection is up (a tunnel, or a socket): TLS on it when asked,
 * else the session has it now.  -1 with a reason in err (io closed).
 */
static int
tls_or_join(struct session *s, struct conn_io *io, char *err, size_t errlen)
{
	const struct config	*cfg = target.cfg;

	if (!cfg->tls) {
		joined(s, io);
		return 0;
	}
	if (connect_tls_io(cfg, io, (struct sockaddr *)&target.addr,
	    target.len, err, errlen) == -1) {
		io->ops->close(io);
		return -1;
	}
	if ((target.hs = hs_start(s->ev, io, cfg->wait_ms >= 0 ?
	    cfg->wait_ms : HS_LIMIT_MS, tls_done, s)) == NULL) {
		io->ops->close(io);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* The proxy has answered: the tunnel, then TLS inside it if asked. */
static void
tunnel_done(struct hs *h, int ok, const char *why)
{
	struct session	*s = h->arg;
	struct conn_io	 io;
	char		 err[512];

	target.hs = NULL;
	if (!ok) {
		proxy_tunnel_failed(target.cfg, why);
		return;
	}
	io = h->io;
	proxy_tunnel_up(target.cfg, &io);
	if (tls_or_join(s, &io, err, sizeof(err)) == -1)
		msg_warn("/reconnect: %s", err);
}

/* The session is over: a handshake still running goes with it. */
void
reconnect_end(void)
{
	if (target.hs != NULL)
		hs_abort(target.hs);
	target.hs = NULL;
	target.cfg = NULL;
}

/*
 * Drops the connection there is and opens the new one.  Returns 0 when
 * it is open or on its way (a tunnel, TLS), -1 with a reason in err; a
 * failed connect has said why itself (err is then empty).
 */
int
reconnect_start(struct session *s, char *err, size_t errlen)
{
	const struct config	*cfg = target.cfg;
	struct conn_io		 io;
	int			 fd;

	*err = '\0';
	if (cfg == NULL || cfg->listen) {
		snprintf(err, errlen, "only a client reconnects");
		return -1;
	}
	if (target.hs != NULL) {
		snprintf(err, errlen, "the last one is still under way "
		    "(%s)", cfg->purl.kind != PROXY_NONE ? "proxy or TLS" :
		    "TLS handshake");
		return -1;
	}
	if (session_detach(s) == -1) {
		snprintf(err, errlen, "the session is ending");
		return -1;
	}
	if ((fd = connect_again(cfg, (struct sockaddr *)&target.addr,
	    target.len)) == -1)
		return -1;
	if (cfg->purl.kind == PROXY_NONE) {
		conn_io_plain(&io, fd);
		return tls_or_join(s, &io, err, errlen);
	}
	/* The tunnel's dialogue is the first connection's (connect_proxy.c). */
	if (proxy_dialogue(cfg, fd, (struct sockaddr *)&target.addr,
	    &target.via, &io) == -1)
		return -1;
	if ((target.hs = hs_start(s->ev, &io, proxy_wait_ms(cfg),
	    tunnel_done, s)) == NULL) {
		io.ops->close(&io);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
