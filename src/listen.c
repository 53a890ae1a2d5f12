/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Listen mode: bind (both families when no host is given, or a unix
 * path), report where, and serve.  A stream listener accepts one client
 * and then refuses the rest; a datagram socket takes every sender.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

#define MAX_LISTENERS	8

/* Clients taken per wakeup, so a burst does not starve the others. */
#define ACCEPT_BURST	64

/* Out of file descriptors: how long to stop accepting. */
#define EMFILE_PAUSE_MS	100

struct listener {
	const struct config	*cfg;
	struct session		*s;
	int			 fds[MAX_LISTENERS];
	int			 nfds;
	struct ev_timer		 resume;
	struct proxy_accepts	 proxy;		/* still sending their header */
	struct tls_accepts	 tls;		/* --tls: in their handshake */
};

static void	accept_event(int, int, void *);

static void
watch_listeners(struct listener *l, int on)
{
	int	i;

	for (i = 0; i < l->nfds; i++)
		ev_set(l->s->ev, l->fds[i], on ? EV_READ : 0, accept_event, l);
}

static void
on_resume(void *arg)
{
	watch_listeners(arg, 1);
}

static void
close_listeners(struct listener *l)
{
	int	i;

	for (i = 0; i < l->nfds; i++) {
		ev_del(l->s->ev, l->fds[i]);
		close(l->fds[i]);
	}
	l->nfds = 0;
}

static int
bind_one(struct listener *l, const struct addrinfo *ai, int v6only)
{
	char		host[ADDR_STRLEN];
	uint16_t	port;
	int		fd;

	if ((fd = sock_listen(ai, l->cfg->backlog, v6only)) == -1) {
		addr_format(ai->ai_addr, host, sizeof(host), &port);
		msg_warn("bind to %s port %u (%s) failed: %s", host, port,
		    CFG_PROTO(l->cfg), strerror(errno));
		return -1;
	}
	l->fds[l->nfds++] = fd;
	return 0;
}

/*
 * With no host, one IPv6 socket with v6only off takes both families
 * (IPv4 peers arrive v4-mapped); without IPv6 in the kernel, IPv4 alone.
 * A host that resolves to several addresses gets a socket on each, all
 * on the port the first one got; an address given twice is bound once.
 */
static int
bind_inet(struct listener *l)
{
	struct config		 cfg = *l->cfg;
	struct addrinfo		*res, *ai, any;
	struct sockaddr_in6	 any6;
	char			 err[256];
	uint16_t		 port = cfg.port;
	int			 fd;

	if (cfg.host == NULL && cfg.family == AF_UNSPEC) {
		memset(&any6, 0, sizeof(any6));
		any6.sin6_family = AF_INET6;
		any6.sin6_port = htons(port);
		memset(&any, 0, sizeof(any));
		any.ai_family = AF_INET6;
		any.ai_socktype = CFG_SOCKTYPE(&cfg);
		any.ai_addr = (struct sockaddr *)&any6;
		any.ai_addrlen = sizeof(any6);
		if ((fd = sock_listen(&any, cfg.backlog, 0)) != -1) {
			l->fds[l->nfds++] = fd;
			return 0;
		}
		if (errno != EAFNOSUPPORT)
			return bind_one(l, &any, 0);
		cfg.family = AF_INET;
	}
	if (addr_resolve(&cfg, cfg.host, port, CFG_SOCKTYPE(&cfg), 1, &res,
	    err, sizeof(err)) == -1) {
		msg_warn("%s", err);
		return -1;
	}
	for (ai = res; ai != NULL && l->nfds < MAX_LISTENERS;
	    ai = ai->ai_next) {
		if (addr_repeated(res, ai))
			continue;
		if (l->nfds > 0) {
			port = sock_local_port(l->fds[0]);
			if (ai->ai_family == AF_INET)
				((struct sockaddr_in *)ai->ai_addr)->sin_port =
				    htons(port);
			else if (ai->ai_family == AF_INET6)
				((struct sockaddr_in6 *)ai->ai_addr)->
				    sin6_port = htons(port);
		}
		if (bind_one(l, ai, cfg.family == AF_INET6 ||
		    res->ai_next != NULL) == -1) {
			freeaddrinfo(res);
			return -1;
		}
	}
	freeaddrinfo(res);
	return 0;
}

static int
bind_unix(struct listener *l)
{
	const struct config	*cfg = l->cfg;
	int			 fd, type = CFG_SOCKTYPE(cfg), e;

	if ((fd = sock_open(AF_UNIX, type, 0)) == -1)
		goto fail;
	if (unix_bind(cfg->path, fd, type) == -1 ||
	    (type == SOCK_STREAM && listen(fd, cfg->backlog) == -1)) {
		e = errno;
		close(fd);
		errno = e;
		goto fail;
	}
	l->fds[l->nfds++] = fd;
	return 0;
fail:
	msg_warn("bind to %s (unix) failed: %s", cfg->path, errno == EEXIST ?
	    "File exists and is not a socket" : strerror(errno));
	return -1;
}

