/*
 * Connect mode: resolve, try every address in order, then hand the
 * connection to a session.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

/*
 * Binds fd to the -s address and -p port, in the family of the address
 * being tried.  Returns -1 with errno set.
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
	if (addr_resolve(&c, cfg->source, cfg->source_port, SOCK_STREAM, 1,
	    &ai, err, errlen) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	r = bind(fd, ai->ai_addr, ai->ai_addrlen);
	if (r == -1)
		snprintf(err, errlen, "bind to %s port %u failed: %s",
		    cfg->source != NULL ? cfg->source : "*", cfg->source_port,
		    strerror(errno));
	freeaddrinfo(ai);
	return r;
}

/* Tries each address in turn; returns the connected fd or -1. */
static int
connect_any(const struct config *cfg, struct addrinfo *res,
    struct addrinfo **used)
{
	struct addrinfo	*ai;
	char		 err[256] = "", host[ADDR_STRLEN];
	uint16_t	 port;
	int		 fd, e = 0;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
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
		if (sock_connect(fd, ai->ai_addr, ai->ai_addrlen, -1) == 0) {
			*used = ai;
			return fd;
		}
		e = errno;
		close(fd);
		if (e == EINTR)
			return -1;
		if (cfg->verbose) {
			addr_format(ai->ai_addr, host, sizeof(host), &port);
			msg_warn("connect to %s port %u (tcp) failed: %s",
			    host, port, strerror(e));
		}
	}
	if (e != 0)
		snprintf(err, sizeof(err), "connect to %s port %s (tcp) "
		    "failed: %s", cfg->host, cfg->port_arg, strerror(e));
	msg_warn("%s", err);
	return -1;
}

/* nc's line, which scripts parse; the address is added when it differs. */
static void
report_connected(const struct config *cfg, const struct addrinfo *ai)
{
	char		addr[ADDR_STRLEN];
	uint16_t	port;

	addr_format(ai->ai_addr, addr, sizeof(addr), &port);
	if (strcmp(addr, cfg->host) == 0)
		msg_verbose(cfg, 1, "Connection to %s %u port [tcp/%s] "
		    "succeeded!", addr, port, addr_service(cfg, port, "tcp"));
	else
		msg_verbose(cfg, 1, "Connection to %s (%s) %u port [tcp/%s] "
		    "succeeded!", cfg->host, addr, port,
		    addr_service(cfg, port, "tcp"));
}

int
connect_main(const struct config *cfg)
{
	struct session	 s;
	struct addrinfo	*res, *ai = NULL;
	struct ev	*ev;
	char		 err[256];
	int		 fd, status;

	if (addr_resolve(cfg, cfg->host, cfg->port, SOCK_STREAM, 0, &res,
	    err, sizeof(err)) == -1) {
		msg_warn("%s", err);
		return EXIT_FAIL;
	}
	signals_init();
	fd = connect_any(cfg, res, &ai);
	if (fd == -1) {
		freeaddrinfo(res);
		return sig_caught ? 128 + sig_caught : EXIT_FAIL;
	}
	if (cfg->verbose)
		report_connected(cfg, ai);
	if ((ev = ev_new()) == NULL) {
		msg_warn("out of memory");
		return EXIT_FAIL;
	}
	session_init(&s, cfg, ev);
	if ((s.front = front_pipe_new(&s)) == NULL ||
	    session_add_conn(&s, fd, "tcp", ai->ai_addr) == NULL) {
		msg_warn("out of memory");
		return EXIT_FAIL;
	}
	freeaddrinfo(res);
	status = session_run(&s);
	session_free(&s);
	ev_free(ev);
	return status;
}
