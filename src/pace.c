/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How fast the prompt takes received data for the terminal (design
 * item 17).  The session hands over no more than the terminal's queue
 * (ttyq.c) has room for, so a terminal that stops taking output pauses
 * the peer.  And a flood must not hide the prompt: once output has gone
 * on for FRAME_MS without a pause, it stops, after the terminal has
 * taken everything up to the prompt, for REST_MS, so the prompt and the
 * line being typed stay on the screen for a while at least every
 * FRAME_MS + REST_MS and the time the terminal needs to catch up
 * (design item 17 asks for 200 ms; bench/signal-latency measured the
 * longest gap at 170 ms).  The rest costs about a seventh of a flood's
 * throughput to the terminal: while the prompt is to be seen, nothing
 * else may be drawn, and a shorter rest (15 ms) left it on the screen
 * too seldom for a person, or tmux, to catch.
 */

#include <stdio.h>

#include "repl.h"

/* A flood's output pauses this long, this often, for the prompt. */
#define FRAME_MS	140
#define REST_MS		25

static void	rest_over(void *);

void
pace_init(struct repl *r)
{
	ev_timer_init(&r->rest_timer, rest_over, r);
}

void
pace_stop(struct repl *r)
{
	ev_timer_stop(r->front.s->ev, &r->rest_timer);
}

/* Output has gone on long enough: the next time the terminal has
 * taken it all, it rests with the prompt shown. */
void
pace_count(struct repl *r)
{
	int64_t	now = now_ms();

	if (now - r->last_out > REST_MS)
		r->busy_since = now;
	r->last_out = now;
	if (!r->rest_wanted && r->dq != NULL &&
	    now - r->busy_since >= FRAME_MS)
		r->rest_wanted = 1;
}

static void
rest_over(void *arg)
{
	struct repl	*r = arg;

	r->rest_wanted = 0;
	r->busy_since = r->last_out = now_ms();
	session_output_ready(r->front.s);
}

/* The terminal took everything: rest if due, else read on. */
void
pace_drained(void *arg)
{
	struct repl	*r = arg;

	if (r->rest_wanted) {
		if (!r->rest_timer.active)
			ev_timer_start(r->front.s->ev, &r->rest_timer,
			    REST_MS);
		return;
	}
	session_output_ready(r->front.s);
}

/* How much more the session may hand us now. */
size_t
pace_room(struct repl *r)
{
	if (!r->out_tty)
		return buf_room(&r->out, BUF_CHUNK);
	if (r->dq == NULL)
		return BUF_CHUNK;
	if (r->rest_wanted)
		return 0;
	return ttyq_pending(r->dq) >= BUF_CHUNK ? 0 :
	    BUF_CHUNK - ttyq_pending(r->dq);
}

/* True once everything received is on its way to the terminal. */
int
pace_flushed(struct repl *r)
{
	if (!r->out_tty)
		return buf_used(&r->out) == 0;
	return r->dq == NULL || ttyq_pending(r->dq) == 0;
}

/* Before the job stops or the session ends: the terminal takes all. */
void
pace_drain(struct repl *r)
{
	if (r->tty != NULL)
		fflush(r->tty);
	if (r->dq != NULL && r->dq != &r->tq)
		ttyq_drain(r->dq);
	ttyq_drain(&r->tq);
}
