/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --replay LOG: an -o session log (src/log.c) compiled into the steps
 * of a chat script, so that chat_run.c plays the logged peer as it runs
 * a script.  In a log, '>' records are what the recording side sent and
 * '<' what it received.  Whichever side recorded it, the replay is the
 * other side: it expects the '>' records, byte for byte, and sends the
 * '<' ones, each as a send of its own (as the log split them).
 *
 * A record reads "2026-11-21 12:34:56.789 > text", with " [peer]"
 * after the mark when the recording side had several peers; its text
 * has log_escape()'s escapes, and a backslash at its very end says the
 * data had no newline there.  Only the first peer named in a log is
 * replayed; the other peers' records are left out.  A label is told
 * from data by its form ("[host:port] ", a unix path or "(unnamed)"),
 * and only in a listener's log: a client's data may start with
 * anything.  Parsing is pure, so test/fuzz/replay.c can feed it
 * anything.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"

/* "2026-11-21 12:34:56.789 >": the time and the mark before the text. */
#define STAMP_LEN	23

enum role {
	ROLE_UNKNOWN,
	ROLE_CLIENT,
	ROLE_LISTENER
};

struct parse {
	struct chat_script	*sc;
	enum role		 role;
	char			 peer[PEER_HOSTLEN + 16]; /* "": none yet */
	int64_t			 last_ms;	/* the previous record's time */
	int			 records;
	int			 timing;
	struct buf		 data;
};

/* Days since 1970-01-01 of a date in the proleptic Gregorian calendar. */
static int64_t
days(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
num(const char *p, int n)
{
	int	v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	return v;
}

static int
num_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The time of a record, as milliseconds in the log's own clock (local
 * time taken as UTC: only differences count); -1 if p is no time.
 */
static int64_t
stamp_ms(const char *p)
{
	int	y, mo, d, h, mi, s, ms;

	if (p[4] != '-' || p[7] != '-' || p[10] != ' ' || p[13] != ':' ||
	    p[16] != ':' || p[19] != '.')
		return -1;
	if ((y = num(p, 4)) < 0 || (mo = num(p + 5, 2)) < 1 || mo > 12 ||
	    (d = num(p + 8, 2)) < 1 || d > 31 || (h = num(p + 11, 2)) < 0 ||
	    (mi = num(p + 14, 2)) < 0 || (s = num(p + 17, 2)) < 0 ||
	    (ms = num(p + 20, 3)) < 0)
		return -1;
	return ((days(y, mo, d) * 24 + h) * 60 + mi) * 60000 + s * 1000 + ms;
}

/*
 * The length of the " [peer]" label at p (with its last space), or 0:
 * a label names an address and port, a unix path or an unnamed client,
 * so data that merely starts with '[' is not taken for one.
 */
static size_t
label_len(const char *p, size_t n)
{
	const char	*end;
	size_t		 k, i;

	if (n < 4 || p[0] != ' ' || p[1] != '[')
		return 0;
	for (end = p + 2; (end = memchr(end, ']', n - (size_t)(end - p))) !=
	    NULL; end++) {
		k = (size_t)(end - p);
		if (k + 1 < n && end[1] == ' ')
			break;
	}
	if (end == NULL)
		return 0;
	k = (size_t)(end - p);
	if (p[2] == '/' || p[2] == '@' || (k == 11 &&
	    memcmp(p + 2, "(unnamed)", 9) == 0))
		return k + 1;
	for (i = k; i > 2 && isdigit((unsigned char)p[i - 1]); i--)
		;
	return i < k && p[i - 1] == ':' ? k + 1 : 0;
}

