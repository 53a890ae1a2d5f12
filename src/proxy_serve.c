/*
 * -l -k --proxy-server http|socks5 (design item 20): a proxy for test
 * suites, in one event loop.  Each client's request is read (no further
 * than it goes) and answered, its target resolved (getaddrinfo_a, so a
 * slow name delays no one) and connected non-blocking, then the two
 * sockets are joined: splice(2) through a pipe per direction, made only
 * when bytes first flow, so an idle tunnel costs two sockets and a few
 * hundred bytes; where splice cannot, a buffer, read only when empty.
 * An end of stream is passed on as a half-close, in each direction
 * alone.  --allow/--deny and -m apply to clients, --proxy-auth is
 * required of them when given, -w (default 10 s) bounds a handshake.
 */

#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

#define PS_LISTENERS	4
#define PIPE_CAP	(64 * 1024)
/* A bulk tunnel's pipe is grown to this: fewer, larger splices. */
#define PIPE_BULK	(1024 * 1024)
#define REQ_MAX		8192
#define GAI_POLL_MS	5

enum tstate {
	T_REQUEST,		/* reading the client's request */
	T_RESOLVE,		/* the target's name */
	T_CONNECT,		/* to the target */
	T_RELAY			/* joined */
};

struct dir {
	int		 pipe[2];	/* -1: none yet */
	size_t		 inpipe;
	size_t		 cap;		/* the pipe's size */
	char		*buf;		/* no splice: a buffer instead */
	size_t		 off, len;
	int		 eof;		/* the sender ended */
	int		 done;		/* and that was passed on */
	int		 nosplice;
	unsigned long long bytes;
};

struct pserver;
struct tunnel {
	struct pserver		*ps;
	int			 id;
	int			 fd[2];		/* client, target */
	int			 events[2];
	enum tstate		 state;
	int			 stage;
	char			 client[ADDR_STRLEN + 8];
	char			 target[PROXY_FIELD + 16];
	char			 host[PROXY_FIELD];
	char			 port[8];
	unsigned char		*in;		/* the request so far */
	size_t			 inlen;
	unsigned char		 out[256];	/* a reply not yet sent */
	size_t			 outlen;
	int			 close_after;	/* the reply refuses */
	struct gaicb		*gai;
	struct addrinfo		*res, *next;
	int			 conn_err;
	struct dir		 d[2];		/* 0: to the target, 1: back */
	struct ev_timer		 limit;
	LIST_ENTRY(tunnel)	 entry;
};

struct pserver {
	const struct config	*cfg;
	struct ev		*ev;
	int			 fds[PS_LISTENERS];
	int			 nfds;
	int			 ntunnels;
	int			 next_id;
	LIST_HEAD(, tunnel)	 tunnels;
	LIST_HEAD(, tunnel)	 resolving;	/* also in tunnels, or orphans */
	struct ev_timer		 gai_timer;
};

static void	tunnel_event(int, int, void *);
static void	start_connect(struct tunnel *);

static void
set_events(struct tunnel *t, int i, int ev)
{
	if (t->fd[i] == -1 || t->events[i] == ev)
		return;
	t->events[i] = ev;
	ev_set(t->ps->ev, t->fd[i], ev, tunnel_event, t);
}

static void
tunnel_free(struct tunnel *t)
{
	struct pserver	*ps = t->ps;
	int		 i;

	ev_timer_stop(ps->ev, &t->limit);
	for (i = 0; i < 2; i++) {
		if (t->fd[i] != -1) {
			ev_del(ps->ev, t->fd[i]);
			close(t->fd[i]);
			t->fd[i] = -1;
		}
		if (t->d[i].pipe[0] != -1) {
			close(t->d[i].pipe[0]);
			close(t->d[i].pipe[1]);
		}
		free(t->d[i].buf);
	}
	free(t->in);
	t->in = NULL;
	if (t->res != NULL)
		freeaddrinfo(t->res);
	t->res = NULL;
	LIST_REMOVE(t, entry);
	ps->ntunnels--;
	/* A lookup still running writes into its gaicb: kept till done. */
	if (t->gai != NULL && gai_cancel(t->gai) != EAI_CANCELED &&
	    gai_error(t->gai) == EAI_INPROGRESS) {
		t->id = 0;
		LIST_INSERT_HEAD(&ps->resolving, t, entry);
		return;
	}
	if (t->gai != NULL) {
		if (t->gai->ar_result != NULL)
			freeaddrinfo(t->gai->ar_result);
		free(t->gai);
	}
	free(t);
}

