/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Addresses, ports and durations: parsing what the user typed and
 * formatting what the kernel reports.  One getaddrinfo(3) path serves
 * both families; nothing here is written twice for IPv4 and IPv6.
 */

#include <sys/socket.h>

#include <sys/un.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"

/* 2^31 milliseconds, in whole seconds: what poll(2) can wait for. */
#define SECS_MAX	2147483L

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return 0;
	}
	return 1;
}

/*
 * Parses a port: a number, or a service name unless numeric.  Port 0
 * is only meaningful when listening ("any free port").
 */
int
addr_parse_port(const char *s, int allow_zero, int numeric, uint16_t *port,
    char *err, size_t errlen)
{
	struct servent	*se;
	unsigned long	 v;
	int		 lo = allow_zero ? 0 : 1;

	if (*s == '\0') {
		snprintf(err, errlen, "empty port");
		return -1;
	}
	if (all_digits(s) || (*s == '-' && all_digits(s + 1))) {
		errno = 0;
		v = strtoul(s, NULL, 10);
		if (*s == '-' || errno == ERANGE || v > 65535 ||
		    (long)v < lo) {
			snprintf(err, errlen, "port %s: out of range (%d-65535)",
			    s, lo);
			return -1;
		}
		*port = (uint16_t)v;
		return 0;
	}
	if (numeric) {
		snprintf(err, errlen, "port %s: not a number, and -n forbids "
		    "service names", s);
		return -1;
	}
	if ((se = getservbyname(s, NULL)) == NULL) {
		snprintf(err, errlen, "port %s: unknown service name", s);
		return -1;
	}
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

/*
 * Parses a port or, for -z, a range "20-25" (numbers only: a service
 * name may itself contain a dash).
 */
int
addr_parse_range(const char *s, int numeric, uint16_t *lo, uint16_t *hi,
    char *err, size_t errlen)
{
	const char	*dash = strchr(s, '-');
	char		 first[16];
	size_t		 n;

	if (dash == NULL || dash == s || !all_digits(dash + 1)) {
		if (addr_parse_port(s, 0, numeric, lo, err, errlen) == -1)
			return -1;
		*hi = *lo;
		return 0;
	}
	n = (size_t)(dash - s);
	if (n >= sizeof(first)) {
		snprintf(err, errlen, "port range %s: not numbers", s);
		return -1;
	}
	memcpy(first, s, n);
	first[n] = '\0';
	if (!all_digits(first)) {
		snprintf(err, errlen, "port range %s: not numbers", s);
		return -1;
	}
	if (addr_parse_port(first, 0, 1, lo, err, errlen) == -1 ||
	    addr_parse_port(dash + 1, 0, 1, hi, err, errlen) == -1)
		return -1;
	if (*hi < *lo) {
		snprintf(err, errlen, "port range %s: the end comes before the "
		    "start", s);
		return -1;
	}
	return 0;
}

/*
 * Parses seconds, with up to three decimals ("0.5"), into milliseconds.
 */
int
addr_parse_secs(const char *s, long *ms, char *err, size_t errlen)
{
	const char	*p = s;
	long		 secs = 0, frac = 0;
	int		 digits = 0, fdigits = 0;

	for (; isdigit((unsigned char)*p); p++, digits++) {
		secs = secs * 10 + (*p - '0');
		if (secs > SECS_MAX) {
			snprintf(err, errlen, "too large (at most %ld)",
			    SECS_MAX);
			return -1;
		}
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, fdigits++) {
			if (fdigits < 3)
				frac = frac * 10 + (*p - '0');
		}
	}
	if (*p != '\0' || (digits == 0 && fdigits == 0)) {
		snprintf(err, errlen, "not a number of seconds");
		return -1;
	}
	for (; fdigits < 3; fdigits++)
		frac *= 10;
	*ms = secs * 1000 + frac;
	return 0;
}

/* True if host is a numeric IPv4 or IPv6 address (with a scope or not). */
int
addr_is_numeric(const char *host)
{
	struct addrinfo	 hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, "1", &hints, &res) != 0)
		return 0;
	freeaddrinfo(res);
	return 1;
}

