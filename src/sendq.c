/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Input on its way from the prompt to the session.  Typed lines and
 * the contents of /send files are handed to session_input() only as
 * far as the session has room, and in the order they were given: a
 * line typed while a file is going out follows the file, and what was
 * typed before a listener's first client came is sent to that client.
 * A file is read as it is sent, so memory stays bounded by what a
 * person can type.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl.h"

static char	chunk[BUF_CHUNK];

static struct sendq_item *
item_new(struct repl *r, int fd, const char *path)
{
	struct sendq_item	*it;

	if ((it = calloc(1, sizeof(*it))) == NULL)
		return NULL;
	it->fd = fd;
	if (path != NULL && (it->path = strdup(path)) == NULL) {
		free(it);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&r->sendq, it, entry);
	return it;
}

static void
item_free(struct repl *r, struct sendq_item *it)
{
	TAILQ_REMOVE(&r->sendq, it, entry);
	if (it->fd != -1)
		close(it->fd);
	buf_free(&it->bytes);
	free(it->path);
	free(it);
}

/* A typed line, sent with "\n" (the session makes it CRLF for -C). */
int
sendq_line(struct repl *r, const char *p, size_t n)
{
	struct sendq_item	*it = TAILQ_LAST(&r->sendq, sendq);

	if ((it == NULL || it->fd != -1 || it->exact) &&
	    (it = item_new(r, -1, NULL)) == NULL)
		return -1;
	if (buf_append(&it->bytes, p, n) == -1 ||
	    buf_append(&it->bytes, "\n", 1) == -1)
		return -1;
	sendq_pump(r);
	return 0;
}

/* /bytes: p as it is, in its turn, whole (see session_input_exact). */
int
sendq_exact(struct repl *r, const char *p, size_t n)
{
	struct sendq_item	*it;

	if ((it = item_new(r, -1, NULL)) == NULL)
		return -1;
	it->exact = 1;
	if (buf_append(&it->bytes, p, n) == -1)
		return -1;
	sendq_pump(r);
	return 0;
}

/*
 * /send FILE: a regular file only, so that reading it never blocks; a
 * device or a FIFO is not even opened, as opening one may block or
 * act.  Returns 0, -1 with errno, or SENDQ_NOT_REGULAR.
 */
int
sendq_file(struct repl *r, const char *path)
{
	struct stat	st;
	int		fd;

	if (stat(path, &st) == -1)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return SENDQ_NOT_REGULAR;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return -1;
	/* Replaced since the stat(): looked at again. */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return SENDQ_NOT_REGULAR;
	}
	if (item_new(r, fd, path) == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	sendq_pump(r);
	return 0;
}

/* Hands the session as much as it has room for. */
void
sendq_pump(struct repl *r)
{
	struct session		*s = r->front.s;
	struct sendq_item	*it;
	size_t			 room;
	ssize_t			 n;

	/* session_input() may ask for more input from inside this loop. */
	if (r->pumping)
		return;
	r->pumping = 1;
	while ((it = TAILQ_FIRST(&r->sendq)) != NULL && !s->done &&
	    !s->input_eof && (room = session_input_room(s)) > 0) {
		if (it->exact) {
			if (session_input_exact(s, buf_head(&it->bytes),
			    buf_used(&it->bytes)) == -1)
				break;
			item_free(r, it);
			continue;
		}
		if (it->fd == -1) {
			n = (ssize_t)(room < buf_used(&it->bytes) ? room :
			    buf_used(&it->bytes));
			session_input(s, buf_head(&it->bytes), (size_t)n);
			buf_consume(&it->bytes, (size_t)n);
			if (buf_used(&it->bytes) == 0)
				item_free(r, it);
			continue;
		}
		n = read(it->fd, chunk, room < sizeof(chunk) ? room :
		    sizeof(chunk));
		if (n > 0) {
			session_input(s, chunk, (size_t)n);
			it->sent += n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			repl_notice(r, "sockline: reading %s failed after %lld "
			    "bytes: %s", it->path, it->sent, strerror(errno));
		else
			repl_notice(r, "sockline: sent %s (%lld bytes)",
			    it->path, it->sent);
		item_free(r, it);
	}
	r->pumping = 0;
	if ((r->in_eof || r->typed_eof) && TAILQ_EMPTY(&r->sendq) &&
	    !s->input_eof)
		session_input_eof(s);
	repl_input_update(r);
}

/* Typed bytes waiting (a /send file is read only as it goes out). */
size_t
sendq_bytes(struct repl *r)
{
	struct sendq_item	*it;
	size_t			 n = 0;

	TAILQ_FOREACH(it, &r->sendq, entry)
		n += buf_used(&it->bytes);
	return n;
}

/* Ctrl-C: stops the /send files still going; returns how many. */
int
sendq_cancel(struct repl *r)
{
	struct sendq_item	*it, *next;
	int			 n = 0;

	for (it = TAILQ_FIRST(&r->sendq); it != NULL; it = next) {
		next = TAILQ_NEXT(it, entry);
		if (it->fd == -1)
			continue;
		repl_notice(r, "sockline: /send %s stopped after %lld bytes",
		    it->path, it->sent);
		item_free(r, it);
		n++;
	}
	return n;
}

void
sendq_free(struct repl *r)
{
	while (!TAILQ_EMPTY(&r->sendq))
		item_free(r, TAILQ_FIRST(&r->sendq));
}
