/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Responders: what a listener says back, for test suites and quick fake
 * servers (design item 13).  --echo and --upper answer every byte,
 * --reply answers every message with fixed text, -e and -c connect each
 * client (or each datagram sender) to a program of its own.
 *
 * A message is a datagram, or on a stream a line; bytes without a
 * newline count as a message once a short pause follows them, so a
 * client that sends "hello!" and waits is answered.
 */

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"

/* Replies queued for one client before its input is paused. */
#define RESP_OUT_MAX	(4 * BUF_CHUNK)

struct resp {
	struct session	*s;
	struct conn	*c;
	int		 partial;	/* --reply: bytes since a newline */
	int		 crlf_cr;	/* -C: the last byte sent was a CR */
	struct ev_timer	 pause;
	struct child	*child;		/* -e, -c */
	struct chat	*chat;		/* --script, --replay */
};

static char	upper[BUF_CHUNK > DGRAM_MAX ? BUF_CHUNK : DGRAM_MAX + 1];

/* -C: an answer with its line ends made CRLF; grown to the largest. */
static char	*crlf_buf;
static size_t	 crlf_cap;

static struct resp	*resp_of(struct session *, struct conn *);

/* Flags for the log: say who an answer went to when there may be many. */
static int
log_flags(const struct session *s, int dgram)
{
	return (s->cfg->keep_open || dgram ? OUT_SENDER : 0) |
	    (dgram ? OUT_DGRAM : 0);
}

/*
 * -C applies to what responders and programs send as it does to what
 * the user sends (ncat's --sh-exec does the same): *pp and *np become
 * the translated bytes.  cr carries a CR at the end of one answer over
 * to the next on a stream.  Returns -1 when out of memory.
 */
static int
crlf_answer(int *cr, const char **pp, size_t *np)
{
	char	*nb;

	if (*np > crlf_cap / 2) {
		if ((nb = realloc(crlf_buf, 2 * *np)) == NULL)
			return -1;
		crlf_buf = nb;
		crlf_cap = 2 * *np;
	}
	*np = crlf_translate(cr, *pp, *np, crlf_buf);
	*pp = crlf_buf;
	return 0;
}

/* An answer for a stream client: into the -o log, then on its way. */
int
respond_send(struct session *s, struct conn *c, const char *p, size_t n)
{
	struct resp	*r;

	if (s->cfg->crlf && ((r = resp_of(s, c)) == NULL ||
	    crlf_answer(&r->crlf_cr, &p, &n) == -1))
		return -1;
	log_data(LOG_SENT, &c->peer, p, n, log_flags(s, 0));
	return stream_queue(s, c, p, n);
}

/* An answer for one sender of a datagram socket (a whole datagram). */
int
respond_send_dgram(struct session *s, struct conn *c, const struct peer *to,
    const char *p, size_t n)
{
	int	cr = 0;

	if (s->cfg->crlf && crlf_answer(&cr, &p, &n) == -1)
		return -1;
	log_data(LOG_SENT, to, p, n, log_flags(s, 1));
	return dgram_queue(s, c, to, p, n);
}

static int
is_exec(const struct config *cfg)
{
	return cfg->responder == RESP_EXEC || cfg->responder == RESP_SHELL;
}

static void
on_pause(void *arg)
{
	struct resp	*r = arg;
	struct session	*s = r->s;
	struct conn	*c = r->c;

	if (!r->partial || c->dead)
		return;
	r->partial = 0;
	if (respond_send(s, c, s->cfg->reply, s->cfg->reply_len) == -1)
		session_fail(s, "out of memory");
	stream_after(s, c);
}

static struct resp *
resp_of(struct session *s, struct conn *c)
{
	struct resp	*r;

	if (c->resp != NULL)
		return c->resp;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->s = s;
	r->c = c;
	ev_timer_init(&r->pause, on_pause, r);
	c->resp = r;
	return r;
}

static const char *
to_upper(const char *p, size_t n)
{
	size_t	i;

	/* Bytes, not characters: UTF-8 beyond ASCII passes unchanged. */
	for (i = 0; i < n; i++)
		upper[i] = (char)toupper((unsigned char)p[i]);
	return upper;
}

