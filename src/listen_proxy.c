/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --accept-proxy-protocol: a listener behind a load balancer.  Each new
 * client must start with a PROXY header (v1 or v2); it is read in the
 * event loop, with a deadline of its own (-w, default 5 s), before the
 * client joins the session, so nothing it sends is shown, logged or
 * answered until the header has named who it really is.  The header's
 * source then stands for the client everywhere (--allow/--deny, -v,
 * labels, /peers, -o, SOCKLINE_REMOTE_*).  A missing, truncated or
 * malformed header drops the client with a -v note.  Clients still in
 * their header count against -m.
 *
 * The header is taken off the socket exactly: bytes are peeked, parsed,
 * and only those that belong to the header are read, so what follows
 * it (data, or a TLS ClientHello) stays for whoever comes next.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

struct proxy_wait {
	struct proxy_accepts	*pa;
	int			 fd;
	struct sockaddr_storage	 ss;		/* the connection's own peer */
	socklen_t		 sslen;
	struct buf		 got;		/* header bytes read so far */
	struct ev_timer		 timer;
	LIST_ENTRY(proxy_wait)	 entry;
};

/* What was read so far and what is peeked after it. */
static unsigned char	peekbuf[PROXYHDR_V2_MAX];

static void
wait_free(struct proxy_wait *w, int close_fd)
{
	struct proxy_accepts	*pa = w->pa;

	LIST_REMOVE(w, entry);
	pa->n--;
	ev_timer_stop(pa->s->ev, &w->timer);
	ev_del(pa->s->ev, w->fd);
	if (close_fd)
		close(w->fd);
	buf_free(&w->got);
	free(w);
}

/* Drops the client with a -v note naming its real address. */
static void
drop(struct proxy_wait *w, const char *why)
{
	struct proxy_accepts	*pa = w->pa;
	struct peer		 p;
	char			 name[PEER_HOSTLEN + 32];

	peer_set(&p, "tcp", (struct sockaddr *)&w->ss, w->sslen);
	msg_verbose(pa->s->cfg, 1, "Dropped %s: %s",
	    peer_addr(&p, name, sizeof(name)), why);
	wait_free(w, 1);
	if (pa->drop != NULL)
		pa->drop(pa->arg);
}

static void
admit(struct proxy_wait *w, const struct proxyhdr *h)
{
	struct proxy_accepts	*pa = w->pa;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd = w->fd;
	char			 name[PEER_HOSTLEN + 32];
	char			 tname[PEER_HOSTLEN + 32];
	struct peer		 real, told;

	if (h->local) {
		memcpy(&ss, &w->ss, w->sslen);
		len = w->sslen;
	} else {
		memcpy(&ss, &h->src, h->srclen);
		len = h->srclen;
	}
	if (pa->s->cfg->verbose >= 2) {
		peer_set(&real, "tcp", (struct sockaddr *)&w->ss, w->sslen);
		peer_set(&told, "tcp", (struct sockaddr *)&ss, len);
		msg_verbose(pa->s->cfg, 2, "PROXY v%d header from %s: %s %s",
		    h->version, peer_addr(&real, name, sizeof(name)),
		    h->local ? "no address, so" : "source",
		    peer_addr(&told, tname, sizeof(tname)));
	}
	wait_free(w, 0);
	pa->admit(pa->arg, fd, &ss, len);
}

static void
proxy_read(struct proxy_wait *w)
{
	struct proxyhdr	 h;
	size_t		 have = buf_used(&w->got);
	ssize_t		 n, k;
	char		 why[128];
	int		 r;

	memcpy(peekbuf, buf_head(&w->got), have);
	n = recv(w->fd, peekbuf + have, sizeof(peekbuf) - have, MSG_PEEK);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			drop(w, strerror(errno));
		return;
	}
	if (n == 0) {
		drop(w, have == 0 ? "closed before sending a PROXY header" :
		    "PROXY header cut short by the end of the connection");
		return;
	}
	if ((r = proxyhdr_parse(peekbuf, have + (size_t)n, &h, why,
	    sizeof(why))) == -1) {
		drop(w, why);
		return;
	}
	/* Whole: take exactly the header; not yet: all of it is header. */
	k = r > 0 ? (ssize_t)((size_t)r - have) : n;
	if (recv(w->fd, peekbuf + have, (size_t)k, 0) != k) {
		drop(w, "PROXY header could not be read again");
		return;
	}
	if (r > 0)
		admit(w, &h);
	else if (buf_append(&w->got, peekbuf + have, (size_t)k) == -1)
		drop(w, "out of memory");
}

static void
proxy_event(int fd, int events, void *arg)
{
	(void)fd;
	(void)events;
	proxy_read(arg);
}

static void
on_timer(void *arg)
{
	struct proxy_wait	*w = arg;
	const struct config	*cfg = w->pa->s->cfg;
	long			 ms = cfg->wait_ms >= 0 ? cfg->wait_ms :
				    PROXY_LIMIT_MS;
	char			 why[96];

	snprintf(why, sizeof(why), "%s PROXY header within %ld.%03ld s",
	    buf_used(&w->got) == 0 ? "no" : "no whole", ms / 1000, ms % 1000);
	drop(w, why);
}

/* Starts waiting for the header of a client just accepted on fd. */
int
proxy_accept(struct proxy_accepts *pa, int fd,
    const struct sockaddr_storage *ss, socklen_t len)
{
	const struct config	*cfg = pa->s->cfg;
	struct proxy_wait	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		close(fd);
		session_fail(pa->s, "out of memory");
		return -1;
	}
	w->pa = pa;
	w->fd = fd;
	memcpy(&w->ss, ss, len);
	w->sslen = len;
	ev_timer_init(&w->timer, on_timer, w);
	ev_timer_start(pa->s->ev, &w->timer, cfg->wait_ms >= 0 ?
	    cfg->wait_ms : PROXY_LIMIT_MS);
	if (ev_set(pa->s->ev, fd, EV_READ, proxy_event, w) == -1) {
		ev_timer_stop(pa->s->ev, &w->timer);
		close(fd);
		free(w);
		session_fail(pa->s, "out of memory");
		return -1;
	}
	LIST_INSERT_HEAD(&pa->list, w, entry);
	pa->n++;
	return 0;
}

/* The run ends: clients still in their header are closed. */
void
proxy_accepts_abort(struct proxy_accepts *pa)
{
	struct proxy_wait	*w;

	while ((w = LIST_FIRST(&pa->list)) != NULL)
		wait_free(w, 1);
}
