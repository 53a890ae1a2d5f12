/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tlsload: the TLS load generator of bench/tls-run.
 *
 *   tlsload cps HOST PORT SECS SLOTS
 *	SLOTS threads, each connecting, finishing a full TLS handshake
 *	(no session resumption), sending a line, reading its echo back
 *	and closing, over and over for SECS seconds; prints handshakes
 *	per second.  Replies are checked, so a broken echo is not fast.
 *   tlsload hold HOST PORT N
 *	opens N connections one after another, each with its handshake
 *	and one echoed line, then holds them, silent, until SIGTERM;
 *	prints "held N" once they are all open.
 *
 * The peer's certificate is not verified: what is measured is the
 * server's cost, and verification is the client's.
 */

#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <err.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in	 peer;
static SSL_CTX			*ctx;
static volatile int		 stop;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One connection: handshake, a line and its echo.  The SSL, or NULL. */
static SSL *
one(int *fdp)
{
	static const char	 line[] = "hello over tls\n";
	char			 buf[64];
	size_t			 got = 0;
	SSL			*ssl;
	int			 fd, n, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (connect(fd, (struct sockaddr *)&peer, sizeof(peer)) == -1) {
		close(fd);
		return NULL;
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1 ||
	    SSL_write(ssl, line, sizeof(line) - 1) != sizeof(line) - 1)
		goto fail;
	while (got < sizeof(line) - 1) {
		if ((n = SSL_read(ssl, buf + got, sizeof(buf) - got)) <= 0)
			goto fail;
		got += (size_t)n;
	}
	if (got != sizeof(line) - 1 || memcmp(buf, line, got) != 0)
		goto fail;
	*fdp = fd;
	return ssl;
fail:
	ERR_clear_error();
	SSL_free(ssl);
	close(fd);
	return NULL;
}

static void *
cps_slot(void *arg)
{
	long	*count = arg;
	SSL	*ssl;
	int	 fd;

	while (!stop) {
		if ((ssl = one(&fd)) == NULL)
			errx(1, "a connection failed");
		SSL_shutdown(ssl);
		SSL_free(ssl);
		close(fd);
		(*count)++;
	}
	return NULL;
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	pthread_t	 th[64];
	long		 counts[64] = { 0 }, total = 0;
	struct rlimit	 rl;
	double		 t0, secs;
	int		 i, n, fd;

	if (argc < 5)
		errx(2, "usage: tlsload cps HOST PORT SECS SLOTS | "
		    "hold HOST PORT N");
	signal(SIGPIPE, SIG_IGN);
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &peer.sin_addr) != 1)
		errx(2, "%s: not an IPv4 address", argv[2]);
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		errx(1, "SSL_CTX_new");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (strcmp(argv[1], "cps") == 0 && argc == 6) {
		secs = atof(argv[4]);
		if ((n = atoi(argv[5])) < 1 || n > 64)
			errx(2, "1 to 64 slots");
		t0 = now();
		for (i = 0; i < n; i++)
			pthread_create(&th[i], NULL, cps_slot, &counts[i]);
		usleep((useconds_t)(secs * 1e6));
		stop = 1;
		for (i = 0; i < n; i++) {
			pthread_join(th[i], NULL);
			total += counts[i];
		}
		printf("%.0f\n", total / (now() - t0));
		return 0;
	}
	if (strcmp(argv[1], "hold") == 0) {
		n = atoi(argv[4]);
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		signal(SIGTERM, on_term);
		for (i = 0; i < n; i++) {
			/* Our side keeps only the socket: the SSL is freed. */
			SSL *ssl = one(&fd);
			if (ssl == NULL)
				errx(1, "connection %d failed", i + 1);
			SSL_free(ssl);
		}
		printf("held %d\n", n);
		fflush(stdout);
		while (!stop)
			pause();
		return 0;
	}
	errx(2, "unknown mode %s", argv[1]);
}
