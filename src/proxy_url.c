/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --proxy's argument (design item 20): a URL (socks5h://user:pass@host:1080)
 * or netcat's HOST[:PORT] with -X 4|5|connect, and --proxy-auth.  Pure:
 * no lookups, no I/O, so the option parser's fuzz target covers it.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sockline.h"

static const struct {
	const char	*scheme;
	enum proxy_kind	 kind;
	uint16_t	 port;
} schemes[] = {
	{ "socks4", PROXY_SOCKS4, 1080 },
	{ "socks4a", PROXY_SOCKS4A, 1080 },
	{ "socks5", PROXY_SOCKS5, 1080 },
	{ "socks5h", PROXY_SOCKS5H, 1080 },
	{ "http", PROXY_HTTP, 3128 },
	{ "https", PROXY_HTTPS, 443 },
};
#define NSCHEMES	(sizeof(schemes) / sizeof(schemes[0]))

/* "socks5" and so on: the scheme that names kind. */
const char *
proxy_kind_name(enum proxy_kind kind)
{
	size_t	i;

	for (i = 0; i < NSCHEMES; i++) {
		if (schemes[i].kind == kind)
			return schemes[i].scheme;
	}
	return "none";
}

static uint16_t
default_port(enum proxy_kind kind)
{
	size_t	i;

	for (i = 0; i < NSCHEMES; i++) {
		if (schemes[i].kind == kind)
			return schemes[i].port;
	}
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Copies n bytes of s to out, %XX decoded; -1 on a bad escape or NUL. */
static int
pct_decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t	i, o = 0;
	int	hi, lo, c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* Nothing a request line or a SOCKS name could be cut by. */
static int
plain_text(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	}
	return 1;
}

/* HOST, [V6] or either with :PORT, into u. */
static int
parse_hostport(const char *s, size_t n, struct proxy_url *u, char *err,
    size_t errlen)
{
	const char	*port = NULL, *end;
	size_t		 hlen;
	char		 pbuf[8], *e;
	long		 v;

	if (n > 0 && s[0] == '[') {
		if ((end = memchr(s, ']', n)) == NULL) {
			snprintf(err, errlen, "an IPv6 address lacks its ']'");
			return -1;
		}
		hlen = (size_t)(end - s) - 1;
		if (hlen >= PROXY_FIELD || hlen == 0 ||
		    memchr(s + 1, ':', hlen) == NULL) {
			snprintf(err, errlen, "not an IPv6 address in []");
			return -1;
		}
		memcpy(u->host, s + 1, hlen);
		u->host[hlen] = '\0';
		if ((size_t)(end - s) + 1 < n) {
			if (end[1] != ':') {
				snprintf(err, errlen, "junk after ']'");
				return -1;
			}
			port = end + 2;
		}
	} else {
		end = memchr(s, ':', n);
		hlen = end != NULL ? (size_t)(end - s) : n;
		if (end != NULL && memchr(end + 1, ':', n - hlen - 1) != NULL) {
			snprintf(err, errlen, "an IPv6 address goes in [] "
			    "([::1]:1080)");
			return -1;
		}
		if (hlen == 0 || hlen >= PROXY_FIELD) {
			snprintf(err, errlen, hlen == 0 ? "no proxy host" :
			    "the proxy host is too long");
			return -1;
		}
		memcpy(u->host, s, hlen);
		u->host[hlen] = '\0';
		if (end != NULL)
			port = end + 1;
	}
	if (!plain_text(u->host, strlen(u->host))) {
		snprintf(err, errlen, "the proxy host holds a space or a "
		    "control character");
		return -1;
	}
	if (port == NULL)
		return 0;
	if ((size_t)(port - s) >= n || (size_t)(s + n - port) >= sizeof(pbuf)) {
		snprintf(err, errlen, "not a proxy port");
		return -1;
	}
	memcpy(pbuf, port, (size_t)(s + n - port));
	pbuf[s + n - port] = '\0';
	v = strtol(pbuf, &e, 10);
	if (*e != '\0' || !isdigit((unsigned char)pbuf[0]) || v < 1 ||
	    v > 65535) {
		snprintf(err, errlen, "%s: not a proxy port (1-65535)", pbuf);
		return -1;
	}
	u->port = (uint16_t)v;
	return 0;
}

/* USER[:PASS], percent-decoded when from a URL. */
static int
parse_cred(const char *s, size_t n, int decode, struct proxy_url *u,
    char *err, size_t errlen)
{
	const char	*colon = memchr(s, ':', n);
	size_t		 ulen = colon != NULL ? (size_t)(colon - s) : n;
	size_t		 plen = colon != NULL ? n - ulen - 1 : 0;

	if (decode ? pct_decode(s, ulen, u->user, sizeof(u->user)) == -1 ||
	    pct_decode(colon != NULL ? colon + 1 : "", plen, u->pass,
	    sizeof(u->pass)) == -1 :
	    ulen >= sizeof(u->user) || plen >= sizeof(u->pass) ||
	    memchr(s, '\0', n) != NULL) {
		snprintf(err, errlen, "the proxy credentials are too long or "
		    "badly escaped (at most 255 bytes each, %%XX escapes)");
		return -1;
	}
	if (!decode) {
		memcpy(u->user, s, ulen);
		u->user[ulen] = '\0';
		memcpy(u->pass, colon != NULL ? colon + 1 : "", plen);
		u->pass[plen] = '\0';
	}
	u->auth = colon != NULL ? 2 : 1;
	return 0;
}

