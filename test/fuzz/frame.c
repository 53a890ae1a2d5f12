/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Line framing (src/frame.c), as the session, -e's datagrams and
 * --lockstep use it: bytes arrive in chunks (sizes from the fuzzer) into
 * a struct buf, and every unit frame_next() finds is taken off the
 * front.  The units must give the stream back, be lines or max-sized
 * pieces (or the rest at the end), and not depend on the chunking.
 */

#include "sockline.h"
#include "fuzz.h"

/* Where each unit ends, in stream offsets. */
struct cuts {
	size_t	*at;
	size_t	 n;
};

static void
cut(struct cuts *c, size_t at)
{
	if ((c->at = realloc(c->at, (c->n + 1) * sizeof(*c->at))) == NULL)
		abort();
	c->at[c->n++] = at;
}

static void
frame(const uint8_t *in, size_t n, size_t max, const uint8_t *sizes,
    size_t nsizes, struct cuts *c)
{
	struct buf	b;
	size_t		i, j, k, u, done = 0;
	int		eof;

	memset(&b, 0, sizeof(b));
	for (i = 0, j = 0; i < n || j == 0; i += k, j++) {
		k = nsizes > 0 ? sizes[j % nsizes] : n;
		if (k == 0 || k > n - i)
			k = n - i;
		CHECK(buf_append(&b, in + i, k) == 0);
		eof = i + k == n;
		while ((u = frame_next(buf_head(&b), buf_used(&b), max,
		    eof)) > 0) {
			CHECK(u <= buf_used(&b) && u <= max);
			/* The unit is the stream's next bytes. */
			CHECK(memcmp(buf_head(&b), in + done, u) == 0);
			/* A line, a piece as long as allowed, or the end. */
			CHECK(memchr(buf_head(&b), '\n', u - 1) == NULL);
			CHECK(buf_head(&b)[u - 1] == '\n' || u == max ||
			    (eof && u == buf_used(&b)));
			buf_consume(&b, u);
			done += u;
			cut(c, done);
		}
		if (eof)
			break;
	}
	CHECK(done == n && buf_used(&b) == 0);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp	 f = { data, size };
	struct cuts	 whole = { NULL, 0 }, parts = { NULL, 0 };
	const uint8_t	*sizes, *in;
	size_t		 nsizes, n, max;

	max = 1 + fdp_byte(&f) % 64;
	nsizes = fdp_bytes(&f, fdp_byte(&f) % 16, &sizes);
	n = fdp_bytes(&f, f.n, &in);
	frame(in, n, max, NULL, 0, &whole);
	frame(in, n, max, sizes, nsizes, &parts);
	CHECK(whole.n == parts.n);
	CHECK(whole.n == 0 ||
	    memcmp(whole.at, parts.at, whole.n * sizeof(*whole.at)) == 0);
	free(whole.at);
	free(parts.at);
	return 0;
}