/* Ends a tunnel: -v says why or, once joined, how much went each way. */
static void
tunnel_end(struct tunnel *t, const char *why)
{
	const struct config	*cfg = t->ps->cfg;

	if (t->state == T_RELAY) {
		msg_verbose(cfg, 1, "Tunnel %d from %s to %s closed: %llu "
		    "bytes to the target, %llu back%s%s", t->id, t->client,
		    t->target, t->d[0].bytes, t->d[1].bytes,
		    why != NULL ? ": " : "", why != NULL ? why : "");
		log_note("tunnel %d from %s to %s closed: %llu bytes to the "
		    "target, %llu back", t->id, t->client, t->target,
		    t->d[0].bytes, t->d[1].bytes);
	} else if (why != NULL)
		msg_verbose(cfg, 1, "Dropped %s%s%s: %s", t->client,
		    t->target[0] != '\0' ? " asking for " : "", t->target, why);
	tunnel_free(t);
}

/* Sends what is left of the reply; 0 when all is out, 1 not yet. */
static int
send_out(struct tunnel *t)
{
	ssize_t	n;

	while (t->outlen > 0) {
		n = send(t->fd[0], t->out, t->outlen, MSG_NOSIGNAL);
		if (n == -1 && errno == EAGAIN)
			return 1;
		if (n == -1)
			return -1;
		memmove(t->out, t->out + n, t->outlen - (size_t)n);
		t->outlen -= (size_t)n;
	}
	return 0;
}

/* Queues a reply; refuse: the tunnel ends once it is out. */
static void
reply(struct tunnel *t, const void *p, size_t n, int refuse)
{
	memcpy(t->out + t->outlen, p, n);
	t->outlen += n;
	t->close_after = refuse;
}

static int
cred_ok(const struct config *cfg, const struct proxy_request *r)
{
	size_t	a = strlen(cfg->proxy_auth), b = strlen(r->cred), i;
	int	diff = a != b;

	/* Every byte compared, whatever the first difference. */
	for (i = 0; i < a; i++)
		diff |= cfg->proxy_auth[i] ^ (i < b ? r->cred[i] : 0);
	return r->has_cred && diff == 0;
}

/* A refusal of the request; the answer for it, and the words for -v. */
static void
refuse(struct tunnel *t, int code, const char *why)
{
	unsigned char	s5[32];
	char		http[256];
	size_t		n;

	if (t->ps->cfg->proxy_server == PROXY_HTTP) {
		n = proxy_http_answer(code, http, sizeof(http));
		if (n > sizeof(t->out) - t->outlen) {
			/* The 407 is longer than out: straight away. */
			(void)send(t->fd[0], http, n, MSG_NOSIGNAL);
			n = 0;
		}
		reply(t, http, n, 1);
	} else if (t->stage == PRQ_S5_HELLO) {
		reply(t, "\x05\xff", 2, 1);
	} else if (t->stage == PRQ_S5_AUTH) {
		reply(t, "\x01\x01", 2, 1);
	} else {
		n = proxy_socks5_answer(code, NULL, s5);
		reply(t, s5, n, 1);
	}
	msg_verbose(t->ps->cfg, 1, "Refused %s%s%s: %s", t->client,
	    t->target[0] != '\0' ? " asking for " : "", t->target, why);
}

