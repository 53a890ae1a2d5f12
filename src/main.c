/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sockline: connect to or listen on a socket, and move bytes between it
 * and the user.  main() only dispatches: options.c reads the command
 * line, the mode files do the work and return an exit status.
 */

#include <unistd.h>

#include "sockline.h"

int
main(int argc, char **argv)
{
	struct config	cfg;
	int		status;

	/* A closed stdin is simply an empty one; see fd_keep_open(). */
	fd_keep_open(STDIN_FILENO);
	stdout_closed = fd_keep_open(STDOUT_FILENO);
	fd_keep_open(STDERR_FILENO);

	options_parse(argc, argv, &cfg);
	/* Before any socket, so an unwritable -o file costs nothing. */
	if (log_open(&cfg) == -1) {
		options_free(&cfg);
		return EXIT_FAIL;
	}
	status = cfg.proxy_server != PROXY_NONE ? proxy_serve_main(&cfg) :
	    cfg.listen ? listen_main(&cfg) : connect_main(&cfg);
	front_discard_typed(&cfg);
	/* Never 0 when some of what the log should hold was lost. */
	if (log_close(status) == -1 && status == EXIT_OK)
		status = EXIT_FAIL;
	options_free(&cfg);
	return status;
}
