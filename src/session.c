/*
 * The session: moves bytes between the front end (the user's side) and
 * the peers, in one event loop.
 *
 * Like OpenBSD nc's readwrite(), a direction is only polled when it can
 * make progress: a peer is read only while the front end has room for
 * what it says, written only while its buffer holds data, and the
 * user's input is read only while every target has room.  Memory is
 * therefore bounded whatever the reader or the peer does.
 *
 * End of a stream (design items 1 and 2):
 *  - input ends first: drain, half-close, keep reading until the peer
 *    closes (or -q runs out), then exit 0;
 *  - the peer ends first: flush what it sent, keep forwarding input
 *    while input is ready, and stop once input has had nothing ready
 *    for PEER_EOF_GRACE_MS or ends.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

static char	scratch[BUF_CHUNK];

static void	conn_event(int, int, void *);
static void	conn_update(struct session *, struct conn *);
static void	update_input(struct session *);
static void	check_done(struct session *);

static void
on_quit_timer(void *arg)
{
	struct session	*s = arg;
	struct conn	*c;

	/* -q ran out: stop listening to the peers, flush, and go. */
	s->quit = 1;
	TAILQ_FOREACH(c, &s->conns, entry)
		conn_update(s, c);
	check_done(s);
}

static void
on_grace_timer(void *arg)
{
	struct session	*s = arg;

	/* The peer is gone and input has gone quiet: treat it as ended. */
	session_input_eof(s);
}

void
session_init(struct session *s, const struct config *cfg, struct ev *ev)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->ev = ev;
	TAILQ_INIT(&s->conns);
	s->next_id = 1;
	s->input_paused = 1;
	ev_timer_init(&s->quit_timer, on_quit_timer, s);
	ev_timer_init(&s->grace_timer, on_grace_timer, s);
}

/* Ends the session with a message and exit status 1. */
void
session_fail(struct session *s, const char *fmt, ...)
{
	va_list	ap;
	char	line[512];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	msg_warn("%s", line);
	s->done = 1;
	s->status = EXIT_FAIL;
}

static void
conn_fail(struct session *s, struct conn *c, int e)
{
	session_fail(s, "connection with %s port %u (%s) lost: %s", c->host,
	    c->port, c->proto, strerror(e));
}

struct conn *
session_add_conn(struct session *s, int fd, const char *proto,
    const struct sockaddr *sa)
{
	struct conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->session = s;
	c->fd = fd;
	c->id = s->next_id++;
	c->proto = proto;
	addr_format(sa, c->host, sizeof(c->host), &c->port);
	TAILQ_INSERT_TAIL(&s->conns, c, entry);
	s->nconns++;
	conn_update(s, c);
	/* Input that ended before anyone connected ends for them too. */
	if (s->input_eof)
		session_input_eof(s);
	update_input(s);
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
static void
conn_update(struct session *s, struct conn *c)
{
	int	events = 0;

	if (!c->rd_eof && !s->quit && s->front->ops->room(s->front) > 0)
		events |= EV_READ;
	if (buf_used(&c->out) > 0)
		events |= EV_WRITE;
	if (events != c->events) {
		c->events = events;
		ev_set(s->ev, c->fd, events, conn_event, c);
	}
}

/* Half-closes c once everything the user sent has left. */
static void
conn_maybe_shutdown(struct session *s, struct conn *c)
{
	if (!s->input_eof || c->wr_shut || buf_used(&c->out) > 0)
		return;
	if (!s->cfg->no_shutdown)
		shutdown(c->fd, SHUT_WR);
	c->wr_shut = 1;
	if (s->cfg->quit_ms >= 0 && !s->quit_timer.active)
		ev_timer_start(s->ev, &s->quit_timer, s->cfg->quit_ms);
}

static void
conn_write(struct session *s, struct conn *c)
{
	ssize_t	n;

	n = send(c->fd, buf_head(&c->out), buf_used(&c->out), MSG_NOSIGNAL);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			conn_fail(s, c, errno);
		return;
	}
	buf_consume(&c->out, (size_t)n);
	conn_maybe_shutdown(s, c);
	update_input(s);
}