/* A whole request: answer it, or go on to the target. */
static void
request_done(struct tunnel *t, const struct proxy_request *r)
{
	const struct config	*cfg = t->ps->cfg;
	int			 v6;

	switch (t->stage) {
	case PRQ_S5_HELLO:
		if ((r->methods & (cfg->proxy_auth != NULL ? 2 : 1)) == 0) {
			refuse(t, 0xff, cfg->proxy_auth != NULL ? "no "
			    "username/password offered" : "no method offered "
			    "that needs no authentication");
			return;
		}
		reply(t, cfg->proxy_auth != NULL ? "\x05\x02" : "\x05\x00", 2,
		    0);
		t->stage = cfg->proxy_auth != NULL ? PRQ_S5_AUTH :
		    PRQ_S5_CONNECT;
		t->inlen = 0;
		return;
	case PRQ_S5_AUTH:
		if (!cred_ok(cfg, r)) {
			refuse(t, 1, "wrong user name or password");
			return;
		}
		reply(t, "\x01\x00", 2, 0);
		t->stage = PRQ_S5_CONNECT;
		t->inlen = 0;
		return;
	}
	v6 = strchr(r->host, ':') != NULL;
	snprintf(t->target, sizeof(t->target), "%s%s%s %u", v6 ? "[" : "",
	    r->host, v6 ? "]" : "", r->port);
	if (t->stage == PRQ_HTTP && cfg->proxy_auth != NULL &&
	    !cred_ok(cfg, r)) {
		refuse(t, 407, r->has_cred ? "wrong user name or password" :
		    "no credentials");
		return;
	}
	snprintf(t->host, sizeof(t->host), "%s", r->host);
	snprintf(t->port, sizeof(t->port), "%u", r->port);
	free(t->in);
	t->in = NULL;
	t->inlen = 0;
	start_connect(t);
}

/* Reads the request, never past its end. */
static void
read_request(struct tunnel *t)
{
	struct proxy_request	 r;
	ssize_t			 n;
	int			 need;

	for (;;) {
		need = proxy_request(t->stage, t->in, t->inlen, &r);
		if (need == -1) {
			refuse(t, r.code, r.why);
			return;
		}
		if (need == 0) {
			request_done(t, &r);
			return;
		}
		if ((size_t)need > REQ_MAX - t->inlen) {
			refuse(t, 431, "request too long");
			return;
		}
		n = read(t->fd[0], t->in + t->inlen, (size_t)need);
		if (n == 0) {
			tunnel_end(t, t->inlen == 0 && t->stage != PRQ_HTTP &&
			    t->stage != PRQ_S5_HELLO ? "closed after the "
			    "greeting" : "closed during its request");
			return;
		}
		if (n == -1) {
			if (errno != EAGAIN)
				tunnel_end(t, strerror(errno));
			return;
		}
		t->inlen += (size_t)n;
	}
}

/* What the proxy answers when the target cannot be reached. */
static void
unreachable(struct tunnel *t, int e, const char *why)
{
	int	code;

	if (t->ps->cfg->proxy_server == PROXY_HTTP)
		code = e == ETIMEDOUT ? 504 : 502;
	else
		code = e == ECONNREFUSED ? 5 : e == ENETUNREACH ? 3 :
		    e == EHOSTUNREACH || e == ETIMEDOUT || e == 0 ? 4 : 1;
	t->state = T_REQUEST;
	refuse(t, code, why);
	if (send_out(t) != 1)
		tunnel_end(t, NULL);
	else
		set_events(t, 0, EV_WRITE);
}

/* Tries the next address of the target, non-blocking. */
static void
try_next(struct tunnel *t)
{
	struct addrinfo	*ai;
	char		 why[256];
	int		 fd;

	while ((ai = t->next) != NULL) {
		t->next = ai->ai_next;
		if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) == -1) {
			t->conn_err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			t->fd[1] = fd;
			t->events[1] = 0;
			t->state = T_CONNECT;
			set_events(t, 1, EV_WRITE);
			return;
		}
		t->conn_err = errno;
		close(fd);
	}
	snprintf(why, sizeof(why), "connect failed: %s",
	    strerror(t->conn_err));
	unreachable(t, t->conn_err, why);
}

static void
resolved(struct tunnel *t, int e, struct addrinfo *res)
{
	char	why[PROXY_FIELD + 64];

	if (e != 0) {
		snprintf(why, sizeof(why), "cannot resolve %s: %s", t->host,
		    gai_strerror(e));
		unreachable(t, 0, why);
		return;
	}
	t->res = t->next = res;
	t->conn_err = ECONNREFUSED;
	try_next(t);
}

