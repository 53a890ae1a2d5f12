/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Datagram sockets (UDP, unix datagram): whole messages both ways.
 *
 * The out buffer holds framed datagrams, each with the address it goes
 * to, so one listening socket can answer many senders.  A datagram is
 * never split or merged.  Received ones arrive whole up to the size of
 * the socket's receive buffer (SO_RCVBUF, about 208 KiB by default),
 * however large a unix datagram a sender made; a larger one (a sender
 * who raised its SO_SNDBUF) is cut, and said so, and the exit status
 * is 1.
 *
 * A listening socket remembers who wrote to it (design item 7): input
 * goes to the most recent sender, and every datagram is shown with its
 * sender once more than one has been seen (always with -v).
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"

/* Queued datagrams per socket, in bytes, before input pauses. */
#define DGRAM_QUEUE	(4 * BUF_CHUNK)

/* Senders remembered per session; the oldest is forgotten first. */
#define SENDERS_MAX	1024

/* -v reports datagrams refused for -m at most this often. */
#define CAP_NOTE_MS	1000

struct dgram_hdr {
	uint32_t		 len;
	socklen_t		 addrlen;	/* 0: the connected peer */
	struct sockaddr_storage	 addr;
};

/* The least room for a received datagram: any UDP one, v4 or v6. */
#define DGRAM_RECV_MIN	65536

/* Where received datagrams land; grown to the largest socket's limit. */
static char	*scratch;
static size_t	 scratch_len;

size_t
dgram_room(const struct conn *c)
{
	size_t	room = buf_room(&c->out, DGRAM_QUEUE);

	return room > sizeof(struct dgram_hdr) ?
	    room - sizeof(struct dgram_hdr) : 0;
}

/* Queues one datagram for to (NULL: the connected peer). */
int
dgram_queue(struct session *s, struct conn *c, const struct peer *to,
    const char *p, size_t n)
{
	struct dgram_hdr	h;

	(void)s;
	memset(&h, 0, sizeof(h));
	h.len = (uint32_t)n;
	if (to != NULL) {
		h.addrlen = to->addrlen;
		memcpy(&h.addr, &to->addr, to->addrlen);
	}
	if (buf_append(&c->out, &h, sizeof(h)) == -1 ||
	    buf_append(&c->out, p, n) == -1)
		return -1;
	return 0;
}

static void
dgram_fail(struct session *s, struct conn *c, const char *what, int e)
{
	char	name[PEER_HOSTLEN + 32];

	session_fail(s, "%s %s failed: %s", what,
	    peer_name(&c->peer, name, sizeof(name)), strerror(e));
}

static void
dropped(struct session *s, const struct dgram_hdr *h, int e)
{
	struct peer	p;
	char		name[PEER_HOSTLEN + 8];

	if (s->cfg->verbose == 0)
		return;
	peer_set(&p, CFG_PROTO(s->cfg), (const struct sockaddr *)&h->addr,
	    h->addrlen);
	msg_verbose(s->cfg, 1, "Dropped a datagram for %s: %s",
	    peer_addr(&p, name, sizeof(name)), strerror(e));
}

static void
dgram_write(struct session *s, struct conn *c)
{
	struct dgram_hdr	h;
	ssize_t			n;

	while (buf_used(&c->out) >= sizeof(h)) {
		memcpy(&h, buf_head(&c->out), sizeof(h));
		if (h.addrlen == 0)
			n = send(c->fd, buf_head(&c->out) + sizeof(h), h.len,
			    MSG_NOSIGNAL);
		else
			n = sendto(c->fd, buf_head(&c->out) + sizeof(h), h.len,
			    MSG_NOSIGNAL, (struct sockaddr *)&h.addr,
			    h.addrlen);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ENOBUFS)
				break;
			if (h.addrlen == 0) {
				dgram_fail(s, c, "send to", errno);
				return;
			}
			/*
			 * One sender that cannot be answered (gone, or never
			 * had an address) must not stop a listener that
			 * serves everyone else: drop that datagram.
			 */
			dropped(s, &h, errno);
		}
		buf_consume(&c->out, sizeof(h) + h.len);
		session_traffic(s);
	}
	session_update_input(s);
}