static int
kind_of_x(const char *x, enum proxy_kind *kind, char *err, size_t errlen)
{
	if (x == NULL || strcmp(x, "5") == 0)
		*kind = PROXY_SOCKS5H;
	else if (strcmp(x, "4") == 0)
		*kind = PROXY_SOCKS4;
	else if (strcasecmp(x, "connect") == 0)
		*kind = PROXY_HTTP;
	else {
		snprintf(err, errlen, "-X %s: not 4, 5 or connect", x);
		return -1;
	}
	return 0;
}

/*
 * Fills u from --proxy ARG, -X (NULL if not given) and --proxy-auth
 * (NULL if not given).  -1 with a one-line message in err; the message
 * never repeats a credential.
 */
int
proxy_url_parse(const char *arg, const char *x, const char *auth,
    struct proxy_url *u, char *err, size_t errlen)
{
	const char	*sep, *rest, *at, *end;
	size_t		 i, n;

	memset(u, 0, sizeof(*u));
	if ((sep = strstr(arg, "://")) != NULL) {
		if (x != NULL) {
			snprintf(err, errlen, "-X is for --proxy HOST[:PORT]; "
			    "the URL's scheme already says the kind");
			return -1;
		}
		for (i = 0; i < NSCHEMES; i++) {
			if (strlen(schemes[i].scheme) == (size_t)(sep - arg) &&
			    strncasecmp(arg, schemes[i].scheme,
			    (size_t)(sep - arg)) == 0)
				break;
		}
		if (i == NSCHEMES) {
			snprintf(err, errlen, "%.*s: not a proxy scheme (socks4, "
			    "socks4a, socks5, socks5h, http, https)",
			    (int)(sep - arg) > 32 ? 32 : (int)(sep - arg), arg);
			return -1;
		}
		u->kind = schemes[i].kind;
		rest = sep + 3;
	} else {
		if (kind_of_x(x, &u->kind, err, errlen) == -1)
			return -1;
		rest = arg;
	}
	n = strcspn(rest, "/?#");
	end = rest + n;
	if (*end != '\0' && strcmp(end, "/") != 0) {
		snprintf(err, errlen, "a proxy URL has no path, query or "
		    "fragment");
		return -1;
	}
	/* The last '@' ends the credentials: a password may hold one. */
	at = NULL;
	for (i = 0; i < n; i++) {
		if (rest[i] == '@')
			at = rest + i;
	}
	if (at != NULL) {
		if (sep == NULL) {
			snprintf(err, errlen, "credentials go in a URL "
			    "(socks5h://USER:PASS@HOST) or --proxy-auth");
			return -1;
		}
		if (parse_cred(rest, (size_t)(at - rest), 1, u, err,
		    errlen) == -1)
			return -1;
		n -= (size_t)(at - rest) + 1;
		rest = at + 1;
	}
	if (parse_hostport(rest, n, u, err, errlen) == -1)
		return -1;
	if (u->port == 0)
		u->port = default_port(u->kind);
	if (auth != NULL) {
		if (u->auth) {
			snprintf(err, errlen, "credentials in the URL and "
			    "--proxy-auth: give them once");
			return -1;
		}
		if (parse_cred(auth, strlen(auth), 0, u, err, errlen) == -1)
			return -1;
	}
	return proxy_auth_check(u, err, errlen);
}

/* What each kind can carry: SOCKS4 a user id, the others both. */
int
proxy_auth_check(const struct proxy_url *u, char *err, size_t errlen)
{
	if (!u->auth)
		return 0;
	if (u->user[0] == '\0' && u->kind != PROXY_SOCKS4 &&
	    u->kind != PROXY_SOCKS4A) {
		snprintf(err, errlen, "the proxy user name is empty");
		return -1;
	}
	if (u->kind == PROXY_SOCKS4 || u->kind == PROXY_SOCKS4A) {
		if (u->auth == 2) {
			snprintf(err, errlen, "SOCKS4 has no passwords: give a "
			    "user id alone (socks4://USER@HOST)");
			return -1;
		}
		return 0;
	}
	if (u->auth == 1) {
		snprintf(err, errlen, "the proxy credentials need a password "
		    "(USER:PASS)");
		return -1;
	}
	return 0;
}

/*
 * "socks5://127.0.0.1:1080" or "http://[::1]:3128": the proxy as
 * messages name it, never with its credentials.
 */
const char *
proxy_label(const struct proxy_url *u, char *buf, size_t len)
{
	int	v6 = strchr(u->host, ':') != NULL;

	snprintf(buf, len, "%s://%s%s%s:%u", proxy_kind_name(u->kind),
	    v6 ? "[" : "", u->host, v6 ? "]" : "", u->port);
	return buf;
}
