/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * refecho: the reference echo server for the benchmark.
 *
 * One thread, one level-triggered epoll set, one shared read buffer.
 * It is the least work a process can do per echoed request, so its
 * rate is the practical limit a listener's --echo is measured against.
 * A connection costs no heap until a write comes up short; then the
 * rest is kept and reading stops until it has gone (back-pressure
 * instead of unbounded memory).
 */

#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_SIZE	(64 * 1024)
#define MAX_EVENTS	256

/* What a connection still owes its peer after a short write. */
struct owed {
	char	*buf;
	size_t	 off;
	size_t	 len;
};

struct server {
	int		  ep;
	int		  lfd;
	struct owed	**owed;		/* indexed by fd, NULL: owes nothing */
	size_t		  nowed;
	char		  buf[READ_SIZE];
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: refecho [-b backlog] [-p portfile] "
	    "host port\n");
	exit(2);
}

static int
listen_on(const char *host, const char *port, int backlog)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1, on = 1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(1, "%s port %s: %s", host, port, gai_strerror(e));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on)) == 0 &&
		    bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, backlog) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	freeaddrinfo(res);
	if (fd == -1)
		err(1, "listen on %s port %s", host, port);
	return fd;
}

/*
 * Writes the bound port to path through a temporary file and rename(2),
 * so a script polling for the file never reads half a number.
 */
static void
write_port_file(int fd, const char *path)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	char			 tmp[4096];
	unsigned		 port;
	FILE			*f;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		err(1, "getsockname");
	if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		errx(1, "%s: path too long", path);
	if ((f = fopen(tmp, "w")) == NULL)
		err(1, "%s", tmp);
	fprintf(f, "%u\n", port);
	if (fclose(f) == EOF || rename(tmp, path) == -1)
		err(1, "%s", path);
}

static int
watch(struct server *s, int op, int fd, uint32_t events)
{
	struct epoll_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.fd = fd;
	return epoll_ctl(s->ep, op, fd, &ev);
}

static void
drop(struct server *s, int fd)
{
	if ((size_t)fd < s->nowed && s->owed[fd] != NULL) {
		free(s->owed[fd]->buf);
		free(s->owed[fd]);
		s->owed[fd] = NULL;
	}
	close(fd);
}

/* Keeps the unsent tail of an echo; -1 if memory ran out. */
static int
owe(struct server *s, int fd, const char *p, size_t len)
{
	struct owed	**n, *o;
	size_t		  cap = s->nowed ? s->nowed : 1024;

	if ((size_t)fd >= s->nowed) {
		while (cap <= (size_t)fd)
			cap *= 2;
		if ((n = realloc(s->owed, cap * sizeof(*n))) == NULL)
			return -1;
		memset(n + s->nowed, 0, (cap - s->nowed) * sizeof(*n));
		s->owed = n;
		s->nowed = cap;
	}
	if ((o = malloc(sizeof(*o))) == NULL)
		return -1;
	if ((o->buf = malloc(len)) == NULL) {
		free(o);
		return -1;
	}
	memcpy(o->buf, p, len);
	o->off = 0;
	o->len = len;
	s->owed[fd] = o;
	return watch(s, EPOLL_CTL_MOD, fd, EPOLLOUT);
}

static void
accept_all(struct server *s)
{
	int	fd, on = 1;

	for (;;) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			/* EMFILE and friends: try again on the next wakeup. */
			return;
		}
		/* Replies are whole answers; never hold one back. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		if (watch(s, EPOLL_CTL_ADD, fd, EPOLLIN) == -1)
			close(fd);
	}
}

static void
echo(struct server *s, int fd)
{
	ssize_t	r, w;

	r = read(fd, s->buf, sizeof(s->buf));
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	/* End of input: everything read has been echoed, so close. */
	if (r <= 0) {
		drop(s, fd);
		return;
	}
	w = send(fd, s->buf, r, MSG_NOSIGNAL);
	if (w == -1) {
		if (errno != EAGAIN) {
			drop(s, fd);
			return;
		}
		w = 0;
	}
	if (w < r && owe(s, fd, s->buf + w, r - w) == -1)
		drop(s, fd);
}

static void
pay(struct server *s, int fd)
{
	struct owed	*o = s->owed[fd];
	ssize_t		 w;

	w = send(fd, o->buf + o->off, o->len - o->off, MSG_NOSIGNAL);
	if (w == -1) {
		if (errno != EAGAIN && errno != EINTR)
			drop(s, fd);
		return;
	}
	o->off += w;
	if (o->off < o->len)
		return;
	free(o->buf);
	free(o);
	s->owed[fd] = NULL;
	if (watch(s, EPOLL_CTL_MOD, fd, EPOLLIN) == -1)
		drop(s, fd);
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 evs[MAX_EVENTS];
	struct server		*s;
	const char		*portfile = NULL;
	char			*end;
	long			 backlog = 4096;
	int			 ch, i, n, fd;

	while ((ch = getopt(argc, argv, "b:p:")) != -1) {
		switch (ch) {
		case 'b':
			backlog = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || backlog < 1 ||
			    backlog > 65535)
				errx(2, "backlog %s: not a number in 1..65535",
				    optarg);
			break;
		case 'p':
			portfile = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();

	if ((s = calloc(1, sizeof(*s))) == NULL)
		err(1, NULL);
	signal(SIGPIPE, SIG_IGN);
	s->lfd = listen_on(argv[0], argv[1], (int)backlog);
	if ((s->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	if (watch(s, EPOLL_CTL_ADD, s->lfd, EPOLLIN) == -1)
		err(1, "epoll_ctl");
	if (portfile != NULL)
		write_port_file(s->lfd, portfile);

	for (;;) {
		if ((n = epoll_wait(s->ep, evs, MAX_EVENTS, -1)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "epoll_wait");
		}
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == s->lfd)
				accept_all(s);
			else if ((size_t)fd < s->nowed && s->owed[fd] != NULL)
				pay(s, fd);
			else
				echo(s, fd);
		}
	}
}
