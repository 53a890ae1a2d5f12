/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small things every module needs. */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "sockline.h"

int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Makes sure fd (0, 1 or 2) is open, on /dev/null if it was closed, so
 * that a socket can never be handed one of those numbers and have peer
 * bytes written back to it as if it were stdout.  Returns 1 if the fd
 * had been closed.
 */
int	stdout_closed;

/*
 * Makes a pipe or socket fd non-blocking, so a stalled reader or writer
 * at the other end can never stall the event loop.  Returns the flags
 * to restore at the end, or -1 if fd was left as it was (a file or a
 * terminal, or already non-blocking).
 */
int
fd_nonblocking(int fd)
{
	struct stat	st;
	int		fl;

	if (fstat(fd, &st) == -1 || !(S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode)))
		return -1;
	if ((fl = fcntl(fd, F_GETFL)) == -1 || (fl & O_NONBLOCK))
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 ? fl : -1;
}

int
fd_keep_open(int fd)
{
	int	nfd;

	if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
		return 0;
	nfd = open("/dev/null", O_RDWR);
	if (nfd != -1 && nfd != fd) {
		dup2(nfd, fd);
		close(nfd);
	}
	return 1;
}
