/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The proxy server's side of the dialogues (design item 20): parsers of
 * what a client sends to `--proxy-server http|socks5` (SOCKS5 greeting,
 * RFC 1929 username/password, SOCKS5 CONNECT; an HTTP CONNECT request
 * and its Proxy-Authorization), and the replies.  Pure functions:
 * proxy_serve.c moves the bytes, test/fuzz/proxyreq.c feeds the parsers
 * anything at all.
 *
 * A parser is given the bytes received so far and returns how many more
 * it needs at least (never more than the request holds, so what a
 * client sends after it stays in the socket for the tunnel), 0 when it
 * is whole (r->len bytes long), -1 when the bytes are no such request
 * (r->why, and r->code: what to answer).
 */

#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sockline.h"

/* Longest request headers a client may send before its blank line. */
#define HTTP_REQ_MAX	8192

static int
bad(struct proxy_request *r, int code, const char *why)
{
	r->code = code;
	snprintf(r->why, sizeof(r->why), "%s", why);
	return -1;
}

/*
 * Decodes base64 (padding optional) into a string; -1 if it is not
 * base64, too long, or holds a NUL.
 */
static int
unbase64(const char *s, size_t n, char *out, size_t outlen)
{
	int	o;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if ((o = b64_decode(s, n, (unsigned char *)out, outlen - 1)) == -1)
		return -1;
	out[o] = '\0';
	return memchr(out, '\0', (size_t)o) != NULL ? -1 : o;
}

/* A name fit for a connect and a -v line: no space, no control byte. */
static int
printable(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	}
	return 1;
}