static struct sender *
find_sender(struct session *s, const struct sockaddr_storage *ss,
    socklen_t len)
{
	struct sender	*sd;

	TAILQ_FOREACH(sd, &s->senders, entry) {
		if (sd->peer.addrlen == len &&
		    memcmp(&sd->peer.addr, ss, len) == 0)
			return sd;
	}
	return NULL;
}

/* Remembers a new sender, forgetting the oldest beyond SENDERS_MAX. */
static struct sender *
add_sender(struct session *s, struct conn *c,
    const struct sockaddr_storage *ss, socklen_t len)
{
	struct sender	*sd;
	char		 name[PEER_HOSTLEN + 8];

	if (s->nsenders >= SENDERS_MAX) {
		sd = TAILQ_LAST(&s->senders, sender_list);
		if (s->target == sd)
			s->target = NULL;
		TAILQ_REMOVE(&s->senders, sd, entry);
		s->nsenders--;
		respond_sender_free(s, sd);
		free(sd);
	}
	if ((sd = calloc(1, sizeof(*sd))) == NULL)
		return NULL;
	sd->via = c;
	sd->peer.id = s->next_id++;
	peer_set(&sd->peer, c->peer.proto, (const struct sockaddr *)ss, len);
	TAILQ_INSERT_HEAD(&s->senders, sd, entry);
	s->nsenders++;
	if (s->cfg->verbose)
		msg_verbose(s->cfg, 1, "Connection received on %s",
		    peer_addr(&sd->peer, name, sizeof(name)));
	s->front->ops->event(s->front, FE_PEER_UP, &sd->peer);
	return sd;
}

static void
refuse_sender(struct session *s, const struct sockaddr_storage *ss,
    socklen_t len)
{
	struct peer	p;
	char		name[PEER_HOSTLEN + 8];

	if (s->cfg->verbose == 0)
		return;
	peer_set(&p, CFG_PROTO(s->cfg), (const struct sockaddr *)ss, len);
	msg_verbose(s->cfg, 1, "Refused a datagram from %s: not allowed",
	    peer_addr(&p, name, sizeof(name)));
}

/*
 * -m: a datagram that would start one program too many is dropped.  -v
 * reports it at most once a CAP_NOTE_MS, saying how many more went
 * unreported since, so a flood of senders cannot flood stderr.
 */
static void
refuse_full(struct session *s, const struct sockaddr_storage *ss,
    socklen_t len)
{
	struct peer	p;
	char		name[PEER_HOSTLEN + 8], more[64] = "";
	int64_t		now = now_ms();

	if (s->cfg->verbose == 0)
		return;
	if (s->cap_note_ms != 0 && now - s->cap_note_ms < CAP_NOTE_MS) {
		s->cap_unnoted++;
		return;
	}
	if (s->cap_unnoted > 0)
		snprintf(more, sizeof(more), " (and %ld more since the last "
		    "report)", s->cap_unnoted);
	s->cap_note_ms = now;
	s->cap_unnoted = 0;
	peer_set(&p, CFG_PROTO(s->cfg), (const struct sockaddr *)ss, len);
	msg_verbose(s->cfg, 1, "Refused a datagram from %s: %d program%s "
	    "already running (-m)%s", peer_addr(&p, name, sizeof(name)),
	    s->cfg->max_conns, s->cfg->max_conns == 1 ? "" : "s", more);
}

/*
 * Room for the largest datagram c can be handed: the kernel queues a
 * unix datagram as large as its sender's SO_SNDBUF, so the limit is
 * our receive buffer, asked once per socket.  -1 when out of memory.
 */
static int
make_room(struct conn *c)
{
	socklen_t	 len = sizeof(int);
	int		 rcvbuf;
	char		*p;

	if (c->dgram_max == 0) {
		c->dgram_max = DGRAM_RECV_MIN;
		if (getsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    &len) == 0 && (size_t)rcvbuf > c->dgram_max)
			c->dgram_max = (size_t)rcvbuf;
	}
	if (scratch_len >= c->dgram_max)
		return 0;
	if ((p = realloc(scratch, c->dgram_max)) == NULL)
		return -1;
	scratch = p;
	scratch_len = c->dgram_max;
	return 0;
}

