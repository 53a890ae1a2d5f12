/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The session: moves bytes between the front end (the user's side) and
 * the peers, in one event loop.
 *
 * Like OpenBSD nc's readwrite(), a direction is only polled when it can
 * make progress: a peer is read only while the front end has room for
 * what it says, written only while its buffer holds data, and the
 * user's input is read only while its targets have room.  Memory is
 * therefore bounded whatever the reader or the peer does.
 *
 * Input goes through one pipeline: -C translation, then, when something
 * needs whole lines (datagrams, -d), a staging buffer that releases a
 * line at a time.  stream.c and dgram.c own the two kinds of socket.
 *
 * End of a stream (design items 1 and 2):
 *  - input ends first: drain, half-close, keep reading until the peer
 *    closes (or -q runs out), then exit 0;
 *  - the peer ends first: flush what it sent, keep forwarding input
 *    while input is ready, and stop once input has had nothing ready
 *    for PEER_EOF_GRACE_MS or ends.
 * End of datagrams (item 6): after input ends, wait until nothing has
 * arrived for the quiet period (-q; 1 s for a client), then exit 0.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

/* The staging buffer holds at most this much: a whole datagram fits. */
#define STAGED_MAX	(2 * BUF_CHUNK)

/* Default quiet period of a datagram client after end of input. */
#define DGRAM_QUIET_MS	1000

/*
 * -k: what a client may have queued.  Input waits for the slowest client
 * that still reads; one that is full and has taken nothing for STALL_MS
 * is dropped, so it neither stalls the others for long nor makes memory
 * grow without bound.
 */
#define CONN_OUT_MAX	(4 * BUF_CHUNK)
#define STALL_MS	1000

/* How long quitting waits for typed lines to leave. */
#define QUIT_FLUSH_MS	1000

static char	xlate[2 * BUF_CHUNK];

static void	on_flush_timer(void *);
static void	on_partial_timer(void *);
static void	on_ack_timer(void *);

static void	conn_free(struct session *, struct conn *);
static void	show_rest(struct session *, struct conn *);


/* How long to wait after the end of input; -1: until the peer ends. */
static long
quiet_ms(const struct session *s)
{
	const struct conn	*c = TAILQ_FIRST(&s->conns);

	if (s->cfg->quit_ms >= 0)
		return s->cfg->quit_ms;
	if (c != NULL && c->kind == CONN_DGRAM && c->connected)
		return DGRAM_QUIET_MS;
	return -1;
}

static void
on_quit_timer(void *arg)
{
	struct session	*s = arg;
	struct conn	*c;

	/* The wait after end of input ran out: flush, and go. */
	s->quit = 1;
	TAILQ_FOREACH(c, &s->conns, entry)
		conn_update(s, c);
	session_check_done(s);
}

static void
on_grace_timer(void *arg)
{
	struct session	*s = arg;

	/* The peer is gone and input has gone quiet: treat it as ended. */
	session_input_eof(s);
}

static void
on_delay_timer(void *arg)
{
	struct session	*s = arg;

	s->delaying = 0;
	session_release_input(s);
	session_update_input(s);
}

/*
 * -k: input has been held up by a full client, or a responder's answers
 * to one have filled its queue; drop the stuck ones.  A client that is
 * full but took something lately gets another look later.
 */
static void
on_stall_timer(void *arg)
{
	struct session	*s = arg;
	struct conn	*c, *next;
	int64_t		 now = now_ms();
	int		 full = 0;

	for (c = TAILQ_FIRST(&s->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->kind != CONN_STREAM ||
		    buf_room(&c->out, CONN_OUT_MAX) > 0)
			continue;
		if (now - c->progress_ms >= STALL_MS)
			session_drop_conn(s, c, "it does not read what is "
			    "sent to it");
		else
			full = 1;
	}
	session_update_input(s);
	if (full && !s->stall_timer.active && !s->done)
		ev_timer_start(s->ev, &s->stall_timer, STALL_MS / 4);
}

static void
on_idle_timer(void *arg)
{
	struct session	*s = arg;
	char		 secs[32];

	snprintf(secs, sizeof(secs), "%ld.%03ld", s->cfg->idle_ms / 1000,
	    s->cfg->idle_ms % 1000);
	session_fail(s, "idle timeout: no traffic for %s s", secs);
}

void
session_init(struct session *s, const struct config *cfg, struct ev *ev)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->ev = ev;
	TAILQ_INIT(&s->conns);
	TAILQ_INIT(&s->dead);
	TAILQ_INIT(&s->queued);
	TAILQ_INIT(&s->senders);
	s->next_id = 1;
	s->input_paused = 1;
	s->line_mode = cfg->delay_ms > 0 || cfg->lockstep ||
	    (cfg->udp && !cfg->no_split);
	ev_timer_init(&s->quit_timer, on_quit_timer, s);
	ev_timer_init(&s->grace_timer, on_grace_timer, s);
	ev_timer_init(&s->delay_timer, on_delay_timer, s);
	ev_timer_init(&s->idle_timer, on_idle_timer, s);
	ev_timer_init(&s->stall_timer, on_stall_timer, s);
	ev_timer_init(&s->flush_timer, on_flush_timer, s);
	ev_timer_init(&s->partial_timer, on_partial_timer, s);
	ev_timer_init(&s->ack_timer, on_ack_timer, s);
}