/*
 * Says why a literal cannot be used with the family -4/-6 asked for;
 * getaddrinfo(3) only answers "Address family for hostname not
 * supported", which does not name the option that caused it.
 */
static int
family_conflict(int family, const char *host, char *err, size_t errlen)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	char		 plain[INET6_ADDRSTRLEN];
	const char	*pct;
	size_t		 n;

	if (family == AF_INET && (pct = strchr(host, ':')) != NULL) {
		pct = strchr(host, '%');
		n = pct != NULL ? (size_t)(pct - host) : strlen(host);
		if (n < sizeof(plain)) {
			memcpy(plain, host, n);
			plain[n] = '\0';
			if (inet_pton(AF_INET6, plain, &a6) == 1) {
				snprintf(err, errlen, "%s is an IPv6 address, "
				    "but -4 asks for IPv4 only", host);
				return 1;
			}
		}
	}
	if (family == AF_INET6 && inet_pton(AF_INET, host, &a4) == 1) {
		snprintf(err, errlen, "%s is an IPv4 address, but -6 asks "
		    "for IPv6 only", host);
		return 1;
	}
	return 0;
}

/*
 * Says why a scoped IPv6 literal ("fe80::1%eth0") failed, when the
 * scope names no interface; getaddrinfo(3) only says "Name or service
 * not known".
 */
static int
bad_scope(const char *host, char *err, size_t errlen)
{
	struct in6_addr	 a6;
	char		 plain[INET6_ADDRSTRLEN];
	const char	*pct = strchr(host, '%');
	size_t		 n;

	if (pct == NULL || (n = (size_t)(pct - host)) >= sizeof(plain))
		return 0;
	memcpy(plain, host, n);
	plain[n] = '\0';
	if (inet_pton(AF_INET6, plain, &a6) != 1 || all_digits(pct + 1) ||
	    if_nametoindex(pct + 1) != 0)
		return 0;
	snprintf(err, errlen, "%s: no interface named %s", host, pct + 1);
	return 1;
}

/*
 * Resolves host (NULL: any address, for listening) and port into a list
 * of addresses to try in order.  Returns -1 with a message in err.
 */
int
addr_resolve(const struct config *cfg, const char *host, uint16_t port,
    int socktype, int passive, struct addrinfo **res, char *err,
    size_t errlen)
{
	struct addrinfo	 hints;
	char		 serv[8];
	int		 e;

	if (host != NULL && family_conflict(cfg->family, host, err, errlen))
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = cfg->family;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV;
	if (cfg->numeric)
		hints.ai_flags |= AI_NUMERICHOST;
	if (passive)
		hints.ai_flags |= AI_PASSIVE;
	snprintf(serv, sizeof(serv), "%u", port);
	e = getaddrinfo(host, serv, &hints, res);
	if (e == 0)
		return 0;
	if (host != NULL && bad_scope(host, err, errlen))
		return -1;
	if (e == EAI_NONAME && cfg->numeric && host != NULL)
		snprintf(err, errlen, "%s: not a numeric address, and -n "
		    "forbids name lookups", host);
	else if (e == EAI_SYSTEM)
		snprintf(err, errlen, "cannot resolve %s: %s", host,
		    strerror(errno));
	else
		snprintf(err, errlen, "cannot resolve %s: %s", host,
		    gai_strerror(e));
	return -1;
}

/*
 * Formats a socket address as a numeric host and a port.  A v4-mapped
 * IPv6 peer (::ffff:127.0.0.1) is shown as the IPv4 address it is.
 */
void
addr_format(const struct sockaddr *sa, char *host, size_t hostlen,
    uint16_t *port)
{
	const struct sockaddr_in6	*s6;
	const struct sockaddr_in	*s4;
	struct sockaddr_in		 mapped;
	socklen_t			 len;

	*port = 0;
	switch (sa->sa_family) {
	case AF_INET:
		s4 = (const struct sockaddr_in *)sa;
		*port = ntohs(s4->sin_port);
		len = sizeof(*s4);
		break;
	case AF_INET6:
		s6 = (const struct sockaddr_in6 *)sa;
		*port = ntohs(s6->sin6_port);
		len = sizeof(*s6);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memset(&mapped, 0, sizeof(mapped));
			mapped.sin_family = AF_INET;
			mapped.sin_port = s6->sin6_port;
			memcpy(&mapped.sin_addr, &s6->sin6_addr.s6_addr[12],
			    4);
			sa = (const struct sockaddr *)&mapped;
			len = sizeof(mapped);
		}
		break;
	default:
		snprintf(host, hostlen, "?");
		return;
	}
	if (getnameinfo(sa, len, host, hostlen, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, hostlen, "?");
}

