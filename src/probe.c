/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * -z: connect to each port of a range and close at once, reporting the
 * open ones in nc's words.  Exit 0 if any port is open.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

static int
probe_port(const struct config *cfg, uint16_t port)
{
	struct addrinfo	*res, *ai;
	char		 err[256];
	int		 fd;

	if (addr_resolve(cfg, cfg->host, port, SOCK_STREAM, 0, &res, err,
	    sizeof(err)) == -1) {
		msg_warn("%s", err);
		return -1;
	}
	fd = connect_any(cfg, res, port, 1, &ai);
	if (fd != -1) {
		connect_report(cfg, ai->ai_addr);
		close(fd);
	}
	freeaddrinfo(res);
	return fd != -1;
}

static int
probe_unix(const struct config *cfg)
{
	int	fd;

	if ((fd = unix_connect(cfg->path, SOCK_STREAM, cfg->wait_ms)) == -1) {
		if (cfg->verbose)
			msg_warn("connect to %s (unix) failed: %s", cfg->path,
			    strerror(errno));
		return 0;
	}
	msg_verbose(cfg, 0, "Connection to %s succeeded!", cfg->path);
	close(fd);
	return 1;
}

int
probe_main(const struct config *cfg)
{
	unsigned	port;
	int		open = 0, r;

	signals_init();
	if (cfg->unix_sock)
		return probe_unix(cfg) ? EXIT_OK : EXIT_FAIL;
	for (port = cfg->port; port <= cfg->port_hi; port++) {
		if ((r = probe_port(cfg, (uint16_t)port)) == -1)
			return EXIT_FAIL;
		open |= r;
		if (sig_caught)
			return 128 + sig_caught;
	}
	return open ? EXIT_OK : EXIT_FAIL;
}