/* Ends the session with a message and exit status 1. */
void
session_fail(struct session *s, const char *fmt, ...)
{
	va_list	ap;
	char	line[512];

	if (s->done)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	msg_warn("%s", line);
	s->done = 1;
	s->status = EXIT_FAIL;
}

void
session_conn_fail(struct session *s, struct conn *c, int e)
{
	char	name[PEER_HOSTLEN + 32];

	if (s->cfg->keep_open && c->kind == CONN_STREAM) {
		session_drop_conn(s, c, conn_io_strerror(&c->io, e));
		return;
	}
	session_fail(s, "connection with %s lost: %s",
	    peer_name(&c->peer, name, sizeof(name)),
	    conn_io_strerror(&c->io, e));
}

/*
 * -k: one client goes (an error, or it stopped reading); the others
 * carry on.  Without -k the session ends with it.
 */
void
session_drop_conn(struct session *s, struct conn *c, const char *why)
{
	char	name[PEER_HOSTLEN + 8];

	if (!s->cfg->keep_open) {
		session_fail(s, "connection with %s: %s",
		    peer_addr(&c->peer, name, sizeof(name)), why);
		return;
	}
	msg_verbose(s->cfg, 1, "Dropped %s: %s",
	    peer_addr(&c->peer, name, sizeof(name)), why);
	show_rest(s, c);
	s->front->ops->event(s->front, FE_PEER_DOWN, &c->peer);
	if (s->to_id == c->peer.id)
		s->to_id = 0;
	conn_free(s, c);
	session_update_input(s);
}

/*
 * A stream peer will send no more.  Without -k or a responder this is
 * the end of the one conversation (design item 2); otherwise only that
 * client winds down.
 */
void
session_conn_eof(struct session *s, struct conn *c)
{
	c->rd_eof = 1;
	show_rest(s, c);
	/*
	 * Once /reconnect has been used the session outlives its
	 * connection: it is closed, and the prompt waits for the next
	 * /reconnect (typed lines wait with it).
	 */
	if (s->stay) {
		s->front->ops->event(s->front, FE_PEER_DOWN, &c->peer);
		conn_free(s, c);
		session_update_input(s);
		return;
	}
	if (s->cfg->lockstep && !lockstep_eof(s))
		return;
	if (s->cfg->responder != RESP_NONE)
		respond_stream_eof(s, c);
	else if (!s->cfg->keep_open)
		s->peer_eof = 1;
	/* A script that failed at the end of stream has dropped c. */
	if (c->dead)
		return;
	s->front->ops->event(s->front, FE_PEER_DOWN, &c->peer);
	session_update_input(s);
}

/* Bytes moved on some connection: the idle timer starts over. */
void
session_traffic(struct session *s)
{
	if (s->cfg->idle_ms >= 0)
		ev_timer_start(s->ev, &s->idle_timer, s->cfg->idle_ms);
}

/*
 * -k: c holds a partial line that has just grown.  One timer serves
 * every client, so thousands of idle ones cost nothing: it is started
 * only when none is running, and only when it fires are the clients
 * walked.
 */
static void
hold_partial(struct session *s, struct conn *c)
{
	if (buf_used(&c->in) == 0)
		return;
	c->in_ms = now_ms();
	if (!s->partial_timer.active)
		ev_timer_start(s->ev, &s->partial_timer, LINE_PAUSE_MS);
}

/*
 * A partial line that has had no more bytes for LINE_PAUSE_MS is shown
 * as it is: a prompt ("login: ") or a message without a newline must
 * not stay hidden while its client waits for an answer.  The timer is
 * then started again for the youngest partial line left, so it fires at
 * most once per pause however many clients there are, and a partial
 * line is shown between one and two pauses after its last byte.
 */
static void
on_partial_timer(void *arg)
{
	struct session	*s = arg;
	struct conn	*c;
	int64_t		 now = now_ms(), youngest = -1;

	TAILQ_FOREACH(c, &s->conns, entry) {
		if (buf_used(&c->in) == 0)
			continue;
		if (now - c->in_ms >= LINE_PAUSE_MS)
			show_rest(s, c);
		else if (c->in_ms > youngest)
			youngest = c->in_ms;
	}
	if (youngest >= 0)
		ev_timer_start(s->ev, &s->partial_timer,
		    (long)(youngest + LINE_PAUSE_MS - now));
}

