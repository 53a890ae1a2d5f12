/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * loadgen: the load generator of the benchmark.
 *
 *   rr    C connections, each sending a line and reading its echo back,
 *         over and over: round trips per second.
 *   cps   C slots, each connecting, sending a line, reading the echo and
 *         closing, over and over: connections per second.
 *   idle  C connections opened and then held, silent, until SIGTERM or
 *         -d seconds: for measuring what a listener pays per client.
 *
 * One thread and one epoll set.  On a two-core machine that leaves the
 * other core to the server under test, and a single thread cannot be
 * unfair to the servers that themselves use one.  Each connection has
 * one request in flight, so the rate measures the server's turnaround,
 * not how much it can batch.  Replies are checked byte for byte: a
 * broken echo must not look fast.
 */

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS	256
/* Handshakes in flight while opening many connections; below the usual
 * listen backlog, so the server's accept queue is not flooded. */
#define MAX_CONNECTING	100
/* Opening gives up when no connection has completed for this long: a
 * listener at its client limit lets handshakes hang in retransmission. */
#define STALL_SECS	10

enum mode { MODE_RR, MODE_CPS, MODE_IDLE };
enum state { ST_FREE, ST_CONNECTING, ST_SENDING, ST_RECEIVING, ST_HELD };

struct conn {
	int		fd;
	enum state	state;
	size_t		sent;		/* of the request */
	size_t		got;		/* of its echo */
};

struct gen {
	enum mode	 mode;
	long		 nconns;
	double		 secs;
	double		 warmup;
	size_t		 msglen;
	struct addrinfo	*ai;
	int		 ep;
	struct conn	*conns;
	char		*msg;
	char		*rbuf;
	long		 connecting;	/* handshakes in flight */
	long		 connected;
	int		 counting;	/* inside the measured window */
	int		 stopping;	/* the window has closed */
	uint64_t	 count;
	uint64_t	 errors;
	uint64_t	 closed;	/* idle: connections the server ended */
};

static volatile sig_atomic_t	quit;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: loadgen [-c conns] [-d secs] [-m rr|cps|idle]"
	    " [-s bytes] [-w secs] host port\n");
	exit(2);
}

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
number(const char *s, double min, double max, const char *what)
{
	char	*end;
	double	 d;

	d = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !(d >= min && d <= max))
		errx(2, "%s %s: not a number in %g..%g", what, s, min, max);
	return d;
}

static void
raise_fd_limit(long want)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "getrlimit");
	if (rl.rlim_cur >= (rlim_t)want)
		return;
	if (rl.rlim_max < (rlim_t)want)
		errx(1, "%ld connections need %ld descriptors; the hard limit "
		    "is %llu (raise it with ulimit -Hn)", want - 16, want,
		    (unsigned long long)rl.rlim_max);
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "setrlimit");
}

static int
watch(struct gen *g, int op, struct conn *c, uint32_t events)
{
	struct epoll_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	return epoll_ctl(g->ep, op, c->fd, &ev);
}

static void
hang_up(struct gen *g, struct conn *c)
{
	if (c->state == ST_CONNECTING)
		g->connecting--;
	close(c->fd);
	c->fd = -1;
	c->state = ST_FREE;
}

/* Starts a non-blocking connect; the outcome arrives as EPOLLOUT. */
static int
dial(struct gen *g, struct conn *c)
{
	int	on = 1;

	c->fd = socket(g->ai->ai_family, g->ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, g->ai->ai_protocol);
	if (c->fd == -1)
		return -1;
	/* The client is the instrument: it must not hold back requests. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (connect(c->fd, g->ai->ai_addr, g->ai->ai_addrlen) == -1 &&
	    errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	c->state = ST_CONNECTING;
	g->connecting++;
	if (watch(g, EPOLL_CTL_ADD, c, EPOLLOUT) == -1) {
		hang_up(g, c);
		return -1;
	}
	return 0;
}

/*
 * Sends what is left of the request.  Only a short send costs an
 * epoll_ctl; the echo is read meanwhile, or a large request and its
 * echo would block each other.
 */
static int
send_rest(struct gen *g, struct conn *c)
{
	ssize_t	w;

	w = send(c->fd, g->msg + c->sent, g->msglen - c->sent, MSG_NOSIGNAL);
	if (w == -1) {
		if (errno != EAGAIN)
			return -1;
		w = 0;
	}
	c->sent += w;
	if (c->sent < g->msglen) {
		if (c->state != ST_SENDING) {
			c->state = ST_SENDING;
			return watch(g, EPOLL_CTL_MOD, c, EPOLLIN | EPOLLOUT);
		}
		return 0;
	}
	if (c->state == ST_RECEIVING)
		return 0;
	c->state = ST_RECEIVING;
	return watch(g, EPOLL_CTL_MOD, c, EPOLLIN);
}

static int
request(struct gen *g, struct conn *c)
{
	c->sent = 0;
	c->got = 0;
	return send_rest(g, c);
}

/* The handshake finished, one way or the other. */
static int
connected(struct gen *g, struct conn *c)
{
	socklen_t	len = sizeof(int);
	int		e = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1 ||
	    e != 0)
		return -1;
	g->connecting--;
	g->connected++;
	c->state = ST_HELD;
	if (g->mode == MODE_CPS)
		return request(g, c);
	/* Held until the load starts; RDHUP tells if the server hangs up. */
	return watch(g, EPOLL_CTL_MOD, c, EPOLLIN | EPOLLRDHUP);
}

