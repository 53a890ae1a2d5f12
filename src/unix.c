/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * AF_UNIX endpoints: connect, bind (with the stale-socket rule) and
 * autobind, each small, in the manner of OpenBSD nc's unix trio.
 *
 * Design item 9: a path that does not fit is an error, never cut; a
 * stale socket at the path (nobody answers) is replaced, a live one is
 * left alone ("Address already in use"), anything that is not a socket
 * is never touched; whatever we bound is removed on every way out.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

/*
 * The one path we bound, removed at exit, and which file it was: if
 * someone replaced it meanwhile, theirs is left alone.  A fixed array
 * and a flag, not a heap copy, so that a signal handler may remove it
 * too (design item 17).
 */
static char			 bound_path[sizeof(struct sockaddr_un)];
static volatile sig_atomic_t	 bound_set;
static dev_t			 bound_dev;
static ino_t			 bound_ino;

/* Connects a new socket of the given type to path; -1 with errno. */
int
unix_connect(const char *path, int type, long timeout_ms)
{
	struct sockaddr_un	sun;
	socklen_t		len;
	int			fd, e;

	if (addr_unix(path, &sun, &len) == -1)
		return -1;
	if ((fd = sock_open(AF_UNIX, type, 0)) == -1)
		return -1;
	if (type == SOCK_DGRAM && unix_autobind(fd) == -1)
		goto error;
	if (sock_connect(fd, (struct sockaddr *)&sun, len, timeout_ms) == -1)
		goto error;
	return fd;
error:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/*
 * True if a socket at path is in use: only the kernel's answer to a
 * connection says so.  Names listed in /proc/net/unix cannot be
 * trusted, as an abstract name may hold a newline and forge a line
 * naming any path.  A socket of the other type (EPROTOTYPE) is alive
 * too: someone else owns that path.  The price: a live listener that
 * takes one client sees this test connection come and go.
 */
static int
path_is_live(const char *path, int type)
{
	int	fd;

	if ((fd = unix_connect(path, type, 1000)) != -1) {
		close(fd);
		return 1;
	}
	return errno != ECONNREFUSED && errno != ENOENT;
}

/*
 * Binds fd to path, replacing a stale socket file, and arranges for the
 * file to be removed at exit.  Returns -1 with errno set.
 */
int
unix_bind(const char *path, int fd, int type)
{
	struct sockaddr_un	sun;
	struct stat		st;
	socklen_t		len;

	if (addr_unix(path, &sun, &len) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, len) == 0)
		goto bound;
	if (errno != EADDRINUSE || path[0] == '@')
		return -1;
	if (lstat(path, &st) == -1)
		return -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	if (path_is_live(path, type)) {
		errno = EADDRINUSE;
		return -1;
	}
	if (unlink(path) == -1 || bind(fd, (struct sockaddr *)&sun, len) == -1)
		return -1;
bound:
	if (path[0] != '@')
		unix_unlink_at_exit(path);
	return 0;
}

/*
 * Lets the kernel give a datagram client an abstract name, so its peer
 * can reply and no file is ever left behind, whatever kills us.
 */
int
unix_autobind(int fd)
{
	struct sockaddr_un	sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	return bind(fd, (struct sockaddr *)&sun, sizeof(sa_family_t));
}

void
unix_unlink_at_exit(const char *path)
{
	struct stat	st;

	bound_set = 0;
	if (strlen(path) >= sizeof(bound_path) || lstat(path, &st) == -1)
		return;
	memcpy(bound_path, path, strlen(path) + 1);
	bound_dev = st.st_dev;
	bound_ino = st.st_ino;
	bound_set = 1;
}

/*
 * Removes the socket file we bound, if any; safe to call twice, and
 * async-signal-safe (lstat and unlink only).
 */
void
unix_cleanup(void)
{
	struct stat	st;
	int		e = errno;

	if (!bound_set)
		return;
	bound_set = 0;
	if (lstat(bound_path, &st) == 0 && st.st_dev == bound_dev &&
	    st.st_ino == bound_ino)
		unlink(bound_path);
	errno = e;
}
