/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Zero-copy moves between the user's descriptors and a stream socket:
 * splice(2) for pipes, sendfile(2) for a regular file on stdin.  The
 * bytes never pass through our memory.  Each call moves what is ready
 * without blocking; -1 with EINVAL (or ENOSYS) means "not possible with
 * these descriptors", and the caller falls back to read and write.
 */

#include <sys/sendfile.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>

#include "sockline.h"

/* Most moved per call: large enough to keep the kernel busy. */
#define ZCOPY_MAX	(1024 * 1024)

/* What a descriptor of the user's can do without a copy. */
int
zcopy_kind(int fd)
{
	struct stat	st;

	if (fstat(fd, &st) == -1)
		return ZC_NONE;
	if (S_ISFIFO(st.st_mode)) {
		/* Bigger pipes mean fewer wakeups; best effort. */
		fcntl(fd, F_SETPIPE_SZ, ZCOPY_MAX);
		return ZC_PIPE;
	}
	if (S_ISREG(st.st_mode))
		return ZC_FILE;
	return ZC_NONE;
}

/* From the user's input (a pipe or a file) to a stream socket. */
ssize_t
zcopy_in(int from, int kind, int sock)
{
	if (kind == ZC_FILE)
		return sendfile(sock, from, NULL, ZCOPY_MAX);
	if (kind == ZC_PIPE)
		return splice(from, NULL, sock, NULL, ZCOPY_MAX,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	errno = EINVAL;
	return -1;
}

/* From a stream socket to the user's output, a pipe. */
ssize_t
zcopy_out(int sock, int to)
{
	return splice(sock, NULL, to, NULL, ZCOPY_MAX,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
}
