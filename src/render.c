/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What received bytes look like to a person (design items 11 and 14).
 *
 * For a terminal, control bytes become escapes (\x1b, \a, \r inside a
 * line), so that a peer can never move the cursor, clear the screen or
 * retitle the window; valid UTF-8 is shown as text when the terminal
 * takes UTF-8, anything else byte by byte as \xHH.  A CR just before a
 * LF is part of the line end and not shown.  A CR or the first bytes of
 * a character at the very end of a read are held until the next read
 * says what they are, since a stream may split anywhere.
 *
 * The renderer also keeps the text of the screen row it is writing, so
 * that the front end can draw the prompt below an unfinished line
 * ("login: ") and, when more of that line comes, go back up and go on.
 *
 * For a file or a pipe the bytes stay exactly as they came; only the
 * hex dump and the timestamps, which the user asked for, change them.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "sockline.h"

#define TABSTOP		8
#define HEX_ROW		16

void
render_init(struct render *r, const struct config *cfg, int term)
{
	memset(r, 0, sizeof(*r));
	r->hex = cfg->hex;
	r->raw = cfg->raw;
	r->stamps = cfg->timestamps;
	r->term = term;
	r->cols = 80;
	r->bol = 1;
	r->tail_ok = 1;
}

void
render_free(struct render *r)
{
	buf_free(&r->scratch);
}

/* "127.0.0.1:8080", "[::1]:8080", or a unix socket's path. */
const char *
peer_short(const struct peer *p, char *buf, size_t len)
{
	if (strcmp(p->proto, "unix") == 0)
		snprintf(buf, len, "%s", p->host[0] != '\0' ? p->host :
		    "(unnamed)");
	else if (strchr(p->host, ':') != NULL)
		snprintf(buf, len, "[%s]:%u", p->host, p->port);
	else
		snprintf(buf, len, "%s:%u", p->host, p->port);
	return buf;
}

/* The escape for a control byte: "\r", "\a", "\x1b". */
const char *
render_ctl(unsigned char c, char *buf, size_t len)
{
	static const char	 names[] = "0......abtnvfr";

	if (c < sizeof(names) - 1 && names[c] != '.')
		snprintf(buf, len, "\\%c", names[c]);
	else
		snprintf(buf, len, "\\x%02x", c);
	return buf;
}

/*
 * The length of the UTF-8 character at p, 0 if the bytes are not valid
 * UTF-8 (overlong forms and surrogates included), or -1 if they are a
 * valid start that the n bytes cut short.
 */
