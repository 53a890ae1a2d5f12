/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * /reconnect (issue 16 item 4): the same connection opened again, from
 * the prompt, without leaving it: the address the first connection
 * reached (not resolved again), the same -s, -p, --proxy-protocol and
 * TLS settings (--starttls: its dialogue again, then TLS).  What is
 * typed meanwhile waits in the send queue and goes to the new
 * connection.
 *
 * The TLS handshake runs in the loop (hs.c), as a -k listener's do, so
 * the prompt stays live while it runs; the session learns of the new
 * connection only once it is verified, and nothing is sent before.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sockline.h"

static struct {
	const struct config	*cfg;
	struct sockaddr_storage	 addr;
	socklen_t		 len;
	struct hs		*hs;		/* a TLS handshake under way */
} target;

/* Called by connect_main once it has connected: only a client can. */
void
reconnect_target(const struct config *cfg, const struct sockaddr *sa,
    socklen_t len)
{
	target.cfg = cfg;
	memcpy(&target.addr, sa, len);
	target.len = len;
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
		peer_set(&p, CFG_PROTO(target.cfg),
		    (struct sockaddr *)&target.addr, target.len);
		msg_warn("TLS handshake with %s failed: %s",
		    peer_name(&p, name, sizeof(name)), why);
		return;
	}
	conn_tls_report(&h->io, target.cfg, NULL);
	joined(s, &h->io);
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
 * it is open or on its way (TLS), -1 with a reason in err; a failed
 * connect has said why itself (err is then empty).
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
		snprintf(err, errlen, "a TLS handshake is still under way");
		return -1;
	}
	if (session_detach(s) == -1) {
		snprintf(err, errlen, "the session is ending");
		return -1;
	}
	if ((fd = connect_again(cfg, (struct sockaddr *)&target.addr,
	    target.len)) == -1)
		return -1;
	conn_io_plain(&io, fd);
	if (!cfg->tls) {
		joined(s, &io);
		return 0;
	}
	if (connect_tls_io(cfg, &io, (struct sockaddr *)&target.addr,
	    target.len, err, errlen) == -1) {
		io.ops->close(&io);
		return -1;
	}
	if ((target.hs = hs_start(s->ev, &io, cfg->wait_ms >= 0 ?
	    cfg->wait_ms : HS_LIMIT_MS, tls_done, s)) == NULL) {
		io.ops->close(&io);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
