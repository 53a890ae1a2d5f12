/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The PROXY protocol header parser (src/proxyhdr.c), as
 * --accept-proxy-protocol uses it on bytes a client sent.  The fuzzer's
 * bytes are a header to parse; then, taken apart another way, two
 * addresses for a header to build and parse back.
 *
 * Properties: the parser never reads past what it is given; as bytes
 * come one by one its answer goes from "more" (0) to one length for good
 * or to "invalid" for good, so reading a header in pieces takes exactly
 * the bytes one read would; a header it accepts names an IPv4 or IPv6
 * address, or none; and every header proxyhdr_build() makes parses back
 * to its own length and addresses.
 */

#include <arpa/inet.h>

#include "sockline.h"
#include "fuzz.h"

static int
parse(const uint8_t *p, size_t n, struct proxyhdr *h)
{
	char	why[128];
	uint8_t	*copy;
	int	r;

	/* A copy of exactly n bytes, so ASan sees any read past them. */
	if ((copy = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	memcpy(copy, p, n);
	why[0] = '\0';
	r = proxyhdr_parse(copy, n, h, why, sizeof(why));
	CHECK(r >= -1 && (r == -1 || (size_t)r <= n));
	CHECK(r != -1 || why[0] != '\0');
	free(copy);
	return r;
}

static void
pieces(const uint8_t *p, size_t n)
{
	struct proxyhdr	h;
	size_t		k, last = n < 400 ? n : 400;
	int		r, prev = 0;

	for (k = 0; k <= last; k++) {
		r = parse(p, k, &h);
		/* Once settled, the answer stays. */
		CHECK(prev == 0 || r == prev);
		prev = r;
		if (r > 0 && !h.local) {
			CHECK((h.src.ss_family == AF_INET &&
			    h.srclen == sizeof(struct sockaddr_in)) ||
			    (h.src.ss_family == AF_INET6 &&
			    h.srclen == sizeof(struct sockaddr_in6)));
			CHECK(h.dst.ss_family == h.src.ss_family);
		}
	}
	if (prev == 0 && n > last)
		(void)parse(p, n, &h);
}

static void
round_trip(const uint8_t *p, size_t n)
{
	struct sockaddr_in6	s6, d6;
	struct sockaddr_in	s4, d4;
	struct sockaddr		*src, *dst;
	struct proxyhdr		h;
	unsigned char		out[PROXYHDR_V1_MAX + 1];
	int			version, len;

	if (n < 38)
		return;
	version = 1 + (p[0] & 1);
	memset(&s4, 0, sizeof(s4));
	memset(&d4, 0, sizeof(d4));
	memset(&s6, 0, sizeof(s6));
	memset(&d6, 0, sizeof(d6));
	if (p[1] & 1) {
		s6.sin6_family = d6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, p + 2, 16);
		memcpy(&d6.sin6_addr, p + 18, 16);
		memcpy(&s6.sin6_port, p + 34, 2);
		memcpy(&d6.sin6_port, p + 36, 2);
		src = (struct sockaddr *)&s6;
		dst = (struct sockaddr *)&d6;
	} else {
		s4.sin_family = d4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, p + 2, 4);
		memcpy(&d4.sin_addr, p + 6, 4);
		memcpy(&s4.sin_port, p + 10, 2);
		memcpy(&d4.sin_port, p + 12, 2);
		src = (struct sockaddr *)&s4;
		dst = (struct sockaddr *)&d4;
	}
	len = proxyhdr_build(version, src, dst, out, sizeof(out));
	CHECK(len > 0 && (size_t)len <= sizeof(out));
	CHECK(version == 2 || len <= PROXYHDR_V1_MAX);
	CHECK(parse(out, (size_t)len, &h) == len);
	CHECK(h.version == version && !h.local);
	if (p[1] & 1) {
		CHECK(memcmp(&((struct sockaddr_in6 *)&h.src)->sin6_addr,
		    &s6.sin6_addr, 16) == 0);
		CHECK(memcmp(&((struct sockaddr_in6 *)&h.dst)->sin6_addr,
		    &d6.sin6_addr, 16) == 0);
		CHECK(((struct sockaddr_in6 *)&h.src)->sin6_port ==
		    s6.sin6_port);
		CHECK(((struct sockaddr_in6 *)&h.dst)->sin6_port ==
		    d6.sin6_port);
	} else {
		CHECK(((struct sockaddr_in *)&h.src)->sin_addr.s_addr ==
		    s4.sin_addr.s_addr);
		CHECK(((struct sockaddr_in *)&h.dst)->sin_addr.s_addr ==
		    d4.sin_addr.s_addr);
		CHECK(((struct sockaddr_in *)&h.src)->sin_port == s4.sin_port);
		CHECK(((struct sockaddr_in *)&h.dst)->sin_port == d4.sin_port);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pieces(data, size);
	round_trip(data, size);
	return 0;
}
