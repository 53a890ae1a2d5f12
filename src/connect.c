/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Connect mode: resolve, try every address in order (or connect to a
 * unix path), then hand the socket to a session.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

/*
 * Binds fd to the -s address and -p port, in the family of the address
 * being tried.  Returns -1 with a message in err.
 */
static int
bind_source(const struct config *cfg, int fd, int family, char *err,
    size_t errlen)
{
	struct config	 c = *cfg;
	struct addrinfo	*ai;
	int		 on = 1, r;

	if (cfg->source == NULL && cfg->source_port == 0)
		return 0;
	c.family = family;
	if (addr_resolve(&c, cfg->source, cfg->source_port, CFG_SOCKTYPE(cfg),
	    1, &ai, err, errlen) == -1) {
		/*
		 * Without -4/-6 the family is the target's, so the conflict
		 * is between the two addresses, not with an option.
		 */
		if (cfg->family == AF_UNSPEC && cfg->source != NULL &&
		    addr_is_numeric(cfg->source))
			snprintf(err, errlen, "-s %s is an IPv%c address, and "
			    "cannot reach an IPv%c one", cfg->source,
			    family == AF_INET ? '6' : '4',
			    family == AF_INET ? '4' : '6');
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	r = bind(fd, ai->ai_addr, ai->ai_addrlen);
	if (r == -1)
		snprintf(err, errlen, "bind to %s port %u (%s) failed: %s",
		    cfg->source != NULL ? cfg->source : "*", cfg->source_port,
		    CFG_PROTO(cfg), strerror(errno));
	freeaddrinfo(ai);
	return r;
}

/*
 * Tries each address in turn; returns the connected fd, or -1 after a
 * message (quietly if quiet, for -z).
 */
int
connect_any(const struct config *cfg, struct addrinfo *res, uint16_t port,
    int quiet, struct addrinfo **used)
{
	struct addrinfo	*ai;
	char		 err[256] = "", host[ADDR_STRLEN];
	uint16_t	 p;
	int		 fd, e = 0;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		/* The same address twice would only fail twice. */
		if (addr_repeated(res, ai))
			continue;
		if ((fd = sock_open(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1) {
			e = errno;
			continue;
		}
		if (bind_source(cfg, fd, ai->ai_family, err,
		    sizeof(err)) == -1) {
			close(fd);
			e = 0;
			continue;
		}
		if (sock_connect(fd, ai->ai_addr, ai->ai_addrlen,
		    cfg->wait_ms) == 0) {
			*used = ai;
			return fd;
		}
		e = errno;
		close(fd);
		if (e == EINTR)
			return -1;
		if (cfg->verbose && ai->ai_next != NULL) {
			addr_format(ai->ai_addr, host, sizeof(host), &p);
			msg_warn("connect to %s port %u (%s) failed: %s", host,
			    p, CFG_PROTO(cfg), strerror(e));
		}
	}
	if (e != 0)
		snprintf(err, sizeof(err), "connect to %s port %u (%s) "
		    "failed: %s", cfg->host, port, CFG_PROTO(cfg),
		    strerror(e));
	if (!quiet || cfg->verbose)
		msg_warn("%s", err);
	return -1;
}

/* nc's line, which scripts parse; the address is added when it differs. */
void
connect_report(const struct config *cfg, const struct sockaddr *sa)
{
	const char	*proto = CFG_PROTO(cfg);
	char		 addr[ADDR_STRLEN];
	uint16_t	 port;

	addr_format(sa, addr, sizeof(addr), &port);
	if (strcmp(addr, cfg->host) == 0)
		msg_verbose(cfg, 0, "Connection to %s %u port [%s/%s] "
		    "succeeded!", addr, port, proto,
		    addr_service(cfg, port, proto));
	else
		msg_verbose(cfg, 0, "Connection to %s (%s) %u port [%s/%s] "
		    "succeeded!", cfg->host, addr, port, proto,
		    addr_service(cfg, port, proto));
}

/* A unix socket: bound to -s PATH when given, else autobound (dgram). */
static int
connect_unix(const struct config *cfg, struct sockaddr_un *sun,
    socklen_t *len)
{
	int	type = CFG_SOCKTYPE(cfg), fd, e;

	if (addr_unix(cfg->path, sun, len) == -1)
		goto fail;
	if (cfg->source == NULL)
		fd = unix_connect(cfg->path, type, cfg->wait_ms);
	else {
		if ((fd = sock_open(AF_UNIX, type, 0)) == -1)
			goto fail;
		if (unix_bind(cfg->source, fd, type) == -1) {
			e = errno;
			close(fd);
			msg_warn("bind to %s (unix) failed: %s", cfg->source,
			    e == EEXIST ? "File exists and is not a socket" :
			    strerror(e));
			return -1;
		}
		if (sock_connect(fd, (struct sockaddr *)sun, *len,
		    cfg->wait_ms) == -1) {
			e = errno;
			close(fd);
			errno = e;
			fd = -1;
		}
	}
	if (fd != -1)
		return fd;
fail:
	msg_warn("connect to %s (unix) failed: %s", cfg->path,
	    strerror(errno));
	return -1;
}

/*
 * Whom we say we are, where the protocol asks: SMTP's EHLO takes our
 * address as a literal ("[127.0.0.1]", "[IPv6:::1]"), since sockline
 * has no name of its own to claim; XMPP's to= is the server's name.
 */
const char *
stls_hello(const struct config *cfg, int fd, char *buf, size_t len)
{
	return stls_hello_for(cfg, cfg->starttls, fd, buf, len);
}

const char *
stls_hello_for(const struct config *cfg, int proto, int fd, char *buf,
    size_t len)
{
	struct sockaddr_storage	ss;
	socklen_t		sslen = sizeof(ss);
	char			addr[ADDR_STRLEN];
	uint16_t		port;

	if (strcmp(stls_proto_name(proto), "xmpp") == 0)
		snprintf(buf, len, "%s", cfg->tls_name != NULL ? cfg->tls_name :
		    cfg->host != NULL ? cfg->host : "localhost");
	else if (cfg->unix_sock || getsockname(fd, (struct sockaddr *)&ss,
	    &sslen) == -1 || (ss.ss_family != AF_INET &&
	    ss.ss_family != AF_INET6))
		snprintf(buf, len, "localhost");
	else {
		addr_format((struct sockaddr *)&ss, addr, sizeof(addr), &port);
		snprintf(buf, len, "[%s%s]", ss.ss_family == AF_INET6 ?
		    "IPv6:" : "", addr);
	}
	return buf;
}

/*
 * --proxy-protocol: before anything else, a PROXY header naming this
 * connection's real source and destination, as a load balancer would.
 * A fresh socket's buffer takes its few dozen bytes whole.
 */
static int
send_proxy_header(const struct config *cfg, int fd)
{
	struct sockaddr_storage	 src, dst;
	socklen_t		 slen = sizeof(src), dlen = sizeof(dst);
	unsigned char		 hdr[PROXYHDR_V1_MAX + 1];
	int			 n;

	if (getsockname(fd, (struct sockaddr *)&src, &slen) == -1 ||
	    getpeername(fd, (struct sockaddr *)&dst, &dlen) == -1) {
		msg_warn("cannot send the PROXY header: %s", strerror(errno));
		return -1;
	}
	if ((n = proxyhdr_build(cfg->proxy_protocol, (struct sockaddr *)&src,
	    (struct sockaddr *)&dst, hdr, sizeof(hdr))) == -1) {
		msg_warn("cannot send the PROXY header: addresses of "
		    "different families");
		return -1;
	}
	errno = 0;
	if (send(fd, hdr, (size_t)n, MSG_NOSIGNAL) != n) {
		msg_warn("cannot send the PROXY header: %s", errno != 0 ?
		    strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

/*
 * The client's TLS layer on io->fd, for --tls or --starttls (its
 * plaintext dialogue first); the handshake is the caller's to run.
 * connect_main and /reconnect share it.  -1 with a message in err.
 */
int
connect_tls_io(const struct config *cfg, struct conn_io *io,
    const struct sockaddr *sa, socklen_t salen, char *err, size_t errlen)
{
	struct peer	 p;
	char		 name[PEER_HOSTLEN + 32], hello[300];

	peer_set(&p, CFG_PROTO(cfg), sa, salen);
	peer_name(&p, name, sizeof(name));
	/* Through a proxy the peer is the target, not the proxy's address. */
	if (cfg->purl.kind != PROXY_NONE)
		snprintf(name, sizeof(name), "%s port %u (tcp, through the "
		    "proxy)", cfg->host, cfg->port);
	if (cfg->starttls > 0)
		return conn_stls_new(io, cfg, 0, cfg->starttls, 0,
		    cfg->unix_sock ? NULL : cfg->host, stls_hello(cfg, io->fd,
		    hello, sizeof(hello)), &p, name, err, errlen);
	return conn_tls_new(io, cfg, 0, cfg->unix_sock ? NULL : cfg->host,
	    name, err, errlen);
}

/* What the client's handshake came to. */
struct client_hs {
	int		 finished;
	int		 ok;
	struct conn_io	 io;
	char		 why[512];
};

static void
client_hs_done(struct hs *h, int ok, const char *why)
{
	struct client_hs	*ch = h->arg;

	ch->finished = 1;
	ch->ok = ok;
	if (ok)
		ch->io = h->io;
	else
		snprintf(ch->why, sizeof(ch->why), "%s", why);
}

/*
 * --tls: the handshake, in the loop, before the session (and the prompt)
 * starts, so nothing typed or piped is sent before the peer is verified.
 * It is bounded by -w, else 10 s.  Returns 0, or an exit status.
 */
static int
client_tls(const struct config *cfg, struct ev *ev, struct conn_io *io,
    const struct sockaddr *sa, socklen_t salen)
{
	struct client_hs	 ch;
	struct peer		 p;
	struct hs		*h;
	char			 name[PEER_HOSTLEN + 32], err[512];

	memset(&ch, 0, sizeof(ch));
	proxy_peer_set(cfg, &p, sa, salen);
	peer_name(&p, name, sizeof(name));
	if (connect_tls_io(cfg, io, sa, salen, err, sizeof(err)) == -1) {
		io->ops->close(io);
		msg_warn("%s", err);
		return EXIT_FAIL;
	}
	if ((h = hs_start(ev, io, cfg->wait_ms >= 0 ? cfg->wait_ms :
	    HS_LIMIT_MS, client_hs_done, &ch)) == NULL) {
		io->ops->close(io);
		msg_warn("out of memory");
		return EXIT_FAIL;
	}
	while (!ch.finished) {
		if ((ev_run_once(ev) == -1 && errno != EINTR) ||
		    sig_caught != 0) {
			if (!ch.finished)
				hs_abort(h);
			if (sig_caught == 0)
				msg_warn("poll: %s", strerror(errno));
			return sig_caught != 0 ? 128 + sig_caught : EXIT_FAIL;
		}
	}
	if (!ch.ok && cfg->starttls > 0) {
		msg_warn("STARTTLS (%s) with %s failed: %s",
		    stls_proto_name(cfg->starttls), name, ch.why);
		return EXIT_FAIL;
	}
	if (!ch.ok) {
		msg_warn("TLS handshake with %s failed: %s", name, ch.why);
		return EXIT_FAIL;
	}
	*io = ch.io;
	conn_tls_report(io, cfg, NULL);
	return 0;
}

/* The session over a connection made, and TLS on it if asked. */
static int
run_session(const struct config *cfg, struct ev *ev, struct conn_io *io,
    const struct sockaddr_storage *peer, socklen_t peerlen)
{
	struct session	 s;
	int		 status;

	if (cfg->tls && (status = client_tls(cfg, ev, io,
	    (const struct sockaddr *)peer, peerlen)) != 0)
		return status;
	session_init(&s, cfg, ev);
	/* The peer is named after the target (proxy_peer_set). */
	if ((s.front = front_new(&s)) == NULL ||
	    session_add_conn(&s, io, CONN_STREAM, 1,
	    (const struct sockaddr *)peer, peerlen) == NULL) {
		msg_warn("out of memory");
		return EXIT_FAIL;
	}
	status = session_run(&s);
	reconnect_end();
	session_free(&s);
	return status;
}

/* --proxy: the tunnel first, then the session as usual. */
static int
connect_proxied(const struct config *cfg)
{
	struct sockaddr_storage	 peer;
	struct proxy_target	 t;
	struct conn_io		 io;
	struct ev		*ev;
	socklen_t		 peerlen = 0;
	int			 status;

	signals_init();
	if ((ev = ev_new()) == NULL) {
		msg_warn("out of memory");
		return EXIT_FAIL;
	}
	if ((status = proxy_connect(cfg, ev, &io, &peer, &peerlen,
	    &t)) == 0) {
		/* /reconnect asks the same proxy for the same target. */
		reconnect_target(cfg, (struct sockaddr *)&peer, peerlen, &t);
		status = run_session(cfg, ev, &io, &peer, peerlen);
	}
	ev_free(ev);
	conn_tls_end();
	return status;
}

/*
 * /reconnect: a new socket to the address the first one reached (not
 * resolved again), with -s, -p and --proxy-protocol as before; with
 * --proxy that is the proxy's address, and the tunnel and TLS are
 * reconnect.c's.  Returns the fd, or -1 after a message.
 */
int
connect_again(const struct config *cfg, const struct sockaddr *sa,
    socklen_t salen)
{
	struct sockaddr_un	 sun;
	socklen_t		 len = sizeof(sun);
	char			 err[256], host[ADDR_STRLEN];
	uint16_t		 port;
	int			 fd, proxied = cfg->purl.kind != PROXY_NONE;

	if (cfg->unix_sock)
		return connect_unix(cfg, &sun, &len);
	if ((fd = sock_open(sa->sa_family, CFG_SOCKTYPE(cfg), 0)) == -1) {
		msg_warn("socket: %s", strerror(errno));
		return -1;
	}
	if (bind_source(cfg, fd, sa->sa_family, err, sizeof(err)) == -1) {
		msg_warn("%s", err);
		close(fd);
		return -1;
	}
	if (sock_connect(fd, sa, salen, cfg->wait_ms) == -1) {
		addr_format(sa, host, sizeof(host), &port);
		/* As the first connection says it (connect_proxy.c). */
		msg_warn("connect to %s%s port %u (%s) failed: %s", proxied ?
		    "proxy " : "", proxied ? cfg->purl.host : host, port,
		    CFG_PROTO(cfg), strerror(errno));
		close(fd);
		return -1;
	}
	/* Through a proxy that line comes once the tunnel is open. */
	if (proxied)
		return fd;
	if (cfg->verbose)
		connect_report(cfg, sa);
	if (cfg->proxy_protocol != 0 && send_proxy_header(cfg, fd) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
connect_main(const struct config *cfg)
{
	struct session		 s;
	struct sockaddr_storage	 peer;
	struct addrinfo		*res = NULL, *ai = NULL;
	struct ev		*ev;
	struct conn_io		 io;
	socklen_t		 peerlen;
	char			 err[512];
	int			 fd, status;

	if (cfg->zero)
		return probe_main(cfg);
	/* Certificates and keys are loaded before any socket. */
	if (conn_tls_start(cfg, err, sizeof(err)) == -1) {
		msg_warn("%s", err);
		return EXIT_FAIL;
	}
	if (cfg->purl.kind != PROXY_NONE)
		return connect_proxied(cfg);
	if (!cfg->unix_sock && addr_resolve(cfg, cfg->host, cfg->port,
	    CFG_SOCKTYPE(cfg), 0, &res, err, sizeof(err)) == -1) {
		msg_warn("%s", err);
		return EXIT_FAIL;
	}
	signals_init();
	if (cfg->unix_sock) {
		peerlen = sizeof(struct sockaddr_un);
		fd = connect_unix(cfg, (struct sockaddr_un *)&peer, &peerlen);
	} else {
		fd = connect_any(cfg, res, cfg->port, 0, &ai);
		if (fd != -1) {
			memcpy(&peer, ai->ai_addr, ai->ai_addrlen);
			peerlen = ai->ai_addrlen;
			if (cfg->verbose)
				connect_report(cfg, ai->ai_addr);
		}
		freeaddrinfo(res);
		if (fd != -1 && cfg->proxy_protocol != 0 &&
		    send_proxy_header(cfg, fd) == -1) {
			/* Before TLS, as a balancer's header comes. */
			close(fd);
			conn_tls_end();
			return EXIT_FAIL;
		}
	}
	if (fd == -1) {
		unix_cleanup();
		return sig_caught ? 128 + sig_caught : EXIT_FAIL;
	}

	if ((ev = ev_new()) == NULL) {
		msg_warn("out of memory");
		return EXIT_FAIL;
	}
	conn_io_plain(&io, fd);
	if (cfg->tls && (status = client_tls(cfg, ev, &io,
	    (struct sockaddr *)&peer, peerlen)) != 0) {
		ev_free(ev);
		conn_tls_end();
		unix_cleanup();
		return status;
	}
	session_init(&s, cfg, ev);
	reconnect_target(cfg, (struct sockaddr *)&peer, peerlen, NULL);
	if ((s.front = front_new(&s)) == NULL ||
	    session_add_conn(&s, &io, cfg->udp ? CONN_DGRAM : CONN_STREAM, 1,
	    (struct sockaddr *)&peer, peerlen) == NULL) {
		msg_warn("out of memory");
		return EXIT_FAIL;
	}
	status = session_run(&s);
	reconnect_end();
	session_free(&s);
	ev_free(ev);
	conn_tls_end();
	unix_cleanup();
	return status;
}