/* Lookups in flight are checked every few ms; finished ones go on. */
static void
on_gai_timer(void *arg)
{
	struct pserver	*ps = arg;
	struct tunnel	*t, *next;
	struct gaicb	*g;
	int		 e;

	for (t = LIST_FIRST(&ps->resolving); t != NULL; t = next) {
		next = LIST_NEXT(t, entry);
		g = t->gai;
		if ((e = gai_error(g)) == EAI_INPROGRESS)
			continue;
		LIST_REMOVE(t, entry);
		t->gai = NULL;
		if (t->id == 0) {
			/* Its tunnel is gone. */
			if (g->ar_result != NULL)
				freeaddrinfo(g->ar_result);
			free(g);
			free(t);
			continue;
		}
		/* resolving reuses entry: back into the tunnels. */
		LIST_INSERT_HEAD(&ps->tunnels, t, entry);
		resolved(t, e, g->ar_result);
		free(g);
	}
	if (!LIST_EMPTY(&ps->resolving))
		ev_timer_start(ps->ev, &ps->gai_timer, GAI_POLL_MS);
}

static void
start_connect(struct tunnel *t)
{
	struct pserver	*ps = t->ps;
	struct addrinfo	 hints, *res;
	struct gaicb	*list[1];
	int		 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = ps->cfg->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	t->state = T_RESOLVE;
	set_events(t, 0, 0);
	if ((e = getaddrinfo(t->host, t->port, &hints, &res)) == 0 ||
	    ps->cfg->numeric) {
		resolved(t, e, e == 0 ? res : NULL);
		return;
	}
	if ((t->gai = calloc(1, sizeof(*t->gai) + sizeof(hints))) == NULL) {
		unreachable(t, ENOMEM, "out of memory");
		return;
	}
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	memcpy(t->gai + 1, &hints, sizeof(hints));
	t->gai->ar_name = t->host;
	t->gai->ar_service = t->port;
	t->gai->ar_request = (struct addrinfo *)(t->gai + 1);
	list[0] = t->gai;
	if ((e = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) != 0) {
		free(t->gai);
		t->gai = NULL;
		resolved(t, e, NULL);
		return;
	}
	LIST_REMOVE(t, entry);
	LIST_INSERT_HEAD(&ps->resolving, t, entry);
	if (!ps->gai_timer.active)
		ev_timer_start(ps->ev, &ps->gai_timer, GAI_POLL_MS);
}

/* The target answered the connect: the tunnel is open, or not. */
static void
connected(struct tunnel *t)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	unsigned char		 s5[32];
	char			 http[128];
	int			 e = 0;

	getsockopt(t->fd[1], SOL_SOCKET, SO_ERROR, &e, &len);
	if (e == EINPROGRESS || e == EALREADY)
		return;
	if (e != 0) {
		ev_del(t->ps->ev, t->fd[1]);
		close(t->fd[1]);
		t->fd[1] = -1;
		t->events[1] = 0;
		t->conn_err = e;
		try_next(t);
		return;
	}
	freeaddrinfo(t->res);
	t->res = t->next = NULL;
	len = sizeof(ss);
	getsockname(t->fd[1], (struct sockaddr *)&ss, &len);
	if (t->ps->cfg->proxy_server == PROXY_HTTP)
		reply(t, http, proxy_http_answer(200, http, sizeof(http)), 0);
	else
		reply(t, s5, proxy_socks5_answer(0, (struct sockaddr *)&ss, s5),
		    0);
	ev_timer_stop(t->ps->ev, &t->limit);
	t->state = T_RELAY;
	msg_verbose(t->ps->cfg, 1, "Tunnel %d from %s to %s opened", t->id,
	    t->client, t->target);
	log_note("tunnel %d from %s to %s (%s)", t->id, t->client, t->target,
	    proxy_kind_name(t->ps->cfg->proxy_server));
}

/*
 * Moves what it can from one socket to the other.  Returns -1 when the
 * tunnel broke (why set), else 0; *want gets the events it waits for:
 * bit 0 the sender readable, bit 1 the receiver writable.
 */