/*
 * Writes the port to FILE (design item 15): through a rename, so readers
 * never see half, or in place into a FIFO a script waits on or
 * /dev/stdout.  Not a secret, so 0644 less the umask.
 */
static int
write_port_file(const char *path, uint16_t port)
{
	char	line[16], err[FSAFE_ERRLEN];
	int	n;

	n = snprintf(line, sizeof(line), "%u\n", port);
	if (fsafe_replace(path, line, (size_t)n, 0644, err,
	    sizeof(err)) == 0)
		return 0;
	msg_warn("cannot write port file %s", err);
	return -1;
}

/* Says why a client was turned away, with -v, and closes it. */
static void
refuse(struct listener *l, int fd, const struct sockaddr_storage *ss,
    const char *why)
{
	char		host[ADDR_STRLEN];
	uint16_t	port;

	if (l->cfg->verbose) {
		addr_format((const struct sockaddr *)ss, host, sizeof(host),
		    &port);
		msg_verbose(l->cfg, 1, "Refused a connection from %s %u: %s",
		    host, port, why);
	}
	close(fd);
}

/*
 * A client now known by its address (the connection's, or the one its
 * PROXY header named): reported, and handed to the session.
 */
static void
admit(struct listener *l, int cfd, struct sockaddr_storage *ss,
    socklen_t len)
{
	const struct config	*cfg = l->cfg;
	struct sockaddr_un	 sun;
	struct conn_io		 io;
	char			 host[ADDR_STRLEN];
	uint16_t		 port;

	if (cfg->unix_sock) {
		/* A unix client is nameless: call it by the listener's path. */
		addr_unix(cfg->path, &sun, &len);
		memcpy(ss, &sun, len);
		msg_verbose(cfg, 1, "Connection received on %s", cfg->path);
	} else if (cfg->verbose) {
		addr_format((struct sockaddr *)ss, host, sizeof(host), &port);
		msg_verbose(cfg, 1, "Connection received on %s %u", host, port);
	}
	/* One client only: later ones are refused, not left waiting. */
	if (!cfg->keep_open)
		close_listeners(l);
	/* After the PROXY header, if any, as behind haproxy. */
	if (cfg->tls) {
		/* On failure it has ended the session. */
		(void)tls_accept(&l->tls, cfd, ss, len);
		return;
	}
	conn_io_plain(&io, cfd);
	if (session_add_conn(l->s, &io, CONN_STREAM, 1, (struct sockaddr *)ss,
	    len) == NULL) {
		close(cfd);
		session_fail(l->s, "out of memory");
	}
}

/* --accept-proxy-protocol: a client's header named who it is. */
static void
proxy_admit(void *arg, int cfd, const struct sockaddr_storage *ss,
    socklen_t len)
{
	struct listener		*l = arg;
	struct sockaddr_storage	 told;

	memcpy(&told, ss, len);
	/* Checked against the source the header names. */
	if (!addr_allowed(l->cfg, (struct sockaddr *)&told)) {
		refuse(l, cfd, &told, "not allowed");
		if (!l->cfg->keep_open)
			watch_listeners(l, 1);
		return;
	}
	admit(l, cfd, &told, len);
}

/* Without -k, the next client may try once this one has failed. */
static void
proxy_drop(void *arg)
{
	struct listener	*l = arg;

	if (!l->cfg->keep_open && !l->s->done)
		watch_listeners(l, 1);
}

