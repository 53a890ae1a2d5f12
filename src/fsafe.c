/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Opening and replacing the files sockline writes (design item 15); the
 * path is walked by fswalk.c, which says why.  What is left here: the
 * last entry is opened relative to its directory with O_NOFOLLOW and
 * checked again with fstat, so nothing can be swapped in between the
 * look and the open, and anything changed under us is walked again.
 *
 * Every open is non-blocking: signals are only taken in the event loop,
 * so an open waiting for a FIFO's reader could not be interrupted.  A
 * FIFO nobody reads yet fails with ENXIO, said as such.
 */

#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"
#include "fsafe.h"

/* Times the check and the open may be raced before giving up. */
#define TRIES		8

/*
 * Opens the entry the walk ended on, or creates it.  Returns the fd,
 * -1 with err set, or -2 when it changed under us (walk again).
 */
static int
open_entry(const char *path, struct walk *w, int flags, mode_t mode,
    char *err, size_t len)
{
	struct stat	 st;
	int		 fd, e;

	flags |= O_NOCTTY | O_CLOEXEC;
	if (!w->exists) {
		if (!(flags & O_CREAT)) {
			errno = ENOENT;
			goto fail;
		}
		fd = openat(w->dfd, w->name, flags | O_EXCL | O_NOFOLLOW |
		    O_NONBLOCK, mode);
		if (fd == -1 && errno == EEXIST)
			return -2;
		if (fd == -1)
			goto fail;
		goto opened;
	}
	if (S_ISDIR(w->st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (!S_ISLNK(w->st.st_mode) && fs_foreign(w, &w->st)) {
		fs_refuse(w, w->name, &w->st, path, err, len);
		return -1;
	}
	/*
	 * Only a /proc link is left to follow, and the kernel does it.  Not
	 * cut before fstat has said it is the file that was looked at.
	 */
	fd = openat(w->dfd, w->name, (flags & ~(O_CREAT | O_EXCL | O_TRUNC)) |
	    O_NONBLOCK | (S_ISLNK(w->st.st_mode) ? 0 : O_NOFOLLOW));
	if (fd == -1 && (errno == ENOENT || errno == ELOOP))
		return -2;
	if (fd == -1) {
		if (errno == ENXIO && S_ISFIFO(w->st.st_mode)) {
			fs_say(err, len, "%s: a FIFO with no reader yet", path);
			return -1;
		}
		goto fail;
	}
	if (fstat(fd, &st) == -1 || (!S_ISLNK(w->st.st_mode) &&
	    (st.st_dev != w->st.st_dev || st.st_ino != w->st.st_ino))) {
		close(fd);
		return -2;
	}
	if ((flags & O_TRUNC) && S_ISREG(st.st_mode) &&
	    ftruncate(fd, 0) == -1) {
		e = errno;
		close(fd);
		errno = e;
		goto fail;
	}
opened:
	/* Writes to a FIFO may wait, like writes to any file. */
	if (!(flags & O_NONBLOCK) && (e = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, e & ~O_NONBLOCK);
	return fd;
fail:
	fs_say(err, len, "%s: %s", path, strerror(errno));
	return -1;
}

int
fsafe_open(const char *path, int flags, mode_t mode, char *err, size_t len)
{
	struct walk	w;
	int		fd, tries;

	for (tries = 0; tries < TRIES; tries++) {
		if (fs_walk(path, &w, 0, err, len) == -1)
			return -1;
		fd = open_entry(path, &w, flags, mode, err, len);
		close(w.dfd);
		if (fd != -2)
			return fd;
	}
	errno = EAGAIN;
	fs_say(err, len, "%s: keeps changing while being opened", path);
	return -1;
}

/* Writes all of data; 0, or -1 with errno set. */
static int
write_all(int fd, const void *data, size_t n)
{
	const char	*p = data;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Something that is not a plain file (a FIFO a script waits on, a
 * terminal, /dev/stdout) is written in place, since a rename would
 * replace it with a plain file.  One write, so a reader sees all or
 * nothing.
 */
static int
replace_in_place(const char *path, struct walk *w, const void *data,
    size_t n, char *err, size_t len)
{
	struct stat	st, out;
	ssize_t		wr;
	int		fd, e, std;

	/*
	 * Our own stdout or stderr (/dev/stdout, /proc/self/fd/2): through
	 * that fd, or a second open would write at its own offset, under
	 * what follows.
	 */
	for (std = STDOUT_FILENO; std <= STDERR_FILENO; std++) {
		if (fstatat(w->dfd, w->name, &st, 0) == -1 ||
		    fstat(std, &out) == -1 || st.st_dev != out.st_dev ||
		    st.st_ino != out.st_ino)
			continue;
		if (write_all(std, data, n) == 0)
			return 0;
		fs_say(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* A file under /dev/fd/N is added to, never cut. */
	fd = open_entry(path, w, O_WRONLY | O_APPEND | O_NONBLOCK, 0, err,
	    len);
	if (fd < 0)
		return fd;
	wr = write(fd, data, n);
	e = errno;
	if (wr == (ssize_t)n) {
		if (close(fd) == 0)
			return 0;
		e = errno;
	} else {
		close(fd);
		if (wr != -1)
			e = EAGAIN;
	}
	errno = e;
	fs_say(err, len, "%s: %s", path, strerror(e));
	return -1;
}

/*
 * mkstemp(3) on the directory fd: a random name created with O_EXCL,
 * never one another user could guess and plant first.
 */
static int
make_temp(int dfd, const char *name, char *tmp, size_t len)
{
	static const char	 set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char		 r[6];
	size_t			 n, i;
	int			 tries, fd;

	if (snprintf(tmp, len, "%s.XXXXXX", name) >= (int)len ||
	    strlen(tmp) > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n = strlen(tmp) - sizeof(r);
	for (tries = 0; tries < 100; tries++) {
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -1;
		for (i = 0; i < sizeof(r); i++)
			tmp[n + i] = set[r[i] % (sizeof(set) - 1)];
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static int
replace_file(const char *path, struct walk *w, const void *data, size_t n,
    mode_t mode, char *err, size_t len)
{
	char	tmp[NAME_MAX + 8];
	mode_t	mask;
	int	fd, e;

	if (w->exists && S_ISDIR(w->st.st_mode)) {
		fs_say(err, len, "%s: %s", path, strerror(EISDIR));
		return -1;
	}
	if (w->exists && fs_foreign(w, &w->st)) {
		fs_refuse(w, w->name, &w->st, path, err, len);
		return -1;
	}
	if ((fd = make_temp(w->dfd, w->name, tmp, sizeof(tmp))) == -1) {
		fs_say(err, len, "%s: cannot make a temporary file: %s", path,
		    strerror(errno));
		return -1;
	}
	mask = umask(0);
	umask(mask);
	if (write_all(fd, data, n) == -1 || fchmod(fd, mode & ~mask) == -1) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) == -1 || renameat(w->dfd, tmp, w->dfd, w->name) == -1) {
		e = errno;
		goto fail;
	}
	return 0;
fail:
	unlinkat(w->dfd, tmp, 0);
	errno = e;
	fs_say(err, len, "%s: %s", path, strerror(e));
	return -1;
}

int
fsafe_replace(const char *path, const void *data, size_t n, mode_t mode,
    char *err, size_t len)
{
	struct walk	w;
	int		r, tries;

	for (tries = 0; tries < TRIES; tries++) {
		if (fs_walk(path, &w, 0, err, len) == -1)
			return -1;
		if (w.exists && (S_ISFIFO(w.st.st_mode) ||
		    S_ISCHR(w.st.st_mode) || S_ISLNK(w.st.st_mode)))
			r = replace_in_place(path, &w, data, n, err, len);
		else
			r = replace_file(path, &w, data, n, mode, err, len);
		close(w.dfd);
		if (r != -2)
			return r;
	}
	errno = EAGAIN;
	fs_say(err, len, "%s: keeps changing while being written", path);
	return -1;
}

int
fsafe_mkdirs(const char *path, mode_t mode, char *err, size_t len)
{
	struct walk	w;

	if (fs_walk(path, &w, mode, err, len) == -1)
		return -1;
	close(w.dfd);
	return 0;
}
