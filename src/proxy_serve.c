/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * -l -k --proxy-server http|socks5 (design item 20): a proxy for test
 * suites, in one event loop.  Each client's request is read (no further
 * than it goes) and answered, its target resolved (getaddrinfo_a, so a
 * slow name delays no one) and connected non-blocking, then the two
 * sockets are joined: splice(2) through a pipe per direction, made only
 * when bytes first flow, so an idle tunnel costs two sockets and a few
 * hundred bytes; where splice cannot, a buffer, read only when empty.
 * An end of stream is passed on as a half-close, in each direction
 * alone.  --allow/--deny and -m apply to clients, --proxy-auth is
 * required of them when given, -w (default 10 s) bounds a handshake.
 */

#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"
#include "proxy_int.h"

static void	tunnel_event(int, int, void *);

void
pt_events(struct tunnel *t, int i, int ev)
{
	if (t->fd[i] == -1 || t->events[i] == ev)
		return;
	t->events[i] = ev;
	ev_set(t->ps->ev, t->fd[i], ev, tunnel_event, t);
}

static void
tunnel_free(struct tunnel *t)
{
	struct pserver	*ps = t->ps;
	int		 i;

	ev_timer_stop(ps->ev, &t->limit);
	for (i = 0; i < 2; i++) {
		if (t->fd[i] != -1) {
			ev_del(ps->ev, t->fd[i]);
			close(t->fd[i]);
			t->fd[i] = -1;
		}
		relay_dir_free(&t->d[i]);
	}
	free(t->in);
	t->in = NULL;
	if (t->res != NULL)
		freeaddrinfo(t->res);
	t->res = NULL;
	LIST_REMOVE(t, entry);
	ps->ntunnels--;
	/* A lookup still running writes into its gaicb: kept till done. */
	if (t->gai != NULL && gai_cancel(t->gai) != EAI_CANCELED &&
	    gai_error(t->gai) == EAI_INPROGRESS) {
		t->id = 0;
		LIST_INSERT_HEAD(&ps->resolving, t, entry);
		return;
	}
	if (t->gai != NULL) {
		if (t->gai->ar_result != NULL)
			freeaddrinfo(t->gai->ar_result);
		free(t->gai);
	}
	free(t);
}

/* Ends a tunnel: -v says why or, once joined, how much went each way. */
void
pt_end(struct tunnel *t, const char *why)
{
	const struct config	*cfg = t->ps->cfg;

	if (t->state == T_RELAY) {
		msg_verbose(cfg, 1, "Tunnel %d from %s to %s closed: %llu "
		    "bytes to the target, %llu back%s%s", t->id, t->client,
		    t->target, t->d[0].bytes, t->d[1].bytes,
		    why != NULL ? ": " : "", why != NULL ? why : "");
		log_note("tunnel %d from %s to %s closed: %llu bytes to the "
		    "target, %llu back", t->id, t->client, t->target,
		    t->d[0].bytes, t->d[1].bytes);
	} else if (why != NULL)
		msg_verbose(cfg, 1, "Dropped %s%s%s: %s", t->client,
		    t->target[0] != '\0' ? " asking for " : "", t->target, why);
	tunnel_free(t);
}

/* Sends what is left of the reply; 0 when all is out, 1 not yet. */
int
pt_send_out(struct tunnel *t)
{
	ssize_t	n;

	while (t->outlen > 0) {
		n = send(t->fd[0], t->out, t->outlen, MSG_NOSIGNAL);
		if (n == -1 && errno == EAGAIN)
			return 1;
		if (n == -1)
			return -1;
		memmove(t->out, t->out + n, t->outlen - (size_t)n);
		t->outlen -= (size_t)n;
	}
	return 0;
}

/* Queues a reply; refuse: the tunnel ends once it is out. */
void
pt_reply(struct tunnel *t, const void *p, size_t n, int refuse)
{
	memcpy(t->out + t->outlen, p, n);
	t->outlen += n;
	t->close_after = refuse;
}

static void
relay(struct tunnel *t)
{
	const char	*why = NULL;
	int		 w0, w1;

	if (relay_pass(&t->d[0], t->fd[0], t->fd[1], &w0, &why) == -1 ||
	    relay_pass(&t->d[1], t->fd[1], t->fd[0], &w1, &why) == -1) {
		pt_end(t, why);
		return;
	}
	if (t->d[0].done && t->d[1].done) {
		pt_end(t, NULL);
		return;
	}
	pt_events(t, 0, ((w0 & 1) ? EV_READ : 0) | ((w1 & 2) ? EV_WRITE : 0));
	pt_events(t, 1, ((w1 & 1) ? EV_READ : 0) | ((w0 & 2) ? EV_WRITE : 0));
}

