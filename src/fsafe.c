/*
 * Opening the files sockline writes (design item 15), as if the
 * kernel's fs.protected_symlinks, protected_regular and protected_fifos
 * were on, whatever they are set to.  In a sticky world-writable
 * directory such as /tmp, another user can plant a symbolic link to a
 * file of ours (and have us truncate it), or a file or FIFO of theirs
 * (and read what we write).  So the path is walked here one component
 * at a time, each directory held open, and a symbolic link in such a
 * directory is followed only when it belongs to us or to the
 * directory's owner, the kernel's own rule.  The last entry is opened
 * relative to its directory with O_NOFOLLOW and checked again with
 * fstat, so nothing can be swapped in between the look and the open.
 *
 * Links in /proc (/dev/stdout, /dev/fd/N) are "magic": they name files
 * already open, not paths, so the kernel follows those itself.
 *
 * Every open is non-blocking: signals are only taken in the event loop,
 * so an open waiting for a FIFO's reader could not be interrupted.  A
 * FIFO nobody reads yet fails with ENXIO, said as such.
 */

#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC	0x9fa0
#endif

/* Links followed in one path, as the kernel's limit. */
#define LINKS_MAX	40
/* Times the check and the open may be raced before giving up. */
#define TRIES		8

/* Where a walk ended: the last entry of the path, in its directory. */
struct walk {
	int		 dfd;		/* the directory, O_PATH */
	struct stat	 dst;		/* its owner and mode */
	int		 proc;		/* in /proc: links are the kernel's */
	char		 dir[PATH_MAX];	/* its name, for messages */
	char		 name[NAME_MAX + 1];
	int		 exists;
	struct stat	 st;		/* the entry, not followed */
};

static void	say(char *, size_t, const char *, ...)
		    __attribute__((__format__(__printf__, 3, 4)));

static void
say(char *err, size_t len, const char *fmt, ...)
{
	va_list	ap;
	int	e = errno;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	errno = e;
}

/* The directory's name joined with an entry, for messages. */
static const char *
entry_name(const struct walk *w, const char *name, char *s, size_t len)
{
	if (strcmp(w->dir, ".") == 0)
		snprintf(s, len, "%s", name);
	else
		snprintf(s, len, "%s%s%s", w->dir, strcmp(w->dir, "/") == 0 ?
		    "" : "/", name);
	return s;
}

/*
 * A sticky world-writable directory, and an entry that belongs neither
 * to us nor to the directory's owner: the kernel's protected_* rule.
 */
static int
foreign(const struct walk *w, const struct stat *st)
{
	return (w->dst.st_mode & S_ISVTX) && (w->dst.st_mode & S_IWOTH) &&
	    st->st_uid != geteuid() && st->st_uid != w->dst.st_uid;
}

static const char *
kind(mode_t m)
{
	if (S_ISLNK(m))
		return "symbolic link";
	if (S_ISFIFO(m))
		return "FIFO";
	return "file";
}

static void
refuse(const struct walk *w, const char *name, const struct stat *st,
    const char *path, char *err, size_t len)
{
	char	e[PATH_MAX + NAME_MAX + 2];

	errno = EPERM;
	/* The entry is named when it is not the path itself. */
	entry_name(w, name, e, sizeof(e));
	say(err, len, "%s: refusing to %s %s%s%s%s owned by uid %u in the "
	    "sticky world-writable directory %s", path, S_ISLNK(st->st_mode) ?
	    "follow" : "open", strcmp(e, path) == 0 ? "a " : "the ",
	    kind(st->st_mode), strcmp(e, path) == 0 ? "" : " ", strcmp(e,
	    path) == 0 ? "" : e, (unsigned)st->st_uid, w->dir);
}

/* Moves the walk into directory name, held open. */
static int
enter(struct walk *w, const char *name)
{
	char	s[sizeof(w->dir)];
	char	*slash;
	int	fd;

	/* O_NOFOLLOW: a link swapped in since the look fails, never goes. */
	fd = openat(w->dfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC |
	    (w->proc ? 0 : O_NOFOLLOW));
	if (fd == -1)
		return -1;
	close(w->dfd);
	w->dfd = fd;
	if (strcmp(name, ".") == 0)
		return 0;
	if (strcmp(name, "..") == 0 && (slash = strrchr(w->dir, '/')) !=
	    NULL && strcmp(slash + 1, "..") != 0) {
		slash[slash == w->dir ? 1 : 0] = '\0';
		return 0;
	}
	entry_name(w, name, s, sizeof(s));
	memcpy(w->dir, s, sizeof(s));
	return 0;
}