/*
 * True if an entry of res before ai has ai's address (the port aside):
 * glibc gives 127.0.0.1 twice for "localhost" under -4 with a stock
 * Debian /etc/hosts, and binding it twice fails "Address already in use".
 */
int
addr_repeated(const struct addrinfo *res, const struct addrinfo *ai)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	for (; res != NULL && res != ai; res = res->ai_next) {
		if (res->ai_family != ai->ai_family)
			continue;
		if (ai->ai_family == AF_INET) {
			a4 = (const struct sockaddr_in *)res->ai_addr;
			b4 = (const struct sockaddr_in *)ai->ai_addr;
			if (a4->sin_addr.s_addr == b4->sin_addr.s_addr)
				return 1;
		} else if (ai->ai_family == AF_INET6) {
			a6 = (const struct sockaddr_in6 *)res->ai_addr;
			b6 = (const struct sockaddr_in6 *)ai->ai_addr;
			if (memcmp(&a6->sin6_addr, &b6->sin6_addr,
			    sizeof(a6->sin6_addr)) == 0 &&
			    a6->sin6_scope_id == b6->sin6_scope_id)
				return 1;
		}
	}
	return 0;
}

/* The service name nc shows in "port [tcp/http] succeeded!". */
const char *
addr_service(const struct config *cfg, uint16_t port, const char *proto)
{
	struct servent	*se;

	if (cfg->numeric || (se = getservbyport(htons(port), proto)) == NULL)
		return "*";
	return se->s_name;
}

/*
 * The longest unix path that fits: a file path needs its terminating
 * NUL, while an abstract name ('@' standing for the leading NUL) is
 * counted by length and may fill sun_path.
 */
size_t
addr_unix_max(const char *path)
{
	struct sockaddr_un	sun;

	return path[0] == '@' ? sizeof(sun.sun_path) :
	    sizeof(sun.sun_path) - 1;
}

/*
 * Fills a unix socket address from a path; a leading '@' names a Linux
 * abstract socket.  A path that does not fit is refused, never cut.
 */
int
addr_unix(const char *path, struct sockaddr_un *sun, socklen_t *len)
{
	size_t	n = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n == 0 || n > addr_unix_max(path)) {
		errno = n == 0 ? ENOENT : ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, path, n);
	if (path[0] == '@') {
		sun->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else
		*len = (socklen_t)sizeof(*sun);
	return 0;
}

/*
 * Formats a unix address: the path, "@name" if abstract, or "(unnamed)".
 * A peer picks its own name, and it goes into messages on stderr, the
 * prompt, labels and the -o log, so it is escaped as received text is
 * (render_name): no control byte, C1 control or reordering mark of it
 * ever reaches a terminal.
 */
void
addr_unix_format(const struct sockaddr_un *sun, socklen_t len, char *buf,
    size_t buflen)
{
	size_t	n;

	if (len <= offsetof(struct sockaddr_un, sun_path)) {
		snprintf(buf, buflen, "(unnamed)");
		return;
	}
	n = len - offsetof(struct sockaddr_un, sun_path);
	if (n > sizeof(sun->sun_path))
		n = sizeof(sun->sun_path);
	if (sun->sun_path[0] == '\0') {
		if (buflen < 2)
			return;
		buf[0] = '@';
		render_name(buf + 1, buflen - 1, sun->sun_path + 1, n - 1);
	} else
		render_name(buf, buflen, sun->sun_path,
		    strnlen(sun->sun_path, n));
}

