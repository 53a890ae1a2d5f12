/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The interactive front end's own modules: front_repl.c (GNU readline
 * inside the event loop), keyin.c (what the terminal or a pipe sends,
 * pastes apart), screen.c (what is drawn), ttyq.c and pace.c (how it
 * reaches the terminal), commands.c (the /commands), hist.c (the
 * history file), adopt.c (the peer's prompt as the prompt), hide.c (the key that hides received data), pathquote.c (file names quoted as in the shell) and
 * sendq.c (input waiting for room in the session).
 * Only they include this header; it keeps what is private to the
 * prompt out of sockline.h, and readline's types out of both.
 */

#ifndef REPL_H
#define REPL_H

#include <stdio.h>

#include "sockline.h"

/* Something the user gave that the session has not taken yet. */
struct sendq_item {
	int			 fd;		/* a /send file; -1: bytes */
	int			 exact;		/* /bytes: one unit, as it is */
	char			*path;
	long long		 sent;
	struct buf		 bytes;
	TAILQ_ENTRY(sendq_item)	 entry;
};
TAILQ_HEAD(sendq, sendq_item);

/* ttyq.c: output for a terminal, written without blocking. */
struct termios;

struct ttyq {
	int			 fd;		/* ours, non-blocking; -1: none */
	FILE			*fp;		/* readline's way in */
	struct buf		 b;
	struct ev		*ev;
	struct ev_deferred	 flush;		/* written once per round */
	void			(*drained)(void *);
	void			*arg;
	int			 onlcr;		/* we turn LF into CRLF */
	int			 after_cr;	/* the last byte put was CR */
	int			 at_bol;	/* the last written was LF */
};

struct hist {
	char		*path;		/* NULL: no history file */
	int		 added;		/* lines of this session */
};

struct repl {
	struct front		 front;
	const struct config	*cfg;
	struct render		 render;
	struct sendq		 sendq;
	struct hist		 hist;
	FILE			*tty;		/* where the prompt goes */
	struct ttyq		 tq;		/* the terminal, for tty */
	struct ttyq		 oq;		/* stdout's, if another one */
	struct ttyq		*dq;		/* where data for it goes */
	struct ev_timer		 rest_timer;
	int64_t			 busy_since;	/* output without a pause */
	int64_t			 last_out;
	int			 rest_wanted;	/* let the prompt be seen */
	int			 tty_term;	/* and it is a terminal */
	int			 out_tty;	/* stdout is the terminal */
	int			 err_tty;	/* so is stderr */
	int			 err_same;	/* ... the prompt's one */
	int			 out_flags;	/* stdout's to restore; -1 */
	struct buf		 out;		/* for stdout, not yet taken */
	int			 winch_fd;
	int			 started;
	int			 installed;	/* readline has the terminal */
	int			 shown;		/* the prompt is on the screen */
	int			 tail_live;	/* an open line is just above */
	int			 closing;	/* the peer /close drops */
	int			 in_term;	/* stdin is a terminal */
	int			 in_eof;	/* piped input ended */
	int			 line_cont;	/* its line's start went */
	int			 typed_eof;	/* Ctrl-D or /eof ended input */
	int			 in_reading;	/* stdin is watched */
	int			 pumping;
	char			*prompt;
	const char		*cmd_line;	/* the /command being run */
	struct buf		 keys;		/* read, not yet taken */
	int			 keys_eof;	/* and nothing more comes */
	int			 pasting;	/* inside a bracketed paste */
	size_t			 paste_match;	/* of its end, seen so far */
	int			 paste_cr;	/* a CR ended the last line */
	int			 hiding;	/* received data is not shown */
	long long		 hidden;	/* bytes of it, so far */
	struct ev_timer		 adopt_timer;	/* a paused unfinished line */
	int			 adopted;	/* its text is the prompt */
	int			 adopt_live;	/* and it may go on there */
	char			 adopt_text[RENDER_TAIL + 1];
};

/* front_repl.c and screen.c, for the commands */
void		 repl_notice(struct repl *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 repl_update_prompt(struct repl *);
void		 repl_quit(struct repl *, int);
void		 repl_send_line(struct repl *, const char *);
void		 repl_line_overflow(struct repl *);
int		 repl_may_send(struct repl *);
void		 repl_input_update(struct repl *);
void		 repl_end_input(struct repl *);

/* Piped input is read while the send queue holds less than this. */
#define SENDQ_MAX	(4 * BUF_CHUNK)
/* A line from a pipe goes in pieces past this (repl_line_overflow). */
#define PIPE_LINE_MAX	BUF_CHUNK

/* screen.c */
void		 screen_open(struct repl *);
void		 screen_output(struct repl *, const struct peer *, const char *,
		    size_t, int);
void		 screen_flush_held(struct repl *);
void		 screen_message(struct repl *, const char *);
void		 screen_break(struct repl *);
void		 screen_refresh_prompt(struct repl *);
void		 screen_leave(struct repl *);
void		 screen_above_begin(struct repl *);
void		 screen_above_end(struct repl *);
void		 screen_data(struct repl *, const char *, size_t);
void		 screen_close(struct repl *);

/* pace.c */
void		 pace_init(struct repl *);
void		 pace_stop(struct repl *);
void		 pace_count(struct repl *);
void		 pace_drained(void *);
size_t		 pace_room(struct repl *);
int		 pace_flushed(struct repl *);
void		 pace_drain(struct repl *);

/* ttyq.c */
int		 ttyq_open(struct ttyq *, int, struct ev *, void (*)(void *),
		    void *);
void		 ttyq_put(struct ttyq *, const char *, size_t);
int		 ttyq_raw_ok(struct ttyq *, int, const struct termios *);
size_t		 ttyq_pending(struct ttyq *);
void		 ttyq_drain(struct ttyq *);
void		 ttyq_close(struct ttyq *);

/* commands.c */
int		 commands_parse(const char *, size_t *, char *, size_t);
void		 commands_run(struct repl *, const char *);
char		**commands_complete(struct repl *, const char *, int);

/* keyin.c */
void		 keyin_setup(struct repl *);
void		 keyin_read(struct repl *, int);
void		 keyin_drain_paste(struct repl *, int);
void		 keyin_discard(struct repl *);
void		 keyin_free(struct repl *);

/* adopt.c */
void		 adopt_init(struct repl *);
void		 adopt_arm(struct repl *);
int		 adopt_resume(struct repl *, struct buf *);
void		 adopt_break(struct repl *);
void		 adopt_drop(struct repl *);

/* hide.c */
void		 hide_setup(struct repl *);
int		 hide_output(struct repl *, size_t);

/* pathquote.c */
int		 path_unquote(const char *, int, char *, size_t,
		    const char **);
void		 pathquote_setup(void);

/* hist.c */
int		 hist_load(struct hist *, const struct config *);
void		 hist_add(struct hist *, const char *);
void		 hist_save(struct hist *);

/* sendq.c */
int		 sendq_line(struct repl *, const char *, size_t);
int		 sendq_exact(struct repl *, const char *, size_t);
#define SENDQ_NOT_REGULAR	(-2)
int		 sendq_file(struct repl *, const char *);
void		 sendq_pump(struct repl *);
int		 sendq_cancel(struct repl *);
void		 sendq_free(struct repl *);
size_t		 sendq_bytes(struct repl *);

#endif /* REPL_H */