static int
pass(struct dir *d, int from, int to, int *want, const char **why)
{
	ssize_t	n;

	*want = 0;
	for (;;) {
		if (d->inpipe > 0 || d->len > 0) {
			if (d->nosplice)
				n = send(to, d->buf + d->off, d->len,
				    MSG_NOSIGNAL);
			else
				n = splice(d->pipe[0], NULL, to, NULL,
				    d->inpipe, SPLICE_F_MOVE |
				    SPLICE_F_NONBLOCK);
			if (n == -1 && errno == EAGAIN) {
				*want |= 2;
				if (d->nosplice || d->inpipe >= d->cap)
					return 0;
			} else if (n == -1) {
				*why = strerror(errno);
				return -1;
			} else {
				d->bytes += (unsigned long long)n;
				if (d->nosplice) {
					d->off += (size_t)n;
					d->len -= (size_t)n;
				} else
					d->inpipe -= (size_t)n;
				continue;
			}
		}
		if (d->eof) {
			if (d->inpipe == 0 && d->len == 0 && !d->done) {
				d->done = 1;
				shutdown(to, SHUT_WR);
			}
			return 0;
		}
		if (!d->nosplice && d->pipe[0] == -1) {
			if (pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
				d->pipe[0] = d->pipe[1] = -1;
				d->nosplice = 1;
			} else {
				/* Pages are taken only as bytes fill it. */
				n = fcntl(d->pipe[1], F_SETPIPE_SZ, PIPE_BULK);
				d->cap = n > 0 ? (size_t)n : PIPE_CAP;
			}
		}
		if (d->nosplice) {
			if (d->buf == NULL && (d->buf = malloc(BUF_CHUNK)) ==
			    NULL) {
				*why = "out of memory";
				return -1;
			}
			d->off = 0;
			n = read(from, d->buf, BUF_CHUNK);
			if (n > 0)
				d->len = (size_t)n;
		} else {
			n = splice(from, NULL, d->pipe[1], NULL,
			    d->cap - d->inpipe, SPLICE_F_MOVE |
			    SPLICE_F_NONBLOCK);
			if (n == -1 && errno == EINVAL && d->inpipe == 0) {
				/* Not spliceable here: buffered from now. */
				close(d->pipe[0]);
				close(d->pipe[1]);
				d->pipe[0] = d->pipe[1] = -1;
				d->nosplice = 1;
				continue;
			}
			if (n > 0)
				d->inpipe += (size_t)n;
		}
		if (n == 0)
			d->eof = 1;
		else if (n == -1 && errno == EAGAIN) {
			*want |= 1;
			return 0;
		} else if (n == -1) {
			*why = strerror(errno);
			return -1;
		}
	}
}

static void
relay(struct tunnel *t)
{
	const char	*why = NULL;
	int		 w0, w1;

	if (pass(&t->d[0], t->fd[0], t->fd[1], &w0, &why) == -1 ||
	    pass(&t->d[1], t->fd[1], t->fd[0], &w1, &why) == -1) {
		tunnel_end(t, why);
		return;
	}
	if (t->d[0].done && t->d[1].done) {
		tunnel_end(t, NULL);
		return;
	}
	set_events(t, 0, ((w0 & 1) ? EV_READ : 0) | ((w1 & 2) ? EV_WRITE : 0));
	set_events(t, 1, ((w1 & 1) ? EV_READ : 0) | ((w0 & 2) ? EV_WRITE : 0));
}

