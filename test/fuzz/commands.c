/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The prompt's /commands (src/commands.c): commands_parse() on any
 * line, then commands_run() and Tab completion against a pretend
 * session of a few peers.  The repl and session functions the commands
 * call are stubs here that record, and /send never opens a file.
 */

#include <errno.h>

#include <readline/readline.h>

#include "repl.h"
#include "fuzz.h"

static struct peer	 peers[3];
static int		 npeers;
static struct session	 sess;
static struct config	 cfg;

void
repl_notice(struct repl *r, const char *fmt, ...)
{
	va_list	ap;
	char	line[1024];

	(void)r;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
}

void
repl_update_prompt(struct repl *r)
{
	(void)r;
}

void
repl_quit(struct repl *r, int status)
{
	(void)r;
	CHECK(status == EXIT_OK);
}

int
session_peers(struct session *s, const struct peer **out, int max)
{
	int	i;

	(void)s;
	for (i = 0; i < npeers && i < max; i++)
		out[i] = &peers[i];
	return i;
}

int
session_set_target(struct session *s, int id)
{
	int	i;

	for (i = 0; i < npeers; i++) {
		if (peers[i].id == id) {
			s->to_id = id;
			return 0;
		}
	}
	if (id != 0)
		return -1;
	s->to_id = 0;
	return 0;
}

int
session_close_peer(struct session *s, int id)
{
	int	i;

	(void)s;
	CHECK(id > 0);
	for (i = 0; i < npeers; i++) {
		if (peers[i].id == id) {
			peers[i] = peers[--npeers];
			return 0;
		}
	}
	return -1;
}

/* /starttls, /tls, /cert: a stand-in session with no TLS to show. */
int
session_starttls(struct session *s, int id, int proto, char *err,
    size_t errlen)
{
	(void)s, (void)id;
	CHECK(proto >= 0);
	snprintf(err, errlen, "no connection");
	return -1;
}

int
session_tls_lines(struct session *s, int id, int chain,
    void (*line)(void *, const char *), void *arg, char *err,
    size_t errlen)
{
	(void)s, (void)id, (void)chain, (void)line, (void)arg;
	snprintf(err, errlen, "not TLS");
	return -1;
}

int
sendq_file(struct repl *r, const char *path)
{
	(void)r;
	CHECK(path != NULL && path[0] != '\0');
	errno = ENOENT;
	return -1;
}

int
sendq_exact(struct repl *r, const char *p, size_t n)
{
	(void)r;
	(void)p;
	/* /bytes never hands over more than a unit can hold. */
	CHECK(n <= BUF_CHUNK);
	return 0;
}

void
sendq_pump(struct repl *r)
{
	(void)r;
}

int
repl_may_send(struct repl *r)
{
	(void)r;
	return 1;
}

void
repl_end_input(struct repl *r)
{
	(void)r;
}

void
session_fail(struct session *s, const char *fmt, ...)
{
	(void)s;
	(void)fmt;
}

int
reconnect_start(struct session *s, char *err, size_t errlen)
{
	(void)s;
	snprintf(err, errlen, "not here");
	return -1;
}

static void
complete(struct repl *r, char *line, size_t start)
{
	char	**m;
	size_t	  i;

	/* File names come from the disk: not the fuzzer's business. */
	if (strncmp(line, "/send", 5) == 0)
		return;
	rl_line_buffer = line;
	m = commands_complete(r, line + start, (int)start);
	if (m == NULL)
		return;
	for (i = 0; m[i] != NULL; i++)
		free(m[i]);
	free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp	 f = { data, size };
	struct repl	 r;
	char		*line, arg[64];
	size_t		 arglen, namelen, len;
	unsigned	 ctl = fdp_byte(&f);
	int		 i, c;

	npeers = ctl % 4;
	for (i = 0; i < npeers; i++) {
		memset(&peers[i], 0, sizeof(peers[i]));
		peers[i].id = i + 1 + (int)(ctl >> 4);
		peers[i].proto = "tcp";
		snprintf(peers[i].host, sizeof(peers[i].host), "127.0.0.%d", i);
		peers[i].port = (uint16_t)(1000 + i);
	}
	memset(&sess, 0, sizeof(sess));
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = (ctl >> 2) & 1;
	sess.cfg = &cfg;
	memset(&r, 0, sizeof(r));
	r.front.s = &sess;
	r.cfg = &cfg;
	arglen = 1 + fdp_byte(&f) % sizeof(arg);
	line = fdp_string(&f);
	len = strlen(line);

	c = commands_parse(line, &namelen, arg, arglen);
	CHECK(c >= -1 && c < 14);
	CHECK(namelen <= len);
	CHECK(memchr(arg, '\0', arglen) != NULL);
	if (arg[0] != '\0') {
		CHECK(arg[0] != ' ' && arg[0] != '\t');
		CHECK(arg[strlen(arg) - 1] != ' ' &&
		    arg[strlen(arg) - 1] != '\t');
	}
	if (line[0] == '/') {
		commands_run(&r, line);
		CHECK(r.closing == 0);
		complete(&r, line, fdp_byte(&f) % (len + 1));
	}
	free(line);
	return 0;
}
