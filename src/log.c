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
 * may be several).  Control bytes and invalid UTF-8 are escaped as on
 * the terminal, but a CR is always shown and a backslash is doubled, so
 * a record that ends in a single backslash is data that had no newline
 * there: the other side spoke, a datagram ended, or the session did.
 * A record is written when its line ends, so the log never interleaves
 * two half lines.
 */

#include <errno.h>
#include <fcntl.h>
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
} lg;

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

/* Writes the gathered record; cut: its data had no newline here. */
static void
put_record(int cut)
{
	const char	*p = buf_head(&lg.line);
	size_t		 n = buf_used(&lg.line), i = 0;
	uint32_t	 cp;
	char		 esc[8];
	int		 len;

	put_time(&lg.when, 1);
	fprintf(lg.f, " %c%s ", lg.dir, lg.label);
	while (i < n) {
		len = render_utf8(p + i, n - i, &cp);
		if (len == 1 && cp == '\\')
			fputs("\\\\", lg.f);
		else if (len == 1 && (cp < 0x20 || cp == 0x7f))
			fputs(render_ctl((unsigned char)cp, esc, sizeof(esc)),
			    lg.f);
		else if (len > 1 && cp >= 0xa0)
			fwrite(p + i, 1, (size_t)len, lg.f);
		else if (len == 1)
			fputc((int)cp, lg.f);
		else {
			fputs(render_ctl((unsigned char)p[i], esc, sizeof(esc)),
			    lg.f);
			len = 1;
		}
		i += (size_t)len;
	}
	fputs(cut ? "\\\n" : "\n", lg.f);
	buf_free(&lg.line);
	lg.open = 0;
}

static void
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
	fflush(lg.f);
}

int
log_open(const struct config *cfg)
{
	int	fd;

	if (cfg->output == NULL)
		return 0;
	/* What was typed may be a password: the log is the user's only. */
	fd = open(cfg->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || (lg.f = fdopen(fd, "w")) == NULL) {
		msg_warn("cannot write the session log %s: %s", cfg->output,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	lg.path = cfg->output;
	/* A listener on port 0 says which port once it has one. */
	if (cfg->listen && !cfg->unix_sock && cfg->port == 0)
		return 0;
	header(cfg, cfg->port);
	return 0;
}

/* A listener's real port, once bound: the log's first line names it. */
void
log_listening(const struct config *cfg, uint16_t port)
{
	if (lg.f != NULL && cfg->port == 0 && !cfg->unix_sock)
		header(cfg, port);
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
	fflush(lg.f);
}

void
log_close(int status)
{
	struct timespec	now;

	if (lg.f == NULL)
		return;
	if (lg.open)
		put_record(1);
	clock_gettime(CLOCK_REALTIME, &now);
	fputs("# end of session, ", lg.f);
	put_time(&now, 0);
	fprintf(lg.f, ", exit status %d\n", status);
	if (fclose(lg.f) == EOF)
		msg_warn("session log %s: %s", lg.path, strerror(errno));
	lg.f = NULL;
}