/* Sets who a peer is from its socket address. */
void
peer_set(struct peer *p, const char *proto, const struct sockaddr *sa,
    socklen_t len)
{
	p->proto = proto;
	if (len > sizeof(p->addr))
		len = sizeof(p->addr);
	memcpy(&p->addr, sa, len);
	p->addrlen = len;
	if (sa->sa_family == AF_UNIX) {
		addr_unix_format((const struct sockaddr_un *)sa, len, p->host,
		    sizeof(p->host));
		p->port = 0;
	} else
		addr_format(sa, p->host, sizeof(p->host), &p->port);
}

/* "127.0.0.1 40000" (nc's status-line form) or "/run/x.sock". */
const char *
peer_addr(const struct peer *p, char *buf, size_t len)
{
	if (p->port == 0 && strcmp(p->proto, "unix") == 0)
		snprintf(buf, len, "%s", p->host);
	else
		snprintf(buf, len, "%s %u", p->host, p->port);
	return buf;
}

/* "127.0.0.1 port 8080 (tcp)" or "/run/x.sock (unix)", for messages. */
const char *
peer_name(const struct peer *p, char *buf, size_t len)
{
	if (p->port == 0 && strcmp(p->proto, "unix") == 0)
		snprintf(buf, len, "%s (unix)", p->host);
	else
		snprintf(buf, len, "%s port %u (%s)", p->host, p->port,
		    p->proto);
	return buf;
}

/*
 * Parses "ADDR" or "ADDR/LEN" (numeric IPv4 or IPv6) for --allow and
 * --deny.  The bits beyond LEN are cleared so matching is a compare.
 */
int
addr_parse_cidr(const char *s, struct cidr *c)
{
	static const uint8_t	 v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0xff, 0xff };
	char		 a[INET6_ADDRSTRLEN];
	const char	*slash = strchr(s, '/');
	size_t		 n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned long	 bits;
	char		*end;
	int		 i, max;

	if (n == 0 || n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, a, c->addr) == 1)
		c->family = AF_INET;
	else if (inet_pton(AF_INET6, a, c->addr) == 1)
		c->family = AF_INET6;
	else
		return -1;
	max = c->family == AF_INET ? 32 : 128;
	c->bits = max;
	if (slash != NULL) {
		if (!all_digits(slash + 1))
			return -1;
		bits = strtoul(slash + 1, &end, 10);
		if (bits > (unsigned long)max)
			return -1;
		c->bits = (int)bits;
	}
	for (i = c->bits; i < max; i++)
		c->addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	/*
	 * A peer at a v4-mapped address counts as IPv4 (addr_cidr_match),
	 * so a v4-mapped entry is its IPv4 address, or it matches nobody.
	 */
	if (c->family == AF_INET6 && c->bits >= 96 &&
	    memcmp(c->addr, v4mapped, sizeof(v4mapped)) == 0) {
		c->family = AF_INET;
		memmove(c->addr, c->addr + 12, 4);
		memset(c->addr + 4, 0, 12);
		c->bits -= 96;
	}
	return 0;
}

/* True if sa (a v4-mapped address counting as IPv4) is in the list. */
int
addr_cidr_match(const struct cidr_list *l, const struct sockaddr *sa)
{
	const struct sockaddr_in6	*s6;
	uint8_t				 a[16];
	int				 family, i, b;

	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		memcpy(a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			family = AF_INET;
			memcpy(a, &s6->sin6_addr.s6_addr[12], 4);
		} else {
			family = AF_INET6;
			memcpy(a, &s6->sin6_addr, 16);
		}
	} else
		return 0;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].family != family)
			continue;
		for (b = 0; b < l->v[i].bits; b++) {
			if ((a[b / 8] ^ l->v[i].addr[b / 8]) &
			    (0x80 >> (b % 8)))
				break;
		}
		if (b == l->v[i].bits)
			return 1;
	}
	return 0;
}

/* --allow and --deny: a peer must match an --allow (if any is given)
 * and no --deny. */
int
addr_allowed(const struct config *cfg, const struct sockaddr *sa)
{
	if (cfg->allow.n > 0 && !addr_cidr_match(&cfg->allow, sa))
		return 0;
	return !addr_cidr_match(&cfg->deny, sa);
}
