/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --proxy (design item 20): connect to the proxy, run its dialogue in
 * the event loop (conn_proxy.c, bounded by -w or 10 s), and leave the
 * tunnel as the connection the session (or TLS to the target) starts
 * on.  Names are resolved here for socks4:// and socks5://, by the
 * proxy for socks4a://, socks5h:// and CONNECT.
 */

#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

/* A literal address as a target, or 0 when host is not one. */
static int
literal(const char *host, struct proxy_target *t)
{
	if (inet_pton(AF_INET, host, t->addr) == 1)
		t->family = AF_INET;
	else if (inet_pton(AF_INET6, host, t->addr) == 1)
		t->family = AF_INET6;
	return t->family != AF_UNSPEC;
}

/* Resolves the target here (socks4://, socks5://): its first address. */
static int
resolve_here(const struct config *cfg, struct proxy_target *t, int v4only,
    char *err, size_t errlen)
{
	struct config	 c = *cfg;
	struct addrinfo	*res, *ai;

	if (v4only)
		c.family = AF_INET;
	if (addr_resolve(&c, cfg->host, cfg->port, SOCK_STREAM, 0, &res, err,
	    errlen) == -1)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			t->family = AF_INET;
			memcpy(t->addr, &((struct sockaddr_in *)
			    ai->ai_addr)->sin_addr, 4);
			break;
		}
		if (ai->ai_family == AF_INET6) {
			t->family = AF_INET6;
			memcpy(t->addr, &((struct sockaddr_in6 *)
			    ai->ai_addr)->sin6_addr, 16);
			break;
		}
	}
	freeaddrinfo(res);
	if (ai == NULL) {
		snprintf(err, errlen, "%s: no address to give the proxy",
		    cfg->host);
		return -1;
	}
	return 0;
}

/* What the proxy is asked to reach; -1 with a message in err. */
static int
target_of(const struct config *cfg, struct proxy_target *t, char *err,
    size_t errlen)
{
	enum proxy_kind	kind = cfg->purl.kind;

	memset(t, 0, sizeof(*t));
	t->name = cfg->host;
	t->port = cfg->port;
	t->family = AF_UNSPEC;
	if (kind == PROXY_HTTP || kind == PROXY_HTTPS)
		return 0;
	if (literal(cfg->host, t)) {
		if (t->family == AF_INET6 && (kind == PROXY_SOCKS4 ||
		    kind == PROXY_SOCKS4A)) {
			snprintf(err, errlen, "SOCKS4 cannot carry an IPv6 "
			    "address (%s): use a socks5:// proxy", cfg->host);
			return -1;
		}
		return 0;
	}
	if (kind == PROXY_SOCKS4)
		return resolve_here(cfg, t, 1, err, errlen);
	if (kind == PROXY_SOCKS5)
		return resolve_here(cfg, t, 0, err, errlen);
	if (strlen(cfg->host) > 255) {
		snprintf(err, errlen, "a name for the proxy to resolve holds "
		    "at most 255 bytes");
		return -1;
	}
	return 0;
}

