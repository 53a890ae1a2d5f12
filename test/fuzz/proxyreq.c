/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The parsers of what a --proxy-server's client sends (src/proxy_req.c):
 * fed any bytes at every stage, and again as a reader takes them, never
 * more than asked for.  Both ways must agree; a whole request never
 * claims more bytes than it was given; a refusal always says why and
 * what to answer; names and credentials are always terminated.
 */

#include "sockline.h"
#include "fuzz.h"

static int
parse(int stage, const uint8_t *p, size_t n, void *r)
{
	return proxy_request(stage, p, n, r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_msg		 m;
	struct proxy_request	 whole, r;
	unsigned char		 ans[32];
	char			 http[256];
	size_t			 have;
	int			 w;

	fuzz_msg(&m, data, size, 4);
	w = proxy_request(m.stage, m.in, m.n, &whole);
	CHECK(w >= -1);
	if (w == 0) {
		CHECK(whole.len > 0 && whole.len <= m.n);
		CHECK(memchr(whole.host, '\0', sizeof(whole.host)) != NULL);
		CHECK(memchr(whole.cred, '\0', sizeof(whole.cred)) != NULL);
		if (m.stage == PRQ_S5_CONNECT || m.stage == PRQ_HTTP)
			CHECK(whole.host[0] != '\0' && whole.port != 0);
	}
	if (w == -1) {
		CHECK(whole.why[0] != '\0');
		CHECK(proxy_http_answer(whole.code, http, sizeof(http)) > 0);
		CHECK(proxy_socks5_answer(whole.code, NULL, ans) == 10);
	}

	if (fuzz_msg_read(&m, parse, &r, &have) == 0) {
		CHECK(r.len == have);
		CHECK(w == 0 && whole.len == r.len && whole.port == r.port &&
		    strcmp(whole.host, r.host) == 0 &&
		    strcmp(whole.cred, r.cred) == 0);
	}
	return 0;
}