/* A datagram larger than the room for it was cut: never silently. */
static void
cut(struct session *s, struct conn *c, const struct sockaddr_storage *ss,
    socklen_t len, size_t n)
{
	struct peer	p;
	char		name[PEER_HOSTLEN + 32];

	if (c->connected)
		p = c->peer;
	else
		peer_set(&p, c->peer.proto, (const struct sockaddr *)ss, len);
	msg_warn("a datagram of %zu bytes from %s was cut to %zu: it is "
	    "larger than the receive buffer (SO_RCVBUF)", n,
	    peer_name(&p, name, sizeof(name)), c->dgram_max);
	s->cut = 1;
}

static void
dgram_read(struct session *s, struct conn *c)
{
	struct sockaddr_storage	 ss;
	struct sender		*sd;
	socklen_t		 len = sizeof(ss);
	ssize_t			 n;
	size_t			 full;
	int			 flags = OUT_DGRAM;

	if (make_room(c) == -1) {
		session_fail(s, "out of memory");
		return;
	}
	n = recvfrom(c->fd, scratch, c->dgram_max, MSG_TRUNC,
	    (struct sockaddr *)&ss, &len);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			dgram_fail(s, c, "receive from", errno);
		return;
	}
	full = (size_t)n;
	if (full > c->dgram_max)
		n = (ssize_t)c->dgram_max;
	if (c->connected) {
		if (full > (size_t)n)
			cut(s, c, &ss, len, full);
		session_received(s, c, NULL, scratch, (size_t)n, flags);
		return;
	}
	/*
	 * A unix sender that never bound has no address: the kernel writes
	 * none and says len 0.  It is "(unnamed)", not whatever was in ss.
	 */
	if (len < sizeof(sa_family_t)) {
		ss.ss_family = c->peer.addr.ss_family;
		len = sizeof(sa_family_t);
	}
	/* --allow / --deny, before anything of the datagram is used. */
	if (ss.ss_family != AF_UNIX &&
	    !addr_allowed(s->cfg, (struct sockaddr *)&ss)) {
		refuse_sender(s, &ss, len);
		return;
	}
	sd = find_sender(s, &ss, len);
	if (respond_dgram_full(s, sd, len)) {
		refuse_full(s, &ss, len);
		return;
	}
	if (sd == NULL && (sd = add_sender(s, c, &ss, len)) == NULL) {
		session_fail(s, "out of memory");
		return;
	}
	/* The most recent sender is who input goes to (item 7). */
	if (TAILQ_FIRST(&s->senders) != sd) {
		TAILQ_REMOVE(&s->senders, sd, entry);
		TAILQ_INSERT_HEAD(&s->senders, sd, entry);
	}
	/* An unnamed unix sender cannot be answered; /to N pins one. */
	if (sd->peer.addrlen > sizeof(sa_family_t) && s->to_id == 0)
		s->target = sd;
	if (s->nsenders > 1 || s->cfg->verbose)
		flags |= OUT_SENDER;
	if (full > (size_t)n)
		cut(s, c, &ss, len, full);
	session_received(s, c, sd, scratch, (size_t)n, flags);
	session_update_input(s);
}

void
dgram_event(int fd, int events, void *arg)
{
	struct conn	*c = arg;
	struct session	*s = c->session;

	(void)fd;
	if ((events & EV_WRITE) && !s->done)
		dgram_write(s, c);
	if ((events & EV_READ) && !s->done)
		dgram_read(s, c);
	conn_update(s, c);
	session_check_done(s);
}

void
dgram_free_senders(struct session *s)
{
	struct sender	*sd;

	while ((sd = TAILQ_FIRST(&s->senders)) != NULL) {
		TAILQ_REMOVE(&s->senders, sd, entry);
		respond_sender_free(s, sd);
		free(sd);
	}
	s->nsenders = 0;
	s->target = NULL;
	free(scratch);
	scratch = NULL;
	scratch_len = 0;
}