/*
 * Shows received bytes.  With -k, several clients share one output, so
 * each one's bytes go out a whole line at a time, never mixed inside a
 * line with another's; a partial line waits in c->in, until its newline
 * comes, it reaches BUF_CHUNK, its client ends, or it pauses.
 */
static void
show(struct session *s, struct conn *c, const struct peer *p,
    const char *buf, size_t n, int flags)
{
	const char	*nl;
	size_t		 k;

	if (s->cfg->send_only)
		return;
	if (c == NULL || c->kind != CONN_STREAM || !s->cfg->keep_open) {
		s->front->ops->output(s->front, p, buf, n, flags);
		return;
	}
	/*
	 * What is held has no newline, so only the new bytes are looked
	 * at: a line that comes a byte at a time costs no more than one
	 * that comes whole.
	 */
	nl = memrchr(buf, '\n', n);
	if (nl == NULL && buf_used(&c->in) + n < BUF_CHUNK) {
		if (buf_append(&c->in, buf, n) == -1)
			session_fail(s, "out of memory");
		else
			hold_partial(s, c);
		return;
	}
	k = nl != NULL ? (size_t)(nl - buf) + 1 : n;
	if (buf_used(&c->in) > 0) {
		if (buf_append(&c->in, buf, k) == -1) {
			session_fail(s, "out of memory");
			return;
		}
		s->front->ops->output(s->front, p, buf_head(&c->in),
		    buf_used(&c->in), flags);
		buf_free(&c->in);
	} else
		s->front->ops->output(s->front, p, buf, k, flags);
	if (k < n && buf_append(&c->in, buf + k, n - k) == -1) {
		session_fail(s, "out of memory");
		return;
	}
	hold_partial(s, c);
}

/* Shows what is left of a partial line, once its client is done. */
static void
show_rest(struct session *s, struct conn *c)
{
	if (buf_used(&c->in) == 0)
		return;
	if (!s->cfg->send_only)
		s->front->ops->output(s->front, &c->peer, buf_head(&c->in),
		    buf_used(&c->in), 0);
	buf_free(&c->in);
}

/*
 * Received bytes, from a stream or connected datagram socket (sd NULL)
 * or from a sender to a listening datagram socket: shown to the user
 * (unless --send-only), answered by a responder, matched by --lockstep.
 */
void
session_received(struct session *s, struct conn *c, struct sender *sd,
    const char *buf, size_t n, int flags)
{
	session_traffic(s);
	/*
	 * With -k, or on a listening datagram socket, the log says which
	 * peer: every record alike, from the first, as for answers to it.
	 */
	log_data(LOG_RECEIVED, sd != NULL ? &sd->peer : &c->peer, buf, n,
	    flags | (s->cfg->keep_open || sd != NULL ? OUT_SENDER : 0));
	/* A datagram client's quiet period starts over with each reply. */
	if (s->quit_timer.active && (flags & OUT_DGRAM))
		ev_timer_start(s->ev, &s->quit_timer, quiet_ms(s));
	if (s->cfg->lockstep && lockstep_received(s, buf, n, flags))
		return;
	show(s, c, sd != NULL ? &sd->peer : &c->peer, buf, n, flags);
	if (s->cfg->responder == RESP_NONE || s->done)
		return;
	if (sd != NULL)
		respond_dgram(s, c, sd, buf, n);
	else
		respond_stream(s, c, buf, n);
}

struct conn *
session_add_conn(struct session *s, const struct conn_io *io,
    enum conn_kind kind, int connected, const struct sockaddr *sa,
    socklen_t salen)
{
	struct conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->session = s;
	c->kind = kind;
	c->io = *io;
	c->fd = io->fd;
	c->connected = connected;
	c->progress_ms = now_ms();
	/*
	 * Ids are for the peers a user can name (/to, /close); a listening
	 * datagram socket is not one, so its senders count from 1 as a -k
	 * listener's clients do.
	 */
	if (kind == CONN_STREAM || connected)
		c->peer.id = s->next_id++;
	/* --starttls: the prompt says the session was upgraded. */
	c->upgraded = kind == CONN_STREAM && s->cfg->starttls > 0;
	proxy_peer_set(s->cfg, &c->peer, sa, salen);
	TAILQ_INSERT_TAIL(&s->conns, c, entry);
	s->nconns++;
	if (kind == CONN_STREAM)
		s->nstreams++;
	conn_queued(s, c);
	if (kind == CONN_STREAM || connected)
		s->had_client = 1;
	if (kind == CONN_STREAM && respond_starts(s->cfg))
		respond_stream(s, c, NULL, 0);
	conn_update(s, c);
	if (kind == CONN_STREAM && s->running)
		s->front->ops->event(s->front, FE_PEER_UP, &c->peer);
	/* Input that ended before anyone connected ends for them too. */
	if (s->input_eof)
		session_input_eof(s);
	session_update_input(s);
	return c;
}