/* A record's text back into bytes; -1 with why for a bad escape. */
static int
unescape(const char *p, size_t n, struct buf *out, char *why, size_t len)
{
	static const char	 names[] = "0......abtnvfr";
	const char		*q;
	size_t			 i;
	int			 hi, lo, e = 0;
	char			 c;

	for (i = 0; i < n && e == 0; i++) {
		if (p[i] != '\\') {
			e = buf_append(out, p + i, 1);
			continue;
		}
		if (++i == n) {
			/* The data had no newline here. */
			return 0;
		}
		if (p[i] == '\\')
			c = '\\';
		else if (p[i] == 'x' && i + 2 < n &&
		    (hi = num_hex(p[i + 1])) >= 0 &&
		    (lo = num_hex(p[i + 2])) >= 0) {
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (p[i] != '.' && p[i] != '\0' &&
		    (q = memchr(names, p[i], sizeof(names) - 1)) != NULL)
			c = (char)(q - names);
		else {
			snprintf(why, len, "bad escape \\%c in a record",
			    isprint((unsigned char)p[i]) ? p[i] : '?');
			return -1;
		}
		e = buf_append(out, &c, 1);
	}
	if (e == 0)
		e = buf_append(out, "\n", 1);
	if (e == -1)
		snprintf(why, len, "out of memory");
	return e;
}

/* "# sockline 0.1.0 session log, DATE: tcp to HOST PORT": who recorded. */
static void
header(struct parse *ps, const char *p, size_t n)
{
	if (ps->role != ROLE_UNKNOWN || n < 11 ||
	    memcmp(p, "# sockline ", 11) != 0)
		return;
	if (memmem(p, n, ": tcp listening on ", 19) != NULL ||
	    memmem(p, n, ": unix listening on ", 20) != NULL)
		ps->role = ROLE_LISTENER;
	else if (memmem(p, n, ": tcp to ", 9) != NULL ||
	    memmem(p, n, ": unix to ", 10) != NULL)
		ps->role = ROLE_CLIENT;
}

/* One record; -1 with why. */
static int
record(struct parse *ps, const char *p, size_t n, int lineno, char *why,
    size_t len)
{
	struct chat_step	*nv, *st;
	int64_t			 ms;
	size_t			 k;
	int			 dir;

	if (n < STAMP_LEN + 2 || (ms = stamp_ms(p)) < 0 ||
	    p[STAMP_LEN] != ' ' || (p[STAMP_LEN + 1] != LOG_SENT &&
	    p[STAMP_LEN + 1] != LOG_RECEIVED)) {
		snprintf(why, len, "not a session log record");
		return -1;
	}
	dir = p[STAMP_LEN + 1];
	p += STAMP_LEN + 2;
	n -= STAMP_LEN + 2;
	/* Only a listener's log names peers (a client has but one). */
	if (ps->role != ROLE_CLIENT && (k = label_len(p, n)) > 0) {
		if (ps->peer[0] == '\0' && k < sizeof(ps->peer))
			memcpy(ps->peer, p, k);
		/* Another client's conversation: not this replay's. */
		if (k >= sizeof(ps->peer) || strlen(ps->peer) != k ||
		    memcmp(ps->peer, p, k) != 0)
			return 0;
		p += k;
		n -= k;
	}
	if (n == 0 || *p != ' ') {
		snprintf(why, len, "not a session log record");
		return -1;
	}
	buf_free(&ps->data);
	if (unescape(p + 1, n - 1, &ps->data, why, len) == -1)
		return -1;
	if ((nv = reallocarray(ps->sc->v, (size_t)ps->sc->n + 1,
	    sizeof(*nv))) == NULL)
		goto oom;
	ps->sc->v = nv;
	st = &nv[ps->sc->n];
	memset(st, 0, sizeof(*st));
	st->op = dir == LOG_SENT ? CHAT_EXACT : CHAT_SEND;
	st->line = lineno;
	st->len = buf_used(&ps->data);
	if ((st->text = malloc(st->len + 1)) == NULL)
		goto oom;
	memcpy(st->text, buf_head(&ps->data), st->len);
	st->text[st->len] = '\0';
	if (ps->timing && st->op == CHAT_SEND && ps->records > 0 &&
	    ms > ps->last_ms)
		st->ms = (long)(ms - ps->last_ms < 86400000 ?
		    ms - ps->last_ms : 86400000);
	ps->sc->n++;
	ps->records++;
	ps->last_ms = ms;
	return 0;
oom:
	snprintf(why, len, "out of memory");
	return -1;
}

/*
 * Builds sc from the log called name.  listen: the replay is a listener
 * (so the log must be a client's); timing: --replay-timing.
 */
int
replay_parse(const char *name, const char *text, size_t len, int listen,
    int timing, struct chat_script *sc, char *err, size_t errlen)
{
	struct parse	 ps;
	const char	*nl;
	char		 why[256];
	size_t		 k;
	int		 lineno = 0;

	memset(sc, 0, sizeof(*sc));
	memset(&ps, 0, sizeof(ps));
	sc->name = name;
	ps.sc = sc;
	ps.timing = timing;
	while (len > 0) {
		lineno++;
		nl = memchr(text, '\n', len);
		k = nl != NULL ? (size_t)(nl - text) : len;
		if (k > 0 && text[0] == '#')
			header(&ps, text, k);
		else if (k > 0 && record(&ps, text, k, lineno, why,
		    sizeof(why)) == -1)
			goto fail;
		k += nl != NULL;
		text += k;
		len -= k;
	}
	buf_free(&ps.data);
	if (listen && ps.role == ROLE_LISTENER) {
		snprintf(err, errlen, "%s: the log of a listener: replay it as "
		    "a client (host port, without -l)", name);
		chat_script_free(sc);
		return -1;
	}
	if (!listen && ps.role == ROLE_CLIENT) {
		snprintf(err, errlen, "%s: the log of a client: replay it as "
		    "a listener (-l)", name);
		chat_script_free(sc);
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s:%d: %s", name, lineno, why);
	buf_free(&ps.data);
	chat_script_free(sc);
	return -1;
}