/* Connects to the proxy itself; the fd, or -1 after a message. */
static int
reach_proxy(const struct config *cfg, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	struct config	 c = *cfg;
	struct addrinfo	*res, *ai = NULL;
	char		 err[512], name[PROXY_FIELD + 8];
	int		 fd;

	/* Messages say "connect to proxy HOST port N (tcp) failed". */
	snprintf(name, sizeof(name), "proxy %s", cfg->purl.host);
	c.host = name;
	c.port = cfg->purl.port;
	if (addr_resolve(cfg, cfg->purl.host, cfg->purl.port, SOCK_STREAM, 0,
	    &res, err, sizeof(err)) == -1) {
		msg_warn("proxy: %s", err);
		return -1;
	}
	if ((fd = connect_any(&c, res, cfg->purl.port, 0, &ai)) != -1) {
		memcpy(ss, ai->ai_addr, ai->ai_addrlen);
		*sslen = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	return fd;
}

/*
 * The dialogue with the proxy, over fd (connected to the proxy at sa,
 * now io's): TLS to an https:// proxy first, then the request for t.
 * io is then a handshake for hs.c to run, bounded by proxy_wait_ms().
 * The first connection and /reconnect both start here.  Returns 0, or
 * -1 after a message (fd closed).
 */
int
proxy_dialogue(const struct config *cfg, int fd, const struct sockaddr *sa,
    const struct proxy_target *t, struct conn_io *io)
{
	struct conn_io	 over;
	char		 label[PROXY_FIELD + 32], err[512];
	char		 addr[ADDR_STRLEN];
	uint16_t	 port;

	proxy_label(&cfg->purl, label, sizeof(label));
	addr_format(sa, addr, sizeof(addr), &port);
	msg_verbose(cfg, 1, "Connection to proxy %s (%s %u) succeeded",
	    label, addr, port);
	conn_io_plain(&over, fd);
	if (cfg->purl.kind == PROXY_HTTPS && conn_tls_proxy_new(&over, cfg,
	    label, err, sizeof(err)) == -1) {
		close(fd);
		msg_warn("%s", err);
		return -1;
	}
	if (conn_proxy_new(io, &over, cfg, t, err, sizeof(err)) == -1) {
		over.ops->close(&over);
		msg_warn("%s", err);
		return -1;
	}
	return 0;
}

/* How long the proxy has to open the tunnel: -w, else 10 s. */
long
proxy_wait_ms(const struct config *cfg)
{
	return cfg->wait_ms >= 0 ? cfg->wait_ms : HS_LIMIT_MS;
}

/* The dialogue is over and the proxy said yes: io becomes the tunnel. */
void
proxy_tunnel_up(const struct config *cfg, struct conn_io *io)
{
	char	label[PROXY_FIELD + 32];

	conn_proxy_take(io);
	msg_verbose(cfg, 1, "Connection to %s %u port [tcp/%s] succeeded! "
	    "(through %s)", cfg->host, cfg->port,
	    addr_service(cfg, cfg->port, "tcp"), proxy_label(&cfg->purl,
	    label, sizeof(label)));
}

/* The one line for a tunnel the proxy did not open, and why. */
void
proxy_tunnel_failed(const struct config *cfg, const char *why)
{
	char	label[PROXY_FIELD + 32];

	msg_warn("proxy %s: tunnel to %s port %u failed: %s",
	    proxy_label(&cfg->purl, label, sizeof(label)), cfg->host,
	    cfg->port, why);
}

/*
 * Opens the tunnel to cfg's target through cfg's proxy: io is then the
 * connection (plain, or TLS to an https:// proxy), ss the proxy's
 * address and t what the proxy was asked for (for /reconnect to ask
 * again).  Returns 0, or an exit status after a message.
 */
int
proxy_connect(const struct config *cfg, struct ev *ev, struct conn_io *io,
    struct sockaddr_storage *ss, socklen_t *sslen, struct proxy_target *t)
{
	char	err[512];
	int	fd, r;

	if (target_of(cfg, t, err, sizeof(err)) == -1) {
		msg_warn("%s", err);
		return EXIT_FAIL;
	}
	if (conn_tls_proxy_start(cfg, err, sizeof(err)) == -1) {
		msg_warn("%s", err);
		return EXIT_FAIL;
	}
	if ((fd = reach_proxy(cfg, ss, sslen)) == -1)
		return sig_caught ? 128 + sig_caught : EXIT_FAIL;
	if (proxy_dialogue(cfg, fd, (struct sockaddr *)ss, t, io) == -1)
		return EXIT_FAIL;
	r = hs_run(ev, io, proxy_wait_ms(cfg), err, sizeof(err));
	if (r != 0) {
		if (r == -1)
			proxy_tunnel_failed(cfg, err);
		return r == -1 ? EXIT_FAIL : r;
	}
	proxy_tunnel_up(cfg, io);
	return 0;
}

/*
 * A connection's peer, as the session names it: through a proxy that
 * is the target, as the user gave it, not the proxy's address.
 */
void
proxy_peer_set(const struct config *cfg, struct peer *p,
    const struct sockaddr *sa, socklen_t salen)
{
	peer_set(p, CFG_PROTO(cfg), sa, salen);
	if (cfg->purl.kind == PROXY_NONE || cfg->listen)
		return;
	snprintf(p->host, sizeof(p->host), "%s", cfg->host);
	p->port = cfg->port;
}
