/*
 * Stream connections (TCP, unix stream): reading, writing, half-close.
 */

#include <sys/socket.h>

#include <errno.h>
#include <unistd.h>

#include "sockline.h"

static char	scratch[BUF_CHUNK];

/* Half-closes c once everything the user sent has left. */
void
stream_maybe_shutdown(struct session *s, struct conn *c)
{
	if (c->wr_shut || buf_used(&c->out) > 0)
		return;
	if (!s->cfg->no_shutdown && !s->cfg->recv_only)
		shutdown(c->fd, SHUT_WR);
	c->wr_shut = 1;
}

static void
stream_write(struct session *s, struct conn *c)
{
	ssize_t	n;

	n = send(c->fd, buf_head(&c->out), buf_used(&c->out), MSG_NOSIGNAL);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			session_conn_fail(s, c, errno);
		return;
	}
	buf_consume(&c->out, (size_t)n);
	c->progress_ms = now_ms();
	session_traffic(s);
	session_update_input(s);
}

static void
stream_read(struct session *s, struct conn *c)
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
			session_conn_fail(s, c, errno);
		return;
	}
	if (n == 0) {
		session_conn_eof(s, c);
		return;
	}
	session_received(s, c, NULL, scratch, (size_t)n, 0);
}

void
stream_event(int fd, int events, void *arg)
{
	struct conn	*c = arg;
	struct session	*s = c->session;

	(void)fd;
	if ((events & EV_WRITE) && !s->done)
		stream_write(s, c);
	if ((events & EV_READ) && !s->done && !c->dead)
		stream_read(s, c);
	stream_after(s, c);
}

/*
 * After anything happened on c: closes it if its conversation is over
 * (-k, responders), else refreshes what to wait for.  c may be freed.
 */
void
stream_after(struct session *s, struct conn *c)
{
	if (c->dead) {
		session_check_done(s);
		return;
	}
	conn_update(s, c);
	respond_update(c);
	session_settle(s, c);
	session_check_done(s);
}
