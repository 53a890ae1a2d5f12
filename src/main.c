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

	/* A closed stdin is simply an empty one; see fd_keep_open(). */
	fd_keep_open(STDIN_FILENO);
	fd_keep_open(STDOUT_FILENO);
	fd_keep_open(STDERR_FILENO);

	options_parse(argc, argv, &cfg);
	if (cfg.listen)
		return listen_main(&cfg);
	return connect_main(&cfg);
}
