/*
 * The history file (design item 12): the last HIST_MAX lines, without
 * consecutive duplicates and without lines typed with a leading space
 * (bash's "ignoreboth").  A session appends its own lines when it ends
 * (or writes the file, if there is none yet) and then cuts the file
 * back to HIST_MAX, so two sessions at once both keep theirs.  The
 * default file is $XDG_STATE_HOME/sockline/history, or
 * ~/.local/state/sockline/history.  The directories above the file, the
 * default one or one given with --history, are made (mode 0700) when
 * missing, and readline creates the file with mode 0600: typed lines
 * may be passwords.
 *
 * A history file that exists but cannot be read is reported once and
 * then left alone: writing it back would lose what it held.
 */

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>

#include "repl.h"

#define HIST_MAX	1000

static char *
default_path(void)
{
	const char	*state = getenv("XDG_STATE_HOME"), *home;
	struct passwd	*pw;
	char		*path;

	/* The XDG spec says to ignore a relative path. */
	if (state != NULL && state[0] == '/') {
		if (asprintf(&path, "%s/sockline/history", state) == -1)
			return NULL;
		return path;
	}
	if ((home = getenv("HOME")) == NULL || home[0] == '\0') {
		if ((pw = getpwuid(getuid())) == NULL)
			return NULL;
		home = pw->pw_dir;
	}
	if (asprintf(&path, "%s/.local/state/sockline/history", home) == -1)
		return NULL;
	return path;
}

void
hist_load(struct hist *h, const struct config *cfg)
{
	struct stat	st;
	int		e;

	memset(h, 0, sizeof(*h));
	using_history();
	stifle_history(HIST_MAX);
	if (cfg->no_history)
		return;
	if (cfg->history != NULL)
		h->path = strdup(cfg->history);
	else
		h->path = default_path();
	if (h->path == NULL)
		return;
	/* Readline says "Invalid argument" for a directory. */
	if (stat(h->path, &st) == 0 && S_ISDIR(st.st_mode))
		e = EISDIR;
	else
		e = read_history(h->path);
	if (e != 0 && e != ENOENT) {
		msg_warn("cannot read the history file %s: %s (this session's "
		    "history is not saved)", h->path, strerror(e));
		free(h->path);
		h->path = NULL;
	}
}

void
hist_add(struct hist *h, const char *line)
{
	HIST_ENTRY	*last;

	if (line[0] == '\0' || line[0] == ' ')
		return;
	last = history_get(history_base + history_length - 1);
	if (last != NULL && strcmp(last->line, line) == 0)
		return;
	add_history(line);
	h->added++;
}

/*
 * mkdir -p for the directories above path.  On failure dir names the
 * one that could not be made, for the message.
 */
static int
make_dirs(const char *path, char *dir, size_t len)
{
	char	*p;

	if (snprintf(dir, len, "%s", path) >= (int)len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* Adds this session's n lines to the file; 0, or an errno. */
static int
write_lines(const char *path, int n)
{
	int	e;

	if (access(path, F_OK) != 0)
		return write_history(path);
	e = append_history(n, path);
	if (e == ENOENT)
		return write_history(path);
	if (e == 0)
		e = history_truncate_file(path, HIST_MAX);
	return e;
}

/* Not being able to save is said, but is no failure of the session:
 * the exit status stays what the conversation made it. */
void
hist_save(struct hist *h)
{
	char	dir[PATH_MAX];
	int	e, n;

	if (h->path != NULL && h->added > 0) {
		n = h->added < history_length ? h->added : history_length;
		if (make_dirs(h->path, dir, sizeof(dir)) == -1)
			msg_warn("cannot save the history file %s: cannot make "
			    "the directory %s: %s", h->path, dir,
			    strerror(errno));
		else if ((e = write_lines(h->path, n)) != 0)
			msg_warn("cannot save the history file %s: %s", h->path,
			    strerror(e));
	}
	free(h->path);
	h->path = NULL;
	clear_history();
}