static void
tunnel_event(int fd, int events, void *arg)
{
	struct tunnel	*t = arg;
	int		 r;

	(void)events;
	if (t->outlen > 0) {
		if ((r = send_out(t)) == -1) {
			tunnel_end(t, strerror(errno));
			return;
		}
		if (r == 1) {
			set_events(t, 0, EV_WRITE);
			return;
		}
	}
	if (t->close_after) {
		tunnel_end(t, NULL);
		return;
	}
	switch (t->state) {
	case T_REQUEST:
		read_request(t);
		if (t->close_after || t->outlen > 0) {
			if ((r = send_out(t)) == 1) {
				set_events(t, 0, EV_WRITE);
				return;
			}
			if (r == -1 || t->close_after) {
				tunnel_end(t, r == -1 ? strerror(errno) : NULL);
				return;
			}
		}
		if (t->state == T_REQUEST)
			set_events(t, 0, EV_READ);
		return;
	case T_RESOLVE:
		return;
	case T_CONNECT:
		if (fd != t->fd[1])
			return;
		connected(t);
		if (t->state != T_RELAY)
			return;
		if ((r = send_out(t)) == -1) {
			tunnel_end(t, strerror(errno));
			return;
		}
		if (r == 1) {
			set_events(t, 1, 0);
			set_events(t, 0, EV_WRITE);
			return;
		}
		relay(t);
		return;
	case T_RELAY:
		relay(t);
		return;
	}
}

static void
on_limit(void *arg)
{
	struct tunnel	*t = arg;
	char		 why[80];
	long		 ms = t->ps->cfg->wait_ms >= 0 ? t->ps->cfg->wait_ms :
			    HS_LIMIT_MS;

	snprintf(why, sizeof(why), "handshake not done after %ld.%03ld s",
	    ms / 1000, ms % 1000);
	if (t->state == T_CONNECT || t->state == T_RESOLVE) {
		if (t->state == T_RESOLVE && t->gai != NULL) {
			/* Leave the lookup to finish alone. */
			tunnel_end(t, why);
			return;
		}
		unreachable(t, ETIMEDOUT, why);
		return;
	}
	tunnel_end(t, why);
}

static void
accept_one(struct pserver *ps, int lfd)
{
	const struct config	*cfg = ps->cfg;
	struct sockaddr_storage	 ss;
	struct tunnel		*t;
	socklen_t		 len;
	char			 host[ADDR_STRLEN];
	uint16_t		 port;
	int			 fd;

	if ((fd = sock_accept(lfd, &ss, &len)) == -1)
		return;
	addr_format((struct sockaddr *)&ss, host, sizeof(host), &port);
	if (!addr_allowed(cfg, (struct sockaddr *)&ss)) {
		msg_verbose(cfg, 1, "Refused a connection from %s %u: not "
		    "allowed", host, port);
		close(fd);
		return;
	}
	if (ps->ntunnels >= cfg->max_conns) {
		msg_verbose(cfg, 1, "Refused a connection from %s %u: %d "
		    "tunnels already (-m)", host, port, cfg->max_conns);
		close(fd);
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->in = malloc(REQ_MAX)) == NULL) {
		free(t);
		close(fd);
		return;
	}
	msg_verbose(cfg, 1, "Connection received on %s %u", host, port);
	t->ps = ps;
	t->id = ++ps->next_id;
	t->fd[0] = fd;
	t->fd[1] = -1;
	t->d[0].pipe[0] = t->d[0].pipe[1] = -1;
	t->d[1].pipe[0] = t->d[1].pipe[1] = -1;
	snprintf(t->client, sizeof(t->client), "%s %u", host, port);
	t->stage = cfg->proxy_server == PROXY_HTTP ? PRQ_HTTP : PRQ_S5_HELLO;
	LIST_INSERT_HEAD(&ps->tunnels, t, entry);
	ps->ntunnels++;
	ev_timer_init(&t->limit, on_limit, t);
	ev_timer_start(ps->ev, &t->limit, cfg->wait_ms >= 0 ? cfg->wait_ms :
	    HS_LIMIT_MS);
	set_events(t, 0, EV_READ);
}

static void
accept_event(int fd, int events, void *arg)
{
	int	i;

	(void)events;
	for (i = 0; i < 64; i++)
		accept_one(arg, fd);
}

/*
 * Binds the host given, or loopback only (::1 and 127.0.0.1) when none:
 * a test suite's proxy is not for the network.
 */
