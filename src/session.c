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

static char	xlate[2 * BUF_CHUNK];

static void	release_input(struct session *);

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
	release_input(s);
	session_update_input(s);
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
	TAILQ_INIT(&s->senders);
	s->next_id = 1;
	s->input_paused = 1;
	s->line_mode = cfg->delay_ms > 0 || (cfg->udp && !cfg->no_split);
	ev_timer_init(&s->quit_timer, on_quit_timer, s);
	ev_timer_init(&s->grace_timer, on_grace_timer, s);
	ev_timer_init(&s->delay_timer, on_delay_timer, s);
	ev_timer_init(&s->idle_timer, on_idle_timer, s);
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

	session_fail(s, "connection with %s lost: %s",
	    peer_name(&c->peer, name, sizeof(name)), strerror(e));
}

/* Bytes moved on some connection: the idle timer starts over. */
void
session_traffic(struct session *s)
{
	if (s->cfg->idle_ms >= 0)
		ev_timer_start(s->ev, &s->idle_timer, s->cfg->idle_ms);
}

/* Received bytes: to the user, unless --send-only. */
void
session_received(struct session *s, const struct peer *p, const char *buf,
    size_t n, int flags)
{
	session_traffic(s);
	log_data(LOG_RECEIVED, p, buf, n, flags);
	/* A datagram client's quiet period starts over with each reply. */
	if (s->quit_timer.active && (flags & OUT_DGRAM))
		ev_timer_start(s->ev, &s->quit_timer, quiet_ms(s));
	if (s->cfg->send_only)
		return;
	s->front->ops->output(s->front, p, buf, n, flags);
}

struct conn *
session_add_conn(struct session *s, int fd, enum conn_kind kind,
    int connected, const struct sockaddr *sa, socklen_t salen)
{
	struct conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->session = s;
	c->kind = kind;
	c->fd = fd;
	c->connected = connected;
	c->peer.id = s->next_id++;
	peer_set(&c->peer, CFG_PROTO(s->cfg), sa, salen);
	TAILQ_INSERT_TAIL(&s->conns, c, entry);
	s->nconns++;
	conn_update(s, c);
	if (kind == CONN_STREAM && s->running)
		s->front->ops->event(s->front, FE_PEER_UP, &c->peer);
	/* Input that ended before anyone connected ends for them too. */
	if (s->input_eof)
		session_input_eof(s);
	session_update_input(s);
	return c;
}

static void
conn_free(struct session *s, struct conn *c)
{
	ev_del(s->ev, c->fd);
	close(c->fd);
	buf_free(&c->out);
	TAILQ_REMOVE(&s->conns, c, entry);
	s->nconns--;
	free(c);
}

