/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * STARTTLS, the client's plaintext dialogue (design item 19): for each
 * protocol a short table of steps (what to send, what kind of reply
 * ends the step, which replies mean yes), and the reply parsers.
 *
 * Nothing here does I/O: conn_stls.c moves the bytes and feeds what it
 * received to stls_feed(), which says whether a reply is complete yet,
 * and whether it lets the dialogue go on.  So the parsers can be fed
 * anything (test/fuzz/starttls.c) and a server's reply is never trusted
 * for a length or a terminator it does not have.
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sockline.h"

/* How a step's reply ends. */
enum rkind {
	RK_CODE,		/* "250-..." lines, then "250 ..." (SMTP, FTP) */
	RK_CODE_DOT,		/* a code line; 101 is followed by a "." block */
	RK_POP3,		/* "+OK ..." or "-ERR ..." */
	RK_POP3_DOT,		/* the same, and a "." block after +OK */
	RK_IMAP,		/* "* ..." lines, then "TAG OK|NO|BAD" */
	RK_IMAP_GREETING,	/* "* OK", "* PREAUTH" or "* BYE" */
	RK_SIEVE,		/* lines, then "OK", "NO" or "BYE" */
	RK_XMPP_FEATURES,	/* the stream header, then its features */
	RK_XMPP_PROCEED,	/* <proceed/> or <failure/> */
	RK_PG,			/* one byte: 'S' or 'N' */
	RK_LDAP			/* an LDAP ExtendedResponse */
};

struct step {
	const char	*send;		/* NULL: only wait; %s: the name */
	size_t		 binlen;	/* nonzero: send is this many bytes */
	enum rkind	 kind;
	int		 lo, hi;	/* codes that mean yes */
	int		 caps;		/* lists what the server offers */
	const char	*tag;		/* IMAP: the tag of the answer */
};

struct proto {
	const char		*name;
	const char		*offer;	/* the capability naming STARTTLS */
	const struct step	*steps;
	int			 nsteps;
};

#define STEPS(a)	(a), (int)(sizeof(a) / sizeof((a)[0]))

static const struct step smtp[] = {
	{ NULL, 0, RK_CODE, 220, 220, 0, NULL },
	{ "EHLO %s\r\n", 0, RK_CODE, 250, 250, 1, NULL },
	{ "STARTTLS\r\n", 0, RK_CODE, 220, 220, 0, NULL },
};
static const struct step lmtp[] = {
	{ NULL, 0, RK_CODE, 220, 220, 0, NULL },
	{ "LHLO %s\r\n", 0, RK_CODE, 250, 250, 1, NULL },
	{ "STARTTLS\r\n", 0, RK_CODE, 220, 220, 0, NULL },
};
static const struct step imap[] = {
	{ NULL, 0, RK_IMAP_GREETING, 0, 0, 0, NULL },
	{ "a1 CAPABILITY\r\n", 0, RK_IMAP, 0, 0, 1, "a1" },
	{ "a2 STARTTLS\r\n", 0, RK_IMAP, 0, 0, 0, "a2" },
};
static const struct step pop3[] = {
	{ NULL, 0, RK_POP3, 0, 0, 0, NULL },
	{ "CAPA\r\n", 0, RK_POP3_DOT, 0, 0, 1, NULL },
	{ "STLS\r\n", 0, RK_POP3, 0, 0, 0, NULL },
};
/* A server without FEAT (code 500) may still take AUTH TLS. */
static const struct step ftp[] = {
	{ NULL, 0, RK_CODE, 220, 220, 0, NULL },
	{ "FEAT\r\n", 0, RK_CODE, 211, 211, 2, NULL },
	{ "AUTH TLS\r\n", 0, RK_CODE, 234, 234, 0, NULL },
};
static const struct step nntp[] = {
	{ NULL, 0, RK_CODE, 200, 201, 0, NULL },
	{ "CAPABILITIES\r\n", 0, RK_CODE_DOT, 101, 101, 1, NULL },
	{ "STARTTLS\r\n", 0, RK_CODE, 382, 382, 0, NULL },
};
/* ManageSieve greets with its capabilities. */
static const struct step sieve[] = {
	{ NULL, 0, RK_SIEVE, 0, 0, 1, NULL },
	{ "STARTTLS\r\n", 0, RK_SIEVE, 0, 0, 0, NULL },
};
static const struct step xmpp[] = {
	{ "<?xml version='1.0'?><stream:stream to='%s' "
	  "xmlns='jabber:client' "
	  "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>",
	  0, RK_XMPP_FEATURES, 0, 0, 1, NULL },
	{ "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 0,
	  RK_XMPP_PROCEED, 0, 0, 0, NULL },
};
/* SSLRequest: length 8, code 80877103. */
static const struct step postgres[] = {
	{ "\0\0\0\x08\x04\xd2\x16\x2f", 8, RK_PG, 0, 0, 0, NULL },
};
/* ExtendedRequest, message 1, requestName 1.3.6.1.4.1.1466.20037. */
static const struct step ldap[] = {
	{ "\x30\x1d\x02\x01\x01\x77\x18\x80\x16" "1.3.6.1.4.1.1466.20037", 31,
	  RK_LDAP, 0, 0, 0, NULL },
};