/*
 * Received bytes on a stream client (NULL, 0 when it has just arrived,
 * which is when -e starts its program).
 */
void
respond_stream(struct session *s, struct conn *c, const char *p, size_t n)
{
	const struct config	*cfg = s->cfg;
	struct resp		*r;
	size_t			 i;
	int			 e = 0;

	switch (cfg->responder) {
	case RESP_ECHO:
		e = respond_send(s, c, p, n);
		break;
	case RESP_UPPER:
		e = respond_send(s, c, to_upper(p, n), n);
		break;
	case RESP_REPLY:
		if ((r = resp_of(s, c)) == NULL)
			goto oom;
		for (i = 0; i < n && e == 0 && !c->dead; i++) {
			if (p[i] == '\n')
				e = respond_send(s, c, cfg->reply,
				    cfg->reply_len);
		}
		/* A failed send may have dropped c, and r with it. */
		if (c->dead)
			return;
		r->partial = n > 0 && p[n - 1] != '\n';
		if (r->partial)
			ev_timer_start(s->ev, &r->pause, LINE_PAUSE_MS);
		else
			ev_timer_stop(s->ev, &r->pause);
		break;
	case RESP_EXEC:
	case RESP_SHELL:
		if ((r = resp_of(s, c)) == NULL)
			goto oom;
		if (r->child == NULL &&
		    (r->child = child_start(s, c, NULL)) == NULL) {
			session_drop_conn(s, c, "cannot start the program");
			return;
		}
		child_input(r->child, p, n);
		return;
	case RESP_BROKER:
	case RESP_CHAT:
		broker_stream(s, c, p, n);
		return;
	case RESP_SCRIPT:
	case RESP_REPLAY:
		if ((r = resp_of(s, c)) == NULL ||
		    (r->chat == NULL && (r->chat = chat_start(s, c)) == NULL))
			goto oom;
		if (n > 0)
			chat_received(r->chat, p, n);
		return;
	case RESP_NONE:
		return;
	}
	if (e == -1)
		goto oom;
	conn_update(s, c);
	return;
oom:
	session_fail(s, "out of memory");
}

/* Whether a client is handed over (as NULL, 0) as soon as it arrives. */
int
respond_starts(const struct config *cfg)
{
	return is_exec(cfg) || cfg->responder == RESP_BROKER ||
	    cfg->responder == RESP_CHAT || RESP_SCRIPTED(cfg->responder);
}

/* The client will send no more: a pending partial message is answered,
 * and a program sees the end of its input. */
void
respond_stream_eof(struct session *s, struct conn *c)
{
	struct resp	*r = c->resp;

	if (s->cfg->responder == RESP_BROKER || s->cfg->responder == RESP_CHAT)
		broker_eof(s, c);
	if (r == NULL)
		return;
	if (r->partial) {
		ev_timer_stop(s->ev, &r->pause);
		r->partial = 0;
		if (respond_send(s, c, s->cfg->reply, s->cfg->reply_len) == -1)
			session_fail(s, "out of memory");
	}
	/* Tested first: a failed send may have dropped c, and r with it. */
	if (!c->dead && r->child != NULL)
		child_input_eof(r->child);
	if (!c->dead && r->chat != NULL)
		chat_eof(r->chat);
}

