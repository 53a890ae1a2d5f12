/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A chat script's waits: whether what the peer sent is what the step
 * awaits, and the message when it does not come.  The rules a user
 * reads in the man page's SCRIPTS section:
 *  - "expect" looks at the received lines one at a time, in order: a
 *    line that does not match is passed over, and the wait goes on.
 *    A line is the bytes up to a newline (without it, nor a CR before
 *    it), or bytes without one that paused for LINE_PAUSE_MS (a
 *    prompt), or that the end of stream cut short.
 *  - the wait ends after -w (5 s): "expected /R/, got "L"" with L the
 *    last line passed over, or "timed out after 5 s waiting for /R/" if
 *    none came.  If the peer ends its side first: "expected /R/, got
 *    end of stream" (or "got "L", then end of stream").
 *  - a replayed record must come byte for byte: the first byte that
 *    differs fails at once, "expected "RECORD", got "RECEIVED"".
 *  - "expect-eof" passes over what comes until the end of stream.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"

/* Bytes as a message shows them: escaped as in the log, quoted, cut. */
static const char *
quote(const char *p, size_t n, char *out, size_t len)
{
	struct buf	b;

	memset(&b, 0, sizeof(b));
	if (log_escape(&b, p, n > SHOW_MAX ? SHOW_MAX : n) == -1)
		snprintf(out, len, "(out of memory)");
	else
		snprintf(out, len, "\"%.*s\"%s", (int)buf_used(&b),
		    buf_used(&b) > 0 ? buf_head(&b) : "",
		    n > SHOW_MAX ? "..." : "");
	buf_free(&b);
	return out;
}

/* What an expect step waits for: /REGEX/, "TEXT" or end of stream. */
static const char *
describe(const struct chat_step *st, char *out, size_t len)
{
	if (st->op == CHAT_EXPECT)
		snprintf(out, len, "/%s/", st->text);
	else if (st->op == CHAT_EXACT)
		quote(st->text, st->len, out, len);
	else
		snprintf(out, len, "end of stream");
	return out;
}

/* The received text passed over: kept for the message if it fails. */
void
chat_remember(struct chat *ch, const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	buf_free(&ch->last);
	ch->got = 1;
	if (buf_append(&ch->last, p, n > SHOW_MAX + 1 ? SHOW_MAX + 1 : n) ==
	    -1)
		session_fail(ch->s, "out of memory");
}

/* The wait ended with no match: by the timer (eof 0), or the peer. */
void
chat_wait_failed(struct chat *ch, int eof)
{
	const struct chat_step	*st = &ch->sc->v[ch->pc];
	char			 want[SHOW_MAX * 4 + 16];
	char			 got[SHOW_MAX * 4 + 16];
	char			 msg[sizeof(want) + sizeof(got) + 64], t[32];

	describe(st, want, sizeof(want));
	if (ch->got)
		quote(buf_head(&ch->last), buf_used(&ch->last), got,
		    sizeof(got));
	if (eof && ch->got)
		snprintf(msg, sizeof(msg), "expected %s, got %s, then end of "
		    "stream", want, got);
	else if (eof)
		snprintf(msg, sizeof(msg), "expected %s, got end of stream",
		    want);
	else if (ch->got)
		snprintf(msg, sizeof(msg), "expected %s, got %s", want, got);
	else
		snprintf(msg, sizeof(msg), "timed out after %s s waiting for "
		    "%s", chat_secs(chat_wait_ms(ch->s), t, sizeof(t)), want);
	chat_fail(ch, msg);
}

/*
 * Whether the line at p matches.  It is copied with a NUL after it:
 * REG_STARTEND alone would do for glibc, but not for the sanitizers'
 * regexec, which reads up to a NUL.  -1: out of memory.
 */
static int
line_matches(struct chat *ch, const struct chat_step *st, const char *p,
    size_t n)
{
	regmatch_t	m;

	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	buf_free(&ch->line);
	if (buf_append(&ch->line, p, n) == -1 ||
	    buf_append(&ch->line, "", 1) == -1) {
		session_fail(ch->s, "out of memory");
		return -1;
	}
	m.rm_so = 0;
	m.rm_eo = (regoff_t)n;
	return regexec(st->re, buf_head(&ch->line), 1, &m, REG_STARTEND) == 0;
}

