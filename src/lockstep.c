/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --lockstep: a scripted client.  For each input line: send it, wait for
 * one reply (a line on a stream, a datagram otherwise), print it, then
 * the next line.  No reply within -w seconds (default 5) is an error;
 * after the last reply the run ends at once, with no quiet period.
 *
 * A server may greet first (SMTP, FTP, many line protocols).  Before
 * the first line is sent, whatever arrives within a short window is
 * taken as the greeting and printed, until it pauses; so replies are
 * never off by one against such a server.  -w (default 5 s) bounds the
 * whole greeting too: one that is still coming by then, say a byte at a
 * time, is an error rather than a wait without end.
 *
 * A stream reply is a line, or bytes without a newline followed by a
 * pause of LINE_PAUSE_MS: the rule --reply answers by, so that a server
 * answering "Hi" or a prompt is not taken for a silent one.  The price:
 * a server that stops for longer than that inside a line (under
 * REPLY_HOLD_MAX of it) has its line taken as two replies.
 */

#include <stdio.h>
#include <string.h>

#include "sockline.h"

/* How long a server gets to start its greeting, and the pause that
 * ends it. */
#define GREETING_WAIT_MS	150
#define GREETING_GAP_MS		50

#define REPLY_WAIT_MS		5000

/* A reply line longer than this is printed as it comes, not held. */
#define REPLY_HOLD_MAX		BUF_CHUNK

static long
reply_ms(const struct session *s)
{
	return s->cfg->wait_ms >= 0 ? s->cfg->wait_ms : REPLY_WAIT_MS;
}

static void	print(struct session *, const char *, size_t, int);

/* Waits for the greeting's pause, but never past its deadline. */
static void
greeting_wait(struct session *s, long ms)
{
	int64_t	left = s->ls_greet_end - now_ms();

	if (left < ms)
		ms = left > 0 ? (long)left : 0;
	ev_timer_start(s->ev, &s->ls_timer, ms);
}

static void
on_timer(void *arg)
{
	struct session	*s = arg;
	int64_t		 now = now_ms();

	if (s->ls_greeting) {
		/* A greeting without a newline ends with its own pause. */
		if (s->ls_pause.active ||
		    now - s->ls_greet_ms < GREETING_GAP_MS) {
			if (now < s->ls_greet_end) {
				greeting_wait(s, GREETING_GAP_MS);
				return;
			}
			/* What came of it is shown, as it is. */
			ev_timer_stop(s->ev, &s->ls_pause);
			if (buf_used(&s->ls_reply) > 0)
				print(s, buf_head(&s->ls_reply),
				    buf_used(&s->ls_reply), 1);
			buf_free(&s->ls_reply);
			session_fail(s, "the server's greeting had not ended "
			    "after %ld.%03ld s", reply_ms(s) / 1000,
			    reply_ms(s) % 1000);
			return;
		}
		s->ls_greeting = 0;
		s->ls_waiting = 0;
		session_update_input(s);
		return;
	}
	session_fail(s, "no reply to line %d within %ld.%03ld s", s->ls_line,
	    reply_ms(s) / 1000, reply_ms(s) % 1000);
}

static void	on_pause(void *);

void
lockstep_start(struct session *s)
{
	const struct conn	*c = TAILQ_FIRST(&s->conns);

	ev_timer_init(&s->ls_timer, on_timer, s);
	ev_timer_init(&s->ls_pause, on_pause, s);
	if (c != NULL && c->kind == CONN_STREAM) {
		s->ls_waiting = 1;
		s->ls_greeting = 1;
		s->ls_greet_end = now_ms() + reply_ms(s);
		greeting_wait(s, GREETING_WAIT_MS);
	}
}

/* A line has been handed to the socket: now its reply is awaited. */
void
lockstep_sent(struct session *s)
{
	const struct conn	*c = TAILQ_FIRST(&s->conns);

	s->ls_line++;
	if (c != NULL && c->rd_eof) {
		session_fail(s, "the server closed the connection before the "
		    "reply to line %d", s->ls_line);
		return;
	}
	s->ls_waiting = 1;
	ev_timer_start(s->ev, &s->ls_timer, reply_ms(s));
}

static void
print(struct session *s, const char *p, size_t n, int newline)
{
	struct conn	*c = TAILQ_FIRST(&s->conns);

	s->front->ops->output(s->front, &c->peer, p, n, 0);
	if (newline)
		s->front->ops->output(s->front, &c->peer, "\n", 1, 0);
}

static void
got_reply(struct session *s)
{
	if (s->ls_greeting) {
		/* More greeting may follow; it ends with a pause. */
		greeting_wait(s, GREETING_GAP_MS);
		return;
	}
	if (!s->ls_waiting)
		return;
	s->ls_waiting = 0;
	ev_timer_stop(s->ev, &s->ls_timer);
	session_update_input(s);
}

/* What is held of a reply line is printed, with a newline added. */
static void
print_rest(struct session *s)
{
	ev_timer_stop(s->ev, &s->ls_pause);
	if (buf_used(&s->ls_reply) == 0)
		return;
	print(s, buf_head(&s->ls_reply), buf_used(&s->ls_reply), 1);
	buf_free(&s->ls_reply);
	got_reply(s);
}

/* A partial reply has had no more bytes for LINE_PAUSE_MS: it is one. */
static void
on_pause(void *arg)
{
	print_rest(arg);
}

/*
 * Received bytes.  Complete lines (or a datagram, with a newline added
 * if it has none, so replies stay one per line) are printed, each one
 * answering the line sent.  A line that goes on and on is printed in
 * pieces as it comes, so memory stays bounded; only its newline counts
 * as the reply.  Returns 1: the bytes are taken care of.
 */
int
lockstep_received(struct session *s, const char *p, size_t n, int flags)
{
	size_t	k;
	int	line;

	if (s->ls_greeting)
		s->ls_greet_ms = now_ms();
	if (flags & OUT_DGRAM) {
		print(s, p, n, n == 0 || p[n - 1] != '\n');
		got_reply(s);
		return 1;
	}
	if (buf_append(&s->ls_reply, p, n) == -1) {
		session_fail(s, "out of memory");
		return 1;
	}
	while ((k = frame_next(buf_head(&s->ls_reply), buf_used(&s->ls_reply),
	    REPLY_HOLD_MAX, 0)) > 0) {
		line = buf_head(&s->ls_reply)[k - 1] == '\n';
		print(s, buf_head(&s->ls_reply), k, 0);
		buf_consume(&s->ls_reply, k);
		s->ls_midline = !line;
		if (line)
			got_reply(s);
	}
	/*
	 * Each byte that comes starts the pause over.  A line already
	 * printed in part is plainly a line: only its newline ends it.
	 */
	if (buf_used(&s->ls_reply) > 0 && !s->ls_midline)
		ev_timer_start(s->ev, &s->ls_pause, LINE_PAUSE_MS);
	else
		ev_timer_stop(s->ev, &s->ls_pause);
	return 1;
}

/*
 * The server closed.  A last reply without a newline still counts; a
 * reply still owed is an error.  Returns 0 when the session failed.
 */
int
lockstep_eof(struct session *s)
{
	print_rest(s);
	if (s->ls_greeting) {
		s->ls_greeting = 0;
		s->ls_waiting = 0;
		ev_timer_stop(s->ev, &s->ls_timer);
	}
	if (s->ls_waiting || buf_used(&s->staged) > 0) {
		session_fail(s, "the server closed the connection before the "
		    "reply to line %d", s->ls_waiting ? s->ls_line :
		    s->ls_line + 1);
		return 0;
	}
	return 1;
}
