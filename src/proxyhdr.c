/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The PROXY protocol header (haproxy's proxy-protocol.txt), versions 1
 * and 2: built for --proxy-protocol, parsed for --accept-proxy-protocol.
 * Both are pure functions of their arguments, with no I/O, so the parser
 * can be fuzzed on its own (test/fuzz/proxyhdr.c).
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "sockline.h"

/* The twelve bytes every version 2 header starts with. */
static const unsigned char v2sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};
static const char	v1sig[] = "PROXY ";

#define V1SIG_LEN	(sizeof(v1sig) - 1)
#define V2_FIXED	16

static int
fail(char *why, size_t len, const char *text)
{
	snprintf(why, len, "%s", text);
	return -1;
}

/* The bytes so far could still become a header of either version. */
static int
a_prefix(const unsigned char *p, size_t n)
{
	return memcmp(p, v1sig, n < V1SIG_LEN ? n : V1SIG_LEN) == 0 ||
	    memcmp(p, v2sig, n < sizeof(v2sig) ? n : sizeof(v2sig)) == 0;
}

/* A decimal port, "0" to "65535", no sign and no leading zero. */
static int
v1_port(const char *s, uint16_t *port)
{
	unsigned long	v = 0;
	size_t		i, n = strlen(s);

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int
v1_addr(int family, const char *s, uint16_t port,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return inet_pton(AF_INET, s, &sin->sin_addr) == 1 ? 0 : -1;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	*len = sizeof(*sin6);
	return inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1 ? 0 : -1;
}

/*
 * "PROXY TCP4 SRC DST SPORT DPORT\r\n", "PROXY TCP6 ...", or "PROXY
 * UNKNOWN" with anything up to the CRLF; 107 bytes at most.
 */
static int
parse_v1(const unsigned char *p, size_t n, struct proxyhdr *h, char *why,
    size_t whylen)
{
	char		 line[PROXYHDR_V1_MAX + 1], *f[6], *s, *sp = NULL;
	const void	*nl;
	size_t		 len;
	uint16_t	 sport, dport;
	int		 nf = 0, family;

	if ((nl = memchr(p, '\n', n < PROXYHDR_V1_MAX ? n :
	    PROXYHDR_V1_MAX)) == NULL)
		return n < PROXYHDR_V1_MAX ? 0 : fail(why, whylen,
		    "PROXY v1 header: no CRLF within 107 bytes");
	len = (size_t)((const unsigned char *)nl - p) + 1;
	if (len < 2 || p[len - 2] != '\r')
		return fail(why, whylen, "PROXY v1 header: a line end "
		    "without CR");
	memcpy(line, p, len - 2);
	line[len - 2] = '\0';
	if (memchr(line, '\0', len - 2) != NULL)
		return fail(why, whylen, "PROXY v1 header: a NUL byte");
	h->version = 1;
	if (strncmp(line + V1SIG_LEN, "UNKNOWN", 7) == 0) {
		h->local = 1;
		return (int)len;
	}
	/* Fields are separated by exactly one space each. */
	for (s = line; nf < 6; s = sp + 1) {
		f[nf++] = s;
		if ((sp = strchr(s, ' ')) == NULL)
			break;
		*sp = '\0';
	}
	if (nf != 6 || sp != NULL)
		return fail(why, whylen, "PROXY v1 header: not 6 fields");
	if (strcmp(f[1], "TCP4") == 0)
		family = AF_INET;
	else if (strcmp(f[1], "TCP6") == 0)
		family = AF_INET6;
	else
		return fail(why, whylen, "PROXY v1 header: protocol neither "
		    "TCP4, TCP6 nor UNKNOWN");
	if (v1_port(f[4], &sport) == -1 || v1_port(f[5], &dport) == -1)
		return fail(why, whylen, "PROXY v1 header: a bad port");
	if (v1_addr(family, f[2], sport, &h->src, &h->srclen) == -1 ||
	    v1_addr(family, f[3], dport, &h->dst, &h->dstlen) == -1)
		return fail(why, whylen, "PROXY v1 header: an address not "
		    "of its family");
	h->local = 0;
	return (int)len;
}

/*
 * Signature, version and command, family and protocol, a length, then
 * the addresses and optional TLVs (skipped).  Only TCP over IPv4 or
 * IPv6 names an address to take; LOCAL, UNSPEC, unix and datagrams
 * leave the connection's own.
 */
static int
parse_v2(const unsigned char *p, size_t n, struct proxyhdr *h, char *why,
    size_t whylen)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&h->src;
	struct sockaddr_in	*d4 = (struct sockaddr_in *)&h->dst;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&h->src;
	struct sockaddr_in6	*d6 = (struct sockaddr_in6 *)&h->dst;
	size_t			 len, total;
	int			 cmd, fam, proto;

	if (n < V2_FIXED)
		return 0;
	if ((p[12] >> 4) != 2)
		return fail(why, whylen, "PROXY v2 header: version not 2");
	if ((cmd = p[12] & 0x0f) > 1)
		return fail(why, whylen, "PROXY v2 header: unknown command");
	fam = p[13] >> 4;
	proto = p[13] & 0x0f;
	if (fam > 3 || proto > 2)
		return fail(why, whylen, "PROXY v2 header: unknown family or "
		    "protocol");
	len = ((size_t)p[14] << 8) | p[15];
	total = V2_FIXED + len;
	if ((fam == 1 && len < 12) || (fam == 2 && len < 36) ||
	    (fam == 3 && len < 216))
		return fail(why, whylen, "PROXY v2 header: too short for "
		    "its addresses");
	if (n < total)
		return 0;
	h->version = 2;
	h->local = cmd == 0 || proto != 1 || (fam != 1 && fam != 2);
	if (h->local)
		return (int)total;
	memset(&h->src, 0, sizeof(h->src));
	memset(&h->dst, 0, sizeof(h->dst));
	p += V2_FIXED;
	if (fam == 1) {
		s4->sin_family = d4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p, 4);
		memcpy(&d4->sin_addr, p + 4, 4);
		memcpy(&s4->sin_port, p + 8, 2);
		memcpy(&d4->sin_port, p + 10, 2);
		h->srclen = h->dstlen = sizeof(*s4);
	} else {
		s6->sin6_family = d6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p, 16);
		memcpy(&d6->sin6_addr, p + 16, 16);
		memcpy(&s6->sin6_port, p + 32, 2);
		memcpy(&d6->sin6_port, p + 34, 2);
		h->srclen = h->dstlen = sizeof(*s6);
	}
	return (int)total;
}