static void
tunnel_event(int fd, int events, void *arg)
{
	struct tunnel	*t = arg;
	int		 r;

	(void)events;
	if (t->outlen > 0) {
		if ((r = pt_send_out(t)) == -1) {
			pt_end(t, strerror(errno));
			return;
		}
		if (r == 1) {
			pt_events(t, 0, EV_WRITE);
			return;
		}
	}
	if (t->close_after) {
		pt_end(t, NULL);
		return;
	}
	switch (t->state) {
	case T_REQUEST:
		pt_read_request(t);
		if (t->close_after || t->outlen > 0) {
			if ((r = pt_send_out(t)) == 1) {
				pt_events(t, 0, EV_WRITE);
				return;
			}
			if (r == -1 || t->close_after) {
				pt_end(t, r == -1 ? strerror(errno) : NULL);
				return;
			}
		}
		if (t->state == T_REQUEST)
			pt_events(t, 0, EV_READ);
		return;
	case T_RESOLVE:
		return;
	case T_CONNECT:
		if (fd != t->fd[1])
			return;
		if (!pt_connected(t))
			return;
		if ((r = pt_send_out(t)) == -1) {
			pt_end(t, strerror(errno));
			return;
		}
		if (r == 1) {
			pt_events(t, 1, 0);
			pt_events(t, 0, EV_WRITE);
			return;
		}
		relay(t);
		return;
	case T_RELAY:
		relay(t);
		return;
	}
}

static void
on_limit(void *arg)
{
	struct tunnel	*t = arg;
	char		 why[80];
	long		 ms = t->ps->cfg->wait_ms >= 0 ? t->ps->cfg->wait_ms :
			    HS_LIMIT_MS;

	snprintf(why, sizeof(why), "handshake not done after %ld.%03ld s",
	    ms / 1000, ms % 1000);
	if (t->state == T_CONNECT || t->state == T_RESOLVE) {
		if (t->state == T_RESOLVE && t->gai != NULL) {
			/* Leave the lookup to finish alone. */
			pt_end(t, why);
			return;
		}
		pt_unreachable(t, ETIMEDOUT, why);
		return;
	}
	pt_end(t, why);
}

static void
accept_one(struct pserver *ps, int lfd)
{
	const struct config	*cfg = ps->cfg;
	struct sockaddr_storage	 ss;
	struct tunnel		*t;
	socklen_t		 len;
	char			 host[ADDR_STRLEN];
	uint16_t		 port;
	int			 fd;

	if ((fd = sock_accept(lfd, &ss, &len)) == -1)
		return;
	addr_format((struct sockaddr *)&ss, host, sizeof(host), &port);
	if (!addr_allowed(cfg, (struct sockaddr *)&ss)) {
		msg_verbose(cfg, 1, "Refused a connection from %s %u: not "
		    "allowed", host, port);
		close(fd);
		return;
	}
	if (ps->ntunnels >= cfg->max_conns) {
		msg_verbose(cfg, 1, "Refused a connection from %s %u: %d "
		    "tunnels already (-m)", host, port, cfg->max_conns);
		close(fd);
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->in = malloc(REQ_MAX)) == NULL) {
		free(t);
		close(fd);
		return;
	}
	msg_verbose(cfg, 1, "Connection received on %s %u", host, port);
	t->ps = ps;
	t->id = ++ps->next_id;
	t->fd[0] = fd;
	t->fd[1] = -1;
	relay_dir_init(&t->d[0]);
	relay_dir_init(&t->d[1]);
	snprintf(t->client, sizeof(t->client), "%s %u", host, port);
	t->stage = cfg->proxy_server == PROXY_HTTP ? PRQ_HTTP : PRQ_S5_HELLO;
	LIST_INSERT_HEAD(&ps->tunnels, t, entry);
	ps->ntunnels++;
	ev_timer_init(&t->limit, on_limit, t);
	ev_timer_start(ps->ev, &t->limit, cfg->wait_ms >= 0 ? cfg->wait_ms :
	    HS_LIMIT_MS);
	pt_events(t, 0, EV_READ);
}

static void
accept_event(int fd, int events, void *arg)
{
	int	i;

	(void)events;
	for (i = 0; i < 64; i++)
		accept_one(arg, fd);
}

/*
 * Binds the host given, or loopback only (::1 and 127.0.0.1) when none:
 * a test suite's proxy is not for the network.
 */
