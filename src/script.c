/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --script FILE: the chat script's parser (design item 22).  A script
 * is a line per step:
 *
 *	send TEXT	TEXT with --reply's escapes, and a newline unless
 *			it ends in \c
 *	expect REGEX	a received line matches REGEX (POSIX extended)
 *	expect-eof	the peer ends its side
 *	sleep SECS	a pause
 *	close		the end: the connection is closed
 *
 * with blank lines and '#' comments.  The argument is the rest of the
 * line after the one blank that follows the verb, so spaces in it
 * count.  Parsing is pure (no I/O), so test/fuzz/script.c can feed it
 * anything; chat_run.c runs what it builds.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

/* A script or log larger than this is surely not one. */
#define CHAT_FILE_MAX	(64 * 1024 * 1024)

static const struct {
	const char	*name;
	enum chat_op	 op;
	int		 arg;		/* 1: takes one, 0: takes none */
} verbs[] = {
	{ "send", CHAT_SEND, 1 },
	{ "expect", CHAT_EXPECT, 1 },
	{ "expect-eof", CHAT_EOF, 0 },
	{ "sleep", CHAT_SLEEP, 1 },
	{ "close", CHAT_CLOSE, 0 },
};
#define NVERBS	(sizeof(verbs) / sizeof(verbs[0]))

/* "5", "1.5", "0.25": milliseconds as the seconds a user would write. */
const char *
chat_secs(long ms, char *buf, size_t len)
{
	int	n;

	n = snprintf(buf, len, "%ld.%03ld", ms / 1000, ms % 1000);
	while (n > 0 && (size_t)n < len && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && (size_t)n < len && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

void
chat_script_free(struct chat_script *sc)
{
	int	i;

	for (i = 0; i < sc->n; i++) {
		free(sc->v[i].text);
		if (sc->v[i].re != NULL) {
			regfree(sc->v[i].re);
			free(sc->v[i].re);
		}
	}
	free(sc->v);
	sc->v = NULL;
	sc->n = 0;
}

/* Room for one step more; NULL when out of memory. */
static struct chat_step *
new_step(struct chat_script *sc, enum chat_op op, int line)
{
	struct chat_step	*nv;

	if ((nv = reallocarray(sc->v, (size_t)sc->n + 1,
	    sizeof(*nv))) == NULL)
		return NULL;
	sc->v = nv;
	nv = &sc->v[sc->n++];
	memset(nv, 0, sizeof(*nv));
	nv->op = op;
	nv->line = line;
	return nv;
}

/* True when the text ends in \c, and not in an escaped backslash and c. */
static int
ends_in_c(const char *s, size_t n)
{
	size_t	k = 0;

	if (n < 2 || s[n - 1] != 'c')
		return 0;
	while (k + 1 < n && s[n - 2 - k] == '\\')
		k++;
	return k % 2 == 1;
}

/*
 * glibc's regcomp(3) copies a repeated part of a pattern for each
 * repetition, and the copies of nested or stacked repetitions multiply:
 * "((((a)+)+)+)..." twenty deep, or "a{255}{255}{255}", take gigabytes.
 * A script's pattern is refused when that product, summed over the
 * pattern, would pass RE_COPIES_MAX; a bracket expression, an escaped
 * character or any other character counts as one.
 */
#define RE_COPIES_MAX	2048
#define RE_DEPTH_MAX	32

/* The repetition at *pp ("*", "{2,5}"...): its factor, 0 if none. */
static double
repeat_factor(const char **pp)
{
	const char	*p = *pp;
	double		 m = 0, n = -1;

	if (*p == '*' || *p == '+' || *p == '?') {
		*pp = p + 1;
		return 2;
	}
	if (*p != '{' || !isdigit((unsigned char)p[1]))
		return 0;
	for (p++; isdigit((unsigned char)*p); p++)
		m = m * 10 + (*p - '0');
	if (*p == ',')
		for (n = 0, p++; isdigit((unsigned char)*p); p++)
			n = n * 10 + (*p - '0');
	if (*p != '}')
		return 0;
	*pp = p + 1;
	return (n > m ? n : m) + 1;
}

/* The end of the bracket expression that starts at p ("[a-z]"). */
static const char *
bracket_end(const char *p)
{
	char	close;

	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0' && *p != ']'; p++) {
		if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			close = p[1];
			for (p += 2; *p != '\0' && !(p[0] == close &&
			    p[1] == ']'); p++)
				;
			if (*p == '\0')
				return p;
			p++;
		}
	}
	return *p == ']' ? p + 1 : p;
}

static int
re_too_big(const char *p)
{
	double	sum[RE_DEPTH_MAX + 1], last = 0, f;
	int	depth = 0;

	sum[0] = 0;
	while (*p != '\0') {
		if ((f = repeat_factor(&p)) > 0) {
			sum[depth] += last * (f - 1);
			last *= f;
		} else if (*p == '(') {
			if (depth == RE_DEPTH_MAX)
				return 1;
			sum[++depth] = 0;
			last = 0;
			p++;
		} else if (*p == ')' && depth > 0) {
			last = sum[depth--];
			sum[depth] += last;
			p++;
		} else if (*p == '|' || *p == '^' || *p == '$') {
			last = 0;
			p++;
		} else {
			p = *p == '[' ? bracket_end(p) :
			    p + (*p == '\\' && p[1] != '\0' ? 2 : 1);
			last = 1;
			sum[depth] += 1;
		}
		if (sum[depth] > RE_COPIES_MAX)
			return 1;
	}
	while (depth > 0) {
		sum[depth - 1] += sum[depth];
		depth--;
	}
	return sum[0] > RE_COPIES_MAX;
}