/*
 * Closes c now; its memory goes after this round of events, since a
 * caller up the stack may still hold it (and checks c->dead).
 */
static void
conn_free(struct session *s, struct conn *c)
{
	if (c->kind == CONN_STREAM)
		stream_report(s, c);
	respond_conn_free(s, c);
	if (c->hs != NULL)
		hs_release(c->hs);
	c->hs = NULL;
	ev_del(s->ev, c->fd);
	c->io.ops->close(&c->io);
	buf_free(&c->out);
	buf_free(&c->in);
	if (c->queued)
		TAILQ_REMOVE(&s->queued, c, qentry);
	c->queued = 0;
	if (c->kind == CONN_STREAM && !c->wr_shut)
		s->nstreams--;
	TAILQ_REMOVE(&s->conns, c, entry);
	s->nconns--;
	c->dead = 1;
	TAILQ_INSERT_TAIL(&s->dead, c, entry);
	/*
	 * FE_PEER_DOWN came while c was still listed (a -k client is only
	 * freed once its last bytes are out): a prompt naming whom typed
	 * lines go to must hear that c is gone now.
	 */
	if (s->running && !s->done)
		s->front->ops->event(s->front, FE_PEER_GONE, &c->peer);
}

static void
bury_dead(struct session *s)
{
	struct conn	*c;

	while ((c = TAILQ_FIRST(&s->dead)) != NULL) {
		TAILQ_REMOVE(&s->dead, c, entry);
		free(c);
	}
}

/*
 * Keeps c in session.queued exactly while it may be short of room: it
 * has bytes queued, or waits for the socket, or is a datagram socket (a
 * few at most).  A stream with nothing queued has all its room, so the
 * room for input is found without looking at thousands of idle clients.
 */
void
conn_queued(struct session *s, struct conn *c)
{
	int	want;

	want = !c->dead && (buf_used(&c->out) > 0 || c->zc_wait ||
	    c->kind == CONN_DGRAM);
	if (want == c->queued)
		return;
	if (want)
		TAILQ_INSERT_TAIL(&s->queued, c, qentry);
	else
		TAILQ_REMOVE(&s->queued, c, qentry);
	c->queued = want;
}

/* Gives ev the interest this connection's state calls for. */
void
conn_update(struct session *s, struct conn *c)
{
	int	events = 0;

	if (s->done || c->dead)
		return;
	conn_queued(s, c);
	/* A handshake has the socket (session_tls.c). */
	if (c->hs != NULL)
		return;
	if (!c->rd_eof && !s->quit && respond_room(s, c) > 0) {
		if (s->front->ops->room(s->front) > 0)
			events |= EV_READ;
		else
			s->reads_paused = 1;
	}
	if (buf_used(&c->out) > 0 || c->zc_wait)
		events |= EV_WRITE;
	if (c->kind == CONN_STREAM)
		events = stream_events(s, c, events);
	/*
	 * -k with a responder: a client that sends but never reads fills
	 * its queue with answers; reading it stops, and the stall timer
	 * drops it as it would a client that does not take the input.
	 */
	if (s->cfg->keep_open && s->cfg->responder != RESP_NONE &&
	    c->kind == CONN_STREAM && buf_room(&c->out, CONN_OUT_MAX) == 0 &&
	    !s->stall_timer.active)
		ev_timer_start(s->ev, &s->stall_timer, STALL_MS);
	if (events != c->events) {
		c->events = events;
		ev_set(s->ev, c->fd, events, c->kind == CONN_STREAM ?
		    stream_event : dgram_event, c);
	}
}

/* Where input goes now: all streams (or the one /to picked), or the
 * datagram target. */
static int
is_target(const struct session *s, const struct conn *c)
{
	if (c->kind == CONN_STREAM)
		return !c->wr_shut && (s->to_id == 0 ||
		    s->to_id == c->peer.id);
	if (c->connected)
		return 1;
	return s->target != NULL && s->target->via == c;
}

static size_t
conn_room(const struct session *s, const struct conn *c)
{
	if (c->kind == CONN_DGRAM)
		return dgram_room(c);
	if (c->zc_wait)
		return 0;
	return buf_room(&c->out, s->cfg->keep_open ? CONN_OUT_MAX : BULK_CHUNK);
}

