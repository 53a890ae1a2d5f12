/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Addresses and ports as typed and as the kernel reports them
 * (src/addr.c): ports and services, -z ranges, seconds, --allow/--deny
 * prefixes and their matching, scoped and family-checked literals
 * (numeric only: no lookup leaves the machine), unix paths, and the
 * names peers are shown by.  The first byte picks the function.
 */

#include <arpa/inet.h>

#include "sockline.h"
#include "fuzz.h"

static void
ports(char *s)
{
	char		err[128];
	uint16_t	port, lo, hi;
	int		numeric;

	for (numeric = 0; numeric < 2; numeric++) {
		if (addr_parse_port(s, 1, numeric, &port, err,
		    sizeof(err)) == 0 && s[strspn(s, "0123456789")] == '\0')
			CHECK(port == strtoul(s, NULL, 10));
		if (addr_parse_port(s, 0, numeric, &port, err,
		    sizeof(err)) == 0)
			CHECK(port != 0);
		if (addr_parse_range(s, numeric, &lo, &hi, err,
		    sizeof(err)) == 0)
			CHECK(lo >= 1 && lo <= hi);
	}
}

static void
secs(char *s)
{
	char	err[128];
	long	ms;

	if (addr_parse_secs(s, &ms, err, sizeof(err)) == 0)
		CHECK(ms >= 0 && ms <= 2147483L * 1000 + 999);
}

/* A prefix matches its own address, and ones that differ beyond it. */
static void
cidr(char *s, struct fdp *f)
{
	struct cidr		 c;
	struct cidr_list	 l = { &c, 1 };
	struct sockaddr_in6	 s6;
	struct sockaddr_in	 s4;
	const uint8_t		*noise;
	int			 i, max;

	if (addr_parse_cidr(s, &c) == -1)
		return;
	max = c.family == AF_INET ? 32 : 128;
	CHECK(c.bits >= 0 && c.bits <= max);
	for (i = c.bits; i < max; i++)
		CHECK((c.addr[i / 8] & (0x80 >> (i % 8))) == 0);
	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (c.family == AF_INET) {
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, c.addr, 4);
		CHECK(addr_cidr_match(&l, (struct sockaddr *)&s4));
		/* The same address v4-mapped counts as IPv4. */
		s6.sin6_family = AF_INET6;
		s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&s6.sin6_addr.s6_addr[12], c.addr, 4);
		CHECK(addr_cidr_match(&l, (struct sockaddr *)&s6));
	} else {
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, c.addr, 16);
		if (!IN6_IS_ADDR_V4MAPPED(&s6.sin6_addr))
			CHECK(addr_cidr_match(&l, (struct sockaddr *)&s6));
	}
	/* Any address at all: matching must not read out of bounds. */
	if (fdp_bytes(f, 16, &noise) == 16) {
		memcpy(&s6.sin6_addr, noise, 16);
		(void)addr_cidr_match(&l, (struct sockaddr *)&s6);
		memcpy(&s4.sin_addr, noise, 4);
		(void)addr_cidr_match(&l, (struct sockaddr *)&s4);
	}
}

/* Literals, -4/-6 conflicts and scopes, as -n resolves them. */
static void
literal(char *s, unsigned which)
{
	static const int	 families[] = { AF_UNSPEC, AF_INET, AF_INET6 };
	struct config		 c;
	struct addrinfo		*res;
	char			 err[256], host[ADDR_STRLEN];
	uint16_t		 port;

	memset(&c, 0, sizeof(c));
	c.numeric = 1;
	c.family = families[which % 3];
	(void)addr_is_numeric(s);
	if (addr_resolve(&c, s, 80, SOCK_STREAM, which & 4, &res, err,
	    sizeof(err)) == 0) {
		CHECK(res != NULL);
		addr_format(res->ai_addr, host, sizeof(host), &port);
		CHECK(port == 80);
		freeaddrinfo(res);
	} else
		CHECK(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
}

/* A unix path round-trips; a name from the kernel is shown safely. */
static void
unix_path(char *s, struct fdp *f)
{
	struct sockaddr_un	 sun;
	struct peer		 p;
	socklen_t		 len;
	const uint8_t		*raw;
	char			 back[PEER_HOSTLEN], name[PEER_HOSTLEN + 32];
	size_t			 n;
	uint32_t		 cp;
	int			 k, plain = 1;

	if (addr_unix(s, &sun, &len) == 0) {
		addr_unix_format(&sun, len, back, sizeof(back));
		/* As typed when it is printable ASCII (else escaped). */
		for (n = 0; s[n] != '\0'; n++)
			plain &= (unsigned char)s[n] >= 0x20 &&
			    (unsigned char)s[n] < 0x7f;
		if (plain)
			CHECK(strcmp(back, s) == 0);
	} else
		CHECK(s[0] == '\0' || strlen(s) >= sizeof(sun.sun_path));
	/* Whatever a peer bound to, with whatever length. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	n = fdp_bytes(f, sizeof(sun.sun_path), &raw);
	memcpy(sun.sun_path, raw, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	memset(&p, 0, sizeof(p));
	peer_set(&p, "unix", (struct sockaddr *)&sun, len);
	CHECK(memchr(p.host, '\0', sizeof(p.host)) != NULL);
	/*
	 * A peer names itself: nothing of that may act on a terminal.  What
	 * is left is valid UTF-8 with no control (C0, DEL, C1) and no mark
	 * that reorders text.
	 */
	for (n = 0; p.host[n] != '\0'; n += (size_t)k) {
		k = render_utf8(p.host + n, strlen(p.host + n), &cp);
		CHECK(k > 0);
		CHECK(cp >= 0x20 && cp != 0x7f && (cp < 0x80 || cp >= 0xa0));
		CHECK(!render_bidi(cp));
	}
	peer_name(&p, name, sizeof(name));
	peer_addr(&p, name, sizeof(name));
	peer_short(&p, name, sizeof(name));
}

/* Any bytes as an address the kernel handed over. */
static void
sockaddr_bytes(struct fdp *f)
{
	struct sockaddr_storage	 ss;
	struct peer		 p;
	const uint8_t		*raw;
	char			 name[256];
	size_t			 n;

	memset(&ss, 0, sizeof(ss));
	n = fdp_bytes(f, sizeof(ss), &raw);
	memcpy(&ss, raw, n);
	ss.ss_family = (fdp_byte(f) & 1) ? AF_INET6 : AF_INET;
	memset(&p, 0, sizeof(p));
	peer_set(&p, ss.ss_family == AF_INET ? "tcp" : "udp",
	    (struct sockaddr *)&ss, ss.ss_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	CHECK(memchr(p.host, '\0', sizeof(p.host)) != NULL);
	peer_name(&p, name, sizeof(name));
	peer_short(&p, name, sizeof(name));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp	 f = { data, size };
	unsigned	 which = fdp_byte(&f);
	char		*s;

	if (which % 6 == 5) {
		sockaddr_bytes(&f);
		return 0;
	}
	s = fdp_string(&f);
	switch (which % 6) {
	case 0:
		ports(s);
		break;
	case 1:
		secs(s);
		break;
	case 2:
		cidr(s, &f);
		break;
	case 3:
		literal(s, which / 6);
		break;
	case 4:
		unix_path(s, &f);
		break;
	}
	free(s);
	return 0;
}
