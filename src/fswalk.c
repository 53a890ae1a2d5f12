/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Walking the path of a file sockline writes (design item 15), as if the
 * kernel's fs.protected_symlinks, protected_regular and protected_fifos
 * were on, whatever they are set to.  In a sticky world-writable
 * directory such as /tmp, another user can plant a symbolic link to a
 * file of ours (and have us truncate it), or a file or FIFO of theirs
 * (and read what we write).  So the path is walked here one component
 * at a time, each directory held open, and a symbolic link in such a
 * directory is followed only when it belongs to us or to the
 * directory's owner, the kernel's own rule.  fsafe.c then opens or
 * replaces the last entry relative to the directory the walk ends in.
 *
 * Links in /proc (/dev/stdout, /dev/fd/N) are "magic": they name files
 * already open, not paths, so the kernel follows those itself.
 */

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
#include "fsafe.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC	0x9fa0
#endif

/* Links followed in one path, as the kernel's limit. */
#define LINKS_MAX	40

void
fs_say(char *err, size_t len, const char *fmt, ...)
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
int
fs_foreign(const struct walk *w, const struct stat *st)
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

void
fs_refuse(const struct walk *w, const char *name, const struct stat *st,
    const char *path, char *err, size_t len)
{
	char	e[PATH_MAX + NAME_MAX + 2];

	errno = EPERM;
	/* The entry is named when it is not the path itself. */
	entry_name(w, name, e, sizeof(e));
	fs_say(err, len, "%s: refusing to %s %s%s%s%s owned by uid %u in the "
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

int
fs_walk(const char *path, struct walk *w, mode_t mkdirs, char *err,
    size_t len)
{
	char		 rest[2 * PATH_MAX], link[PATH_MAX], *p, *comp;
	char		 made[PATH_MAX + NAME_MAX + 2];
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
			if (errno == ENOENT && last) {
				w->exists = 0;
				break;
			}
			if (errno != ENOENT || mkdirs == 0)
				goto fail;
			if (mkdirat(w->dfd, comp, mkdirs) == -1 && errno != EEXIST) {
				fs_say(err, len, "%s: cannot make the directory %s: "
				    "%s", path, entry_name(w, comp, made,
				    sizeof(made)), strerror(errno));
				goto refused;
			}
			/* Looked at again: by now it may be anything. */
			if (fstatat(w->dfd, comp, &w->st,
			    AT_SYMLINK_NOFOLLOW) == -1)
				goto fail;
		}
		w->exists = 1;
		if (S_ISLNK(w->st.st_mode) && fs_foreign(w, &w->st)) {
			fs_refuse(w, comp, &w->st, path, err, len);
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
	fs_say(err, len, "%s: %s", path, strerror(errno));
refused:
	if (w->dfd != -1)
		close(w->dfd);
	w->dfd = -1;
	return -1;
}
