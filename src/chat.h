/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What chat_run.c (the steps, the timers, the peer's life) and
 * chat_match.c (what is awaited, and the messages when it does not
 * come) share about one peer's run of a chat script.
 */

#ifndef CHAT_H
#define CHAT_H

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
	struct session		*s;
	struct conn		*c;
	const struct chat_script *sc;
	int			 pc;		/* the next step */
	enum chat_state		 state;
	int			 paused;	/* this send had its pause */
	struct buf		 in;		/* received, not yet read */
	int64_t			 in_ms;		/* when in last grew */
	int			 eof;
	size_t			 off;		/* CHAT_EXACT: bytes matched */
	int			 got;		/* text came during the wait */
	struct buf		 last;		/* the last of it */
	struct buf		 line;		/* a line being matched */
	struct ev_timer		 timer;		/* the wait or the pause */
	struct ev_timer		 line_pause;	/* a partial line pausing */
	struct ev_timer		 kick;		/* the first steps */
};

/* chat_run.c */
long		 chat_wait_ms(const struct session *);
void		 chat_fail(struct chat *, const char *);
int		 chat_advance(struct chat *);

/* chat_match.c */
int		 chat_match(struct chat *);
void		 chat_wait_failed(struct chat *, int);
void		 chat_remember(struct chat *, const char *, size_t);

#endif /* CHAT_H */
