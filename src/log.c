/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The session log of -o FILE: both directions, marked and timestamped,
 * whichever front end runs.  There is one per process, like stderr:
 * main() opens it before any socket, so an unwritable file costs
 * nothing, and the session hands over what it sends and receives.
 *
 * A record is a line of data with its time and direction:
 *
 *	2026-11-21 12:34:56.789 > GET / HTTP/1.0\r
 *	2026-11-21 12:34:56.801 < HTTP/1.0 200 OK\r
 *	2026-11-21 12:34:57.002 < login: \
 *
 * ">" was sent, "<" received (with the sender in brackets when there
 * may be several).  Control bytes, marks that reorder text (U+202E)
 * and invalid UTF-8 are escaped as on the terminal, but a CR is always
 * shown and a backslash is doubled, so a record that ends in a single
 * backslash is data that had no newline there: the other side spoke, a
 * datagram ended, or the session did.
 * A record is written when its line ends, so the log never interleaves
 * two half lines.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sockline.h"

/* A line longer than this is cut into several records. */
#define RECORD_MAX	4096

static struct {
	FILE		*f;
	const char	*path;
	struct buf	 line;		/* the record being gathered */
	int		 open;
	int		 dir;
	int		 peer;
	char		 label[PEER_HOSTLEN + 16];
	struct timespec	 when;
	int		 err;		/* the first write that failed */
} lg;

/* A write to the log failed: said once, and the exit status will say it. */
static void
log_failed(int e)
{
	if (lg.err != 0)
		return;
	lg.err = e;
	msg_warn("session log %s: %s", lg.path, strerror(e));
}

static void
put_time(const struct timespec *ts, int ms)
{
	struct tm	tm;
	char		s[64];

	localtime_r(&ts->tv_sec, &tm);
	strftime(s, sizeof(s), ms ? "%Y-%m-%d %H:%M:%S" :
	    "%Y-%m-%d %H:%M:%S %z", &tm);
	fputs(s, lg.f);
	if (ms)
		fprintf(lg.f, ".%03ld", ts->tv_nsec / 1000000);
}

/*
 * Appends the text of a record for n bytes of data to out: what
 * put_record() writes between the label and the line end.  Pure, so
 * that test/fuzz/log.c can check that it escapes all it must and can be
 * read back.  Returns -1 when out of memory.
 */
int
log_escape(struct buf *out, const char *p, size_t n)
{
	size_t		 i = 0;
	uint32_t	 cp;
	char		 esc[8];
	int		 len, e = 0;

	while (i < n && e == 0) {
		len = render_utf8(p + i, n - i, &cp);
		if (len == 1 && cp == '\\')
			e = buf_append(out, "\\\\", 2);
		else if (len == 1 && (cp < 0x20 || cp == 0x7f)) {
			render_ctl((unsigned char)cp, esc, sizeof(esc));
			e = buf_append(out, esc, strlen(esc));
		} else if (len > 1 && cp >= 0xa0 && !render_bidi(cp))
			e = buf_append(out, p + i, (size_t)len);
		else if (len == 1)
			e = buf_append(out, p + i, 1);
		else {
			/* C1 controls, reordering marks, invalid UTF-8. */
			render_ctl((unsigned char)p[i], esc, sizeof(esc));
			e = buf_append(out, esc, strlen(esc));
			len = 1;
		}
		i += (size_t)len;
	}
	return e;
}

/* Writes the gathered record; cut: its data had no newline here. */
static void
put_record(int cut)
{
	struct buf	text;

	memset(&text, 0, sizeof(text));
	put_time(&lg.when, 1);
	fprintf(lg.f, " %c%s ", lg.dir, lg.label);
	if (log_escape(&text, buf_head(&lg.line), buf_used(&lg.line)) == -1)
		fputs("(out of memory)", lg.f);
	else
		fwrite(buf_head(&text), 1, buf_used(&text), lg.f);
	fputs(cut ? "\\\n" : "\n", lg.f);
	buf_free(&text);
	buf_free(&lg.line);
	lg.open = 0;
}

/* The log's first line; -1 if it could not be written. */
static int
header(const struct config *cfg, uint16_t port)
{
	struct timespec	now;

	clock_gettime(CLOCK_REALTIME, &now);
	fprintf(lg.f, "# sockline %s session log, ", SOCKLINE_VERSION);
	put_time(&now, 0);
	if (cfg->unix_sock)
		fprintf(lg.f, ": %s %s %s\n", CFG_PROTO(cfg),
		    cfg->listen ? "listening on" : "to", cfg->path);
	else
		fprintf(lg.f, ": %s %s %s %u\n", CFG_PROTO(cfg),
		    cfg->listen ? "listening on" : "to",
		    cfg->host != NULL ? cfg->host : "*", port);
	return fflush(lg.f) == EOF ? -1 : 0;
}

