/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The client's side of the proxy dialogues, as bytes (design item 20):
 * the requests sockline sends (SOCKS4/4a, SOCKS5 with RFC 1929
 * username/password, HTTP CONNECT with Basic) and the parsers of the
 * proxy's replies.  Pure functions, no I/O: conn_proxy.c moves the
 * bytes, test/fuzz/proxyreply.c feeds the parsers anything at all.
 *
 * A parser is told the bytes received so far and says how many more it
 * needs at least (never more than the reply holds, so nothing after the
 * reply, the target's first bytes, is ever read by the handshake), or
 * that the reply is whole, or that it is no reply of that kind.
 */

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "sockline.h"

/* Longest reply headers an HTTP proxy may send before its blank line. */
#define HTTP_REPLY_MAX	16384

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of n bytes of in, NUL-terminated; out holds 4 * (n + 2) / 3 + 1. */
size_t
proxy_base64(const unsigned char *in, size_t n, char *out)
{
	size_t		i, o = 0;
	unsigned	v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned)in[i] << 16;
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* SOCKS5's greeting: no authentication, and user/password if we have it. */
size_t
proxy_socks5_hello(const struct proxy_url *u, unsigned char *out)
{
	out[0] = 5;
	if (!u->auth) {
		out[1] = 1;
		out[2] = 0;
		return 3;
	}
	out[1] = 2;
	out[2] = 0;
	out[3] = 2;
	return 4;
}

/* RFC 1929's request: version 1, then the user and password. */
size_t
proxy_socks5_auth(const struct proxy_url *u, unsigned char *out)
{
	size_t	ul = strlen(u->user), pl = strlen(u->pass), o = 0;

	out[o++] = 1;
	out[o++] = (unsigned char)ul;
	memcpy(out + o, u->user, ul);
	o += ul;
	out[o++] = (unsigned char)pl;
	memcpy(out + o, u->pass, pl);
	return o + pl;
}

/* SOCKS5 CONNECT: an address (ATYP 1 or 4), or a name (ATYP 3). */
size_t
proxy_socks5_connect(const struct proxy_target *t, unsigned char *out)
{
	size_t	o = 0, n;

	out[o++] = 5;
	out[o++] = 1;		/* CONNECT */
	out[o++] = 0;
	if (t->family == AF_INET) {
		out[o++] = 1;
		memcpy(out + o, t->addr, 4);
		o += 4;
	} else if (t->family == AF_INET6) {
		out[o++] = 4;
		memcpy(out + o, t->addr, 16);
		o += 16;
	} else {
		n = strlen(t->name);
		out[o++] = 3;
		out[o++] = (unsigned char)n;
		memcpy(out + o, t->name, n);
		o += n;
	}
	out[o++] = t->port >> 8;
	out[o++] = t->port & 0xff;
	return o;
}

/*
 * SOCKS4 CONNECT: port, IPv4 address, user id and its NUL; SOCKS4a puts
 * 0.0.0.1 as the address and the name after the user id.
 */
size_t
proxy_socks4_connect(const struct proxy_url *u, const struct proxy_target *t,
    unsigned char *out)
{
	static const unsigned char	 a4a[4] = { 0, 0, 0, 1 };
	size_t				 o = 0, n;

	out[o++] = 4;
	out[o++] = 1;
	out[o++] = t->port >> 8;
	out[o++] = t->port & 0xff;
	memcpy(out + o, t->family == AF_INET ? t->addr : a4a, 4);
	o += 4;
	n = u->auth ? strlen(u->user) : 0;
	memcpy(out + o, u->user, n);
	o += n;
	out[o++] = 0;
	if (t->family != AF_INET) {
		n = strlen(t->name);
		memcpy(out + o, t->name, n + 1);
		o += n + 1;
	}
	return o;
}

/* "CONNECT host:port HTTP/1.1", Host, and Basic credentials if any. */
size_t
proxy_http_connect(const struct proxy_url *u, const struct proxy_target *t,
    char *out, size_t len)
{
	char	cred[2 * PROXY_FIELD + 2], b[4 * (2 * PROXY_FIELD + 4) / 3 + 4];
	char	hp[PROXY_FIELD + 16];
	int	n, v6 = strchr(t->name, ':') != NULL;

	snprintf(hp, sizeof(hp), "%s%s%s:%u", v6 ? "[" : "", t->name,
	    v6 ? "]" : "", t->port);
	if (u->auth) {
		n = snprintf(cred, sizeof(cred), "%s:%s", u->user, u->pass);
		proxy_base64((unsigned char *)cred, (size_t)n, b);
		explicit_bzero(cred, sizeof(cred));
		n = snprintf(out, len, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n"
		    "Proxy-Authorization: Basic %s\r\n\r\n", hp, hp, b);
		explicit_bzero(b, sizeof(b));
	} else
		n = snprintf(out, len, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n"
		    "\r\n", hp, hp);
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

/* SOCKS5's REP codes (RFC 1928), in words. */
const char *
proxy_socks5_reason(int code)
{
	static const char	*words[] = {
		"succeeded",
		"general SOCKS server failure",
		"connection not allowed by ruleset",
		"network unreachable",
		"host unreachable",
		"connection refused",
		"TTL expired",
		"command not supported",
		"address type not supported",
	};

	if (code >= 0 && (size_t)code < sizeof(words) / sizeof(words[0]))
		return words[code];
	return "unknown reply code";
}

/* SOCKS4's CD codes, in words. */
static const char *
socks4_reason(int code)
{
	switch (code) {
	case 90:
		return "request granted";
	case 91:
		return "request rejected or failed";
	case 92:
		return "request rejected: the proxy cannot reach our identd";
	case 93:
		return "request rejected: identd reports a different user id";
	default:
		return "unknown reply code";
	}
}

static int
bad(struct proxy_reply *r, const char *why)
{
	snprintf(r->why, sizeof(r->why), "%s", why);
	return -1;
}

/* Copies a reason phrase, printable ASCII only. */
static void
phrase(const unsigned char *p, size_t n, char *out, size_t len)
{
	size_t	i, o = 0;

	for (i = 0; i < n && o + 1 < len; i++)
		out[o++] = p[i] >= ' ' && p[i] < 0x7f ? (char)p[i] : '?';
	out[o] = '\0';
}

static int
socks5_reply(const unsigned char *p, size_t n, struct proxy_reply *r)
{
	size_t	want;

	if (n < 5)
		return (int)(5 - n);
	if (p[0] != 5)
		return bad(r, "not a SOCKS5 reply");
	switch (p[3]) {
	case 1:
		want = 4 + 4 + 2;
		break;
	case 3:
		want = 4 + 1 + p[4] + 2;
		break;
	case 4:
		want = 4 + 16 + 2;
		break;
	default:
		return bad(r, "a SOCKS5 reply with an unknown address type");
	}
	if (n < want)
		return (int)(want - n);
	r->len = want;
	r->code = p[1];
	r->ok = p[1] == 0;
	if (!r->ok)
		snprintf(r->why, sizeof(r->why), "%s (SOCKS5 reply %d)",
		    proxy_socks5_reason(p[1]), p[1]);
	return 0;
}

/*
 * The end of the headers is "\r\n\r\n" (or "\n\n" from a sloppy proxy);
 * asking for one or two bytes at a time never reads past it.
 */
static int
http_reply(const unsigned char *p, size_t n, struct proxy_reply *r)
{
	const unsigned char	*sp, *eol;
	size_t			 i, end = 0;
	int			 code;

	for (i = 1; i < n; i++) {
		if (p[i] == '\n' && (p[i - 1] == '\n' || (i >= 3 &&
		    p[i - 1] == '\r' && p[i - 2] == '\n'))) {
			end = i + 1;
			break;
		}
	}
	if (n >= 5 && memcmp(p, "HTTP/", 5) != 0)
		return bad(r, "not an HTTP reply");
	if (n < 5 && memcmp(p, "HTTP/", n) != 0)
		return bad(r, "not an HTTP reply");
	if (end == 0) {
		if (n >= HTTP_REPLY_MAX)
			return bad(r, "the HTTP reply's headers are too long");
		return n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r') ? 1 : 2;
	}
	r->len = end;
	eol = memchr(p, '\n', end);
	/* "HTTP/1.1 200 Connection established" */
	if ((sp = memchr(p, ' ', (size_t)(eol - p))) == NULL ||
	    eol - sp < 4 || sp[1] < '1' || sp[1] > '5' || sp[2] < '0' ||
	    sp[2] > '9' || sp[3] < '0' || sp[3] > '9' ||
	    (sp + 4 < eol && sp[4] != ' ' && sp[4] != '\r'))
		return bad(r, "not an HTTP status line");
	code = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	r->code = code;
	r->ok = code / 100 == 2;
	if (!r->ok) {
		i = (size_t)(eol - sp);
		if (i > 0 && sp[i - 1] == '\r')
			i--;
		phrase(sp + 1, i - 1, r->why, sizeof(r->why));
	}
	return 0;
}

/*
 * Parses the reply to stage's request in p[0..n).  Returns how many
 * more bytes it needs at least (> 0); 0 when the reply is whole (r->len
 * bytes, r->ok, r->code, r->why when not ok); -1 when the bytes are no
 * such reply (r->why says what they are not).
 */
int
proxy_reply(int stage, const unsigned char *p, size_t n,
    struct proxy_reply *r)
{
	memset(r, 0, sizeof(*r));
	switch (stage) {
	case PXS_S5_METHOD:
		if (n < 2)
			return (int)(2 - n);
		if (p[0] != 5)
			return bad(r, "not a SOCKS5 reply");
		r->len = 2;
		r->code = p[1];
		r->ok = p[1] == 0 || p[1] == 2;
		if (!r->ok)
			snprintf(r->why, sizeof(r->why), "no acceptable "
			    "authentication method (SOCKS5 method %d)", p[1]);
		return 0;
	case PXS_S5_AUTH:
		if (n < 2)
			return (int)(2 - n);
		/* RFC 1929 says 1; some proxies answer with SOCKS's 5. */
		if (p[0] != 1 && p[0] != 5)
			return bad(r, "not a SOCKS5 authentication reply");
		r->len = 2;
		r->code = p[1];
		r->ok = p[1] == 0;
		if (!r->ok)
			snprintf(r->why, sizeof(r->why), "user name or password "
			    "rejected (RFC 1929 status %d)", p[1]);
		return 0;
	case PXS_S5_CONNECT:
		return socks5_reply(p, n, r);
	case PXS_S4_CONNECT:
		if (n < 8)
			return (int)(8 - n);
		if ((p[0] != 0 && p[0] != 4) || p[1] < 90 || p[1] > 93)
			return bad(r, "not a SOCKS4 reply");
		r->len = 8;
		r->code = p[1];
		r->ok = p[1] == 90;
		if (!r->ok)
			snprintf(r->why, sizeof(r->why), "%s (SOCKS4 reply %d)",
			    socks4_reason(p[1]), p[1]);
		return 0;
	case PXS_HTTP:
		return http_reply(p, n, r);
	}
	return bad(r, "no such stage");
}