int
render_utf8(const char *s, size_t n, uint32_t *cp)
{
	static const uint32_t	 min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 c;
	int			 len, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	c = p[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters that reorder the text around them: shown as escapes. */
int
render_bidi(uint32_t c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * A name a peer chose (a unix datagram sender's path or abstract name),
 * made as safe to show as received text is: control bytes, C1 controls
 * (U+0080 to U+009F), marks that reorder text and invalid UTF-8 become
 * escapes (\x1b, \xc2\x9b), printable UTF-8 stays as it is.  The name
 * goes to stderr, labels, /peers and the -o log, so it is escaped once,
 * here.  A name too long for dst is cut at a whole escape or character.
 */
void
render_name(char *dst, size_t dstlen, const char *src, size_t n)
{
	char		 esc[8];
	const char	*add;
	size_t		 i = 0, o = 0, k;
	uint32_t	 cp;
	int		 len;

	while (i < n) {
		len = render_utf8(src + i, n - i, &cp);
		if (len == 1 && cp >= 0x20 && cp != 0x7f) {
			add = src + i;
			k = 1;
		} else if (len > 1 && cp >= 0xa0 && !render_bidi(cp)) {
			add = src + i;
			k = (size_t)len;
		} else {
			add = render_ctl((unsigned char)src[i], esc,
			    sizeof(esc));
			k = strlen(add);
			len = 1;
		}
		if (o + k >= dstlen)
			break;
		memcpy(dst + o, add, k);
		o += k;
		i += (size_t)len;
	}
	if (dstlen > 0)
		dst[o] = '\0';
}

/* Appends n bytes that take w columns, following the screen row. */
static int
put(struct render *r, struct buf *out, const char *p, size_t n, int w)
{
	if (r->term) {
		/* The terminal wraps before a character that does not fit. */
		if (r->col > 0 && r->col + w > r->cols) {
			r->col = 0;
			r->tail_len = 0;
			r->tail_ok = 1;
			r->tail_whole = 0;
		}
		if (r->tail_ok && r->tail_len + n <= sizeof(r->tail)) {
			memcpy(r->tail + r->tail_len, p, n);
			r->tail_len += n;
		} else
			r->tail_ok = 0;
		r->col += w;
	}
	return buf_append(out, p, n);
}

static int
put_str(struct render *r, struct buf *out, const char *s)
{
	return put(r, out, s, strlen(s), (int)strlen(s));
}

static int
end_line(struct render *r, struct buf *out)
{
	r->bol = 1;
	r->col = 0;
	r->tail_len = 0;
	r->tail_ok = 1;
	return buf_append(out, r->term ? "\r\n" : "\n", r->term ? 2 : 1);
}

static int	put_escape(struct render *, struct buf *, unsigned char);

/* A sender's name in a label, as received text would be shown. */
static int
put_name(struct render *r, struct buf *out, const char *q)
{
	size_t		n = strlen(q);
	uint32_t	cp;
	int		len, w, e = 0;

	while (n > 0 && e == 0) {
		len = render_utf8(q, n, &cp);
		if (len > 1 && r->utf8 && (w = wcwidth((wchar_t)cp)) >= 0)
			e = put(r, out, q, (size_t)len, w);
		else if (len == 1 && cp >= 0x20 && cp != 0x7f)
			e = put(r, out, q, 1, 1);
		else {
			e = put_escape(r, out, (unsigned char)*q);
			len = 1;
		}
		q += len;
		n -= (size_t)len;
	}
	return e;
}

/* What goes before a line: the time, and who sent it. */
static int
begin_line(struct render *r, struct buf *out, const struct peer *from,
    int flags)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 s[PEER_HOSTLEN + 32], name[PEER_HOSTLEN + 16];

	r->bol = 0;
	r->tail_whole = 1;
	r->peer = from != NULL ? from->id : 0;
	if (r->stamps) {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		snprintf(s, sizeof(s), "[%02d:%02d:%02d.%03ld] ", tm.tm_hour,
		    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
		if (put_str(r, out, s) == -1)
			return -1;
	}
	if (r->term && from != NULL && (flags & OUT_SENDER)) {
		peer_short(from, name, sizeof(name));
		/*
		 * A unix peer names itself, and peer_set() escaped that name;
		 * a terminal that does not take UTF-8 gets no byte past ASCII
		 * either, as for received text.
		 */
		/* The id first, so /to N needs no /peers (design item 21). */
		if (from->id > 0)
			snprintf(s, sizeof(s), "[%d ", from->id);
		else
			snprintf(s, sizeof(s), "[");
		if (put_str(r, out, s) == -1 ||
		    put_name(r, out, name) == -1 ||
		    put_str(r, out, "] ") == -1)
			return -1;
	}
	return 0;
}

static int
put_escape(struct render *r, struct buf *out, unsigned char c)
{
	char	esc[8];

	return put_str(r, out, render_ctl(c, esc, sizeof(esc)));
}

/*
 * Renders the character, escape or line end at p; returns the bytes it
 * took, or 0 when they may be the start of something longer and more
 * may come.
 */
static size_t
unit(struct render *r, struct buf *out, const struct peer *from,
    const char *p, size_t n, int more, int flags)
{
	unsigned char	c = (unsigned char)p[0];
	uint32_t	cp;
	int		len, w = 1, sp;

	if (c == '\r' && n == 1 && more)
		return 0;
	if (r->bol && begin_line(r, out, from, flags) == -1)
		return n;
	if (c == '\n' || (c == '\r' && n > 1 && p[1] == '\n')) {
		end_line(r, out);
		return c == '\n' ? 1 : 2;
	}
	if (c == '\t') {
		/* Spaces to the next tab stop keep the column known. */
		sp = TABSTOP - r->col % TABSTOP;
		if (r->col + sp > r->cols)
			sp = r->cols - r->col;
		while (sp-- > 0)
			put(r, out, " ", 1, 1);
		return 1;
	}
	if (c < 0x20 || c == 0x7f) {
		put_escape(r, out, c);
		return 1;
	}
	len = render_utf8(p, n, &cp);
	if (len == -1 && more)
		return 0;
	if (len == 1 || (len > 1 && r->utf8 && !render_bidi(cp) &&
	    (w = wcwidth((wchar_t)cp)) >= 0)) {
		put(r, out, p, (size_t)len, len == 1 ? 1 : w);
		return (size_t)len;
	}
	put_escape(r, out, c);
	return 1;
}

/* How many of the first bytes of p, at most max, are printable ASCII. */
static size_t
ascii_run(const char *p, size_t n, int max)
{
	size_t	i, lim;

	if (max <= 0)
		return 0;
	lim = n < (size_t)max ? n : (size_t)max;
	for (i = 0; i < lim; i++) {
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e)
			break;
	}
	return i;
}

/* Escaped text for a terminal. */
static int
text(struct render *r, struct buf *out, const struct peer *from,
    const char *p, size_t n, int flags)
{
	int	more = !(flags & OUT_DGRAM);
	size_t	k;

	if (r->nhold > 0) {
		if (buf_append(&r->scratch, r->hold, r->nhold) == -1 ||
		    buf_append(&r->scratch, p, n) == -1)
			return -1;
		r->nhold = 0;
		p = buf_head(&r->scratch);
		n = buf_used(&r->scratch);
	}
	while (n > 0) {
		/*
		 * A run of printable ASCII that fits the row goes whole: a
		 * flood of text costs one copy, not a call per byte.
		 */
		if (!r->bol && (k = ascii_run(p, n, r->cols - r->col)) > 0) {
			if (put(r, out, p, k, (int)k) == -1)
				return -1;
			p += k;
			n -= k;
			continue;
		}
		if ((k = unit(r, out, from, p, n, more, flags)) == 0) {
			memcpy(r->hold, p, n);
			r->nhold = n;
			break;
		}
		p += k;
		n -= k;
	}
	buf_free(&r->scratch);
	return 0;
}

/* Bytes as they are, with the time before each line if asked. */
static int
plain(struct render *r, struct buf *out, const struct peer *from,
    const char *p, size_t n, int flags)
{
	const char	*nl;
	size_t		 k;

	while (n > 0) {
		if (r->bol && begin_line(r, out, from, flags) == -1)
			return -1;
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		if (buf_append(out, p, k) == -1)
			return -1;
		/* Raw bytes on a terminal may move the cursor anywhere. */
		r->tail_ok = 0;
		if (nl != NULL) {
			r->bol = 1;
			r->col = 0;
			r->tail_len = 0;
		}
		p += k;
		n -= k;
	}
	return 0;
}

/* Offset, sixteen bytes in hex, the same as ASCII: hexdump -C. */
static int
hex(struct render *r, struct buf *out, const struct peer *from,
    const char *p, size_t n, int flags)
{
	const unsigned char	*u = (const unsigned char *)p;
	char			 row[128];
	size_t			 i, j;
	int			 k;

	if (r->term && from != NULL && (flags & OUT_SENDER)) {
		if (begin_line(r, out, from, flags) == -1 ||
		    end_line(r, out) == -1)
			return -1;
	}
	for (i = 0; i < n; i += HEX_ROW) {
		if (begin_line(r, out, from, 0) == -1)
			return -1;
		k = snprintf(row, sizeof(row), "%08llx  ",
		    (unsigned long long)(r->off + i));
		for (j = 0; j < HEX_ROW; j++) {
			if (j == HEX_ROW / 2)
				row[k++] = ' ';
			if (i + j < n)
				k += snprintf(row + k, sizeof(row) - k, "%02x ",
				    u[i + j]);
			else
				k += snprintf(row + k, sizeof(row) - k, "   ");
		}
		row[k++] = ' ';
		row[k++] = '|';
		for (j = 0; j < HEX_ROW && i + j < n; j++)
			row[k++] = u[i + j] >= 0x20 && u[i + j] < 0x7f ?
			    (char)u[i + j] : '.';
		row[k++] = '|';
		if (buf_append(out, row, (size_t)k) == -1 ||
		    end_line(r, out) == -1)
			return -1;
	}
	return 0;
}

/*
 * Appends to out what n received bytes look like.  flags are those of
 * front_ops.output(): a datagram is a message, so it ends its line.
 */
int
render_data(struct render *r, struct buf *out, const struct peer *from,
    const char *p, size_t n, int flags)
{
	int	rv;

	/* Another peer's bytes never continue this one's line. */
	if (!r->bol && from != NULL && from->id != r->peer) {
		if (render_flush(r, out) == -1 || end_line(r, out) == -1)
			return -1;
	}
	/* Offsets count the whole stream; each datagram starts at 0. */
	if (flags & OUT_DGRAM)
		r->off = 0;
	if (r->hex) {
		if (render_flush(r, out) == -1 ||
		    (!r->bol && end_line(r, out) == -1))
			return -1;
		rv = hex(r, out, from, p, n, flags);
	} else if (r->term && !r->raw)
		rv = text(r, out, from, p, n, flags);
	else
		rv = plain(r, out, from, p, n, flags);
	r->off += n;
	if (rv == 0 && r->term && (flags & OUT_DGRAM) && !r->bol)
		rv = end_line(r, out);
	return rv;
}

/* Shows what was held back, as it is now known to be nothing more. */
int
render_flush(struct render *r, struct buf *out)
{
	size_t	i;

	if (r->nhold > 0 && r->bol && begin_line(r, out, NULL, 0) == -1)
		return -1;
	for (i = 0; i < r->nhold; i++) {
		if (put_escape(r, out, (unsigned char)r->hold[i]) == -1)
			return -1;
	}
	r->nhold = 0;
	return 0;
}

/* The open line will go on at the start of a new screen row. */
void
render_break(struct render *r)
{
	/* The rest is what that row will show: for adopt.c, whole. */
	r->tail_whole = 1;
	r->col = 0;
	r->tail_len = 0;
	r->tail_ok = 1;
}
