/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The parsers of a proxy's replies (src/proxy_msg.c): fed any bytes at
 * every stage, grown a byte at a time as a socket might deliver them.
 * A parser never asks for bytes past the reply, says the same of the
 * same bytes however they came, takes no more bytes than it was given,
 * and always says why when it says no.
 */

#include "sockline.h"
#include "fuzz.h"

static int
parse(int stage, const uint8_t *p, size_t n, void *r)
{
	return proxy_reply(stage, p, n, r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_msg		 m;
	struct proxy_reply	 whole, r;
	size_t			 have;
	int			 w;

	fuzz_msg(&m, data, size, 5);
	w = proxy_reply(m.stage, m.in, m.n, &whole);
	CHECK(w >= -1);
	if (w == 0)
		CHECK(whole.len > 0 && whole.len <= m.n);
	if (w != 0 && w != -1)
		CHECK(w > 0);
	if (w == -1 || (w == 0 && !whole.ok))
		CHECK(whole.why[0] != '\0' &&
		    memchr(whole.why, '\0', sizeof(whole.why)) != NULL);

	/* As a reader would: never more than asked for. */
	if (fuzz_msg_read(&m, parse, &r, &have) == 0) {
		/* The reply ends where the reader stopped: nothing past it. */
		CHECK(r.len == have);
		CHECK(w == 0 && whole.len == r.len && whole.ok == r.ok &&
		    whole.code == r.code);
	}
	return 0;
}
