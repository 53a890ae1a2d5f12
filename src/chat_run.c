/*
 * Runs a chat script (--script, or --replay's compiled log) with one
 * peer: the client's server, or one client of a listener, each with
 * its own copy.  respond.c hands it what the peer sends and its end of
 * stream; it sends with respond_send(), so -C and the -o log apply.
 *
 * The rules a user reads in the man page's SCRIPTS section:
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
 * A failure ends the client with the message: on a -k listener it is
 * dropped (and said with -v) and counted, so that the listener's exit
 * status says so when it ends.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"

#define CHAT_WAIT_MS	5000

/* Received bytes held while no expect consumes them. */
#define CHAT_IN_MAX	(4 * BUF_CHUNK)

/* How much received text a message shows. */
#define SHOW_MAX	200

enum chat_state {
	CS_RUN,
	CS_WAIT,		/* for an expect */
	CS_PAUSE,		/* sleep, or a replayed send's pause */
	CS_DONE,
	CS_FAILED
};

struct chat {
	struct session			*s;
	struct conn			*c;
	const struct chat_script	*sc;
	int				 pc;		/* the next step */
	enum chat_state			 state;
	int				 paused;	/* this send had its pause */
	struct buf			 in;		/* received, not yet looked at */
	int64_t				 in_ms;		/* when in last grew */
	int				 eof;
	size_t				 off;		/* CHAT_EXACT: bytes matched */
	int				 got;		/* text came during the wait */
	struct buf			 last;		/* the last of it */
	struct buf			 line;		/* a line being matched */
	struct ev_timer			 timer;		/* the wait or the pause */
	struct ev_timer			 line_pause;	/* a partial line pausing */
	struct ev_timer			 kick;		/* the first steps */
};

/* Clients of a -k listener that failed their script. */
static int	failures;

static int	match(struct chat *);
static void	run(struct chat *);

int
chat_failures(void)
{
	return failures;
}

static long
wait_ms(const struct session *s)
{
	return s->cfg->wait_ms >= 0 ? s->cfg->wait_ms : CHAT_WAIT_MS;
}

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

static void
stop_timers(struct chat *ch)
{
	ev_timer_stop(ch->s->ev, &ch->timer);
	ev_timer_stop(ch->s->ev, &ch->line_pause);
	ev_timer_stop(ch->s->ev, &ch->kick);
}

/*
 * The script failed at the current step: "NAME:LINE: " and what.  The
 * client goes, and ch with it: nothing may touch ch afterwards.
 */
static void
fail(struct chat *ch, const char *what)
{
	struct session	*s = ch->s;
	char		 msg[1024];

	snprintf(msg, sizeof(msg), "%s:%d: %s", ch->sc->name,
	    ch->sc->v[ch->pc].line, what);
	ch->state = CS_FAILED;
	stop_timers(ch);
	if (s->cfg->keep_open) {
		failures++;
		session_drop_conn(s, ch->c, msg);
	} else
		session_fail(s, "%s", msg);
}

/* The received text passed over: kept for the message if it fails. */
static void
remember(struct chat *ch, const char *p, size_t n)
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
static void
wait_failed(struct chat *ch, int eof)
{
	const struct chat_step	*st = &ch->sc->v[ch->pc];
	char			 want[SHOW_MAX * 4 + 16], got[SHOW_MAX * 4 + 16];
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
		    "%s", chat_secs(wait_ms(ch->s), t, sizeof(t)), want);
	fail(ch, msg);
}

/* The awaited step has come: on to the next.  Returns 1. */
static int
advance(struct chat *ch)
{
	ch->pc++;
	ch->state = CS_RUN;
	ev_timer_stop(ch->s->ev, &ch->timer);
	ev_timer_stop(ch->s->ev, &ch->line_pause);
	return 1;
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
				return advance(ch);
			}
			/* Kept: more of it may come and be looked at again. */
			remember(ch, p, n);
			return 0;
		}
		if ((r = line_matches(ch, st, p, k)) == -1)
			return -1;
		if (r) {
			buf_consume(&ch->in, k);
			return advance(ch);
		}
		remember(ch, p, k);
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
		fail(ch, msg);
		return -1;
	}
	buf_consume(&ch->in, k);
	ch->off += k;
	if (ch->off == st->len)
		return advance(ch);
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
static int
match(struct chat *ch)
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
			remember(ch, buf_head(&ch->in), buf_used(&ch->in));
		buf_free(&ch->in);
		r = ch->eof ? advance(ch) : 0;
	}
	if (r == -1)
		return 0;
	if (r == 0 && ch->state == CS_WAIT && ch->eof && !ch->s->done)
		wait_failed(ch, 1);
	return r;
}