/* The least room among the targets; 0 if there is no target yet. */
static size_t
targets_room(struct session *s)
{
	struct conn	*c;
	size_t		 room = 0, r;
	int		 any = 0, busy = 0;

	if (s->to_id != 0) {
		/* /to N: one peer, found by a walk (a command, not a hot path). */
		TAILQ_FOREACH(c, &s->conns, entry) {
			if (is_target(s, c))
				return conn_room(s, c);
		}
		return 0;
	}
	TAILQ_FOREACH(c, &s->queued, qentry) {
		if (c->kind == CONN_STREAM && !c->wr_shut)
			busy++;
		if (!is_target(s, c))
			continue;
		r = conn_room(s, c);
		if (!any || r < room)
			room = r;
		any = 1;
	}
	/* Streams with nothing queued have all their room. */
	if (s->nstreams > busy) {
		r = s->cfg->keep_open ? CONN_OUT_MAX : BULK_CHUNK;
		if (!any || r < room)
			room = r;
		any = 1;
	}
	return any ? room : 0;
}

/* Hands one unit of input (a line, a chunk) to every target. */
static void
deliver(struct session *s, const char *p, size_t n)
{
	struct conn	*c, *next;
	int		 r;

	/*
	 * Logged as it goes out, not as it was read: a line that --lockstep
	 * or -d holds back gets the time it was sent.
	 */
	log_data(LOG_SENT, NULL, p, n, 0);
	for (c = TAILQ_FIRST(&s->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!is_target(s, c))
			continue;
		if (c->kind == CONN_DGRAM)
			r = dgram_queue(s, c, c->connected ? NULL :
			    &s->target->peer, p, n);
		else
			r = stream_queue(s, c, p, n);
		if (r == -1) {
			session_fail(s, "out of memory");
			return;
		}
		conn_update(s, c);
	}
}

/*
 * The next unit to release from the staging buffer: a line with its
 * newline; at end of input whatever is left; a datagram's worth when a
 * line is longer than a datagram can be.  0: wait for more.
 */
static size_t
next_unit(struct session *s)
{
	return frame_next(buf_head(&s->staged), buf_used(&s->staged),
	    s->cfg->udp ? DGRAM_MAX : BUF_CHUNK, s->input_eof);
}

void
session_release_input(struct session *s)
{
	size_t	n;

	while (!s->done && !s->delaying && !s->ls_waiting &&
	    buf_used(&s->staged) > 0) {
		if ((n = next_unit(s)) == 0 || targets_room(s) < n)
			break;
		deliver(s, buf_head(&s->staged), n);
		buf_consume(&s->staged, n);
		if (s->cfg->lockstep)
			lockstep_sent(s);
		if (s->cfg->delay_ms > 0) {
			s->delaying = 1;
			ev_timer_start(s->ev, &s->delay_timer,
			    s->cfg->delay_ms);
		}
	}
}

/* How much input can be taken now. */
size_t
session_input_room(struct session *s)
{
	size_t	room;

	if (s->line_mode)
		room = buf_room(&s->staged, STAGED_MAX);
	else
		room = targets_room(s);
	/* --no-split: a read is a datagram, so no more than one holds. */
	if (s->cfg->udp && room > DGRAM_MAX)
		room = DGRAM_MAX;
	/* -C may double every byte. */
	return s->cfg->crlf ? room / 2 : room;
}

/*
 * The one stream whose bytes may move to and from the user's fds
 * without passing through us: a single batch conversation, with no -C,
 * no line framing, no other clients, responder or --lockstep, and
 * nothing that must see the bytes (-o's log, -x's hex dump).
 */
struct conn *
session_zcopy_conn(struct session *s)
{
	const struct config	*cfg = s->cfg;
	struct conn		*c = TAILQ_FIRST(&s->conns);

	if (s->zc_off || s->nconns != 1 || c->kind != CONN_STREAM ||
	    cfg->keep_open || cfg->responder != RESP_NONE || cfg->lockstep ||
	    cfg->crlf || s->line_mode || cfg->output != NULL || cfg->hex)
		return NULL;
	return c;
}

/*
 * Input is ready on fd (a pipe or a file, kind ZC_*): moves it straight
 * to the socket.  Returns -1 when this cannot be done (the caller then
 * reads), 0 when it was taken care of.
 */
int
session_input_fd(struct session *s, int fd, int kind)
{
	struct conn	*c = session_zcopy_conn(s);
	ssize_t		 n;

	if (s->done)
		return 0;
	if (c == NULL || c->wr_shut || c->zc_wait || buf_used(&c->out) > 0 ||
	    !c->io.ops->zcopy(&c->io, IO_SEND))
		return -1;
	if ((n = zcopy_in(fd, kind, c->fd)) > 0) {
		c->sent[1] += (size_t)n;
		c->zc_in_kind = kind;
		session_traffic(s);
		if (s->peer_eof)
			ev_timer_start(s->ev, &s->grace_timer,
			    PEER_EOF_GRACE_MS);
		return 0;
	}
	if (n == 0) {
		session_input_eof(s);
		return 0;
	}
	switch (errno) {
	case EAGAIN:
		/* The socket is full (or input had nothing after all). */
		c->zc_wait = 1;
		conn_update(s, c);
		session_update_input(s);
		return 0;
	case EINTR:
		return 0;
	case EINVAL:
	case ENOSYS:
		s->zc_off = 1;
		return -1;
	}
	session_conn_fail(s, c, stream_write_errno(c, errno));
	return 0;
}

