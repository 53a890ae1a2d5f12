/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Prompt commands: a line that starts with "/" (design item 12).
 *
 * One table, in the manner of tmux's cmd-*.c entries, holds each
 * command's name, arguments, help and completion, so /help and Tab
 * completion cannot disagree with what runs.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>
#include <readline/tilde.h>

#include "repl.h"

/* At most this many peers are listed or completed. */
#define PEERS_MAX	256

enum cmd_complete {
	CMPL_NONE,
	CMPL_FILE,		/* a file name */
	CMPL_PEER,		/* a peer id, or "all" */
	CMPL_ONOFF,		/* "on" or "off" */
	CMPL_PROTO		/* a STARTTLS protocol */
};

struct command {
	const char		*name;
	const char		*args;		/* for /help; NULL: none */
	const char		*help;
	void			 (*exec)(struct repl *, const char *);
	enum cmd_complete	 complete;
};

static void	cmd_bytes(struct repl *, const char *);
static void	cmd_close(struct repl *, const char *);
static void	cmd_eof(struct repl *, const char *);
static void	cmd_help(struct repl *, const char *);
static void	cmd_hex(struct repl *, const char *);
static void	cmd_peers(struct repl *, const char *);
static void	cmd_quit(struct repl *, const char *);
static void	cmd_reconnect(struct repl *, const char *);
static void	cmd_raw(struct repl *, const char *);
static void	cmd_send(struct repl *, const char *);
static void	cmd_to(struct repl *, const char *);
static void	cmd_starttls(struct repl *, const char *);
static void	cmd_tls(struct repl *, const char *);
static void	cmd_cert(struct repl *, const char *);

static const struct command commands[] = {
	{ "help", NULL, "list the prompt commands and keys", cmd_help,
	  CMPL_NONE },
	{ "quit", NULL, "end the session (so does exit)", cmd_quit,
	  CMPL_NONE },
	{ "eof", NULL, "end input as Ctrl-D does: half-close, keep reading",
	  cmd_eof, CMPL_NONE },
	{ "hex", "[on|off]", "show received data as a hex dump", cmd_hex,
	  CMPL_ONOFF },
	{ "raw", "[on|off]", "show control bytes from the peer unescaped",
	  cmd_raw, CMPL_ONOFF },
	{ "send", "FILE", "send the contents of FILE as they are", cmd_send,
	  CMPL_FILE },
	{ "bytes", "TEXT", "send TEXT with no newline; \\r \\n \\t "
	  "\\xHH \\\\ as in --reply", cmd_bytes, CMPL_NONE },
	{ "peers", NULL, "list the peers; * marks where typed lines go",
	  cmd_peers, CMPL_NONE },
	{ "to", "N|all", "send typed lines to peer N only, or to all",
	  cmd_to, CMPL_PEER },
	{ "close", "[N]", "close peer N (default: the only or chosen one)",
	  cmd_close, CMPL_PEER },
	{ "reconnect", NULL, "open the connection again (a client); then "
	  "stay when the peer closes", cmd_reconnect, CMPL_NONE },
	{ "starttls", "[PROTO]", "TLS on this connection now (PROTO: "
	  "ask for it first)", cmd_starttls, CMPL_PROTO },
	{ "tls", NULL, "the TLS session: version, cipher, ALPN, SNI, ...",
	  cmd_tls, CMPL_NONE },
	{ "cert", NULL, "the peer's certificates, with fingerprints and pins",
	  cmd_cert, CMPL_NONE },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

/* Completion candidates; readline's generators take no argument. */
static char	 words[PEERS_MAX + 1][16];
static size_t	 nwords;

static const struct command *
find(const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < NCOMMANDS; i++) {
		if (strlen(commands[i].name) == len &&
		    strncmp(commands[i].name, name, len) == 0)
			return &commands[i];
	}
	return NULL;
}

/* Copies s into buf, cut to fit; returns the length copied. */
static size_t
copy_arg(char *buf, size_t len, const char *s)
{
	int	n;

	n = snprintf(buf, len, "%s", s);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

/*
 * Splits "/name args" into the command it names and its argument, with
 * the blanks around the argument dropped and the argument cut to fit
 * arglen (at least 1).  Returns the command's index in the table, or -1
 * if there is none; *namelen is the length of the name as typed, after
 * the slash.  No side effects, so test/fuzz/commands.c can check it.
 */
int
commands_parse(const char *line, size_t *namelen, char *arg, size_t arglen)
{
	const struct command	*c;
	size_t			 len, n;

	if (*line == '/')
		line++;
	len = strcspn(line, " \t");
	/* Tab completion leaves a space after the argument: not part of it. */
	n = copy_arg(arg, arglen, line + len + strspn(line + len, " \t"));
	while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '\t'))
		arg[--n] = '\0';
	*namelen = len;
	if ((c = find(line, len)) == NULL)
		return -1;
	return (int)(c - commands);
}