/* Runs steps until one waits; the client may be gone afterwards. */
static void
run(struct chat *ch)
{
	struct session		*s = ch->s;
	struct conn		*c = ch->c;
	const struct chat_step	*st;

	while (ch->state == CS_RUN && !s->done) {
		if (ch->pc >= ch->sc->n) {
			ch->state = CS_DONE;
			break;
		}
		st = &ch->sc->v[ch->pc];
		switch (st->op) {
		case CHAT_SEND:
			if (st->ms > 0 && !ch->paused) {
				ch->paused = 1;
				ch->state = CS_PAUSE;
				ev_timer_start(s->ev, &ch->timer, st->ms);
				return;
			}
			ch->paused = 0;
			ch->pc++;
			if (respond_send(s, c, st->text, st->len) == -1) {
				session_fail(s, "out of memory");
				return;
			}
			/* A failed send may have dropped c, and ch with it. */
			if (c->dead)
				return;
			break;
		case CHAT_SLEEP:
			ch->pc++;
			ch->state = CS_PAUSE;
			ev_timer_start(s->ev, &ch->timer, st->ms);
			return;
		case CHAT_CLOSE:
			ch->state = CS_DONE;
			break;
		default:
			ch->state = CS_WAIT;
			ch->got = 0;
			ch->off = 0;
			buf_free(&ch->last);
			ev_timer_start(s->ev, &ch->timer, wait_ms(s));
			if (!match(ch))
				return;
			break;
		}
	}
	if (ch->state == CS_DONE)
		stop_timers(ch);
}

/* A wait or a pause is over. */
static void
on_timer(void *arg)
{
	struct chat	*ch = arg;
	struct session	*s = ch->s;
	struct conn	*c = ch->c;

	if (ch->state == CS_WAIT) {
		if (ch->sc->v[ch->pc].op == CHAT_EXPECT &&
		    buf_used(&ch->in) > 0)
			remember(ch, buf_head(&ch->in), buf_used(&ch->in));
		wait_failed(ch, 0);
	} else if (ch->state == CS_PAUSE) {
		ch->state = CS_RUN;
		run(ch);
	}
	stream_after(s, c);
}

/* A partial line has paused: it may be what an expect waits for. */
static void
on_line_pause(void *arg)
{
	struct chat	*ch = arg;
	struct session	*s = ch->s;
	struct conn	*c = ch->c;

	if (ch->state == CS_WAIT && match(ch))
		run(ch);
	stream_after(s, c);
}

static void
on_kick(void *arg)
{
	struct chat	*ch = arg;
	struct session	*s = ch->s;
	struct conn	*c = ch->c;

	run(ch);
	stream_after(s, c);
}

/*
 * A new peer: its script starts at the next turn of the loop, once the
 * connection is fully set up.
 */
struct chat *
chat_start(struct session *s, struct conn *c)
{
	struct chat	*ch;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	ch->s = s;
	ch->c = c;
	ch->sc = &s->cfg->chat;
	ev_timer_init(&ch->timer, on_timer, ch);
	ev_timer_init(&ch->line_pause, on_line_pause, ch);
	ev_timer_init(&ch->kick, on_kick, ch);
	ev_timer_start(s->ev, &ch->kick, 0);
	return ch;
}

void
chat_received(struct chat *ch, const char *p, size_t n)
{
	if (ch->state == CS_DONE || ch->state == CS_FAILED)
		return;
	if (buf_append(&ch->in, p, n) == -1) {
		session_fail(ch->s, "out of memory");
		return;
	}
	ch->in_ms = now_ms();
	if (ch->state == CS_WAIT && match(ch))
		run(ch);
}

/* The peer will send no more. */
void
chat_eof(struct chat *ch)
{
	ch->eof = 1;
	if (ch->state == CS_WAIT && match(ch))
		run(ch);
}

/* 1 while the script runs; -1 once it has ended (the client goes). */
int
chat_busy(const struct chat *ch)
{
	return ch->state == CS_DONE || ch->state == CS_FAILED ? -1 : 1;
}

/* How much more may be read for it. */
size_t
chat_room(const struct chat *ch)
{
	if (ch->state == CS_DONE || ch->state == CS_FAILED)
		return BUF_CHUNK;
	return buf_room(&ch->in, CHAT_IN_MAX);
}

void
chat_free(struct chat *ch)
{
	struct session	*s = ch->s;

	/*
	 * A -k client that went before its script ended (a reset, or it
	 * stopped reading) failed it too; one the listener's end cuts off
	 * did not.
	 */
	if (s->cfg->keep_open && s->running && !s->done &&
	    ch->state != CS_DONE && ch->state != CS_FAILED)
		failures++;
	stop_timers(ch);
	buf_free(&ch->in);
	buf_free(&ch->last);
	buf_free(&ch->line);
	free(ch);
}