/* One step's argument into st; -1 with the reason in err. */
static int
set_arg(struct chat_step *st, char *arg, char *err, size_t errlen)
{
	char	why[128];
	size_t	n = strlen(arg);
	int	nl, e;

	switch (st->op) {
	case CHAT_SEND:
		if ((nl = !ends_in_c(arg, n)) == 0)
			arg[n - 2] = '\0';
		if (escape_decode(arg, &st->text, &st->len, err, errlen) == -1)
			return -1;
		if (nl)
			st->text[st->len++] = '\n';
		return 0;
	case CHAT_EXPECT:
		if (n == 0) {
			snprintf(err, errlen, "expect needs a regular "
			    "expression");
			return -1;
		}
		if (re_too_big(arg)) {
			snprintf(err, errlen, "regular expression /%.60s%s/ "
			    "too large: its repetitions would make more than "
			    "%d copies", arg, n > 60 ? "..." : "",
			    RE_COPIES_MAX);
			return -1;
		}
		if ((st->text = strdup(arg)) == NULL ||
		    (st->re = calloc(1, sizeof(*st->re))) == NULL)
			goto oom;
		if ((e = regcomp(st->re, arg, REG_EXTENDED)) != 0) {
			regerror(e, st->re, why, sizeof(why));
			free(st->re);
			st->re = NULL;
			snprintf(err, errlen, "bad regular expression /%s/: %s",
			    arg, why);
			return -1;
		}
		st->len = n;
		return 0;
	case CHAT_SLEEP:
		if (addr_parse_secs(arg, &st->ms, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "sleep %s: %s", arg, why);
			return -1;
		}
		return 0;
	default:
		return 0;
	}
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/*
 * One line of the script (NUL-terminated, its newline gone).  Returns
 * -1 with the reason (without the file and line) in err.
 */
static int
parse_line(struct chat_script *sc, char *p, int line, char *err,
    size_t errlen)
{
	struct chat_step	*st;
	size_t			 n, i;
	char			*arg;

	n = strlen(p);
	/* A script written on Windows: its CRs are not part of the text. */
	if (n > 0 && p[n - 1] == '\r')
		p[--n] = '\0';
	p += strspn(p, " \t");
	if (*p == '\0' || *p == '#')
		return 0;
	n = strcspn(p, " \t");
	arg = p[n] != '\0' ? p + n + 1 : NULL;
	p[n] = '\0';
	for (i = 0; i < NVERBS; i++) {
		if (strcmp(p, verbs[i].name) == 0)
			break;
	}
	if (i == NVERBS) {
		snprintf(err, errlen, "unknown command \"%.40s\" (known: send, "
		    "expect, expect-eof, sleep, close)", p);
		return -1;
	}
	if (!verbs[i].arg && arg != NULL && arg[strspn(arg, " \t")] != '\0') {
		snprintf(err, errlen, "%s takes no argument", p);
		return -1;
	}
	if (verbs[i].op == CHAT_SLEEP && arg == NULL) {
		snprintf(err, errlen, "sleep needs a number of seconds");
		return -1;
	}
	if ((st = new_step(sc, verbs[i].op, line)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return set_arg(st, arg != NULL ? arg : (char *)"", err, errlen);
}

/*
 * Builds sc from the text of the script called name.  The text may
 * hold anything, NULs included (a NUL ends its line's text).
 */
int
script_parse(const char *name, const char *text, size_t len,
    struct chat_script *sc, char *err, size_t errlen)
{
	const char	*nl;
	char		*line, why[256];
	size_t		 k;
	int		 lineno = 0, e;

	memset(sc, 0, sizeof(*sc));
	sc->name = name;
	while (len > 0) {
		lineno++;
		nl = memchr(text, '\n', len);
		k = nl != NULL ? (size_t)(nl - text) : len;
		if ((line = strndup(text, k)) == NULL) {
			snprintf(why, sizeof(why), "out of memory");
			e = -1;
		} else
			e = parse_line(sc, line, lineno, why, sizeof(why));
		free(line);
		if (e == -1) {
			snprintf(err, errlen, "%s:%d: %s", name, lineno, why);
			chat_script_free(sc);
			return -1;
		}
		k += nl != NULL;
		text += k;
		len -= k;
	}
	return 0;
}

/* Reads a whole script or log; -1 with "path: why" in err. */
int
chat_read_file(const char *path, char **out, size_t *lenp, char *err,
    size_t errlen)
{
	struct buf	b;
	char		chunk[8192];
	ssize_t		n;
	int		fd;

	memset(&b, 0, sizeof(b));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (buf_used(&b) + (size_t)n > CHAT_FILE_MAX) {
			errno = EFBIG;
			goto fail;
		}
		if (buf_append(&b, chunk, (size_t)n) == -1)
			goto fail;
	}
	close(fd);
	fd = -1;
	/* One byte more, so that an empty file still gives a buffer. */
	if (buf_append(&b, "", 1) == -1)
		goto fail;
	*lenp = buf_used(&b) - 1;
	if ((*out = malloc(*lenp + 1)) == NULL)
		goto fail;
	memcpy(*out, buf_head(&b), *lenp + 1);
	buf_free(&b);
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	buf_free(&b);
	return -1;
}