static int
restart(struct walk *w, int root)
{
	int	fd;

	if ((fd = open(root ? "/" : ".", O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return -1;
	if (w->dfd != -1)
		close(w->dfd);
	w->dfd = fd;
	/* Messages name the directory, not ".". */
	if (root || getcwd(w->dir, sizeof(w->dir)) == NULL)
		snprintf(w->dir, sizeof(w->dir), "%s", root ? "/" : ".");
	return 0;
}

/*
 * Walks path to its last entry, following the links the rule allows
 * (the last one too, unless it is a /proc link).  Returns 0, or -1
 * with err set.
 */
static int
walk(const char *path, struct walk *w, char *err, size_t len)
{
	char		 rest[2 * PATH_MAX], link[PATH_MAX], *p, *comp;
	struct statfs	 sf;
	size_t		 n;
	ssize_t		 ln;
	int		 links = 0, last, slash;

	w->dfd = -1;
	if (path[0] == '\0') {
		errno = ENOENT;
		goto fail;
	}
	if (snprintf(rest, sizeof(rest), "%s", path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if (restart(w, rest[0] == '/') == -1)
		goto fail;
	p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* "/", or a link to it. */
			errno = EISDIR;
			goto fail;
		}
		comp = p;
		n = strcspn(p, "/");
		p += n;
		slash = *p == '/';
		if (slash)
			*p++ = '\0';
		while (*p == '/')
			p++;
		if (n > NAME_MAX) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		last = *p == '\0';
		if (fstat(w->dfd, &w->dst) == -1 || fstatfs(w->dfd, &sf) == -1)
			goto fail;
		w->proc = sf.f_type == PROC_SUPER_MAGIC;
		if (fstatat(w->dfd, comp, &w->st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT || !last)
				goto fail;
			w->exists = 0;
			break;
		}
		w->exists = 1;
		if (S_ISLNK(w->st.st_mode) && foreign(w, &w->st)) {
			refuse(w, comp, &w->st, path, err, len);
			goto refused;
		}
		if (S_ISLNK(w->st.st_mode) && !w->proc) {
			if (++links > LINKS_MAX) {
				errno = ELOOP;
				goto fail;
			}
			ln = readlinkat(w->dfd, comp, link, sizeof(link) - 1);
			if (ln == -1)
				goto fail;
			link[ln] = '\0';
			/* The target takes the link's place in what is left. */
			if ((size_t)ln + 1 + strlen(p) >= PATH_MAX) {
				errno = ENAMETOOLONG;
				goto fail;
			}
			n = strlen(p);
			memmove(rest + ln + 1, p, n + 1);
			memcpy(rest, link, (size_t)ln);
			rest[ln] = n > 0 ? '/' : '\0';
			p = rest;
			if (link[0] == '/' && restart(w, 1) == -1)
				goto fail;
			continue;
		}
		if (last && slash) {
			/* "dir/": never a file to write. */
			errno = EISDIR;
			goto fail;
		}
		if (last)
			break;
		if (enter(w, comp) == -1)
			goto fail;
	}
	memcpy(w->name, comp, n);
	w->name[n] = '\0';
	return 0;
fail:
	say(err, len, "%s: %s", path, strerror(errno));
refused:
	if (w->dfd != -1)
		close(w->dfd);
	w->dfd = -1;
	return -1;
}

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
	if (!S_ISLNK(w->st.st_mode) && foreign(w, &w->st)) {
		refuse(w, w->name, &w->st, path, err, len);
		return -1;
	}
	/* Only a /proc link is left to follow, and the kernel does it. */
	fd = openat(w->dfd, w->name, (flags & ~(O_CREAT | O_EXCL)) |
	    O_NONBLOCK | (S_ISLNK(w->st.st_mode) ? 0 : O_NOFOLLOW));
	if (fd == -1 && (errno == ENOENT || errno == ELOOP))
		return -2;
	if (fd == -1) {
		if (errno == ENXIO && S_ISFIFO(w->st.st_mode)) {
			say(err, len, "%s: a FIFO with no reader yet", path);
			return -1;
		}
		goto fail;
	}
	if (!S_ISLNK(w->st.st_mode) && (fstat(fd, &st) == -1 ||
	    st.st_dev != w->st.st_dev || st.st_ino != w->st.st_ino)) {
		close(fd);
		return -2;
	}
opened:
	/* Writes to a FIFO may wait, like writes to any file. */
	if (!(flags & O_NONBLOCK) && (e = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, e & ~O_NONBLOCK);
	return fd;
fail:
	say(err, len, "%s: %s", path, strerror(errno));
	return -1;
}

int
fsafe_open(const char *path, int flags, mode_t mode, char *err, size_t len)
{
	struct walk	w;
	int		fd, tries;

	for (tries = 0; tries < TRIES; tries++) {
		if (walk(path, &w, err, len) == -1)
			return -1;
		fd = open_entry(path, &w, flags, mode, err, len);
		close(w.dfd);
		if (fd != -2)
			return fd;
	}
	errno = EAGAIN;
	say(err, len, "%s: keeps changing while being opened", path);
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
		say(err, len, "%s: %s", path, strerror(errno));
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
	say(err, len, "%s: %s", path, strerror(e));
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
		say(err, len, "%s: %s", path, strerror(EISDIR));
		return -1;
	}
	if (w->exists && foreign(w, &w->st)) {
		refuse(w, w->name, &w->st, path, err, len);
		return -1;
	}
	if ((fd = make_temp(w->dfd, w->name, tmp, sizeof(tmp))) == -1) {
		say(err, len, "%s: cannot make a temporary file: %s", path,
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
	say(err, len, "%s: %s", path, strerror(e));
	return -1;
}

int
fsafe_replace(const char *path, const void *data, size_t n, mode_t mode,
    char *err, size_t len)
{
	struct walk	w;
	int		r, tries;

	for (tries = 0; tries < TRIES; tries++) {
		if (walk(path, &w, err, len) == -1)
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
	say(err, len, "%s: keeps changing while being written", path);
	return -1;
}