/* Runs "/name args"; a message says what went wrong. */
void
commands_run(struct repl *r, const char *line)
{
	const struct command	*c;
	char			 arg[PATH_MAX + 64];
	size_t			 len;
	int			 i;

	i = commands_parse(line, &len, arg, sizeof(arg));
	line++;
	if (i == -1) {
		repl_notice(r, "sockline: unknown command /%.*s: /help lists "
		    "them; \\/%.*s sends the line as it is", (int)len, line,
		    (int)len, line);
		return;
	}
	c = &commands[i];
	r->cmd_line = line - 1;
	if (c->args == NULL && *arg != '\0') {
		repl_notice(r, "sockline: /%s takes no argument", c->name);
		return;
	}
	c->exec(r, arg);
}

static void
cmd_help(struct repl *r, const char *arg)
{
	char	left[32];
	size_t	i;

	(void)arg;
	for (i = 0; i < NCOMMANDS; i++) {
		snprintf(left, sizeof(left), "/%s%s%s", commands[i].name,
		    commands[i].args != NULL ? " " : "",
		    commands[i].args != NULL ? commands[i].args : "");
		repl_notice(r, "  %-16s %s", left, commands[i].help);
	}
	repl_notice(r, "  %-16s %s", "\\TEXT", "send TEXT as it is "
	    "(\\exit sends exit, \\/x sends /x)");
	repl_notice(r, "  %-16s %s", "exit", "quit");
	repl_notice(r, "  %-16s %s", "Ctrl-D", "on an empty line: end input "
	    "(the peer's replies still show); again: quit");
	repl_notice(r, "  %-16s %s", "Ctrl-C", "discard the line being "
	    "typed");
	repl_notice(r, "  %-16s %s", "Ctrl-O", "hide received data until "
	    "pressed again (-o still logs it)");
	repl_notice(r, "  %-16s %s", "Tab", "complete a command, or a "
	    "file name after /send");
	repl_notice(r, "  %-16s %s", "a paste", "each pasted line is sent "
	    "as it is, exit and /commands too");
}

static void
cmd_quit(struct repl *r, const char *arg)
{
	(void)arg;
	repl_quit(r, EXIT_OK);
}

static void
cmd_eof(struct repl *r, const char *arg)
{
	(void)arg;
	repl_end_input(r);
}

/* "on", "off", or nothing to toggle; -1 for anything else. */
static int
on_off(struct repl *r, const char *cmd, const char *arg, int *flag)
{
	if (*arg == '\0')
		*flag = !*flag;
	else if (strcmp(arg, "on") == 0)
		*flag = 1;
	else if (strcmp(arg, "off") == 0)
		*flag = 0;
	else {
		repl_notice(r, "sockline: /%s takes on or off", cmd);
		return -1;
	}
	return 0;
}

static void
cmd_hex(struct repl *r, const char *arg)
{
	if (on_off(r, "hex", arg, &r->render.hex) == 0)
		repl_notice(r, "sockline: hex dump %s",
		    r->render.hex ? "on" : "off");
}

static void
cmd_raw(struct repl *r, const char *arg)
{
	if (on_off(r, "raw", arg, &r->render.raw) == 0)
		repl_notice(r, "sockline: raw %s: control bytes from the "
		    "peer are shown %s", r->render.raw ? "on" : "off",
		    r->render.raw ? "as they are" : "escaped");
}