/*
 * Parses the header at the start of the n bytes at p.  Returns its
 * length when it is whole (h filled in), 0 when it may be whole once
 * more bytes come (then every byte so far is part of it, so they may
 * all be taken off the socket), -1 with the reason in why when it is
 * not a valid header.
 */
int
proxyhdr_parse(const unsigned char *p, size_t n, struct proxyhdr *h,
    char *why, size_t whylen)
{
	memset(h, 0, sizeof(*h));
	if (n == 0)
		return 0;
	if (!a_prefix(p, n))
		return fail(why, whylen, "not a PROXY protocol header");
	if (p[0] == 'P')
		return n < V1SIG_LEN ? 0 : parse_v1(p, n, h, why, whylen);
	return n < sizeof(v2sig) ? 0 : parse_v2(p, n, h, why, whylen);
}

/*
 * Builds the header for a TCP connection from src to dst (both IPv4
 * or both IPv6), as --proxy-protocol sends it.  Returns its length, or
 * -1 when the addresses cannot be told or out is too small.
 */
int
proxyhdr_build(int version, const struct sockaddr *src,
    const struct sockaddr *dst, unsigned char *out, size_t outlen)
{
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)src;
	const struct sockaddr_in	*d4 = (const struct sockaddr_in *)dst;
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)src;
	const struct sockaddr_in6	*d6 = (const struct sockaddr_in6 *)dst;
	char				 sa[INET6_ADDRSTRLEN];
	char				 da[INET6_ADDRSTRLEN];
	int				 v4, n;

	if (src->sa_family != dst->sa_family || (src->sa_family != AF_INET &&
	    src->sa_family != AF_INET6))
		return -1;
	v4 = src->sa_family == AF_INET;
	if (version == 1) {
		if (inet_ntop(src->sa_family, v4 ? (const void *)&s4->sin_addr :
		    (const void *)&s6->sin6_addr, sa, sizeof(sa)) == NULL ||
		    inet_ntop(dst->sa_family, v4 ?
		    (const void *)&d4->sin_addr : (const void *)&d6->sin6_addr,
		    da, sizeof(da)) == NULL)
			return -1;
		n = snprintf((char *)out, outlen, "PROXY %s %s %s %u %u\r\n",
		    v4 ? "TCP4" : "TCP6", sa, da,
		    ntohs(v4 ? s4->sin_port : s6->sin6_port),
		    ntohs(v4 ? d4->sin_port : d6->sin6_port));
		return n < 0 || (size_t)n >= outlen ? -1 : n;
	}
	n = V2_FIXED + (v4 ? 12 : 36);
	if (outlen < (size_t)n)
		return -1;
	memcpy(out, v2sig, sizeof(v2sig));
	out[12] = 0x21;				/* version 2, PROXY */
	out[13] = v4 ? 0x11 : 0x21;		/* TCP over IPv4 or IPv6 */
	out[14] = 0;
	out[15] = (unsigned char)(n - V2_FIXED);
	if (v4) {
		memcpy(out + 16, &s4->sin_addr, 4);
		memcpy(out + 20, &d4->sin_addr, 4);
		memcpy(out + 24, &s4->sin_port, 2);
		memcpy(out + 26, &d4->sin_port, 2);
	} else {
		memcpy(out + 16, &s6->sin6_addr, 16);
		memcpy(out + 32, &d6->sin6_addr, 16);
		memcpy(out + 48, &s6->sin6_port, 2);
		memcpy(out + 50, &d6->sin6_port, 2);
	}
	return n;
}
