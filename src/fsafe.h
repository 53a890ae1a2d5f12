/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fsafe.h: what fsafe.c (opening and replacing the files sockline
 * writes) and fswalk.c (walking their paths under design item 15's
 * rule) share.
 */

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

/*
 * Walks path to its last entry, following the links the rule allows
 * (the last one too, unless it is a /proc link, which the kernel
 * follows).  With mkdirs not 0, directories missing on the way are
 * made with that mode.  Returns 0 with w->dfd open, or -1 with err set.
 */
int		 fs_walk(const char *, struct walk *, mode_t, char *, size_t);
/* The entry st is another user's in a sticky world-writable directory. */
int		 fs_foreign(const struct walk *, const struct stat *);
/* Says in err why the entry name (st) of w is refused; errno EPERM. */
void		 fs_refuse(const struct walk *, const char *,
		    const struct stat *, const char *, char *, size_t);
/* snprintf into err, keeping errno. */
void		 fs_say(char *, size_t, const char *, ...)
		    __attribute__((__format__(__printf__, 3, 4)));
