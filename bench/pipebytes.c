/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pipebytes: the two ends of a bulk transfer in the benchmark.
 *
 *   pipebytes -w BYTES   writes BYTES to stdout, then exits;
 *   pipebytes -r BYTES   reads stdin to its end, prints how many bytes
 *                        came and how long BYTES of them took from the
 *                        first, and exits 1 if the count is not BYTES.
 *
 * Both use large plain read(2)/write(2) calls: they stand for an
 * ordinary program at either end of a pipe, and they must be cheaper
 * than anything measured between them (head -c and wc -c are not, on a
 * fast loopback).  Timing from the first byte to the last expected one
 * leaves process start-up, connection set-up and the way each tool
 * ends (socat lingers half a second by default) out of a throughput
 * figure; how fast a tool ends is measured apart.
 */

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE	(1024 * 1024)

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: pipebytes -r|-w bytes[k|m|g]\n");
	exit(2);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A byte count with an optional binary suffix: 256m, 2g. */
static uint64_t
size_arg(const char *s)
{
	unsigned long long	 n;
	char			*end;
	int			 shift = 0;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'm' || *end == 'M')
		shift = 20;
	else if (*end == 'g' || *end == 'G')
		shift = 30;
	if (shift != 0)
		end++;
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 ||
	    n > (UINT64_MAX >> shift))
		errx(2, "size %s: not a byte count", s);
	return (uint64_t)n << shift;
}

static void
source(uint64_t want, char *buf)
{
	uint64_t	left = want;
	size_t		n;
	ssize_t		w;

	memset(buf, 'x', BUF_SIZE);
	while (left > 0) {
		n = left < BUF_SIZE ? left : BUF_SIZE;
		if ((w = write(STDOUT_FILENO, buf, n)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "write");
		}
		left -= w;
	}
}

static int
sink(uint64_t want, char *buf)
{
	uint64_t	got = 0;
	double		first = 0, last = 0;
	ssize_t		r;

	for (;;) {
		if ((r = read(STDIN_FILENO, buf, BUF_SIZE)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "read");
		}
		if (r == 0)
			break;
		if (got == 0)
			first = now();
		got += r;
		if (last == 0 && got >= want)
			last = now();
	}
	printf("bytes=%llu secs=%.6f\n", (unsigned long long)got,
	    last > 0 ? last - first : 0.0);
	if (got != want) {
		warnx("received %llu bytes, expected %llu",
		    (unsigned long long)got, (unsigned long long)want);
		return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	char	*buf;
	int	 ch, mode = 0;

	while ((ch = getopt(argc, argv, "rw")) != -1) {
		switch (ch) {
		case 'r':
		case 'w':
			mode = ch;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (mode == 0 || argc != 1)
		usage();
	if ((buf = malloc(BUF_SIZE)) == NULL)
		err(1, NULL);
	if (mode == 'w') {
		/* A reader that went away is its own error; say nothing. */
		signal(SIGPIPE, SIG_DFL);
		source(size_arg(argv[0]), buf);
		return 0;
	}
	return sink(size_arg(argv[0]), buf);
}
