/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --broker and --chat, as ncat has them: a -k listener that relays what
 * each client sends to every other client.  The broker relays bytes
 * unchanged, as they come; the chat relays whole lines, each prefixed
 * with "<userN> " (N the client's id, as in labels and /peers), with
 * control bytes escaped, and tells the others when someone joins or
 * leaves.  The operator sees everything, labelled, as on any -k
 * listener, and what the operator types goes to every client.
 *
 * Back-pressure: a client's queue holds at most CONN_OUT_MAX bytes.  While
 * any client's queue is full no sender is read, so nothing is lost and
 * memory stays bounded; a client that stays full and takes nothing for
 * STALL_MS is dropped (session.c's stall timer), and the others go on.
 *
 * A client that half-closes has its last bytes relayed, is sent what
 * was relayed to it before, and is then closed, as -k closes any client
 * that has said all: nothing more is relayed to it after its end.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"

/* Must match session.c's cap on what a -k client may have queued. */
#define RELAY_OUT_MAX	(4 * BUF_CHUNK)

/* A chat line longer than this is relayed in pieces, each a line. */
#define CHAT_LINE_MAX	4096

/* A client that may be relayed to: a stream still reading us. */
static int
relay_target(const struct conn *c, const struct conn *from)
{
	return c != from && !c->dead && c->kind == CONN_STREAM &&
	    !c->wr_shut && !c->rd_eof;
}

/*
 * Sends p to every client but from.  The clients are listed first: a
 * send that fails drops its client there and then, and the list must
 * not change under the walk.
 */
static void
relay(struct session *s, struct conn *from, const char *p, size_t n)
{
	struct conn	**v, *c;
	int		  i, k = 0, full = 0;

	if (s->done || n == 0)
		return;
	if ((v = calloc((size_t)s->nconns + 1, sizeof(*v))) == NULL) {
		session_fail(s, "out of memory");
		return;
	}
	TAILQ_FOREACH(c, &s->conns, entry) {
		if (k < s->nconns && relay_target(c, from))
			v[k++] = c;
	}
	for (i = 0; i < k && !s->done; i++) {
		if (v[i]->dead)
			continue;
		if (stream_queue(s, v[i], p, n) == -1) {
			session_fail(s, "out of memory");
			break;
		}
		conn_update(s, v[i]);
		if (!v[i]->dead && buf_room(&v[i]->out, RELAY_OUT_MAX) == 0)
			full = 1;
	}
	free(v);
	/*
	 * A client just filled up: every sender stops now, not after its
	 * next read, so no queue grows past the cap by more than a read.
	 */
	if (full && !s->done) {
		s->relay_paused = 1;
		TAILQ_FOREACH(c, &s->conns, entry)
			conn_update(s, c);
	}
}

static void
relay_later(void *arg)
{
	struct session	*s = arg;
	struct buf	 b = s->relay_later;

	memset(&s->relay_later, 0, sizeof(s->relay_later));
	if (s->running)
		relay(s, NULL, buf_head(&b), buf_used(&b));
	buf_free(&b);
}

/*
 * Relays now, or (later) once this round of events is over: what a
 * client says as it is closed must not send to the others from inside
 * the walks of the client list that close clients.
 */
static void
emit(struct session *s, struct conn *from, int later, const char *p,
    size_t n)
{
	if (!later) {
		relay(s, from, p, n);
		return;
	}
	if (buf_append(&s->relay_later, p, n) == -1) {
		session_fail(s, "out of memory");
		return;
	}
	s->relay_notices.cb = relay_later;
	s->relay_notices.arg = s;
	ev_defer(s->ev, &s->relay_notices);
}

/* "<notice> TEXT\n" (CRLF with -C) to every client but from. */
static void
notice(struct session *s, struct conn *from, int later, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void
notice(struct session *s, struct conn *from, int later, const char *fmt, ...)
{
	va_list	ap;
	char	line[PEER_HOSTLEN + 128];
	int	n;

	n = snprintf(line, sizeof(line), "<notice> ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 2, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	if (s->cfg->crlf)
		line[n++] = '\r';
	line[n++] = '\n';
	emit(s, from, later, line, (size_t)n);
}

/* Tells a newcomer who it is, and who else is here. */
static void
welcome(struct session *s, struct conn *c)
{
	struct conn	*o;
	struct buf	 b;
	char		 id[32];
	int		 others = 0;

	memset(&b, 0, sizeof(b));
	snprintf(id, sizeof(id), "<notice> you are user%d", c->peer.id);
	if (buf_append(&b, id, strlen(id)) == -1)
		goto oom;
	TAILQ_FOREACH(o, &s->conns, entry) {
		if (!relay_target(o, c))
			continue;
		snprintf(id, sizeof(id), "%suser%d", others++ == 0 ?
		    "; also here: " : ", ", o->peer.id);
		if (buf_append(&b, id, strlen(id)) == -1)
			goto oom;
	}
	if (buf_append(&b, s->cfg->crlf ? "\r\n" : "\n",
	    s->cfg->crlf ? 2 : 1) == -1 ||
	    stream_queue(s, c, buf_head(&b), buf_used(&b)) == -1)
		goto oom;
	buf_free(&b);
	return;
oom:
	buf_free(&b);
	session_fail(s, "out of memory");
}

/* One chat line (without its line end): escaped, named, relayed. */
static void
chat_line(struct session *s, struct conn *from, int later, const char *p,
    size_t n)
{
	char	*line;
	int	 k;

	/* Each byte escapes to four at most ("\x1b"). */
	if ((line = malloc(32 + 4 * n + 3)) == NULL) {
		session_fail(s, "out of memory");
		return;
	}
	k = snprintf(line, 32, "<user%d> ", from->peer.id);
	render_name(line + k, 4 * n + 1, p, n);
	k += (int)strlen(line + k);
	if (s->cfg->crlf)
		line[k++] = '\r';
	line[k++] = '\n';
	emit(s, from, later, line, (size_t)k);
	free(line);
}

/*
 * Relays the whole lines held for c; at its end, the rest too (later,
 * when c is being closed).
 */
static void
chat_flush(struct session *s, struct conn *c, int end, int later)
{
	struct buf	*b = &c->chat_line;
	const char	*nl;
	size_t		 n, skip;

	while (buf_used(b) > 0 && !s->done && !c->dead) {
		nl = memchr(buf_head(b), '\n', buf_used(b));
		skip = 0;
		if (nl != NULL && nl - buf_head(b) <= CHAT_LINE_MAX) {
			n = (size_t)(nl - buf_head(b));
			skip = 1;
		} else if (nl != NULL || buf_used(b) >= CHAT_LINE_MAX)
			n = CHAT_LINE_MAX;
		else if (end)
			n = buf_used(b);
		else
			break;
		/* A CRLF line end is a line end; a CR elsewhere is escaped. */
		chat_line(s, c, later, buf_head(b), n - (skip && n > 0 &&
		    buf_head(b)[n - 1] == '\r'));
		buf_consume(b, n + skip);
	}
}

/*
 * Received bytes from a client (NULL, 0 when it has just joined): on to
 * the others.
 */
void
broker_stream(struct session *s, struct conn *c, const char *p, size_t n)
{
	char	name[PEER_HOSTLEN + 32];

	if (s->cfg->responder == RESP_BROKER) {
		if (p != NULL)
			relay(s, c, p, n);
		return;
	}
	if (p == NULL) {
		welcome(s, c);
		notice(s, c, 0, "user%d joined from %s", c->peer.id,
		    peer_addr(&c->peer, name, sizeof(name)));
		return;
	}
	if (buf_append(&c->chat_line, p, n) == -1) {
		session_fail(s, "out of memory");
		return;
	}
	chat_flush(s, c, 0, 0);
}

/* The client will send no more: a last line without its end goes too. */
void
broker_eof(struct session *s, struct conn *c)
{
	if (s->cfg->responder == RESP_CHAT)
		chat_flush(s, c, 1, 0);
}

/*
 * How much c may be read: nothing while some other client's queue is
 * full.  Only the clients with bytes queued can be short of room.
 */
size_t
broker_room(struct session *s, struct conn *c)
{
	struct conn	*o;

	TAILQ_FOREACH(o, &s->queued, qentry) {
		if (relay_target(o, c) &&
		    buf_room(&o->out, RELAY_OUT_MAX) == 0) {
			s->relay_paused = 1;
			return 0;
		}
	}
	return BUF_CHUNK;
}

static void
relay_again(void *arg)
{
	struct session	*s = arg;
	struct conn	*c;

	if (!s->relay_paused || s->done)
		return;
	s->relay_paused = 0;
	TAILQ_FOREACH(c, &s->conns, entry)
		conn_update(s, c);
}

/* Senders wait for a full client: look again once this round is over. */
static void
wake_senders(struct session *s)
{
	s->relay_again.cb = relay_again;
	s->relay_again.arg = s;
	ev_defer(s->ev, &s->relay_again);
}

/* c took some of its queue (or went): the senders may go on. */
void
broker_update(struct conn *c)
{
	struct session	*s = c->session;

	if (s->relay_paused && buf_room(&c->out, RELAY_OUT_MAX) > 0)
		wake_senders(s);
}

/* c is closed: the others hear of it (--chat), and stop waiting for it. */
void
broker_conn_free(struct session *s, struct conn *c)
{
	if (s->cfg->responder == RESP_CHAT && s->running && !s->done &&
	    !c->dead) {
		chat_flush(s, c, 1, 1);
		notice(s, c, 1, "user%d left", c->peer.id);
	}
	buf_free(&c->chat_line);
	if (s->relay_paused && s->running)
		wake_senders(s);
}