/* "host:port" or "[v6]:port" into r. */
static int
hostport(const char *s, size_t n, struct proxy_request *r)
{
	const char	*colon, *h = s;
	size_t		 hlen, i;
	unsigned long	 port = 0;

	if (n > 0 && s[0] == '[') {
		if ((colon = memchr(s, ']', n)) == NULL ||
		    (size_t)(colon - s) + 1 >= n || colon[1] != ':')
			return -1;
		h = s + 1;
		hlen = (size_t)(colon - s) - 1;
		colon++;
	} else {
		colon = NULL;
		for (i = 0; i < n; i++) {
			if (s[i] == ':')
				colon = s + i;
		}
		if (colon == NULL)
			return -1;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= sizeof(r->host) || !printable(h, hlen))
		return -1;
	memcpy(r->host, h, hlen);
	r->host[hlen] = '\0';
	for (i = (size_t)(colon - s) + 1; i < n; i++) {
		if (!isdigit((unsigned char)s[i]) || port > 65535)
			return -1;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	if (port == 0 || port > 65535 || (size_t)(colon - s) + 1 == n)
		return -1;
	r->port = (uint16_t)port;
	return 0;
}

/* One header line: Proxy-Authorization: Basic ... is kept, decoded. */
static void
header(const char *p, size_t n, struct proxy_request *r)
{
	static const char	name[] = "proxy-authorization:";
	size_t			k = sizeof(name) - 1;

	if (n < k || strncasecmp(p, name, k) != 0)
		return;
	p += k;
	n -= k;
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	if (n < 6 || strncasecmp(p, "basic ", 6) != 0)
		return;
	p += 6;
	n -= 6;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (unbase64(p, n, r->cred, sizeof(r->cred)) >= 0)
		r->has_cred = 1;
}

static int
http_request(const unsigned char *p, size_t n, struct proxy_request *r)
{
	const char	*s = (const char *)p, *eol, *sp1, *sp2, *line;
	size_t		 i, end = 0, len;

	for (i = 1; i < n; i++) {
		if (p[i] == '\n' && (p[i - 1] == '\n' || (i >= 3 &&
		    p[i - 1] == '\r' && p[i - 2] == '\n'))) {
			end = i + 1;
			break;
		}
	}
	if (end == 0)
		return n >= HTTP_REQ_MAX ? bad(r, 431, "request headers too "
		    "long") : n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r') ?
		    1 : 2;
	r->len = end;
	eol = memchr(s, '\n', end);
	len = (size_t)(eol - s);
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if ((sp1 = memchr(s, ' ', len)) == NULL || (sp2 = memchr(sp1 + 1, ' ',
	    len - (size_t)(sp1 - s) - 1)) == NULL ||
	    strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return bad(r, 400, "not an HTTP request");
	if ((size_t)(sp1 - s) != 7 || strncmp(s, "CONNECT", 7) != 0)
		return bad(r, 405, "not a CONNECT request");
	if (hostport(sp1 + 1, (size_t)(sp2 - sp1) - 1, r) == -1)
		return bad(r, 400, "CONNECT without a host:port");
	for (line = eol + 1; line < s + end; line = eol + 1) {
		eol = memchr(line, '\n', (size_t)(s + end - line));
		len = (size_t)(eol - line);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		header(line, len, r);
	}
	return 0;
}

/* SOCKS5 CONNECT: 05 01 00 ATYP ADDR PORT. */
static int
socks5_request(const unsigned char *p, size_t n, struct proxy_request *r)
{
	size_t	want;

	if (n < 5)
		return (int)(5 - n);
	if (p[0] != 5 || p[2] != 0)
		return bad(r, 1, "not a SOCKS5 request");
	switch (p[3]) {
	case 1:
		want = 4 + 4 + 2;
		break;
	case 3:
		if (p[4] == 0)
			return bad(r, 1, "an empty name");
		want = 4 + 1 + p[4] + 2;
		break;
	case 4:
		want = 4 + 16 + 2;
		break;
	default:
		return bad(r, 8, "an unknown address type");
	}
	if (n < want)
		return (int)(want - n);
	r->len = want;
	if (p[1] != 1)
		return bad(r, 7, "a command other than CONNECT");
	if (p[3] == 3) {
		memcpy(r->host, p + 5, p[4]);
		r->host[p[4]] = '\0';
		if (!printable(r->host, p[4]))
			return bad(r, 1, "a name with a control byte");
	} else if (inet_ntop(p[3] == 1 ? AF_INET : AF_INET6, p + 4, r->host,
	    sizeof(r->host)) == NULL)
		return bad(r, 1, "a bad address");
	r->port = (uint16_t)(p[want - 2] << 8 | p[want - 1]);
	if (r->port == 0)
		return bad(r, 1, "port 0");
	return 0;
}

/*
 * Parses a client's request at stage in p[0..n).  PRQ_S5_HELLO sets
 * r->methods (bit 0: none, bit 1: username/password); PRQ_S5_AUTH sets
 * r->cred ("user:pass"); PRQ_S5_CONNECT and PRQ_HTTP set r->host and
 * r->port, and PRQ_HTTP r->cred when the client gave Basic credentials.
 */
int
proxy_request(int stage, const unsigned char *p, size_t n,
    struct proxy_request *r)
{
	size_t	i, ul, pl;

	memset(r, 0, sizeof(*r));
	switch (stage) {
	case PRQ_S5_HELLO:
		if (n >= 1 && p[0] != 5)
			return bad(r, 0xff, "not a SOCKS5 greeting");
		if (n < 2)
			return (int)(2 - n);
		if (n < 2 + (size_t)p[1])
			return (int)(2 + (size_t)p[1] - n);
		r->len = 2 + (size_t)p[1];
		for (i = 2; i < r->len; i++) {
			if (p[i] == 0)
				r->methods |= 1;
			else if (p[i] == 2)
				r->methods |= 2;
		}
		return 0;
	case PRQ_S5_AUTH:
		if (n >= 1 && p[0] != 1)
			return bad(r, 1, "not an RFC 1929 request");
		if (n < 2)
			return (int)(2 - n);
		ul = p[1];
		if (n < 3 + ul)
			return (int)(3 + ul - n);
		pl = p[2 + ul];
		if (n < 3 + ul + pl)
			return (int)(3 + ul + pl - n);
		r->len = 3 + ul + pl;
		memcpy(r->cred, p + 2, ul);
		r->cred[ul] = ':';
		memcpy(r->cred + ul + 1, p + 3 + ul, pl);
		r->cred[ul + 1 + pl] = '\0';
		r->has_cred = 1;
		return 0;
	case PRQ_S5_CONNECT:
		return socks5_request(p, n, r);
	case PRQ_HTTP:
		return http_request(p, n, r);
	}
	return bad(r, 1, "no such stage");
}

/*
 * The SOCKS5 reply for code, with the address the tunnel is bound to
 * (or zeros); returns its length (at most 22).
 */
size_t
proxy_socks5_answer(int code, const struct sockaddr *sa, unsigned char *out)
{
	size_t	o = 0;

	out[o++] = 5;
	out[o++] = (unsigned char)code;
	out[o++] = 0;
	if (sa != NULL && sa->sa_family == AF_INET6) {
		out[o++] = 4;
		memcpy(out + o, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    16);
		o += 16;
		memcpy(out + o, &((const struct sockaddr_in6 *)sa)->sin6_port,
		    2);
	} else if (sa != NULL && sa->sa_family == AF_INET) {
		out[o++] = 1;
		memcpy(out + o, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		o += 4;
		memcpy(out + o, &((const struct sockaddr_in *)sa)->sin_port, 2);
	} else {
		out[o++] = 1;
		memset(out + o, 0, 6);
		o += 4;
	}
	return o + 2;
}

/* The HTTP answer for status (200, or a refusal); its length. */
size_t
proxy_http_answer(int status, char *out, size_t len)
{
	const char	*phrase;
	int		 n;

	switch (status) {
	case 200:
		phrase = "Connection established";
		break;
	case 400:
		phrase = "Bad Request";
		break;
	case 403:
		phrase = "Forbidden";
		break;
	case 405:
		phrase = "Method Not Allowed";
		break;
	case 407:
		phrase = "Proxy Authentication Required";
		break;
	case 431:
		phrase = "Request Header Fields Too Large";
		break;
	case 504:
		phrase = "Gateway Timeout";
		break;
	default:
		status = 502;
		phrase = "Bad Gateway";
		break;
	}
	if (status == 200)
		n = snprintf(out, len, "HTTP/1.1 200 %s\r\n\r\n", phrase);
	else
		n = snprintf(out, len, "HTTP/1.1 %d %s\r\n%s"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n", status,
		    phrase, status == 407 ?
		    "Proxy-Authenticate: Basic realm=\"sockline\"\r\n" : "");
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}