/* A datagram to a listening socket, from sd: answered to sd. */
void
respond_dgram(struct session *s, struct conn *c, struct sender *sd,
    const char *p, size_t n)
{
	const struct config	*cfg = s->cfg;
	int			 e = 0;

	/* An unbound unix sender has no address to answer to. */
	if (sd->peer.addrlen <= sizeof(sa_family_t))
		return;
	switch (cfg->responder) {
	case RESP_ECHO:
		e = respond_send_dgram(s, c, &sd->peer, p, n);
		break;
	case RESP_UPPER:
		e = respond_send_dgram(s, c, &sd->peer, to_upper(p, n), n);
		break;
	case RESP_REPLY:
		e = respond_send_dgram(s, c, &sd->peer, cfg->reply,
		    cfg->reply_len);
		break;
	case RESP_BROKER:
	case RESP_CHAT:
		/* Streams only (options.c). */
		return;
	case RESP_EXEC:
	case RESP_SHELL:
		if (sd->resp == NULL) {
			if ((sd->resp = calloc(1, sizeof(*sd->resp))) == NULL)
				goto oom;
			sd->resp->s = s;
			sd->resp->c = c;
			if ((sd->resp->child = child_start(s, c, sd)) == NULL)
				return;
		}
		if (sd->resp->child != NULL)
			child_input(sd->resp->child, p, n);
		return;
	case RESP_SCRIPT:
	case RESP_REPLAY:
		/* Refused at start-up: scripts are for streams. */
	case RESP_NONE:
		return;
	}
	if (e == -1)
		goto oom;
	conn_update(s, c);
	return;
oom:
	session_fail(s, "out of memory");
}

/*
 * -m on a datagram listener with -e or -c: a datagram that would start
 * one program more than -m allows (it comes from a new sender, one with
 * an address to answer) is not taken.  A program counts until it has
 * exited, even once its sender is forgotten.
 */
int
respond_dgram_full(const struct session *s, const struct sender *sd,
    socklen_t len)
{
	if (!is_exec(s->cfg) || (sd != NULL && sd->resp != NULL))
		return 0;
	if (len <= sizeof(sa_family_t))
		return 0;
	return programs_running() >= s->cfg->max_conns;
}

/* How much more c may be read, given what its responder has queued. */
size_t
respond_room(struct session *s, struct conn *c)
{
	const struct config	*cfg = s->cfg;

	if (cfg->responder == RESP_NONE)
		return SIZE_MAX;
	if (c->kind == CONN_DGRAM) {
		/* Room for a whole answer to a whole datagram. */
		return dgram_room(c) > DGRAM_MAX ? SIZE_MAX : 0;
	}
	if (is_exec(cfg))
		return c->resp != NULL && c->resp->child != NULL ?
		    child_room(c->resp->child) : BUF_CHUNK;
	if (cfg->responder == RESP_BROKER || cfg->responder == RESP_CHAT)
		return broker_room(s, c);
	/* A script holds what no expect has looked at yet. */
	if (RESP_SCRIPTED(cfg->responder) && c->resp != NULL &&
	    c->resp->chat != NULL && chat_room(c->resp->chat) == 0)
		return 0;
	return buf_room(&c->out, RESP_OUT_MAX);
}

/*
 * 1: the responder still has work for c; 0: nothing pending; -1: its
 * program has exited and said all it will, which ends the client too.
 */
int
respond_busy(const struct conn *c)
{
	const struct resp	*r = c->resp;

	if (r == NULL)
		return 0;
	if (r->partial)
		return 1;
	if (r->child != NULL)
		return child_done(r->child) ? -1 : 1;
	if (r->chat != NULL)
		return chat_busy(r->chat);
	return 0;
}

/* Lets a program's output flow again once its client took some. */
void
respond_update(struct conn *c)
{
	if (c->session->relay_paused)
		broker_update(c);
	if (c->resp != NULL && c->resp->child != NULL)
		child_update(c->resp->child);
}

void
respond_conn_free(struct session *s, struct conn *c)
{
	struct resp	*r = c->resp;

	if (s->cfg->responder == RESP_BROKER || s->cfg->responder == RESP_CHAT)
		broker_conn_free(s, c);
	if (r == NULL)
		return;
	ev_timer_stop(s->ev, &r->pause);
	if (r->child != NULL)
		child_free(r->child);
	if (r->chat != NULL)
		chat_free(r->chat);
	free(r);
	c->resp = NULL;
}

void
respond_sender_free(struct session *s, struct sender *sd)
{
	(void)s;
	if (sd->resp == NULL)
		return;
	if (sd->resp->child != NULL)
		child_free(sd->resp->child);
	free(sd->resp);
	sd->resp = NULL;
}