static void
conn_read(struct session *s, struct conn *c)
{
	size_t	room = s->front->ops->room(s->front);
	ssize_t	n;

	if (room > sizeof(scratch))
		room = sizeof(scratch);
	if (room == 0)
		return;
	n = read(c->fd, scratch, room);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			conn_fail(s, c, errno);
		return;
	}
	if (n == 0) {
		c->rd_eof = 1;
		s->peer_eof = 1;
		update_input(s);
		return;
	}
	s->front->ops->output(s->front, c, scratch, (size_t)n);
}

static void
conn_event(int fd, int events, void *arg)
{
	struct conn	*c = arg;
	struct session	*s = c->session;

	(void)fd;
	if ((events & EV_WRITE) && !s->done)
		conn_write(s, c);
	if ((events & EV_READ) && !s->done)
		conn_read(s, c);
	if (!s->done)
		conn_update(s, c);
	check_done(s);
}

/* How much input every target can take now. */
size_t
session_input_room(struct session *s)
{
	struct conn	*c;
	size_t		 room = 0, r;
	int		 first = 1;

	TAILQ_FOREACH(c, &s->conns, entry) {
		if (c->wr_shut)
			continue;
		r = buf_room(&c->out, BUF_CHUNK);
		if (first || r < room)
			room = r;
		first = 0;
	}
	return room;
}

/*
 * Asks the front end for input exactly while some can be taken, and
 * runs the grace timer while the peer is gone and input is awaited.
 */
static void
update_input(struct session *s)
{
	int	want;

	if (!s->running)
		return;
	want = !s->input_eof && !s->done && session_input_room(s) > 0;
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
}

/* Input from the user (a chunk in batch mode, a line at the prompt). */
void
session_input(struct session *s, const char *p, size_t n)
{
	struct conn	*c;

	TAILQ_FOREACH(c, &s->conns, entry) {
		if (c->wr_shut)
			continue;
		if (buf_append(&c->out, p, n) == -1) {
			session_fail(s, "out of memory");
			return;
		}
		conn_update(s, c);
	}
	if (s->peer_eof)
		ev_timer_start(s->ev, &s->grace_timer, PEER_EOF_GRACE_MS);
	update_input(s);
}

void
session_input_eof(struct session *s)
{
	struct conn	*c;

	s->input_eof = 1;
	TAILQ_FOREACH(c, &s->conns, entry)
		conn_maybe_shutdown(s, c);
	update_input(s);
	check_done(s);
}

/* The front end has room again after being full. */
void
session_output_ready(struct session *s)
{
	struct conn	*c;

	TAILQ_FOREACH(c, &s->conns, entry)
		conn_update(s, c);
	check_done(s);
}

/*
 * One client (or one connection): done once it said everything, all of
 * it reached the user, and our side has ended too.
 */
static void
check_done(struct session *s)
{
	struct conn	*c;

	if (s->done || s->nconns == 0)
		return;
	TAILQ_FOREACH(c, &s->conns, entry) {
		if (!c->rd_eof && !s->quit)
			return;
		if (buf_used(&c->out) > 0 && !s->quit)
			return;
	}
	if (!s->input_eof && !s->quit)
		return;
	if (!s->front->ops->flushed(s->front))
		return;
	s->done = 1;
}

/* Runs until the session ends; returns the exit status. */
int
session_run(struct session *s)
{
	if (s->front->ops->start(s->front) == -1) {
		s->status = EXIT_FAIL;
		return s->status;
	}
	s->running = 1;
	update_input(s);
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

void
session_free(struct session *s)
{
	while (!TAILQ_EMPTY(&s->conns))
		conn_free(s, TAILQ_FIRST(&s->conns));
	ev_timer_stop(s->ev, &s->quit_timer);
	ev_timer_stop(s->ev, &s->grace_timer);
	if (s->front != NULL)
		s->front->ops->stop(s->front);
	s->front = NULL;
}