/* CHAT_EXPECT: the received lines, one by one; -1: the session failed. */
static int
match_line(struct chat *ch, const struct chat_step *st)
{
	const char	*p, *nl;
	size_t		 n, k;
	int64_t		 quiet;
	int		 r;

	for (;;) {
		p = buf_head(&ch->in);
		n = buf_used(&ch->in);
		if (n == 0)
			return 0;
		if ((nl = memchr(p, '\n', n)) != NULL)
			k = (size_t)(nl - p) + 1;
		else if (n >= BUF_CHUNK || ch->eof)
			k = n;
		else {
			/* A partial line counts once it pauses. */
			quiet = now_ms() - ch->in_ms;
			if (quiet < LINE_PAUSE_MS) {
				ev_timer_start(ch->s->ev, &ch->line_pause,
				    (long)(LINE_PAUSE_MS - quiet));
				return 0;
			}
			if ((r = line_matches(ch, st, p, n)) == -1)
				return -1;
			if (r) {
				buf_consume(&ch->in, n);
				return chat_advance(ch);
			}
			/* Kept: more of it may come and be looked at again. */
			chat_remember(ch, p, n);
			return 0;
		}
		if ((r = line_matches(ch, st, p, k)) == -1)
			return -1;
		if (r) {
			buf_consume(&ch->in, k);
			return chat_advance(ch);
		}
		chat_remember(ch, p, k);
		buf_consume(&ch->in, k);
	}
}

/*
 * CHAT_EXACT: the record's bytes, in order, however they were split.
 * -1: a byte differs, and the client has failed.
 */
static int
match_exact(struct chat *ch, const struct chat_step *st)
{
	struct buf	 b;
	size_t		 n = buf_used(&ch->in), want = st->len - ch->off;
	size_t		 k = n < want ? n : want;
	char		 exp[SHOW_MAX * 4 + 16], got[SHOW_MAX * 4 + 16];
	char		 msg[sizeof(exp) + sizeof(got) + 32];

	if (k > 0 && memcmp(buf_head(&ch->in), st->text + ch->off, k) != 0) {
		memset(&b, 0, sizeof(b));
		if (buf_append(&b, st->text, ch->off) == -1 ||
		    buf_append(&b, buf_head(&ch->in), k) == -1)
			quote("", 0, got, sizeof(got));
		else
			quote(buf_head(&b), buf_used(&b), got, sizeof(got));
		buf_free(&b);
		snprintf(msg, sizeof(msg), "expected %s, got %s",
		    describe(st, exp, sizeof(exp)), got);
		chat_fail(ch, msg);
		return -1;
	}
	buf_consume(&ch->in, k);
	ch->off += k;
	if (ch->off == st->len)
		return chat_advance(ch);
	if (ch->off > 0) {
		buf_free(&ch->last);
		ch->got = 1;
		if (buf_append(&ch->last, st->text, ch->off) == -1)
			session_fail(ch->s, "out of memory");
	}
	return 0;
}

/*
 * Looks at what has been received for the step awaited.  Returns 1 when
 * it came (the script runs on), 0 when not yet, or when it failed (ch
 * may then be gone).
 */
int
chat_match(struct chat *ch)
{
	const struct chat_step	*st = &ch->sc->v[ch->pc];
	int			 r;

	if (st->op == CHAT_EXPECT)
		r = match_line(ch, st);
	else if (st->op == CHAT_EXACT)
		r = match_exact(ch, st);
	else {
		/* expect-eof: whatever comes first is passed over. */
		if (buf_used(&ch->in) > 0)
			chat_remember(ch, buf_head(&ch->in), buf_used(&ch->in));
		buf_free(&ch->in);
		r = ch->eof ? chat_advance(ch) : 0;
	}
	if (r == -1)
		return 0;
	if (r == 0 && ch->state == CS_WAIT && ch->eof && !ch->s->done)
		chat_wait_failed(ch, 1);
	return r;
}