static const struct proto protos[] = {
	{ "smtp", "STARTTLS", STEPS(smtp) },
	{ "lmtp", "STARTTLS", STEPS(lmtp) },
	{ "imap", "STARTTLS", STEPS(imap) },
	{ "pop3", "STLS", STEPS(pop3) },
	{ "ftp", "AUTH TLS", STEPS(ftp) },
	{ "nntp", "STARTTLS", STEPS(nntp) },
	{ "sieve", "\"STARTTLS\"", STEPS(sieve) },
	{ "xmpp", "<starttls", STEPS(xmpp) },
	{ "postgres", NULL, STEPS(postgres) },
	{ "ldap", NULL, STEPS(ldap) },
};
#define NPROTOS	(int)(sizeof(protos) / sizeof(protos[0]))

int
stls_proto(const char *name)
{
	int	i;

	for (i = 0; i < NPROTOS; i++)
		if (strcmp(protos[i].name, name) == 0)
			return i + 1;
	return -1;
}

const char *
stls_proto_name(int proto)
{
	return proto >= 1 && proto <= NPROTOS ? protos[proto - 1].name : "?";
}

/* Starts the dialogue; upgrade_only: only the last step (/starttls P). */
void
stls_init(struct stls *st, int proto, const char *name, int upgrade_only)
{
	memset(st, 0, sizeof(*st));
	st->proto = proto;
	snprintf(st->name, sizeof(st->name), "%s", name);
	if (upgrade_only)
		st->step = protos[proto - 1].nsteps - 1;
}

/* The bytes this step sends (none for a greeting); their length. */
size_t
stls_command(struct stls *st, char *out, size_t outlen)
{
	const struct step	*s = &protos[st->proto - 1].steps[st->step];
	const char		*pct;
	int			 n;

	if (st->sent || s->send == NULL)
		return 0;
	st->sent = 1;
	if (s->binlen > 0) {
		if (s->binlen > outlen)
			return 0;
		memcpy(out, s->send, s->binlen);
		return s->binlen;
	}
	/* The only conversion in a command is %s, for the name. */
	pct = strstr(s->send, "%s");
	n = snprintf(out, outlen, "%.*s%s%s", pct != NULL ?
	    (int)(pct - s->send) : (int)strlen(s->send), s->send,
	    pct != NULL ? st->name : "", pct != NULL ? pct + 2 : "");
	return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
}

/* Bytes to one line's "\n" included; 0 while there is no "\n". */
static size_t
line_len(const char *p, size_t n)
{
	const char	*nl = memchr(p, '\n', n);

	return nl != NULL ? (size_t)(nl - p) + 1 : 0;
}

static int
word_end(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' ||
	    c == '"' || c == ']' || c == '-' || c == '/' || c == '>';
}

/* Whether word is in p[0..n) on its own (case-insensitive). */
static int
has_word(const char *p, size_t n, const char *word)
{
	size_t	k = strlen(word), i;

	for (i = 0; k <= n && i <= n - k; i++) {
		if (strncasecmp(p + i, word, k) != 0)
			continue;
		if ((i == 0 || word_end((unsigned char)p[i - 1]) ||
		    word[0] == '<') && (i + k == n ||
		    word_end((unsigned char)p[i + k])))
			return 1;
	}
	return 0;
}

