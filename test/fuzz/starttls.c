/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The STARTTLS reply parsers (src/starttls.c) and a listener's side
 * (src/starttls_srv.c), on any bytes.  The first byte picks the
 * protocol, the second the step; the rest is what the server sent.
 * Beyond no crash: a reply's length is never more than was received, a
 * complete reply stays complete (with the same verdict) when more bytes
 * follow it, the whole dialogue fed byte by byte agrees with it fed at
 * once, and an escaped reply is one line of printable bytes.
 */

#include "sockline.h"
#include "fuzz.h"

#define NPROTOS	10

static void
check_escape(const char *p, size_t n)
{
	char	out[300];
	size_t	i;

	stls_escape(p, n, out, sizeof(out));
	for (i = 0; out[i] != '\0'; i++)
		CHECK(out[i] >= 0x20 && out[i] < 0x7f);
}

/* The dialogue at once, then a byte at a time: the same outcome. */
static void
check_feed(int proto, const char *p, size_t n)
{
	struct stls	a, b;
	size_t		used, off = 0, have = 0, i;
	int		ra = STLS_MORE, rb = STLS_MORE;

	stls_init(&a, proto, "[127.0.0.1]", 0);
	while (off < n && (ra = stls_feed(&a, p + off, n - off,
	    &used)) == STLS_MORE && used > 0)
		off += used;
	stls_init(&b, proto, "[127.0.0.1]", 0);
	for (i = 1; i <= n && rb == STLS_MORE; i++) {
		while ((rb = stls_feed(&b, p + have, i - have, &used)) ==
		    STLS_MORE && used > 0)
			have += used;
	}
	if (ra != STLS_MORE || rb != STLS_MORE)
		CHECK(ra == rb);
}

static void
check_server(int proto, const char *p, size_t n)
{
	struct buf	out;
	const char	*nl;
	size_t		k;

	memset(&out, 0, sizeof(out));
	while (n > 0 && (nl = memchr(p, '\n', n)) != NULL) {
		k = (size_t)(nl - p) + 1;
		if (stls_srv_line(proto, p, k, &out) != STLS_SRV_MORE)
			break;
		p += k;
		n -= k;
	}
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp		 f = { data, size };
	struct stls_reply	 r, r2;
	const uint8_t		*bytes;
	char			*more;
	size_t			 n, len, len2;
	int			 proto, step;

	proto = (int)(fdp_byte(&f) % NPROTOS) + 1;
	step = (int)(fdp_byte(&f) % 3);
	n = fdp_bytes(&f, f.n, &bytes);
	check_escape((const char *)bytes, n);
	check_feed(proto, (const char *)bytes, n);
	if (stls_srv_proto(proto))
		check_server(proto, (const char *)bytes, n);
	/* Postgres and LDAP have one step, sieve and xmpp two. */
	if ((proto >= 9 && step > 0) || ((proto == 7 || proto == 8) &&
	    step > 1))
		step = 0;
	len = stls_parse(proto, step, (const char *)bytes, n, &r);
	CHECK(len <= n);
	if (len == 0 || len == n)
		return 0;
	/* The reply alone (without what followed it) is the same reply. */
	if ((more = malloc(len)) == NULL)
		abort();
	memcpy(more, bytes, len);
	len2 = stls_parse(proto, step, more, len, &r2);
	CHECK(len2 == len);
	CHECK(r2.ok == r.ok && r2.code == r.code);
	free(more);
	return 0;
}