static int
bind_all(struct pserver *ps)
{
	const struct config	*cfg = ps->cfg;
	const char		*loop[] = { "::1", "127.0.0.1" };
	struct addrinfo		*res, *ai;
	struct config		 c = *cfg;
	char			 err[256], host[ADDR_STRLEN];
	uint16_t		 port = cfg->port, p;
	int			 i, fd, tried = 0;

	for (i = 0; i < (cfg->host != NULL ? 1 : 2); i++) {
		if (addr_resolve(&c, cfg->host != NULL ? cfg->host : loop[i],
		    port, SOCK_STREAM, 1, &res, err, sizeof(err)) == -1) {
			if (cfg->host == NULL)
				continue;
			msg_warn("%s", err);
			return -1;
		}
		for (ai = res; ai != NULL && ps->nfds < PS_LISTENERS;
		    ai = ai->ai_next) {
			tried++;
			if (ps->nfds > 0) {
				port = sock_local_port(ps->fds[0]);
				if (ai->ai_family == AF_INET)
					((struct sockaddr_in *)ai->ai_addr)->
					    sin_port = htons(port);
				else
					((struct sockaddr_in6 *)ai->ai_addr)->
					    sin6_port = htons(port);
			}
			if ((fd = sock_listen(ai, cfg->backlog, 1)) == -1) {
				/* No IPv6 on this host: loopback v4 will do. */
				if (cfg->host == NULL && errno == EADDRNOTAVAIL)
					continue;
				addr_format(ai->ai_addr, host, sizeof(host), &p);
				msg_warn("bind to %s port %u (tcp) failed: %s",
				    host, p, strerror(errno));
				freeaddrinfo(res);
				return -1;
			}
			ps->fds[ps->nfds++] = fd;
			if (port == 0)
				port = sock_local_port(fd);
		}
		freeaddrinfo(res);
	}
	if (ps->nfds == 0) {
		msg_warn("nowhere to listen%s", tried ? "" : ": no loopback "
		    "address");
		return -1;
	}
	return 0;
}

/* 1,000 tunnels are 2,000 sockets and their pipes: room for them. */
static void
raise_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
proxy_serve_main(const struct config *cfg)
{
	struct pserver		 ps;
	struct sockaddr_storage	 ss;
	struct tunnel		*t;
	socklen_t		 len;
	char			 host[ADDR_STRLEN], err[FSAFE_ERRLEN], line[16];
	uint16_t		 port = 0;
	int			 i, status = EXIT_FAIL, n;

	memset(&ps, 0, sizeof(ps));
	ps.cfg = cfg;
	LIST_INIT(&ps.tunnels);
	LIST_INIT(&ps.resolving);
	raise_nofile();
	signals_init();
	if ((ps.ev = ev_new()) == NULL) {
		msg_warn("out of memory");
		return EXIT_FAIL;
	}
	ev_timer_init(&ps.gai_timer, on_gai_timer, &ps);
	if (bind_all(&ps) == -1)
		goto out;
	for (i = 0; i < ps.nfds; i++) {
		len = sizeof(ss);
		getsockname(ps.fds[i], (struct sockaddr *)&ss, &len);
		addr_format((struct sockaddr *)&ss, host, sizeof(host), &port);
		msg_verbose(cfg, 1, "Listening on %s %u (%s proxy)", host,
		    port, proxy_kind_name(cfg->proxy_server));
		ev_set(ps.ev, ps.fds[i], EV_READ, accept_event, &ps);
	}
	log_listening(cfg, port);
	if (cfg->port_file != NULL) {
		n = snprintf(line, sizeof(line), "%u\n", port);
		if (fsafe_replace(cfg->port_file, line, (size_t)n, 0644, err,
		    sizeof(err)) == -1) {
			msg_warn("cannot write port file %s", err);
			goto out;
		}
	}
	while (sig_caught == 0) {
		if (ev_run_once(ps.ev) == -1 && errno != EINTR) {
			msg_warn("poll: %s", strerror(errno));
			goto out;
		}
	}
	status = 128 + sig_caught;
out:
	while ((t = LIST_FIRST(&ps.tunnels)) != NULL)
		tunnel_end(t, "the proxy is ending");
	ev_timer_stop(ps.ev, &ps.gai_timer);
	for (i = 0; i < ps.nfds; i++) {
		ev_del(ps.ev, ps.fds[i]);
		close(ps.fds[i]);
	}
	ev_free(ps.ev);
	return status;
}