/* "123" at p: the code, else -1. */
static int
code_at(const char *p, size_t n)
{
	if (n < 3 || !isdigit((unsigned char)p[0]) ||
	    !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
		return -1;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* After a "." line: the offset past it, from off; 0 while none. */
static size_t
dot_end(const char *p, size_t n, size_t off)
{
	size_t	k;

	while ((k = line_len(p + off, n - off)) > 0) {
		if (p[off] == '.' && (k == 2 || (k == 3 && p[off + 1] == '\r')))
			return off + k;
		off += k;
	}
	return 0;
}

/* A "." block from off: its end, and whether a line of it is offer. */
static size_t
dot_offers(const char *p, size_t n, size_t off, const char *offer,
    struct stls_reply *r)
{
	size_t	end, k;

	if ((end = dot_end(p, n, off)) == 0)
		return 0;
	for (; off < end; off += k) {
		k = line_len(p + off, end - off);
		if (has_word(p + off, k, offer))
			r->offers = 1;
	}
	return end;
}

/*
 * The reply parsers.  Each looks at all n bytes received so far; 0:
 * not complete yet; else the reply's length, with r->ok (it means yes)
 * and r->offers (a capability line named what the protocol's STARTTLS
 * is called).
 */
static size_t
parse_code(const char *p, size_t n, const char *offer, int dot,
    struct stls_reply *r)
{
	size_t	off = 0, k;
	int	c, first = -1;

	while ((k = line_len(p + off, n - off)) > 0) {
		c = code_at(p + off, k);
		if (first == -1) {
			if (c == -1) {
				r->code = -1;
				return off + k;
			}
			first = c;
		}
		if (offer != NULL && has_word(p + off, k, offer))
			r->offers = 1;
		/* FEAT says "AUTH TLS" or "AUTH SSL;TLS"... */
		if (offer != NULL && strcmp(offer, "AUTH TLS") == 0 &&
		    has_word(p + off, k, "AUTH") && has_word(p + off, k, "TLS"))
			r->offers = 1;
		off += k;
		/* The last line: the code, then a space or the line end. */
		if (c == first && (k == 4 || p[off - k + 3] == ' ' ||
		    p[off - k + 3] == '\r')) {
			r->code = c;
			if (dot && c == 101)
				return dot_offers(p, n, off, offer, r);
			return off;
		}
		if (dot)
			return r->code = c, off;
	}
	return 0;
}

static size_t
parse_pop3(const char *p, size_t n, const char *offer, int dot,
    struct stls_reply *r)
{
	size_t	k = line_len(p, n);

	if (k == 0)
		return 0;
	r->ok = k >= 3 && strncmp(p, "+OK", 3) == 0;
	if (!dot || !r->ok)
		return k;
	return dot_offers(p, n, k, offer, r);
}

static size_t
parse_imap(const char *p, size_t n, const char *tag, const char *offer,
    struct stls_reply *r)
{
	size_t	off = 0, k, t;

	while ((k = line_len(p + off, n - off)) > 0) {
		if (has_word(p + off, k, offer))
			r->offers = 1;
		if (tag == NULL) {
			/* The greeting: one untagged line. */
			r->ok = k >= 4 && strncasecmp(p, "* OK", 4) == 0;
			return k;
		}
		t = strlen(tag);
		if (k > t && strncmp(p + off, tag, t) == 0 &&
		    p[off + t] == ' ') {
			r->ok = k >= t + 3 &&
			    strncasecmp(p + off + t + 1, "OK", 2) == 0;
			return off + k;
		}
		off += k;
	}
	return 0;
}

static size_t
parse_sieve(const char *p, size_t n, const char *offer, struct stls_reply *r)
{
	size_t	off = 0, k;

	while ((k = line_len(p + off, n - off)) > 0) {
		if (has_word(p + off, k, offer))
			r->offers = 1;
		if ((k >= 2 && strncasecmp(p + off, "OK", 2) == 0) ||
		    (k >= 2 && strncasecmp(p + off, "NO", 2) == 0) ||
		    (k >= 3 && strncasecmp(p + off, "BYE", 3) == 0)) {
			r->ok = strncasecmp(p + off, "OK", 2) == 0;
			return off + k;
		}
		off += k;
	}
	return 0;
}

/* Where needle ends in p[0..n), or 0. */
static size_t
find_end(const char *p, size_t n, const char *needle)
{
	size_t	k = strlen(needle), i;

	for (i = 0; k <= n && i <= n - k; i++)
		if (memcmp(p + i, needle, k) == 0)
			return i + k;
	return 0;
}

/*
 * The earliest of the needles in p[0..n): its index, its end in *end;
 * -1 if none.  The earliest, so that more bytes never change the answer.
 */
static int
first_of(const char *p, size_t n, const char *const *needles, size_t *end)
{
	size_t	i, k;
	int	j;

	for (i = 0; i < n; i++) {
		for (j = 0; needles[j] != NULL; j++) {
			k = strlen(needles[j]);
			if (k <= n - i && memcmp(p + i, needles[j], k) == 0) {
				*end = i + k;
				return j;
			}
		}
	}
	return -1;
}

static size_t
parse_xmpp(const char *p, size_t n, int proceed, struct stls_reply *r)
{
	static const char *const features[] = { "</stream:features>",
	    "<stream:features/>", "</stream:stream>", "</stream:error>",
	    NULL };
	static const char *const answers[] = { "<proceed", "<failure",
	    "</stream:stream>", NULL };
	size_t	end, e2;
	int	which;

	if (!proceed) {
		if ((which = first_of(p, n, features, &end)) == -1)
			return 0;
		/* The server ended the stream, or said why not. */
		r->ok = which <= 1;
		r->offers = r->ok && find_end(p, end, "<starttls") != 0;
		return end;
	}
	if ((which = first_of(p, n, answers, &end)) == -1)
		return 0;
	if (p[end - 1] != '>') {
		if ((e2 = find_end(p + end, n - end, ">")) == 0)
			return 0;
		end += e2;
	}
	r->ok = which == 0;
	return end;
}

/* A BER length at p (short or long form); 0 if incomplete, -1 bad. */
static int
ber_len(const unsigned char *p, size_t n, size_t *len, size_t *hdr)
{
	size_t	i, k;

	if (n < 1)
		return 0;
	if (p[0] < 0x80) {
		*len = p[0];
		*hdr = 1;
		return 1;
	}
	k = p[0] & 0x7f;
	if (k == 0 || k > 3)
		return -1;
	if (n < 1 + k)
		return 0;
	for (*len = 0, i = 0; i < k; i++)
		*len = (*len << 8) | p[1 + i];
	*hdr = 1 + k;
	return 1;
}

/*
 * LDAPMessage { messageID, [APPLICATION 24] ExtendedResponse {
 * resultCode ENUMERATED, ... } }: only the result code matters.
 */
static size_t
parse_ldap(const char *cp, size_t n, struct stls_reply *r)
{
	const unsigned char	*p = (const unsigned char *)cp;
	size_t			 len, hdr, total, off, l2, h2;
	int			 b;

	if (n < 1)
		return 0;
	if (p[0] != 0x30)
		return r->code = -1, n;
	if ((b = ber_len(p + 1, n - 1, &len, &hdr)) <= 0)
		return b == 0 ? 0 : (r->code = -1, n);
	total = 1 + hdr + len;
	if (n < total)
		return 0;
	off = 1 + hdr;
	/* messageID */
	if (off + 2 > total || p[off] != 0x02 || ber_len(p + off + 1,
	    total - off - 1, &l2, &h2) != 1)
		return r->code = -1, total;
	off += 1 + h2 + l2;
	if (off + 2 > total || p[off] != 0x78 || ber_len(p + off + 1,
	    total - off - 1, &l2, &h2) != 1)
		return r->code = -1, total;
	off += 1 + h2;
	if (off + 3 > total || p[off] != 0x0a || p[off + 1] != 1)
		return r->code = -1, total;
	r->code = p[off + 2];
	r->ok = r->code == 0;
	return total;
}

/* One reply of the current step: its length, or 0 while incomplete. */
size_t
stls_parse(int proto, int step, const char *p, size_t n,
    struct stls_reply *r)
{
	const struct proto	*pr = &protos[proto - 1];
	const struct step	*s = &pr->steps[step];
	size_t			 len = 0;

	memset(r, 0, sizeof(*r));
	switch (s->kind) {
	case RK_CODE:
	case RK_CODE_DOT:
		len = parse_code(p, n, pr->offer, s->kind == RK_CODE_DOT, r);
		r->ok = r->code >= s->lo && r->code <= s->hi;
		break;
	case RK_POP3:
	case RK_POP3_DOT:
		len = parse_pop3(p, n, pr->offer, s->kind == RK_POP3_DOT, r);
		break;
	case RK_IMAP:
	case RK_IMAP_GREETING:
		len = parse_imap(p, n, s->tag, pr->offer, r);
		break;
	case RK_SIEVE:
		len = parse_sieve(p, n, pr->offer, r);
		break;
	case RK_XMPP_FEATURES:
	case RK_XMPP_PROCEED:
		len = parse_xmpp(p, n, s->kind == RK_XMPP_PROCEED, r);
		break;
	case RK_PG:
		if (n == 0)
			return 0;
		r->ok = p[0] == 'S';
		r->code = (unsigned char)p[0];
		len = 1;
		break;
	case RK_LDAP:
		len = parse_ldap(p, n, r);
		break;
	}
	return len;
}

/* A reply in one line of C escapes, cut to fit. */
void
stls_escape(const char *p, size_t n, char *out, size_t outlen)
{
	size_t	i, o = 0;
	int	c;

	for (i = 0; i < n && o + 8 < outlen; i++) {
		c = (unsigned char)p[i];
		if (c == '\r')
			o += (size_t)snprintf(out + o, outlen - o, "\\r");
		else if (c == '\n')
			o += (size_t)snprintf(out + o, outlen - o, "\\n");
		else if (c == '\\')
			o += (size_t)snprintf(out + o, outlen - o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (i < n && o + 4 < outlen)
		o += (size_t)snprintf(out + o, outlen - o, "...");
	if (outlen > 0)
		out[o < outlen ? o : outlen - 1] = '\0';
}

/*
 * Feeds what was received; *used says how much of it made the reply.
 * STLS_MORE: wait for more (or send the next step's command first);
 * STLS_DONE: the server said go, TLS starts now; STLS_FAIL: st->why.
 */
int
stls_feed(struct stls *st, const char *p, size_t n, size_t *used)
{
	const struct proto	*pr = &protos[st->proto - 1];
	const struct step	*s = &pr->steps[st->step];
	struct stls_reply	 r;
	char			 esc[300];
	size_t			 len, pre;
	int			 last = st->step == pr->nsteps - 1;

	*used = 0;
	if ((len = stls_parse(st->proto, st->step, p, n, &r)) == 0) {
		if (n > STLS_REPLY_MAX) {
			snprintf(st->why, sizeof(st->why), "a reply longer "
			    "than %d bytes", STLS_REPLY_MAX);
			return STLS_FAIL;
		}
		return STLS_MORE;
	}
	*used = len;
	/* LDAP's answer is binary: its result code says more. */
	pre = 0;
	if (s->kind == RK_LDAP && r.code >= 0)
		pre = (size_t)snprintf(esc, sizeof(esc), "resultCode %d, ",
		    r.code);
	stls_escape(p, len, esc + pre, sizeof(esc) - pre);
	if (s->caps == 2 && !r.ok) {
		/* No FEAT: try the upgrade anyway. */
	} else if (!r.ok) {
		snprintf(st->why, sizeof(st->why), "the server %s: %s",
		    last ? "refused STARTTLS" : st->step == 0 &&
		    s->send == NULL ? "is not ready" : "said no", esc);
		return STLS_FAIL;
	} else if (s->caps && !r.offers) {
		snprintf(st->why, sizeof(st->why), "the server does not "
		    "offer STARTTLS (%s): %s", pr->offer, esc);
		return STLS_FAIL;
	}
	if (last)
		return STLS_DONE;
	st->step++;
	st->sent = 0;
	return STLS_MORE;
}