/* Everything the user sent has been handed to the sockets. */
static int
input_drained(struct session *s)
{
	return s->input_eof && buf_used(&s->staged) == 0;
}

/*
 * Asks the front end for input exactly while some can be taken, and
 * runs the grace timer while the peer is gone and input is awaited.
 */
void
session_update_input(struct session *s)
{
	struct conn	*c;
	int		 want;

	if (!s->running || s->done)
		return;
	session_release_input(s);
	if (input_drained(s) && !s->no_input && !s->cfg->keep_open &&
	    !s->cfg->lockstep) {
		TAILQ_FOREACH(c, &s->conns, entry) {
			if (c->kind == CONN_STREAM)
				stream_maybe_shutdown(s, c);
		}
	}
	want = !s->input_eof && session_input_room(s) > 0;
	if (want == s->input_paused) {
		s->input_paused = !want;
		s->front->ops->input_ctl(s->front, want);
	}
	/* -k: a full client holds input up; see that it does not for long. */
	if (s->cfg->keep_open && !want && !s->input_eof && s->nconns > 0) {
		if (!s->stall_timer.active)
			ev_timer_start(s->ev, &s->stall_timer, STALL_MS);
	} else
		ev_timer_stop(s->ev, &s->stall_timer);
	if (s->peer_eof && want) {
		if (!s->grace_timer.active)
			ev_timer_start(s->ev, &s->grace_timer,
			    front_input_idle(s->front) ? 0 : PEER_EOF_GRACE_MS);
	} else
		ev_timer_stop(s->ev, &s->grace_timer);
	session_check_done(s);
}

/* Input after -C: staged, or handed to the targets. */
static void
take_input(struct session *s, const char *p, size_t n)
{
	if (s->line_mode) {
		if (buf_append(&s->staged, p, n) == -1)
			session_fail(s, "out of memory");
	} else
		deliver(s, p, n);
}

/* Input bytes through -C, then on to take_input(). */
static void
translate_input(struct session *s, const char *p, size_t n)
{
	size_t	k;

	/*
	 * xlate holds what -C makes of BUF_CHUNK bytes.  The prompt may hand
	 * over more at once (lines typed while a -k client was full), so
	 * the input goes through it a piece at a time.
	 */
	while (s->cfg->crlf && n > 0) {
		k = n < BUF_CHUNK ? n : BUF_CHUNK;
		take_input(s, xlate, crlf_translate(&s->crlf_cr, p, k, xlate));
		p += k;
		n -= k;
	}
	if (!s->cfg->crlf)
		take_input(s, p, n);
}

/* Input from the user (a chunk in batch mode, lines at the prompt). */
void
session_input(struct session *s, const char *p, size_t n)
{
	translate_input(s, p, n);
	if (s->peer_eof)
		ev_timer_start(s->ev, &s->grace_timer, PEER_EOF_GRACE_MS);
	session_update_input(s);
}

/*
 * /bytes: exactly these bytes, now, as one unit: no -C translation, and
 * over datagrams one datagram, newline or not.  Room is not waited for
 * (a person typed them; the buffers take a line more), only a target
 * and the end of what went before.  -1: not yet; try again once input
 * is asked for.
 */
int
session_input_exact(struct session *s, const char *p, size_t n)
{
	if (s->done || s->input_eof)
		return -1;
	session_release_input(s);
	if (buf_used(&s->staged) > 0 || s->delaying || s->ls_waiting ||
	    targets_room(s) == 0)
		return -1;
	deliver(s, p, n);
	session_update_input(s);
	return 0;
}

void
session_input_eof(struct session *s)
{
	size_t	n = buf_used(&s->staged);

	/*
	 * --lockstep is line by line: a last line without a newline gets
	 * one (CRLF with -C), or a line server would never answer it.
	 */
	if (s->cfg->lockstep && !s->input_eof && n > 0 &&
	    buf_head(&s->staged)[n - 1] != '\n')
		translate_input(s, "\n", 1);
	s->input_eof = 1;
	session_update_input(s);
}

/*
 * There will be no input at all (--recv-only, or a responder in batch
 * mode): nothing to send, so the peers are never half-closed either.
 */
void
session_input_none(struct session *s)
{
	s->no_input = 1;
	session_input_eof(s);
}