/* /send NAME, NAME quoted as pathquote.c says; ~ as in the shell. */
static void
cmd_send(struct repl *r, const char *arg)
{
	char		 name[PATH_MAX], *path;
	const char	*why;
	int		 rc;

	if (*arg == '\0') {
		repl_notice(r, "sockline: /send needs a file name");
		return;
	}
	if (!repl_may_send(r))
		return;
	if (path_unquote(arg, 0, name, sizeof(name), &why) == -1) {
		repl_notice(r, "sockline: /send %s: %s", arg, why);
		return;
	}
	/* '' or "" names nothing, as in the shell. */
	if (name[0] == '\0') {
		repl_notice(r, "sockline: /send needs a file name");
		return;
	}
	/* A quoted ~ is a name, as in the shell. */
	path = arg[0] == '~' ? tilde_expand(name) : strdup(name);
	if (path == NULL)
		return;
	if ((rc = sendq_file(r, path)) == SENDQ_NOT_REGULAR)
		repl_notice(r, "sockline: cannot send %s: not a regular file",
		    path);
	else if (rc == -1)
		repl_notice(r, "sockline: cannot send %s: %s", path,
		    strerror(errno));
	free(path);
}

/*
 * /bytes TEXT: what a line cannot say (telnet's IAC, a control byte, a
 * line without its newline), with --reply's escapes, sent whole.  The
 * argument is taken as typed after the one blank that ends the name,
 * so leading and trailing blanks are bytes too.
 */
static void
cmd_bytes(struct repl *r, const char *arg)
{
	char	*p, err[128];
	size_t	 n;

	(void)arg;
	arg = r->cmd_line + sizeof("/bytes") - 1;
	if (*arg == ' ' || *arg == '\t')
		arg++;
	if (*arg == '\0') {
		repl_notice(r, "sockline: /bytes needs the text to send");
		return;
	}
	if (escape_decode(arg, &p, &n, err, sizeof(err)) == -1) {
		repl_notice(r, "sockline: /bytes: %s", err);
		return;
	}
	if (n > (r->cfg->udp ? DGRAM_MAX : BUF_CHUNK))
		repl_notice(r, "sockline: /bytes: %zu bytes is too many "
		    "(at most %d)", n, r->cfg->udp ? DGRAM_MAX : BUF_CHUNK);
	else if (repl_may_send(r) && sendq_exact(r, p, n) == -1)
		session_fail(r->front.s, "out of memory");
	free(p);
}

/* Where typed lines go: a peer id, or 0 for every peer. */
static int
target(const struct session *s)
{
	if (s->to_id != 0)
		return s->to_id;
	if (s->target != NULL)
		return s->target->peer.id;
	return 0;
}

static void
cmd_peers(struct repl *r, const char *arg)
{
	const struct peer	*list[PEERS_MAX];
	struct session		*s = r->front.s;
	char			 name[PEER_HOSTLEN + 32];
	int			 n, i, to = target(s);

	(void)arg;
	if ((n = session_peers(s, list, PEERS_MAX)) == 0) {
		repl_notice(r, "sockline: no peers yet");
		return;
	}
	repl_notice(r, "   id  peer");
	for (i = 0; i < n; i++)
		repl_notice(r, "%c %3d  %s", to == 0 || to == list[i]->id ?
		    '*' : ' ', list[i]->id,
		    peer_name(list[i], name, sizeof(name)));
}

/* A peer id as typed; 0 when it is not a number. */
static int
peer_id(const char *arg)
{
	char	*end;
	long	 v;

	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || v <= 0 || v > INT_MAX)
		return 0;
	return (int)v;
}

static void
cmd_to(struct repl *r, const char *arg)
{
	struct session	*s = r->front.s;
	int		 id;

	if (*arg == '\0') {
		cmd_peers(r, arg);
		return;
	}
	if (strcmp(arg, "all") == 0)
		id = 0;
	else if ((id = peer_id(arg)) == 0) {
		repl_notice(r, "sockline: /to takes a peer id or all");
		return;
	}
	if (session_set_target(s, id) == -1) {
		repl_notice(r, "sockline: no peer %s; /peers lists them", arg);
		return;
	}
	if (id == 0)
		repl_notice(r, "sockline: typed lines go to every peer%s",
		    s->target != NULL ? " (datagrams: the latest sender)" : "");
	else
		repl_notice(r, "sockline: typed lines go to peer %d", id);
	repl_update_prompt(r);
}

static void
cmd_close(struct repl *r, const char *arg)
{
	const struct peer	*list[PEERS_MAX];
	struct session		*s = r->front.s;
	int			 n, id;

	n = session_peers(s, list, PEERS_MAX);
	if (*arg != '\0') {
		if ((id = peer_id(arg)) == 0) {
			repl_notice(r, "sockline: /close takes a peer id");
			return;
		}
	} else if (s->to_id != 0)
		id = s->to_id;
	else if (n == 1)
		id = list[0]->id;
	else {
		repl_notice(r, "sockline: %s; /close N closes peer N",
		    n == 0 ? "no peers yet" : "several peers");
		return;
	}
	r->closing = id;
	if (session_close_peer(s, id) == -1)
		repl_notice(r, "sockline: no peer %d to close%s", id,
		    n > 0 && !s->cfg->listen ? " (/quit ends the session)" :
		    "");
	r->closing = 0;
	repl_update_prompt(r);
}