/* Takes one client; returns 0 to go on accepting, -1 to stop. */
static int
accept_one(struct listener *l, int fd)
{
	const struct config	*cfg = l->cfg;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 why[64];
	int			 cfd;

	if ((cfd = sock_accept(fd, &ss, &len)) == -1) {
		if (errno == EMFILE || errno == ENFILE) {
			/* The clients we have keep being served; retry. */
			msg_verbose(cfg, 1, "Cannot accept for now: %s",
			    strerror(errno));
			watch_listeners(l, 0);
			ev_timer_start(l->s->ev, &l->resume, EMFILE_PAUSE_MS);
		} else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			session_fail(l->s, "accept failed: %s",
			    strerror(errno));
		return -1;
	}
	/* Before a byte is read (design item 14). */
	if (!cfg->unix_sock && !cfg->accept_proxy &&
	    !addr_allowed(cfg, (struct sockaddr *)&ss)) {
		refuse(l, cfd, &ss, "not allowed");
		return 0;
	}
	/*
	 * A program whose client has gone keeps its place until it has
	 * exited (at most a grace after its SIGTERM); a client still in
	 * its PROXY header or TLS handshake already has one.
	 */
	if (cfg->keep_open && l->s->nconns + l->proxy.n + l->tls.n +
	    programs_detached() >= cfg->max_conns) {
		if (programs_detached() > 0)
			snprintf(why, sizeof(why), "%d client%s already, or "
			    "their programs still stopping (-m)",
			    cfg->max_conns, cfg->max_conns == 1 ? "" : "s");
		else
			snprintf(why, sizeof(why), "%d client%s already (-m)",
			    cfg->max_conns, cfg->max_conns == 1 ? "" : "s");
		refuse(l, cfd, &ss, why);
		return 0;
	}
	/* The header says who the client is; --allow/--deny wait for it. */
	if (cfg->accept_proxy) {
		if (!cfg->keep_open)
			watch_listeners(l, 0);
		if (proxy_accept(&l->proxy, cfd, &ss, len) == -1)
			return -1;
		return cfg->keep_open ? 0 : -1;
	}
	admit(l, cfd, &ss, len);
	return cfg->keep_open ? 0 : -1;
}

static void
accept_event(int fd, int events, void *arg)
{
	struct listener	*l = arg;
	int		 i;

	(void)events;
	for (i = 0; i < ACCEPT_BURST && !l->s->done; i++) {
		if (accept_one(l, fd) == -1)
			break;
	}
}

/* Says where we listen, and starts serving each socket. */
static int
serve(struct listener *l)
{
	const struct config	*cfg = l->cfg;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 host[ADDR_STRLEN];
	struct conn_io		 io;
	uint16_t		 port = 0;
	int			 i;

	for (i = 0; i < l->nfds; i++) {
		len = sizeof(ss);
		getsockname(l->fds[i], (struct sockaddr *)&ss, &len);
		if (cfg->unix_sock)
			msg_verbose(cfg, 1, "Listening on %s", cfg->path);
		else {
			addr_format((struct sockaddr *)&ss, host, sizeof(host),
			    &port);
			msg_verbose(cfg, 1, "Listening on %s %u", host, port);
		}
		if (cfg->udp) {
			conn_io_plain(&io, l->fds[i]);
			if (session_add_conn(l->s, &io, CONN_DGRAM, 0,
			    (struct sockaddr *)&ss, len) == NULL)
				return -1;
		}
	}
	if (!cfg->udp)
		watch_listeners(l, 1);
	l->s->listen_port = port;
	/* Datagram sockets now belong to the session. */
	if (cfg->udp)
		l->nfds = 0;
	log_listening(cfg, port);
	if (cfg->port_file != NULL && write_port_file(cfg->port_file,
	    port) == -1)
		return -1;
	return 0;
}

int
listen_main(const struct config *cfg)
{
	struct listener	 l;
	struct session	 s;
	struct ev	*ev;
	char		 err[512];
	int		 status = EXIT_FAIL;

	memset(&l, 0, sizeof(l));
	l.cfg = cfg;
	l.s = &s;
	l.proxy.s = &s;
	LIST_INIT(&l.proxy.list);
	l.proxy.admit = proxy_admit;
	l.proxy.drop = proxy_drop;
	l.proxy.arg = &l;
	l.tls.s = &s;
	LIST_INIT(&l.tls.list);
	ev_timer_init(&l.resume, on_resume, &l);
	/* Certificates and keys are loaded (or made) before any socket. */
	if (conn_tls_start(cfg, err, sizeof(err)) == -1) {
		msg_warn("%s", err);
		return EXIT_FAIL;
	}
	signals_init();
	if ((ev = ev_new()) == NULL) {
		msg_warn("out of memory");
		return EXIT_FAIL;
	}
	session_init(&s, cfg, ev);
	if ((s.front = front_new(&s)) == NULL) {
		msg_warn("out of memory");
		goto out;
	}
	if ((cfg->unix_sock ? bind_unix(&l) : bind_inet(&l)) == -1)
		goto out;
	if (serve(&l) == -1)
		goto out;
	status = session_run(&s);
	/* -k: the end, even by a signal, says that some client failed. */
	if (chat_failures() > 0) {
		msg_warn("%d client%s failed %s", chat_failures(),
		    chat_failures() == 1 ? "" : "s", cfg->chat.name);
		status = EXIT_FAIL;
	}
out:
	ev_timer_stop(ev, &l.resume);
	proxy_accepts_abort(&l.proxy);
	tls_accepts_abort(&l.tls);
	close_listeners(&l);
	session_free(&s);
	ev_free(ev);
	conn_tls_end();
	unix_cleanup();
	return status;
}