/*
 * The front end wrote some out.  Only when a read had been held back
 * for want of room is every peer looked at again, so a busy -k
 * listener does not pay for all its clients on every write.
 */
void
session_output_ready(struct session *s)
{
	struct conn	*c;

	if (s->reads_paused) {
		s->reads_paused = 0;
		TAILQ_FOREACH(c, &s->conns, entry)
			conn_update(s, c);
	}
	session_check_done(s);
}

/* True once every socket has handed its queued bytes to the kernel. */
static int
all_sent(struct session *s)
{
	struct conn	*c;

	TAILQ_FOREACH(c, &s->conns, entry) {
		if (buf_used(&c->out) > 0)
			return 0;
	}
	return 1;
}

/*
 * Done once input has ended and is all sent, the peers have ended (or
 * the wait after input ran out), and the user has everything received.
 */
static void
on_ack_timer(void *arg)
{
	session_check_done(arg);
}

void
session_check_done(struct session *s)
{
	struct conn	*c;
	long		 q;

	if (s->done || !s->running)
		return;
	if (s->quitting) {
		if (all_sent(s))
			goto flushed;
		return;
	}
	/* -k serves until it is stopped. */
	if (s->cfg->keep_open)
		return;
	if (s->cfg->lockstep) {
		if (!input_drained(s) || !all_sent(s) || s->ls_waiting)
			return;
		goto flushed;
	}
	/* The one client has come and gone (responder, /close). */
	if (s->had_client && s->nconns == 0 && !s->stay)
		goto flushed;
	if (s->nconns == 0)
		return;
	if (input_drained(s) && all_sent(s) && !s->quit_timer.active &&
	    !s->quit && (q = quiet_ms(s)) >= 0)
		ev_timer_start(s->ev, &s->quit_timer, q);
	if (!s->quit) {
		/* A responder's client is closed when its answers are done. */
		if (s->cfg->responder != RESP_NONE)
			return;
		if (!input_drained(s) || !all_sent(s))
			return;
		TAILQ_FOREACH(c, &s->conns, entry) {
			if (c->kind != CONN_STREAM)
				return;
			if (!c->rd_eof)
				return;
		}
		if (s->peer_eof && !stream_all_acked(s))
			return;
	}
flushed:
	if (!s->front->ops->flushed(s->front))
		return;
	s->done = 1;
}

/*
 * With -k or a responder a client is closed once its conversation is
 * over: it said all, got all, and the responder has nothing more (or
 * its program exited, which ends the client too).
 */
void
session_settle(struct session *s, struct conn *c)
{
	int	busy;

	if (c->dead || c->kind != CONN_STREAM || (!s->cfg->keep_open &&
	    s->cfg->responder == RESP_NONE))
		return;
	if (buf_used(&c->out) > 0)
		return;
	busy = respond_busy(c);
	if (busy > 0 || (busy == 0 && !c->rd_eof))
		return;
	show_rest(s, c);
	if (!c->rd_eof)
		s->front->ops->event(s->front, FE_PEER_DOWN, &c->peer);
	if (s->to_id == c->peer.id)
		s->to_id = 0;
	conn_free(s, c);
	session_update_input(s);
}

/* Runs until the session ends; returns the exit status. */
int
session_run(struct session *s)
{
	struct conn	*c;

	if (s->front->ops->start(s->front) == -1) {
		s->status = EXIT_FAIL;
		return s->status;
	}
	s->running = 1;
	TAILQ_FOREACH(c, &s->conns, entry) {
		if (c->kind == CONN_STREAM || c->connected)
			s->front->ops->event(s->front, FE_PEER_UP, &c->peer);
	}
	session_traffic(s);
	if (s->cfg->lockstep)
		lockstep_start(s);
	session_update_input(s);
	while (!s->done) {
		if (ev_run_once(s->ev) == -1 && errno != EINTR) {
			session_fail(s, "poll: %s", strerror(errno));
			break;
		}
		/*
		 * The wait may return ready fds and run our handler in the same
		 * call, so look at the flag every round, not only on EINTR: a
		 * busy loop must still stop when told to.
		 */
		if (sig_caught != 0) {
			s->status = 128 + sig_caught;
			break;
		}
		if (sig_child) {
			sig_child = 0;
			children_reap();
		}
		bury_dead(s);
	}
	/* Received data was lost (said when it was): never exit 0. */
	if (s->cut && s->status == EXIT_OK)
		s->status = EXIT_FAIL;
	return s->status;
}

/*
 * The peers a user can name: stream connections and connected datagram
 * sockets, then the senders of listening ones, most recent first.
 */
int
session_peers(struct session *s, const struct peer **out, int max)
{
	struct conn	*c;
	struct sender	*sd;
	int		 n = 0;

	TAILQ_FOREACH(c, &s->conns, entry) {
		if ((c->kind == CONN_STREAM || c->connected) && n < max)
			out[n++] = &c->peer;
	}
	TAILQ_FOREACH(sd, &s->senders, entry) {
		if (n < max)
			out[n++] = &sd->peer;
	}
	return n;
}

