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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp		 f = { data, size };
	struct proxy_reply	 whole, r;
	const uint8_t		*in;
	size_t			 n, have;
	int			 stage, need, w;

	stage = (int)(fdp_byte(&f) % 5) + 1;
	n = fdp_bytes(&f, f.n, &in);
	w = proxy_reply(stage, in, n, &whole);
	CHECK(w >= -1);
	if (w == 0)
		CHECK(whole.len > 0 && whole.len <= n);
	if (w != 0 && w != -1)
		CHECK(w > 0);
	if (w == -1 || (w == 0 && !whole.ok))
		CHECK(whole.why[0] != '\0' &&
		    memchr(whole.why, '\0', sizeof(whole.why)) != NULL);

	/* As a reader would: never more than asked for. */
	have = 0;
	for (;;) {
		need = proxy_reply(stage, in, have, &r);
		if (need <= 0)
			break;
		if (have + (size_t)need > n)
			return 0;
		have += (size_t)need;
	}
	if (need == 0) {
		/* The reply ends where the reader stopped: nothing past it. */
		CHECK(r.len == have);
		CHECK(w == 0 && whole.len == r.len && whole.ok == r.ok &&
		    whole.code == r.code);
	}
	return 0;
}
