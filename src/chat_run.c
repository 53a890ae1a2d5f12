/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs a chat script (--script, or --replay's compiled log) with one
 * peer: the client's server, or one client of a listener, each with
 * its own copy.  respond.c hands it what the peer sends and its end of
 * stream; it sends with respond_send(), so -C and the -o log apply.
 * chat_match.c decides whether what came is what a step awaits.
 *
 * A failure ends the client with the message: on a -k listener it is
 * dropped (and said with -v) and counted, so that the listener's exit
 * status says so when it ends.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"

/* Clients of a -k listener that failed their script. */
static int	failures;

static void	run(struct chat *);

int
chat_failures(void)
{
	return failures;
}

long
chat_wait_ms(const struct session *s)
{
	return s->cfg->wait_ms >= 0 ? s->cfg->wait_ms : CHAT_WAIT_MS;
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
void
chat_fail(struct chat *ch, const char *what)
{
	struct session	*s = ch->s;
	char		 msg[2048];

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

/* The awaited step has come: on to the next.  Returns 1. */
int
chat_advance(struct chat *ch)
{
	ch->pc++;
	ch->state = CS_RUN;
	ev_timer_stop(ch->s->ev, &ch->timer);
	ev_timer_stop(ch->s->ev, &ch->line_pause);
	return 1;
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
			ev_timer_start(s->ev, &ch->timer, chat_wait_ms(s));
			if (!chat_match(ch))
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
			chat_remember(ch, buf_head(&ch->in), buf_used(&ch->in));
		chat_wait_failed(ch, 0);
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

	if (ch->state == CS_WAIT && chat_match(ch))
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
	if (ch->state == CS_WAIT && chat_match(ch))
		run(ch);
}

/* The peer will send no more. */
void
chat_eof(struct chat *ch)
{
	ch->eof = 1;
	if (ch->state == CS_WAIT && chat_match(ch))
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