/* Gives ev the interest this connection's state calls for. */
void
conn_update(struct session *s, struct conn *c)
{
	int	events = 0;

	if (s->done)
		return;
	if (!c->rd_eof && !s->quit && s->front->ops->room(s->front) > 0)
		events |= EV_READ;
	if (buf_used(&c->out) > 0)
		events |= EV_WRITE;
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
conn_room(const struct conn *c)
{
	if (c->kind == CONN_DGRAM)
		return dgram_room(c);
	return buf_room(&c->out, BUF_CHUNK);
}

/* The least room among the targets; 0 if there is no target yet. */
static size_t
targets_room(struct session *s)
{
	struct conn	*c;
	size_t		 room = 0, r;
	int		 any = 0;

	TAILQ_FOREACH(c, &s->conns, entry) {
		if (!is_target(s, c))
			continue;
		r = conn_room(c);
		if (!any || r < room)
			room = r;
		any = 1;
	}
	return room;
}

/* Hands one unit of input (a line, a chunk) to every target. */
static void
deliver(struct session *s, const char *p, size_t n)
{
	struct conn	*c;
	int		 r;

	TAILQ_FOREACH(c, &s->conns, entry) {
		if (!is_target(s, c))
			continue;
		if (c->kind == CONN_DGRAM)
			r = dgram_queue(s, c, c->connected ? NULL :
			    &s->target->peer, p, n);
		else
			r = buf_append(&c->out, p, n);
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
	const char	*nl;
	size_t		 used = buf_used(&s->staged), max;

	max = s->cfg->udp ? DGRAM_MAX : BUF_CHUNK;
	nl = memchr(buf_head(&s->staged), '\n', used < max ? used : max);
	if (nl != NULL)
		return (size_t)(nl - buf_head(&s->staged)) + 1;
	if (used >= max)
		return max;
	return s->input_eof ? used : 0;
}

static void
release_input(struct session *s)
{
	size_t	n;

	while (!s->done && !s->delaying && buf_used(&s->staged) > 0) {
		if ((n = next_unit(s)) == 0 || targets_room(s) < n)
			break;
		deliver(s, buf_head(&s->staged), n);
		buf_consume(&s->staged, n);
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
	/* -C may double every byte. */
	return s->cfg->crlf ? room / 2 : room;
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
	release_input(s);
	if (input_drained(s)) {
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
	if (s->peer_eof && want) {
		if (!s->grace_timer.active)
			ev_timer_start(s->ev, &s->grace_timer,
			    PEER_EOF_GRACE_MS);
	} else
		ev_timer_stop(s->ev, &s->grace_timer);
	session_check_done(s);
}

/* Input from the user (a chunk in batch mode, a line at the prompt). */
void
session_input(struct session *s, const char *p, size_t n)
{
	if (s->cfg->crlf) {
		n = crlf_translate(&s->crlf_cr, p, n, xlate);
		p = xlate;
	}
	log_data(LOG_SENT, NULL, p, n, 0);
	if (s->line_mode) {
		if (buf_append(&s->staged, p, n) == -1) {
			session_fail(s, "out of memory");
			return;
		}
	} else
		deliver(s, p, n);
	if (s->peer_eof)
		ev_timer_start(s->ev, &s->grace_timer, PEER_EOF_GRACE_MS);
	session_update_input(s);
}

void
session_input_eof(struct session *s)
{
	s->input_eof = 1;
	session_update_input(s);
}

/* The front end has room again after being full. */
void
session_output_ready(struct session *s)
{
	struct conn	*c;

	TAILQ_FOREACH(c, &s->conns, entry)
		conn_update(s, c);
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
void
session_check_done(struct session *s)
{
	struct conn	*c;
	long		 q;

	if (s->done || s->nconns == 0 || !s->running)
		return;
	if (input_drained(s) && all_sent(s) && !s->quit_timer.active &&
	    !s->quit && (q = quiet_ms(s)) >= 0)
		ev_timer_start(s->ev, &s->quit_timer, q);
	if (!s->quit) {
		if (!input_drained(s) || !all_sent(s))
			return;
		TAILQ_FOREACH(c, &s->conns, entry) {
			if (c->kind != CONN_STREAM)
				return;
			if (!c->rd_eof)
				return;
		}
	}
	if (!s->front->ops->flushed(s->front))
		return;
	s->done = 1;
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
	if (s->cfg->recv_only)
		s->input_eof = 1;
	session_update_input(s);
	while (!s->done) {
		if (ev_run_once(s->ev) == -1) {
			if (errno == EINTR && sig_caught != 0) {
				s->status = 128 + sig_caught;
				break;
			}
			if (errno != EINTR) {
				session_fail(s, "poll: %s", strerror(errno));
				break;
			}
		}
	}
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
			/* The only client gone ends a one-client session. */
			if (s->nconns == 0)
				s->done = 1;
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
			free(sd);
			if (s->target == NULL)
				s->target = TAILQ_FIRST(&s->senders);
			return 0;
		}
	}
	return -1;
}

/* Ends the session now (exit, Ctrl-D, /quit), with status. */
void
session_quit(struct session *s, int status)
{
	s->done = 1;
	s->status = status;
}

void
session_free(struct session *s)
{
	while (!TAILQ_EMPTY(&s->conns))
		conn_free(s, TAILQ_FIRST(&s->conns));
	dgram_free_senders(s);
	buf_free(&s->staged);
	ev_timer_stop(s->ev, &s->quit_timer);
	ev_timer_stop(s->ev, &s->grace_timer);
	ev_timer_stop(s->ev, &s->delay_timer);
	ev_timer_stop(s->ev, &s->idle_timer);
	if (s->front != NULL)
		s->front->ops->stop(s->front);
	s->front = NULL;
}