static void
cmd_reconnect(struct repl *r, const char *arg)
{
	char	err[256];

	(void)arg;
	/* A new conversation: what ended the last one's input is past. */
	r->typed_eof = 0;
	if (reconnect_start(r->front.s, err, sizeof(err)) == -1 &&
	    *err != '\0')
		repl_notice(r, "sockline: /reconnect: %s", err);
	repl_update_prompt(r);
	sendq_pump(r);
}

static void
cmd_starttls(struct repl *r, const char *arg)
{
	char	err[512];
	int	proto = 0;

	if (*arg != '\0' && (proto = stls_proto(arg)) == -1) {
		repl_notice(r, "sockline: /starttls takes smtp, lmtp, imap, "
		    "pop3, ftp, nntp, sieve, xmpp, postgres or ldap");
		return;
	}
	if (session_starttls(r->front.s, 0, proto, err, sizeof(err)) == -1) {
		repl_notice(r, "sockline: /starttls: %s", err);
		return;
	}
	repl_notice(r, "sockline: %s", proto > 0 ? "asking for STARTTLS, "
	    "then TLS..." : "TLS handshake...");
}

static void
notice_line(void *arg, const char *line)
{
	repl_notice(arg, "%s", line);
}

static void
tls_view(struct repl *r, const char *cmd, int chain)
{
	char	err[256];

	if (session_tls_lines(r->front.s, 0, chain, notice_line, r, err,
	    sizeof(err)) == -1)
		repl_notice(r, "sockline: /%s: %s", cmd, err);
}

static void
cmd_tls(struct repl *r, const char *arg)
{
	(void)arg;
	tls_view(r, "tls", 0);
}

static void
cmd_cert(struct repl *r, const char *arg)
{
	(void)arg;
	tls_view(r, "cert", 1);
}

/* Readline's generator over words[]. */
static char *
next_word(const char *text, int state)
{
	static size_t	i;
	size_t		len = strlen(text);

	if (state == 0)
		i = 0;
	while (i < nwords) {
		if (strncmp(words[i++], text, len) == 0)
			return strdup(words[i - 1]);
	}
	return NULL;
}

static void
add_word(const char *prefix, const char *word)
{
	if (nwords < sizeof(words) / sizeof(words[0]))
		snprintf(words[nwords++], sizeof(words[0]), "%s%s", prefix,
		    word);
}

/*
 * Tab: command names at the start of a "/" line, then what the
 * command takes.  Anything else completes to nothing, so Tab never
 * sends or changes a line bound for the peer.
 */
char **
commands_complete(struct repl *r, const char *text, int start)
{
	const struct command	*c;
	const struct peer	*list[PEERS_MAX];
	char			 id[16];
	size_t			 i;
	int			 n;

	rl_attempted_completion_over = 1;
	if (rl_line_buffer[0] != '/' || r->cfg->no_commands)
		return NULL;
	nwords = 0;
	if (start == 0) {
		for (i = 0; i < NCOMMANDS; i++)
			add_word("/", commands[i].name);
		return rl_completion_matches(text, next_word);
	}
	c = find(rl_line_buffer + 1, strcspn(rl_line_buffer + 1, " \t"));
	if (c == NULL)
		return NULL;
	switch (c->complete) {
	case CMPL_FILE:
		rl_filename_completion_desired = 1;
		return rl_completion_matches(text,
		    rl_filename_completion_function);
	case CMPL_PEER:
		n = session_peers(r->front.s, list, PEERS_MAX);
		while (n-- > 0) {
			snprintf(id, sizeof(id), "%d", list[n]->id);
			add_word("", id);
		}
		if (strcmp(c->name, "to") == 0)
			add_word("", "all");
		break;
	case CMPL_ONOFF:
		add_word("", "on");
		add_word("", "off");
		break;
	case CMPL_PROTO:
		for (n = 1; strcmp(stls_proto_name(n), "?") != 0; n++)
			add_word("", stls_proto_name(n));
		break;
	case CMPL_NONE:
		return NULL;
	}
	return rl_completion_matches(text, next_word);
}
