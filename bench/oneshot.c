/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * oneshot: times a whole client process, `echo hi | cmd`, many times.
 *
 *   oneshot [-n runs] [-w warmups] [-t secs] [-i text] -- cmd [arg ...]
 *
 * Each run gets a pipe on stdin that already holds the text and its end
 * (what `echo hi |` would give it, without a shell or an echo process in
 * the measurement), and a pipe on stdout whose contents must come back
 * equal to the text: the command is a client of an echo server.  The
 * time is from fork(2) to wait4(2); the peak RSS is wait4's ru_maxrss.
 * One line per run: "secs=S maxrss_kb=K".  Exits 1 if any run failed,
 * hung past -t seconds (then it is killed) or echoed something else.
 */

#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OUT_MAX		4096

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: oneshot [-n runs] [-w warmups] [-t secs] "
	    "[-i text] -- cmd [arg ...]\n");
	exit(2);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long
number(const char *s, long min, long max, const char *what)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || n < min || n > max)
		errx(2, "%s %s: not a number in %ld..%ld", what, s, min, max);
	return n;
}

static pid_t
start(char **cmd, const char *text, int *outfd)
{
	int	in[2], out[2], null;
	pid_t	pid;

	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1)
		err(1, "pipe");
	/* Small enough for the pipe: the writer never blocks. */
	if (write(in[1], text, strlen(text)) != (ssize_t)strlen(text))
		err(1, "write");
	close(in[1]);
	if ((null = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		err(1, "/dev/null");
	switch (pid = fork()) {
	case -1:
		err(1, "fork");
	case 0:
		if (dup2(in[0], 0) == -1 || dup2(out[1], 1) == -1 ||
		    dup2(null, 2) == -1)
			_exit(126);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(null);
	*outfd = out[0];
	return pid;
}

/* Collects the child's output until its end, or until `deadline`. */
static size_t
collect(int fd, char *buf, double deadline)
{
	struct pollfd	pfd;
	size_t		len = 0;
	ssize_t		r;
	double		left;

	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((left = deadline - now()) > 0) {
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		r = read(fd, buf + len, OUT_MAX - len);
		if (r <= 0 || (len += r) == OUT_MAX)
			break;
	}
	return len;
}

/* One run; returns 0 if it behaved, and fills in its time and RSS. */
static int
run(char **cmd, const char *text, double limit, double *secs, long *rss)
{
	struct rusage	ru;
	char		buf[OUT_MAX];
	double		t0;
	size_t		len;
	pid_t		pid;
	int		fd, status, ok = 1;

	t0 = now();
	pid = start(cmd, text, &fd);
	len = collect(fd, buf, t0 + limit);
	close(fd);
	if (now() > t0 + limit) {
		kill(pid, SIGKILL);
		warnx("%s: still running after %gs; killed", cmd[0], limit);
		ok = 0;
	}
	while (wait4(pid, &status, 0, &ru) == -1)
		if (errno != EINTR)
			err(1, "wait4");
	*secs = now() - t0;
	*rss = ru.ru_maxrss;
	if (ok && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		warnx("%s: exit status %d", cmd[0], WIFEXITED(status) ?
		    WEXITSTATUS(status) : 128 + WTERMSIG(status));
		ok = 0;
	}
	if (ok && (len != strlen(text) || memcmp(buf, text, len) != 0)) {
		warnx("%s: echoed %zu bytes, not the %zu sent", cmd[0], len,
		    strlen(text));
		ok = 0;
	}
	return ok ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	const char	*text = "hi\n";
	double		 limit = 10, secs;
	long		 runs = 20, warmups = 3, rss, i;
	int		 ch, failed = 0;

	while ((ch = getopt(argc, argv, "i:n:t:w:")) != -1) {
		switch (ch) {
		case 'i':
			text = optarg;
			break;
		case 'n':
			runs = number(optarg, 1, 1000000, "runs");
			break;
		case 't':
			limit = number(optarg, 1, 3600, "time limit");
			break;
		case 'w':
			warmups = number(optarg, 0, 1000, "warm-ups");
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || strlen(text) == 0 || strlen(text) >= OUT_MAX)
		usage();
	signal(SIGPIPE, SIG_IGN);

	/* Warm-ups fill the page cache and the dynamic loader's caches. */
	for (i = 0; i < warmups; i++)
		if (run(argv, text, limit, &secs, &rss) == -1)
			return 1;
	for (i = 0; i < runs; i++) {
		if (run(argv, text, limit, &secs, &rss) == -1) {
			failed = 1;
			continue;
		}
		printf("secs=%.6f maxrss_kb=%ld\n", secs, rss);
	}
	return failed;
}
