/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The history file (design item 12): the last HIST_MAX lines, without
 * consecutive duplicates and without lines typed with a leading space
 * (bash's "ignoreboth").  A session appends its own lines when it ends
 * (or writes the file, if there is none yet) and then cuts the file
 * back to HIST_MAX, so two sessions at once both keep theirs.  The
 * default file is one per target (design item 21):
 * $XDG_STATE_HOME/sockline/history/PROTO-PORT, or the same under
 * ~/.local/state; a unix socket's is its file name.  The directories
 * above the file, the
 * default one or one given with --history, are made (mode 0700) when
 * missing, and the file has mode 0600: typed lines may be passwords.
 *
 * The file is read and written here, not by readline: its write_history
 * and history_truncate_file follow any symbolic link and write through
 * a predictable FILE-PID.tmp, which another user can plant in /tmp.
 * Here it is opened through fsafe (design item 15) and replaced whole
 * through a random temporary name and a rename, so a reader never sees
 * half of it either.
 *
 * A history file that exists but cannot be read is reported once and
 * then left alone: writing it back would lose what it held.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>

#include "repl.h"

#define HIST_MAX	1000

/*
 * The state directory: $XDG_STATE_HOME/sockline, or
 * ~/.local/state/sockline.  NULL when there is no home.
 */
static char *
state_dir(void)
{
	const char	*state = getenv("XDG_STATE_HOME"), *home;
	struct passwd	*pw;
	char		*path;

	/* The XDG spec says to ignore a relative path. */
	if (state != NULL && state[0] == '/') {
		if (asprintf(&path, "%s/sockline", state) == -1)
			return NULL;
		return path;
	}
	if ((home = getenv("HOME")) == NULL || home[0] == '\0') {
		if ((pw = getpwuid(getuid())) == NULL)
			return NULL;
		home = pw->pw_dir;
	}
	if (asprintf(&path, "%s/.local/state/sockline", home) == -1)
		return NULL;
	return path;
}

/*
 * The name of a target's history file (design item 21): PROTO-PORT, so
 * that a redis prompt recalls redis commands and not SMTP ones, or for a
 * unix socket its file name (an abstract one without its '@').  A name
 * that could not be a file of that directory becomes "unix".
 */
static char *
target_name(const struct config *cfg)
{
	const char	*p, *slash;
	char		*name;

	if (!cfg->unix_sock || cfg->path == NULL) {
		if (asprintf(&name, "%s-%u", CFG_PROTO(cfg),
		    (unsigned)cfg->port) == -1)
			return NULL;
		return name;
	}
	p = cfg->path[0] == '@' ? cfg->path + 1 : cfg->path;
	if ((slash = strrchr(p, '/')) != NULL)
		p = slash + 1;
	if (p[0] == '\0' || strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
		p = "unix";
	return strdup(p);
}

/*
 * Before history was kept per target there was one file, at the path
 * that is now the directory of them.  Such a file is moved aside to
 * history.old (where --history can still name it), and is read by each
 * target until it has a file of its own; nothing is written to it.
 */
static char *
old_single_file(const char *dir)
{
	struct stat	 st;
	char		*single, *old;

	if (asprintf(&single, "%s/history", dir) == -1)
		return NULL;
	if (asprintf(&old, "%s/history.old", dir) == -1) {
		free(single);
		return NULL;
	}
	if (lstat(single, &st) == 0 && S_ISREG(st.st_mode) &&
	    rename(single, old) == -1)
		msg_warn("cannot move the history file %s aside to %s: %s",
		    single, old, strerror(errno));
	free(single);
	return old;
}

static char *
default_path(const struct config *cfg, char **old)
{
	char	*dir, *name, *path = NULL;

	*old = NULL;
	if ((dir = state_dir()) == NULL)
		return NULL;
	if ((name = target_name(cfg)) != NULL &&
	    asprintf(&path, "%s/history/%s", dir, name) == -1)
		path = NULL;
	if (path != NULL)
		*old = old_single_file(dir);
	free(name);
	free(dir);
	return path;
}

/* A line of the history file. */
struct hline {
	const char	*p;
	size_t		 n;
};

/*
 * Reads the whole history file at path into text.  Returns 0, 1 when
 * there is none yet, or -1 with err set.
 */
static int
read_file(const char *path, struct buf *text, char *err, size_t len)
{
	struct stat	st;
	char		chunk[8192];
	ssize_t		n;
	int		fd, e = 0;

	if ((fd = fsafe_open(path, O_RDONLY, 0, err, len)) == -1)
		return errno == ENOENT ? 1 : -1;
	/*
	 * A FIFO would hold the prompt until someone writes to it.  A
	 * device (/dev/null: no history kept) has nothing to recall, and
	 * /dev/zero would never end.
	 */
	if (fstat(fd, &st) == -1)
		e = errno;
	else if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		e = EINVAL;
	while (e == 0 && S_ISREG(st.st_mode) &&
	    (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno != EINTR)
			e = errno;
		else if (n > 0 && buf_append(text, chunk, (size_t)n) == -1)
			e = ENOMEM;
	}
	close(fd);
	errno = e;
	if (e == EINVAL)
		snprintf(err, len, "%s: not a regular file", path);
	else if (e != 0)
		snprintf(err, len, "%s: %s", path, strerror(e));
	return e == 0 ? 0 : -1;
}

/* Splits text into its non-empty lines; *n of them.  NULL: no memory. */
static struct hline *
split_lines(const struct buf *text, size_t extra, size_t *n)
{
	struct hline	*l;
	const char	*p = buf_head(text), *end = p + buf_used(text), *nl;
	size_t		 max = extra + 1;

	for (nl = p; nl < end; nl++)
		max += *nl == '\n';
	if ((l = calloc(max + 1, sizeof(*l))) == NULL)
		return NULL;
	*n = 0;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl > p) {
			l[*n].p = p;
			l[(*n)++].n = (size_t)(nl - p);
		}
	}
	return l;
}