static int
bind_all(struct pserver *ps)
{
	const struct config	*cfg = ps->cfg;
	const char		*loop[] = { "::1", "127.0.0.1" };
	struct addrinfo		*res, *ai;
	struct config		 c = *cfg;
	char			 err[256], host[ADDR_STRLEN];
	uint16_t		 port = cfg->port, p;
	int			 i, fd, tried = 0;

	for (i = 0; i < (cfg->host != NULL ? 1 : 2); i++) {
		if (addr_resolve(&c, cfg->host != NULL ? cfg->host : loop[i],
		    port, SOCK_STREAM, 1, &res, err, sizeof(err)) == -1) {
			if (cfg->host == NULL)
				continue;
			msg_warn("%s", err);
			return -1;
		}
		for (ai = res; ai != NULL && ps->nfds < PS_LISTENERS;
		    ai = ai->ai_next) {
			tried++;
			if (ps->nfds > 0) {
				port = sock_local_port(ps->fds[0]);
				if (ai->ai_family == AF_INET)
					((struct sockaddr_in *)ai->ai_addr)->
					    sin_port = htons(port);
				else
					((struct sockaddr_in6 *)ai->ai_addr)->
					    sin6_port = htons(port);
			}
			if ((fd = sock_listen(ai, cfg->backlog, 1)) == -1) {
				/* No IPv6 on this host: loopback v4 will do. */
				if (cfg->host == NULL && errno == EADDRNOTAVAIL)
					continue;
				addr_format(ai->ai_addr, host, sizeof(host), &p);
				msg_warn("bind to %s port %u (tcp) failed: %s",
				    host, p, strerror(errno));
				freeaddrinfo(res);
				return -1;
			}
			ps->fds[ps->nfds++] = fd;
			if (port == 0)
				port = sock_local_port(fd);
		}
		freeaddrinfo(res);
	}
	if (ps->nfds == 0) {
		msg_warn("nowhere to listen%s", tried ? "" : ": no loopback "
		    "address");
		return -1;
	}
	return 0;
}

/* 1,000 tunnels are 2,000 sockets and their pipes: room for them. */
static void
raise_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
proxy_serve_main(const struct config *cfg)
{
	struct pserver		 ps;
	struct sockaddr_storage	 ss;
	struct tunnel		*t;
	socklen_t		 len;
	char			 host[ADDR_STRLEN], err[FSAFE_ERRLEN], line[16];
	uint16_t		 port = 0;
	int			 i, status = EXIT_FAIL, n;

	memset(&ps, 0, sizeof(ps));
	ps.cfg = cfg;
	LIST_INIT(&ps.tunnels);
	LIST_INIT(&ps.resolving);
	raise_nofile();
	signals_init();
	if ((ps.ev = ev_new()) == NULL) {
		msg_warn("out of memory");
		return EXIT_FAIL;
	}
	ev_timer_init(&ps.gai_timer, pt_gai_timer, &ps);
	if (bind_all(&ps) == -1)
		goto out;
	for (i = 0; i < ps.nfds; i++) {
		len = sizeof(ss);
		getsockname(ps.fds[i], (struct sockaddr *)&ss, &len);
		addr_format((struct sockaddr *)&ss, host, sizeof(host), &port);
		msg_verbose(cfg, 1, "Listening on %s %u (%s proxy)", host,
		    port, proxy_kind_name(cfg->proxy_server));
		ev_set(ps.ev, ps.fds[i], EV_READ, accept_event, &ps);
	}
	log_listening(cfg, port);
	if (cfg->port_file != NULL) {
		n = snprintf(line, sizeof(line), "%u\n", port);
		if (fsafe_replace(cfg->port_file, line, (size_t)n, 0644, err,
		    sizeof(err)) == -1) {
			msg_warn("cannot write port file %s", err);
			goto out;
		}
	}
	while (sig_caught == 0) {
		if (ev_run_once(ps.ev) == -1 && errno != EINTR) {
			msg_warn("poll: %s", strerror(errno));
			goto out;
		}
	}
	status = 128 + sig_caught;
out:
	while ((t = LIST_FIRST(&ps.tunnels)) != NULL)
		pt_end(t, "the proxy is ending");
	ev_timer_stop(ps.ev, &ps.gai_timer);
	for (i = 0; i < ps.nfds; i++) {
		ev_del(ps.ev, ps.fds[i]);
		close(ps.fds[i]);
	}
	ev_free(ps.ev);
	return status;
}

