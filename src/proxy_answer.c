/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --proxy-server: a client's request, read no further than it goes
 * (what follows is the tunnel's), and answered: the SOCKS5 greeting and
 * RFC 1929 check, or the HTTP CONNECT and its Basic credentials, then
 * the target is dialled (proxy_dial.c).  The parsing is proxy_req.c's.
 */

#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"
#include "proxy_int.h"

static int
cred_ok(const struct config *cfg, const struct proxy_request *r)
{
	size_t	a = strlen(cfg->proxy_auth), b = strlen(r->cred), i;
	int	diff = a != b;

	/* Every byte compared, whatever the first difference. */
	for (i = 0; i < a; i++)
		diff |= cfg->proxy_auth[i] ^ (i < b ? r->cred[i] : 0);
	return r->has_cred && diff == 0;
}

/* A refusal of the request; the answer for it, and the words for -v. */
void
pt_refuse(struct tunnel *t, int code, const char *why)
{
	unsigned char	s5[32];
	char		http[256];
	size_t		n;

	if (t->ps->cfg->proxy_server == PROXY_HTTP) {
		n = proxy_http_answer(code, http, sizeof(http));
		if (n > sizeof(t->out) - t->outlen) {
			/* The 407 is longer than out: straight away. */
			(void)send(t->fd[0], http, n, MSG_NOSIGNAL);
			n = 0;
		}
		pt_reply(t, http, n, 1);
	} else if (t->stage == PRQ_S5_HELLO) {
		pt_reply(t, "\x05\xff", 2, 1);
	} else if (t->stage == PRQ_S5_AUTH) {
		pt_reply(t, "\x01\x01", 2, 1);
	} else {
		n = proxy_socks5_answer(code, NULL, s5);
		pt_reply(t, s5, n, 1);
	}
	msg_verbose(t->ps->cfg, 1, "Refused %s%s%s: %s", t->client,
	    t->target[0] != '\0' ? " asking for " : "", t->target, why);
}

/* A whole request: answer it, or go on to the target. */
static void
request_done(struct tunnel *t, const struct proxy_request *r)
{
	const struct config	*cfg = t->ps->cfg;
	int			 v6;

	switch (t->stage) {
	case PRQ_S5_HELLO:
		if ((r->methods & (cfg->proxy_auth != NULL ? 2 : 1)) == 0) {
			pt_refuse(t, 0xff, cfg->proxy_auth != NULL ? "no "
			    "username/password offered" : "no method offered "
			    "that needs no authentication");
			return;
		}
		pt_reply(t, cfg->proxy_auth != NULL ? "\x05\x02" : "\x05\x00", 2,
		    0);
		t->stage = cfg->proxy_auth != NULL ? PRQ_S5_AUTH :
		    PRQ_S5_CONNECT;
		t->inlen = 0;
		return;
	case PRQ_S5_AUTH:
		if (!cred_ok(cfg, r)) {
			pt_refuse(t, 1, "wrong user name or password");
			return;
		}
		pt_reply(t, "\x01\x00", 2, 0);
		t->stage = PRQ_S5_CONNECT;
		t->inlen = 0;
		return;
	}
	v6 = strchr(r->host, ':') != NULL;
	snprintf(t->target, sizeof(t->target), "%s%s%s %u", v6 ? "[" : "",
	    r->host, v6 ? "]" : "", r->port);
	if (t->stage == PRQ_HTTP && cfg->proxy_auth != NULL &&
	    !cred_ok(cfg, r)) {
		pt_refuse(t, 407, r->has_cred ? "wrong user name or password" :
		    "no credentials");
		return;
	}
	snprintf(t->host, sizeof(t->host), "%s", r->host);
	snprintf(t->port, sizeof(t->port), "%u", r->port);
	free(t->in);
	t->in = NULL;
	t->inlen = 0;
	pt_dial(t);
}

/* Reads the request, never past its end. */
void
pt_read_request(struct tunnel *t)
{
	struct proxy_request	 r;
	ssize_t			 n;
	int			 need;

	for (;;) {
		need = proxy_request(t->stage, t->in, t->inlen, &r);
		if (need == -1) {
			pt_refuse(t, r.code, r.why);
			return;
		}
		if (need == 0) {
			request_done(t, &r);
			return;
		}
		if ((size_t)need > REQ_MAX - t->inlen) {
			pt_refuse(t, 431, "request too long");
			return;
		}
		n = read(t->fd[0], t->in + t->inlen, (size_t)need);
		if (n == 0) {
			pt_end(t, t->inlen == 0 && t->stage != PRQ_HTTP &&
			    t->stage != PRQ_S5_HELLO ? "closed after the "
			    "greeting" : "closed during its request");
			return;
		}
		if (n == -1) {
			if (errno != EAGAIN)
				pt_end(t, strerror(errno));
			return;
		}
		t->inlen += (size_t)n;
	}
}

/* What the proxy answers when the target cannot be reached. */