/* Reads the echo; 1 when the whole reply is in, 0 for more, -1 on error. */
static int
receive(struct gen *g, struct conn *c)
{
	ssize_t	r;

	r = read(c->fd, g->rbuf, c->sent - c->got);
	if (r == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (r == 0)
		return -1;
	if (memcmp(g->rbuf, g->msg + c->got, r) != 0)
		errx(1, "the reply differs from the request: not an echo");
	c->got += r;
	return c->got == g->msglen;
}

/* A round trip (rr) or a whole connection (cps) is over. */
static void
finished(struct gen *g, struct conn *c)
{
	if (g->counting)
		g->count++;
	if (g->mode == MODE_CPS) {
		g->connected--;
		hang_up(g, c);
		if (!g->stopping && dial(g, c) == -1)
			g->errors++;
	} else if (!g->stopping && request(g, c) == -1) {
		g->errors++;
		hang_up(g, c);
	}
}

static void
failed(struct gen *g, struct conn *c)
{
	g->errors++;
	if (c->state != ST_CONNECTING)
		g->connected--;
	hang_up(g, c);
	if (g->mode == MODE_CPS && !g->stopping && dial(g, c) == -1)
		g->errors++;
}

static void
handle(struct gen *g, struct conn *c, uint32_t events)
{
	char	byte;
	int	r;

	switch (c->state) {
	case ST_CONNECTING:
		if (connected(g, c) == -1)
			failed(g, c);
		break;
	case ST_SENDING:
		if ((events & EPOLLOUT) && send_rest(g, c) == -1) {
			failed(g, c);
			break;
		}
		if (!(events & EPOLLIN) || c->got == c->sent)
			break;
		/* FALLTHROUGH */
	case ST_RECEIVING:
		if ((r = receive(g, c)) == -1)
			failed(g, c);
		else if (r == 1)
			finished(g, c);
		break;
	case ST_HELD:
		/* Nothing is expected on a held connection but its end. */
		if ((events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ||
		    recv(c->fd, &byte, 1, MSG_DONTWAIT) == 0) {
			g->closed++;
			g->connected--;
			hang_up(g, c);
		}
		break;
	case ST_FREE:
		break;
	}
}

/* Waits at most ms for events and handles one batch of them. */
static void
spin_once(struct gen *g, int ms)
{
	struct epoll_event	evs[MAX_EVENTS];
	int			i, n;

	n = epoll_wait(g->ep, evs, MAX_EVENTS, ms);
	if (n == -1) {
		if (errno == EINTR)
			return;
		err(1, "epoll_wait");
	}
	for (i = 0; i < n; i++)
		handle(g, evs[i].data.ptr, evs[i].events);
}

/* Runs the loop until the clock passes `until` or a signal arrives. */
static void
spin(struct gen *g, double until)
{
	double	left;

	while (!quit && (left = until - now()) > 0) {
		/* At most a second per wait, so `until` may be far away. */
		if (left > 1)
			left = 1;
		spin_once(g, (int)(left * 1000) + 1);
	}
}

/* Opens every connection of rr and idle, a window of them at a time. */
static void
open_all(struct gen *g)
{
	double	progress = now();
	long	next = 0, last = 0;

	while (g->connected < g->nconns) {
		if (g->connected != last) {
			last = g->connected;
			progress = now();
		}
		while (next < g->nconns && g->connecting < MAX_CONNECTING) {
			if (dial(g, &g->conns[next]) == -1)
				err(1, "connection %ld", next + 1);
			next++;
		}
		if (g->errors > 0)
			errx(1, "%llu connection(s) failed while opening %ld",
			    (unsigned long long)g->errors, g->nconns);
		if (quit)
			errx(1, "interrupted with %ld of %ld connections open",
			    g->connected, g->nconns);
		if (now() > progress + STALL_SECS)
			errx(1, "stalled: %ld of %ld connections open",
			    g->connected, g->nconns);
		spin_once(g, 50);
	}
}

static void
run_load(struct gen *g)
{
	double	start, end;
	long	i;

	if (g->mode == MODE_RR) {
		open_all(g);
		for (i = 0; i < g->nconns; i++)
			if (request(g, &g->conns[i]) == -1)
				err(1, "first request");
	} else {
		for (i = 0; i < g->nconns; i++)
			if (dial(g, &g->conns[i]) == -1)
				err(1, "connect");
	}
	spin(g, now() + g->warmup);
	g->counting = 1;
	start = now();
	spin(g, start + g->secs);
	end = now();
	g->counting = 0;
	g->stopping = 1;
	printf("mode=%s conns=%ld secs=%.3f count=%llu rate=%.0f "
	    "errors=%llu\n", g->mode == MODE_RR ? "rr" : "cps", g->nconns,
	    end - start, (unsigned long long)g->count,
	    g->count / (end - start), (unsigned long long)g->errors);
	if (quit)
		errx(1, "interrupted");
	if (g->count == 0)
		errx(1, "no %s completed", g->mode == MODE_RR ?
		    "round trip" : "connection");
}

static void
hold(struct gen *g)
{
	open_all(g);
	printf("mode=idle conns=%ld connected=%ld\n", g->nconns, g->connected);
	fflush(stdout);
	/* -d 0: until a signal. */
	spin(g, g->secs > 0 ? now() + g->secs : 1e300);
	printf("mode=idle held=%ld closed=%llu\n", g->connected,
	    (unsigned long long)g->closed);
}

static struct addrinfo *
resolve(const char *host, const char *port)
{
	struct addrinfo	hints, *res;
	int		e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(1, "%s port %s: %s", host, port, gai_strerror(e));
	return res;
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	struct gen		 g;
	size_t			 i;
	int			 ch;

	memset(&g, 0, sizeof(g));
	g.mode = MODE_RR;
	g.nconns = 1;
	g.secs = 5;
	g.warmup = 0.5;
	g.msglen = 64;
	while ((ch = getopt(argc, argv, "c:d:m:s:w:")) != -1) {
		switch (ch) {
		case 'c':
			g.nconns = (long)number(optarg, 1, 1000000,
			    "connections");
			break;
		case 'd':
			g.secs = number(optarg, 0, 86400, "duration");
			break;
		case 'm':
			if (strcmp(optarg, "rr") == 0)
				g.mode = MODE_RR;
			else if (strcmp(optarg, "cps") == 0)
				g.mode = MODE_CPS;
			else if (strcmp(optarg, "idle") == 0)
				g.mode = MODE_IDLE;
			else
				errx(2, "mode %s: not rr, cps or idle", optarg);
			break;
		case 's':
			g.msglen = (size_t)number(optarg, 1, 1 << 20, "size");
			break;
		case 'w':
			g.warmup = number(optarg, 0, 3600, "warm-up");
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();
	if (g.mode != MODE_IDLE && g.secs <= 0)
		errx(2, "duration: must be above 0 for rr and cps");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit(g.nconns + 16);

	g.ai = resolve(argv[0], argv[1]);
	if ((g.ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	g.conns = calloc(g.nconns, sizeof(*g.conns));
	g.msg = malloc(g.msglen);
	g.rbuf = malloc(g.msglen);
	if (g.conns == NULL || g.msg == NULL || g.rbuf == NULL)
		err(1, NULL);
	for (i = 0; i < g.msglen; i++)
		g.msg[i] = 'a' + i % 26;
	g.msg[g.msglen - 1] = '\n';

	if (g.mode == MODE_IDLE)
		hold(&g);
	else
		run_load(&g);
	return 0;
}
