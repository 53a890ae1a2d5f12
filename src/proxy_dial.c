/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --proxy-server: reaching a tunnel's target without blocking the
 * others.  A literal is used as it is; a name is looked up with
 * getaddrinfo_a(3), whose answers are collected every few milliseconds
 * while any is out; each address is tried in turn with a non-blocking
 * connect(2); the client is told the outcome in its protocol's words.
 */

#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"
#include "proxy_int.h"

void
pt_unreachable(struct tunnel *t, int e, const char *why)
{
	int	code;

	if (t->ps->cfg->proxy_server == PROXY_HTTP)
		code = e == ETIMEDOUT ? 504 : 502;
	else
		code = e == ECONNREFUSED ? 5 : e == ENETUNREACH ? 3 :
		    e == EHOSTUNREACH || e == ETIMEDOUT || e == 0 ? 4 : 1;
	t->state = T_REQUEST;
	pt_refuse(t, code, why);
	if (pt_send_out(t) != 1)
		pt_end(t, NULL);
	else
		pt_events(t, 0, EV_WRITE);
}

/* Tries the next address of the target, non-blocking. */
static void
try_next(struct tunnel *t)
{
	struct addrinfo	*ai;
	char		 why[256];
	int		 fd;

	while ((ai = t->next) != NULL) {
		t->next = ai->ai_next;
		if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) == -1) {
			t->conn_err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			t->fd[1] = fd;
			t->events[1] = 0;
			t->state = T_CONNECT;
			pt_events(t, 1, EV_WRITE);
			return;
		}
		t->conn_err = errno;
		close(fd);
	}
	snprintf(why, sizeof(why), "connect failed: %s",
	    strerror(t->conn_err));
	pt_unreachable(t, t->conn_err, why);
}

static void
resolved(struct tunnel *t, int e, struct addrinfo *res)
{
	char	why[PROXY_FIELD + 64];

	if (e != 0) {
		snprintf(why, sizeof(why), "cannot resolve %s: %s", t->host,
		    gai_strerror(e));
		pt_unreachable(t, 0, why);
		return;
	}
	t->res = t->next = res;
	t->conn_err = ECONNREFUSED;
	try_next(t);
}

/* Lookups in flight are checked every few ms; finished ones go on. */
void
pt_gai_timer(void *arg)
{
	struct pserver	*ps = arg;
	struct tunnel	*t, *next;
	struct gaicb	*g;
	int		 e;

	for (t = LIST_FIRST(&ps->resolving); t != NULL; t = next) {
		next = LIST_NEXT(t, entry);
		g = t->gai;
		if ((e = gai_error(g)) == EAI_INPROGRESS)
			continue;
		LIST_REMOVE(t, entry);
		t->gai = NULL;
		if (t->id == 0) {
			/* Its tunnel is gone. */
			if (g->ar_result != NULL)
				freeaddrinfo(g->ar_result);
			free(g);
			free(t);
			continue;
		}
		/* resolving reuses entry: back into the tunnels. */
		LIST_INSERT_HEAD(&ps->tunnels, t, entry);
		resolved(t, e, g->ar_result);
		free(g);
	}
	if (!LIST_EMPTY(&ps->resolving))
		ev_timer_start(ps->ev, &ps->gai_timer, GAI_POLL_MS);
}

void
pt_dial(struct tunnel *t)
{
	struct pserver	*ps = t->ps;
	struct addrinfo	 hints, *res;
	struct gaicb	*list[1];
	int		 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = ps->cfg->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	t->state = T_RESOLVE;
	pt_events(t, 0, 0);
	if ((e = getaddrinfo(t->host, t->port, &hints, &res)) == 0 ||
	    ps->cfg->numeric) {
		resolved(t, e, e == 0 ? res : NULL);
		return;
	}
	if ((t->gai = calloc(1, sizeof(*t->gai) + sizeof(hints))) == NULL) {
		pt_unreachable(t, ENOMEM, "out of memory");
		return;
	}
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	memcpy(t->gai + 1, &hints, sizeof(hints));
	t->gai->ar_name = t->host;
	t->gai->ar_service = t->port;
	t->gai->ar_request = (struct addrinfo *)(t->gai + 1);
	list[0] = t->gai;
	if ((e = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) != 0) {
		free(t->gai);
		t->gai = NULL;
		resolved(t, e, NULL);
		return;
	}
	LIST_REMOVE(t, entry);
	LIST_INSERT_HEAD(&ps->resolving, t, entry);
	if (!ps->gai_timer.active)
		ev_timer_start(ps->ev, &ps->gai_timer, GAI_POLL_MS);
}

/*
 * The target answered the connect: the tunnel is open (1), or not (0).
 * On 0 the caller leaves t alone: the next address may be being tried,
 * or the refusal may have ended t and freed it.
 */
int
pt_connected(struct tunnel *t)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	unsigned char		 s5[32];
	char			 http[128];
	int			 e = 0;

	getsockopt(t->fd[1], SOL_SOCKET, SO_ERROR, &e, &len);
	if (e == EINPROGRESS || e == EALREADY)
		return 0;
	if (e != 0) {
		ev_del(t->ps->ev, t->fd[1]);
		close(t->fd[1]);
		t->fd[1] = -1;
		t->events[1] = 0;
		t->conn_err = e;
		try_next(t);
		return 0;
	}
	freeaddrinfo(t->res);
	t->res = t->next = NULL;
	len = sizeof(ss);
	getsockname(t->fd[1], (struct sockaddr *)&ss, &len);
	if (t->ps->cfg->proxy_server == PROXY_HTTP)
		pt_reply(t, http, proxy_http_answer(200, http, sizeof(http)), 0);
	else
		pt_reply(t, s5, proxy_socks5_answer(0, (struct sockaddr *)&ss, s5),
		    0);
	ev_timer_stop(t->ps->ev, &t->limit);
	t->state = T_RELAY;
	msg_verbose(t->ps->cfg, 1, "Tunnel %d from %s to %s opened", t->id,
	    t->client, t->target);
	log_note("tunnel %d from %s to %s (%s)", t->id, t->client, t->target,
	    proxy_kind_name(t->ps->cfg->proxy_server));
	return 1;
}

