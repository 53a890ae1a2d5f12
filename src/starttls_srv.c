/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * STARTTLS, the server's side (-l --starttls smtp|imap|pop3): just
 * enough of each protocol for a client to find STARTTLS offered and
 * take it: a greeting, the capability answer naming it, the go-ahead,
 * and a refusal of anything else before TLS.  After TLS the responders
 * or the prompt answer as usual.  Pure (no I/O), like starttls.c.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sockline.h"

static int	put(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
put(struct buf *out, const char *fmt, ...)
{
	va_list	ap;
	char	line[STLS_LINE_MAX + 128];
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	return buf_append(out, line, (size_t)n);
}

/* The greeting a server sends first. */
int
stls_srv_greeting(int proto, struct buf *out)
{
	const char	*name = stls_proto_name(proto);

	if (strcmp(name, "smtp") == 0)
		return put(out, "220 %s ESMTP sockline\r\n", "localhost");
	if (strcmp(name, "imap") == 0)
		return put(out, "* OK [CAPABILITY IMAP4rev1 STARTTLS "
		    "LOGINDISABLED] %s ready\r\n", "sockline");
	return put(out, "+OK %s POP3 ready\r\n", "sockline");
}

/* Whether the command word at line is cmd (case-insensitive). */
static int
is_cmd(const char *line, size_t len, const char *cmd)
{
	size_t	k = strlen(cmd);

	return len >= k && strncasecmp(line, cmd, k) == 0 &&
	    (len == k || line[k] == ' ' || line[k] == '\r' || line[k] == '\n');
}

static int
smtp(const char *line, size_t len, struct buf *out)
{
	if (is_cmd(line, len, "EHLO"))
		return put(out, "250-%s\r\n250-8BITMIME\r\n250 STARTTLS\r\n",
		    "localhost") == -1 ? -1 : STLS_SRV_MORE;
	if (is_cmd(line, len, "HELO") || is_cmd(line, len, "NOOP") ||
	    is_cmd(line, len, "RSET"))
		return put(out, "250 %s\r\n", "OK") == -1 ? -1 : STLS_SRV_MORE;
	if (is_cmd(line, len, "STARTTLS"))
		return put(out, "220 %s\r\n", "2.0.0 Ready to start TLS") ==
		    -1 ? -1 : STLS_SRV_UPGRADE;
	if (is_cmd(line, len, "QUIT")) {
		put(out, "221 %s\r\n", "2.0.0 Bye");
		return STLS_SRV_CLOSE;
	}
	return put(out, "530 %s\r\n", "5.7.0 Must issue a STARTTLS command "
	    "first") == -1 ? -1 : STLS_SRV_MORE;
}

static int
pop3(const char *line, size_t len, struct buf *out)
{
	if (is_cmd(line, len, "CAPA"))
		return put(out, "+OK %s\r\nSTLS\r\n.\r\n", "Capability list "
		    "follows") == -1 ? -1 : STLS_SRV_MORE;
	if (is_cmd(line, len, "STLS"))
		return put(out, "+OK %s\r\n", "Begin TLS negotiation") == -1 ?
		    -1 : STLS_SRV_UPGRADE;
	if (is_cmd(line, len, "NOOP"))
		return put(out, "+OK%s\r\n", "") == -1 ? -1 : STLS_SRV_MORE;
	if (is_cmd(line, len, "QUIT")) {
		put(out, "+OK %s\r\n", "Bye");
		return STLS_SRV_CLOSE;
	}
	return put(out, "-ERR %s\r\n", "STLS first") == -1 ? -1 :
	    STLS_SRV_MORE;
}

static int
imap(const char *line, size_t len, struct buf *out)
{
	char		tag[64];
	const char	*cmd;
	size_t		t, rest;

	t = strcspn(line, " \r\n");
	if (t == 0 || t >= sizeof(tag) || t >= len || line[t] != ' ')
		return put(out, "* BAD %s\r\n", "no tag") == -1 ? -1 :
		    STLS_SRV_MORE;
	memcpy(tag, line, t);
	tag[t] = '\0';
	cmd = line + t + 1;
	rest = len - t - 1;
	if (is_cmd(cmd, rest, "CAPABILITY")) {
		if (put(out, "* CAPABILITY IMAP4rev1 STARTTLS "
		    "LOGINDISABLED\r\n%s", "") == -1)
			return -1;
		return put(out, "%s OK CAPABILITY completed\r\n", tag) == -1 ?
		    -1 : STLS_SRV_MORE;
	}
	if (is_cmd(cmd, rest, "STARTTLS"))
		return put(out, "%s OK Begin TLS negotiation now\r\n", tag) ==
		    -1 ? -1 : STLS_SRV_UPGRADE;
	if (is_cmd(cmd, rest, "NOOP"))
		return put(out, "%s OK NOOP completed\r\n", tag) == -1 ? -1 :
		    STLS_SRV_MORE;
	if (is_cmd(cmd, rest, "LOGOUT")) {
		put(out, "* BYE logging out\r\n%s", "");
		put(out, "%s OK LOGOUT completed\r\n", tag);
		return STLS_SRV_CLOSE;
	}
	return put(out, "%s BAD STARTTLS first\r\n", tag) == -1 ? -1 :
	    STLS_SRV_MORE;
}

/*
 * One line the client sent (its "\n" included): the answer is queued in
 * out.  STLS_SRV_MORE, STLS_SRV_UPGRADE (TLS once the answer is out),
 * STLS_SRV_CLOSE, or -1 when out of memory.
 */
int
stls_srv_line(int proto, const char *line, size_t len, struct buf *out)
{
	const char	*name = stls_proto_name(proto);

	if (strcmp(name, "smtp") == 0)
		return smtp(line, len, out);
	if (strcmp(name, "imap") == 0)
		return imap(line, len, out);
	return pop3(line, len, out);
}

/* The protocols a listener can play. */
int
stls_srv_proto(int proto)
{
	const char	*name = stls_proto_name(proto);

	return strcmp(name, "smtp") == 0 || strcmp(name, "imap") == 0 ||
	    strcmp(name, "pop3") == 0;
}