int
log_open(const struct config *cfg)
{
	char	err[FSAFE_ERRLEN];
	int	fd;

	if (cfg->output == NULL)
		return 0;
	/*
	 * What was typed may be a password: the log is the user's only,
	 * and never one planted for us in /tmp (design item 15).
	 */
	fd = fsafe_open(cfg->output, O_WRONLY | O_CREAT | O_TRUNC, 0600, err,
	    sizeof(err));
	if (fd == -1) {
		msg_warn("cannot write the session log %s", err);
		return -1;
	}
	if ((lg.f = fdopen(fd, "w")) == NULL) {
		msg_warn("cannot write the session log %s: %s", cfg->output,
		    strerror(errno));
		close(fd);
		return -1;
	}
	lg.path = cfg->output;
	/* A listener on port 0 says which port once it has one. */
	if (cfg->listen && !cfg->unix_sock && cfg->port == 0)
		return 0;
	/* A file that opens but takes nothing (/dev/full) fails here too. */
	if (header(cfg, cfg->port) == -1) {
		msg_warn("cannot write the session log %s: %s", cfg->output,
		    strerror(errno));
		fclose(lg.f);
		lg.f = NULL;
		return -1;
	}
	return 0;
}

/* A listener's real port, once bound: the log's first line names it. */
void
log_listening(const struct config *cfg, uint16_t port)
{
	if (lg.f != NULL && cfg->port == 0 && !cfg->unix_sock &&
	    header(cfg, port) == -1)
		log_failed(errno);
}

/* Bytes sent (dir LOG_SENT, from NULL) or received from a peer. */
void
log_data(int dir, const struct peer *from, const char *p, size_t n,
    int flags)
{
	const char	*nl;
	char		 name[PEER_HOSTLEN + 8];
	size_t		 k;
	int		 id = from != NULL ? from->id : 0;

	if (lg.f == NULL)
		return;
	while (n > 0) {
		if (lg.open && (dir != lg.dir || id != lg.peer))
			put_record(1);
		if (!lg.open) {
			lg.open = 1;
			lg.dir = dir;
			lg.peer = id;
			lg.label[0] = '\0';
			if (from != NULL && (flags & OUT_SENDER))
				snprintf(lg.label, sizeof(lg.label), " [%s]",
				    peer_short(from, name, sizeof(name)));
			clock_gettime(CLOCK_REALTIME, &lg.when);
		}
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		if (buf_append(&lg.line, p, nl != NULL ? k - 1 : k) == -1) {
			msg_warn("session log %s: out of memory", lg.path);
			return;
		}
		if (nl != NULL)
			put_record(0);
		else if (buf_used(&lg.line) >= RECORD_MAX)
			put_record(1);
		p += k;
		n -= k;
	}
	/* A datagram is a message: its record ends with it. */
	if (lg.open && (flags & OUT_DGRAM))
		put_record(1);
	if (fflush(lg.f) == EOF)
		log_failed(errno);
}

/*
 * A line about the run rather than its data (a --proxy-server's tunnel
 * opened or closed): "TIME # TEXT".
 */
void
log_note(const char *fmt, ...)
{
	struct timespec	now;
	va_list		ap;

	if (lg.f == NULL)
		return;
	if (lg.open)
		put_record(1);
	clock_gettime(CLOCK_REALTIME, &now);
	put_time(&now, 1);
	fputs(" # ", lg.f);
	va_start(ap, fmt);
	vfprintf(lg.f, fmt, ap);
	va_end(ap);
	fputc('\n', lg.f);
	if (fflush(lg.f) == EOF)
		log_failed(errno);
}

/* Returns -1 if some of the log could not be written. */
int
log_close(int status)
{
	struct timespec	now;

	if (lg.f == NULL)
		return 0;
	if (lg.open)
		put_record(1);
	clock_gettime(CLOCK_REALTIME, &now);
	fputs("# end of session, ", lg.f);
	put_time(&now, 0);
	fprintf(lg.f, ", exit status %d\n", status);
	if (fclose(lg.f) == EOF)
		log_failed(errno);
	lg.f = NULL;
	return lg.err != 0 ? -1 : 0;
}