/* /to N (0: all, or back to the most recent sender); -1: no such peer. */
int
session_set_target(struct session *s, int id)
{
	struct conn	*c;
	struct sender	*sd;

	if (id == 0) {
		s->to_id = 0;
		s->target = TAILQ_FIRST(&s->senders);
		session_update_input(s);
		return 0;
	}
	TAILQ_FOREACH(c, &s->conns, entry) {
		if (c->kind == CONN_STREAM && c->peer.id == id) {
			s->to_id = id;
			session_update_input(s);
			return 0;
		}
	}
	TAILQ_FOREACH(sd, &s->senders, entry) {
		if (sd->peer.id == id) {
			s->to_id = id;
			s->target = sd;
			session_update_input(s);
			return 0;
		}
	}
	return -1;
}

/* /close N: drop one stream peer, or forget one sender; -1: none. */
int
session_close_peer(struct session *s, int id)
{
	struct conn	*c;
	struct sender	*sd;

	TAILQ_FOREACH(c, &s->conns, entry) {
		if (c->kind == CONN_STREAM && c->peer.id == id) {
			s->front->ops->event(s->front, FE_PEER_DOWN,
			    &c->peer);
			if (s->to_id == id)
				s->to_id = 0;
			conn_free(s, c);
			/*
			 * Without -k the only client gone ends the session
			 * (session_check_done sees to it); a -k listener
			 * waits for the next.
			 */
			session_update_input(s);
			return 0;
		}
	}
	TAILQ_FOREACH(sd, &s->senders, entry) {
		if (sd->peer.id == id) {
			if (s->target == sd)
				s->target = NULL;
			if (s->to_id == id)
				s->to_id = 0;
			TAILQ_REMOVE(&s->senders, sd, entry);
			s->nsenders--;
			respond_sender_free(s, sd);
			free(sd);
			if (s->target == NULL)
				s->target = TAILQ_FIRST(&s->senders);
			return 0;
		}
	}
	return -1;
}

/*
 * Ends the session (exit, Ctrl-D, /quit) with status, once what was
 * typed before has left: a line and the "exit" after it may well come
 * in the same read.  A peer that takes nothing gets QUIT_FLUSH_MS.
 */
void
session_quit(struct session *s, int status)
{
	if (s->quitting || s->done)
		return;
	s->quitting = 1;
	s->status = status;
	s->no_input = 1;
	s->input_eof = 1;
	ev_timer_start(s->ev, &s->flush_timer, QUIT_FLUSH_MS);
	session_update_input(s);
	session_check_done(s);
}

/*
 * /reconnect: the connection there is goes, and the session forgets
 * that the peer or the user had ended (a new conversation starts);
 * reconnect.c then opens the new one.  From now on the session stays
 * when the peer closes.  -1 if the session is ending anyway.
 */
int
session_detach(struct session *s)
{
	if (s->quitting || s->done)
		return -1;
	while (!TAILQ_EMPTY(&s->conns))
		conn_free(s, TAILQ_FIRST(&s->conns));
	s->stay = 1;
	s->to_id = 0;
	s->peer_eof = 0;
	s->input_eof = 0;
	s->quit = 0;
	ev_timer_stop(s->ev, &s->quit_timer);
	ev_timer_stop(s->ev, &s->grace_timer);
	ev_timer_stop(s->ev, &s->ack_timer);
	session_update_input(s);
	return 0;
}

static void
on_flush_timer(void *arg)
{
	struct session	*s = arg;

	s->done = 1;
}

void
session_free(struct session *s)
{
	/* The front end hears of no more peers. */
	s->running = 0;
	while (!TAILQ_EMPTY(&s->conns))
		conn_free(s, TAILQ_FIRST(&s->conns));
	bury_dead(s);
	dgram_free_senders(s);
	children_kill();
	buf_free(&s->staged);
	buf_free(&s->relay_later);
	buf_free(&s->ls_reply);
	ev_timer_stop(s->ev, &s->ls_timer);
	ev_timer_stop(s->ev, &s->ls_pause);
	ev_timer_stop(s->ev, &s->quit_timer);
	ev_timer_stop(s->ev, &s->grace_timer);
	ev_timer_stop(s->ev, &s->delay_timer);
	ev_timer_stop(s->ev, &s->idle_timer);
	ev_timer_stop(s->ev, &s->stall_timer);
	ev_timer_stop(s->ev, &s->flush_timer);
	ev_timer_stop(s->ev, &s->partial_timer);
	if (s->front != NULL)
		s->front->ops->stop(s->front);
	s->front = NULL;
}