/*
 * Returns -1 when the file-safety rule refused the file (design item 15:
 * a link or file planted by another user), and the session must not
 * start; any other file that cannot be read is said, and the session
 * goes on without saving its history.
 */
int
hist_load(struct hist *h, const struct config *cfg)
{
	struct buf	 text;
	struct hline	*l;
	char		 err[FSAFE_ERRLEN], *line, *old = NULL;
	size_t		 i, n;
	int		 r;

	memset(h, 0, sizeof(*h));
	using_history();
	stifle_history(HIST_MAX);
	if (cfg->no_history)
		return 0;
	if (cfg->history != NULL)
		h->path = strdup(cfg->history);
	else
		h->path = default_path(cfg, &old);
	if (h->path == NULL)
		return 0;
	memset(&text, 0, sizeof(text));
	r = read_file(h->path, &text, err, sizeof(err));
	/* The old single file, only read: a problem with it is no matter. */
	if (r == 1 && old != NULL && read_file(old, &text, err,
	    sizeof(err)) == 0)
		r = 0;
	free(old);
	if (r == -1) {
		free(h->path);
		h->path = NULL;
		if (errno == EPERM) {
			msg_warn("cannot read the history file %s", err);
			return -1;
		}
		msg_warn("cannot read the history file %s (this session's "
		    "history is not saved)", err);
	}
	if (r == 0 && (l = split_lines(&text, 0, &n)) != NULL) {
		/* Only the newest HIST_MAX stay: the list is stifled. */
		for (i = n > HIST_MAX ? n - HIST_MAX : 0; i < n; i++) {
			if ((line = strndup(l[i].p, l[i].n)) == NULL)
				break;
			add_history(line);
			free(line);
		}
		free(l);
	}
	buf_free(&text);
	return 0;
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
 * Writes the history file at path: the lines it holds now (another
 * session may have saved since this one read it), then the last n of
 * this session's, the newest HIST_MAX of them all.  Returns 0, or -1
 * with err set; a file that cannot be read is left as it is.
 */
static int
write_file(const char *path, int n, char *err, size_t len)
{
	struct buf	 text, out;
	struct hline	*l;
	HIST_ENTRY	*he;
	size_t		 i, nl;
	int		 r = -1, j;

	memset(&text, 0, sizeof(text));
	memset(&out, 0, sizeof(out));
	if (read_file(path, &text, err, len) == -1)
		return -1;
	if ((l = split_lines(&text, (size_t)n, &nl)) == NULL)
		goto nomem;
	for (j = history_length - n; j < history_length; j++) {
		if ((he = history_get(history_base + j)) == NULL)
			continue;
		l[nl].p = he->line;
		l[nl++].n = strlen(he->line);
	}
	for (i = nl > HIST_MAX ? nl - HIST_MAX : 0; i < nl; i++)
		if (buf_append(&out, l[i].p, l[i].n) == -1 ||
		    buf_append(&out, "\n", 1) == -1)
			goto nomem;
	r = fsafe_replace(path, buf_head(&out), buf_used(&out), 0600, err,
	    len);
	goto done;
nomem:
	snprintf(err, len, "%s: %s", path, strerror(ENOMEM));
done:
	free(l);
	buf_free(&text);
	buf_free(&out);
	return r;
}

/* Not being able to save is said, but is no failure of the session:
 * the exit status stays what the conversation made it. */
void
hist_save(struct hist *h)
{
	char	err[FSAFE_ERRLEN];
	int	n;

	if (h->path != NULL && h->added > 0) {
		n = h->added < history_length ? h->added : history_length;
		if (fsafe_mkdirs(h->path, 0700, err, sizeof(err)) == -1 ||
		    write_file(h->path, n, err, sizeof(err)) == -1)
			msg_warn("cannot save the history file %s", err);
	}
	free(h->path);
	h->path = NULL;
	clear_history();
}
