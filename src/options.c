/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The option table and the command line parser.
 *
 * One table is the single source for getopt_long(3), --help and the
 * usage synopsis, so an option cannot exist in one and be missing from
 * another.  Handlers only record values; the checks that depend on more
 * than one option (mode, operands) run once every option has been seen.
 * Any usage error exits 2 here, before a socket is ever opened.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"

enum opt_kind {
	OPT_FLAG,		/* int field set to 1 */
	OPT_COUNT,		/* int field incremented */
	OPT_INT,		/* int field, bounded */
	OPT_SECS,		/* long field, milliseconds */
	OPT_STR,		/* const char * field */
	OPT_FAMILY,		/* -4 / -6 */
	OPT_CIDR,		/* --allow / --deny: appended to a list */
	OPT_RESPONDER,		/* --echo, --upper, --reply, -e, -c */
	OPT_PROXY_VERSION,	/* --proxy-protocol v1|v2 */
	OPT_TLS_PIN,		/* --tls-pin sha256:BASE64 */
	OPT_TLS_VERSION,	/* --tls-min, --tls-max: int field */
	OPT_TLS_ALPN,		/* --tls-alpn: checked, kept as given */
	OPT_STARTTLS,		/* --starttls PROTO */
	OPT_HELP,
	OPT_VERSION
};

/* Long-only options get codes above any character. */
enum {
	LONG_NO_SHUTDOWN = 256,
	LONG_NO_SPLIT,
	LONG_PORT_FILE,
	LONG_RECV_ONLY,
	LONG_SEND_ONLY,
	LONG_ALLOW,
	LONG_DENY,
	LONG_ECHO,
	LONG_LOCKSTEP,
	LONG_REPLAY,
	LONG_REPLAY_TIMING,
	LONG_REPLY,
	LONG_SCRIPT,
	LONG_UPPER,
	/* The interactive front end. */
	LONG_BATCH,
	LONG_HISTORY,
	LONG_INTERACTIVE,
	LONG_NO_COMMANDS,
	LONG_NO_HISTORY,
	LONG_PROMPT,
	LONG_RAW,
	LONG_TIMESTAMPS,
	/* TLS. */
	LONG_INSECURE,
	LONG_SSL,
	LONG_TLS,
	LONG_TLS_ALPN,
	LONG_TLS_CA,
	LONG_TLS_CERT,
	LONG_TLS_CERT_OUT,
	LONG_TLS_CIPHERS,
	LONG_TLS_CLIENT_CA,
	LONG_TLS_KEY,
	LONG_TLS_MAX,
	LONG_TLS_MIN,
	LONG_TLS_NAME,
	LONG_TLS_PIN,
	LONG_STARTTLS,
	LONG_TLS_KEYLOG,
	/* Test doubles: relays and the PROXY protocol (design item 22). */
	LONG_ACCEPT_PROXY,
	LONG_BROKER,
	LONG_CHAT,
	LONG_PROXY_PROTOCOL,
	/* Proxies. */
	LONG_PROXY,
	LONG_PROXY_AUTH,
	LONG_PROXY_CA,
	LONG_PROXY_INSECURE,
	LONG_PROXY_SERVER
};

struct optdef {
	int		 ch;
	const char	*name;
	const char	*arg;		/* shown in --help; NULL: no argument */
	enum opt_kind	 kind;
	size_t		 off;
	long		 min;
	long		 max;
	const char	*help;
};

#define F(field)	offsetof(struct config, field)

/*
 * Sorted as --help shows them: short letters first, then long-only;
 * the options of what the user sees form the last block.
 */
static const struct optdef optdefs[] = {
	{ '4', NULL, NULL, OPT_FAMILY, 0, AF_INET, 0,
	  "use IPv4 only" },
	{ '6', NULL, NULL, OPT_FAMILY, 0, AF_INET6, 0,
	  "use IPv6 only" },
	{ 'b', "backlog", "N", OPT_INT, F(backlog), 1, 65535,
	  "listen(2) backlog (default 128)" },
	{ 'C', "crlf", NULL, OPT_FLAG, F(crlf), 0, 0,
	  "send line ends as CRLF (responders' answers too)" },
	{ 'c', "sh-exec", "CMD", OPT_RESPONDER, 0, RESP_SHELL, 0,
	  "listen: connect each client to /bin/sh -c CMD" },
	{ 'd', "delay", "SECS", OPT_SECS, F(delay_ms), 0, 0,
	  "wait SECS between lines sent" },
	{ 'e', "exec", "CMD", OPT_RESPONDER, 0, RESP_EXEC, 0,
	  "listen: connect each client to CMD (split, no shell)" },
	{ 'h', "help", NULL, OPT_HELP, 0, 0, 0,
	  "show this help and exit" },
	{ 'i', "idle-timeout", "SECS", OPT_SECS, F(idle_ms), 0, 0,
	  "quit (exit 1) when nothing moved either way for SECS" },
	{ 'k', "keep-open", NULL, OPT_FLAG, F(keep_open), 0, 0,
	  "listen: serve many clients at once, keep running" },
	{ 'l', "listen", NULL, OPT_FLAG, F(listen), 0, 0,
	  "listen instead of connecting" },
	{ 'm', "max-conns", "N", OPT_INT, F(max_conns), 1, 1000000,
	  "listen: at most N clients at once (default 100)" },
	{ 'n', "numeric", NULL, OPT_FLAG, F(numeric), 0, 0,
	  "no DNS or service-name lookups" },
	{ 'o', "output", "FILE", OPT_STR, F(output), 0, 0,
	  "also write a session log (both directions) to FILE" },
	{ 'p', "source-port", "PORT", OPT_STR, F(source_port_arg), 0, 0,
	  "listen: the port to listen on; connect: local port" },
	{ 'q', "quit-after", "SECS", OPT_SECS, F(quit_ms), 0, 0,
	  "after end of input, wait at most SECS for the peer" },
	{ 's', "source", "ADDR", OPT_STR, F(source), 0, 0,
	  "connect: local address (or unix path) to bind" },
	{ 'U', "unix", NULL, OPT_FLAG, F(unix_sock), 0, 0,
	  "the operand is a unix socket path ('@name': abstract)" },
	{ 'u', "udp", NULL, OPT_FLAG, F(udp), 0, 0,
	  "datagrams: UDP, or unix datagram with -U" },
	{ 'V', "version", NULL, OPT_VERSION, 0, 0, 0,
	  "show the version and exit" },
	{ 'v', "verbose", NULL, OPT_COUNT, F(verbose), 0, 0,
	  "status lines on stderr; -vv: bytes and path per connection, TLS chain" },
	{ 'w', "wait", "SECS", OPT_SECS, F(wait_ms), 0, 0,
	  "connect timeout; also --lockstep, --script waits, TLS" },
	{ 'X', NULL, "TYPE", OPT_STR, F(proxy_type), 0, 0,
	  "--proxy HOST[:PORT]'s kind: 4, 5 (default) or connect" },
	{ 'x', "hex", NULL, OPT_FLAG, F(hex), 0, 0,
	  "show received data as a hex dump" },
	{ 'z', "zero", NULL, OPT_FLAG, F(zero), 0, 0,
	  "probe: connect and close; PORT may be a range 20-25" },
	{ LONG_ALLOW, "allow", "ADDR[/LEN]", OPT_CIDR, F(allow), 0, 0,
	  "listen: accept only these peers (repeatable)" },
	{ LONG_BATCH, "batch", NULL, OPT_FLAG, F(batch), 0, 0,
	  "no prompt, exact bytes, even on a terminal" },
	{ LONG_DENY, "deny", "ADDR[/LEN]", OPT_CIDR, F(deny), 0, 0,
	  "listen: refuse these peers (repeatable)" },
	{ LONG_ECHO, "echo", NULL, OPT_RESPONDER, 0, RESP_ECHO, 0,
	  "listen: send every byte back" },
	{ LONG_HISTORY, "history", "FILE", OPT_STR, F(history), 0, 0,
	  "interactive: the history file" },
	{ LONG_INSECURE, "insecure", NULL, OPT_FLAG, F(insecure), 0, 0,
	  "TLS client: do not verify the peer (a warning says so)" },
	{ LONG_INTERACTIVE, "interactive", NULL, OPT_FLAG, F(interactive),
	  0, 0, "use the prompt even when stdin is not a terminal" },
	{ LONG_LOCKSTEP, "lockstep", NULL, OPT_FLAG, F(lockstep), 0, 0,
	  "client: send a line, print one reply, then the next" },
	{ LONG_NO_COMMANDS, "no-commands", NULL, OPT_FLAG, F(no_commands),
	  0, 0, "interactive: send every line, exit and /... too" },
	{ LONG_NO_HISTORY, "no-history", NULL, OPT_FLAG, F(no_history), 0, 0,
	  "interactive: neither read nor write a history file" },
	{ LONG_NO_SHUTDOWN, "no-shutdown", NULL, OPT_FLAG, F(no_shutdown),
	  0, 0, "do not half-close the connection at end of input" },
	{ LONG_NO_SPLIT, "no-split", NULL, OPT_FLAG, F(no_split), 0, 0,
	  "datagrams: send each read of input whole, not a line each" },
	{ LONG_PORT_FILE, "port-file", "FILE", OPT_STR, F(port_file), 0, 0,
	  "listen: write the bound port to FILE once ready" },
	{ LONG_PROMPT, "prompt", "TEXT", OPT_STR, F(prompt), 0, 0,
	  "interactive: the prompt (default: the peer)" },
	{ LONG_PROXY, "proxy", "URL", OPT_STR, F(proxy), 0, 0,
	  "connect through a proxy: socks4|socks4a|socks5|socks5h|http|"
	  "https://[USER:PASS@]HOST[:PORT], or HOST[:PORT] with -X" },
	{ LONG_PROXY_AUTH, "proxy-auth", "USER:PASS", OPT_STR, F(proxy_auth),
	  0, 0, "proxy credentials (client), or required of clients "
	  "(--proxy-server)" },
	{ LONG_PROXY_CA, "proxy-ca", "FILE|DIR", OPT_STR, F(proxy_ca), 0, 0,
	  "https:// proxy: trust these CAs instead of the system's" },
	{ LONG_PROXY_INSECURE, "proxy-insecure", NULL, OPT_FLAG,
	  F(proxy_insecure), 0, 0,
	  "https:// proxy: do not verify its certificate" },
	{ LONG_PROXY_SERVER, "proxy-server", "KIND", OPT_STR,
	  F(proxy_server_arg), 0, 0,
	  "listen -k: be an http (CONNECT) or socks5 proxy" },
	{ LONG_RAW, "raw", NULL, OPT_FLAG, F(raw), 0, 0,
	  "interactive: show control bytes from the peer unescaped" },
	{ LONG_RECV_ONLY, "recv-only", NULL, OPT_FLAG, F(recv_only), 0, 0,
	  "only receive: never read input or send" },
	{ LONG_REPLAY, "replay", "LOG", OPT_RESPONDER, 0, RESP_REPLAY, 0,
	  "play the other side of an -o session LOG, as recorded" },
	{ LONG_REPLAY_TIMING, "replay-timing", NULL, OPT_FLAG,
	  F(replay_timing), 0, 0, "--replay: keep the log's pauses before "
	  "each send" },
	{ LONG_REPLY, "reply", "TEXT", OPT_RESPONDER, 0, RESP_REPLY, 0,
	  "listen: answer each message with TEXT (\\n \\r \\t \\\\ \\xHH)" },
	{ LONG_SCRIPT, "script", "FILE", OPT_RESPONDER, 0, RESP_SCRIPT, 0,
	  "run a chat script (send, expect, ...) with the peer" },
	{ LONG_SEND_ONLY, "send-only", NULL, OPT_FLAG, F(send_only), 0, 0,
	  "only send: discard what the peer sends" },
	{ LONG_SSL, "ssl", NULL, OPT_FLAG, F(tls), 0, 0,
	  "the same as --tls" },
	{ LONG_STARTTLS, "starttls", "PROTO", OPT_STARTTLS, F(starttls_arg),
	  0, 0, "TLS after PROTO's plaintext dialogue (smtp lmtp imap pop3 "
	  "ftp nntp sieve xmpp postgres ldap; -l: smtp imap pop3)" },
	{ LONG_TIMESTAMPS, "timestamps", NULL, OPT_FLAG, F(timestamps), 0, 0,
	  "interactive: the time before each received line" },
	{ LONG_TLS, "tls", NULL, OPT_FLAG, F(tls), 0, 0,
	  "TLS over the stream (connect or listen), verified" },
	{ LONG_TLS_ALPN, "tls-alpn", "LIST", OPT_TLS_ALPN, F(tls_alpn), 0, 0,
	  "TLS: ALPN protocols, comma-separated" },
	{ LONG_TLS_CA, "tls-ca", "FILE|DIR", OPT_STR, F(tls_ca), 0, 0,
	  "TLS client: trust these CAs instead of the system's" },
	{ LONG_TLS_CERT, "tls-cert", "FILE", OPT_STR, F(tls_cert), 0, 0,
	  "TLS: our certificate (PEM; may hold the key)" },
	{ LONG_TLS_CERT_OUT, "tls-cert-out", "FILE", OPT_STR,
	  F(tls_cert_out), 0, 0,
	  "TLS listen: write the generated certificate to FILE" },
	{ LONG_TLS_CIPHERS, "tls-ciphers", "LIST", OPT_STR, F(tls_ciphers),
	  0, 0, "TLS: cipher list (1.2) and suites (1.3), by name" },
	{ LONG_TLS_CLIENT_CA, "tls-client-ca", "FILE", OPT_STR,
	  F(tls_client_ca), 0, 0,
	  "TLS listen: require client certificates from this CA" },
	{ LONG_TLS_KEY, "tls-key", "FILE", OPT_STR, F(tls_key), 0, 0,
	  "TLS: the key of --tls-cert (PEM)" },
	{ LONG_TLS_KEYLOG, "tls-keylog", "FILE", OPT_STR, F(tls_keylog), 0, 0,
	  "TLS: append the session keys to FILE (NSS key log, 0600)" },
	{ LONG_TLS_MAX, "tls-max", "VERSION", OPT_TLS_VERSION, F(tls_max),
	  0, 0, "TLS: newest version allowed, 1.2 or 1.3" },
	{ LONG_TLS_MIN, "tls-min", "VERSION", OPT_TLS_VERSION, F(tls_min),
	  0, 0, "TLS: oldest version allowed, 1.2 (default) or 1.3" },
	{ LONG_TLS_NAME, "tls-name", "NAME", OPT_STR, F(tls_name), 0, 0,
	  "TLS client: the name to check and send as SNI" },
	{ LONG_TLS_PIN, "tls-pin", "PIN", OPT_TLS_PIN, F(tls_pin),
	  0, 0, "TLS client: accept only the key of PIN, sha256:BASE64" },
	{ LONG_UPPER, "upper", NULL, OPT_RESPONDER, 0, RESP_UPPER, 0,
	  "listen: send every byte back upper-cased" },
	/* Relays and the PROXY protocol. */
	{ LONG_ACCEPT_PROXY, "accept-proxy-protocol", NULL, OPT_FLAG,
	  F(accept_proxy), 0, 0,
	  "listen: each client sends a PROXY header (v1 or v2) first" },
	{ LONG_BROKER, "broker", NULL, OPT_RESPONDER, 0, RESP_BROKER, 0,
	  "listen: relay each client's bytes to the others (implies -k)" },
	{ LONG_CHAT, "chat", NULL, OPT_RESPONDER, 0, RESP_CHAT, 0,
	  "listen: relay lines as <userN>, with notices (implies -k)" },
	{ LONG_PROXY_PROTOCOL, "proxy-protocol", "VERSION", OPT_PROXY_VERSION,
	  F(proxy_protocol), 0, 0,
	  "client: send a PROXY header (v1 or v2) first" },
};
#define NOPTDEFS	(sizeof(optdefs) / sizeof(optdefs[0]))

/* The invocation forms, after "sockline [options] ". */
static const char *forms[] = {
	"host port",
	"-l [host] port",
	"-l -p port [host]",
	"-U [-l] path",
};

static void	usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static void	help(void) __attribute__((noreturn));
static int	apply(const struct optdef *, const char *, struct config *);
static int	check_operands(struct config *, int, char **);

static void
usage_error(const char *fmt, ...)
{
	va_list	ap;

	fputs("sockline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'sockline --help')\n", stderr);
	exit(EXIT_USAGE);
}

/*
 * "[::1]" or "[fe80::1%lo]", as URLs and socat write an IPv6 host: the
 * literal inside, copied to buf.  Anything else is returned as it is
 * and resolved, or refused, as given.
 */
static const char *
unbracket(const char *s, char *buf, size_t len)
{
	size_t	n;

	if (s == NULL || s[0] != '[' || (n = strlen(s)) < 3 ||
	    s[n - 1] != ']' || memchr(s + 1, ':', n - 2) == NULL ||
	    n - 2 >= len)
		return s;
	memcpy(buf, s + 1, n - 2);
	buf[n - 2] = '\0';
	return buf;
}

/* Prints "[-46hlnVv] [-b N] ..." built from the table. */
static void
synopsis(FILE *f)
{
	size_t	i;

	fputs("[-", f);
	for (i = 0; i < NOPTDEFS; i++) {
		if (optdefs[i].ch < 256 && optdefs[i].arg == NULL)
			fputc(optdefs[i].ch, f);
	}
	fputc(']', f);
	for (i = 0; i < NOPTDEFS; i++) {
		if (optdefs[i].ch < 256 && optdefs[i].arg != NULL)
			fprintf(f, " [-%c %s]", optdefs[i].ch, optdefs[i].arg);
	}
	fputs(" [long options]", f);
}

static void
help(void)
{
	const struct optdef	*o;
	char			 left[64];
	size_t			 i;
	int			 n;

	printf("usage: sockline ");
	synopsis(stdout);
	printf("\n");
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		printf("       sockline [options] %s\n", forms[i]);
	printf("\nOptions:\n");
	for (i = 0; i < NOPTDEFS; i++) {
		o = &optdefs[i];
		if (o->ch < 256 && o->name != NULL)
			n = snprintf(left, sizeof(left), "-%c, --%s", o->ch,
			    o->name);
		else if (o->ch < 256)
			n = snprintf(left, sizeof(left), "-%c", o->ch);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->name);
		if (o->arg != NULL && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - n, " %s", o->arg);
		printf("  %-24s %s\n", left, o->help);
	}
	printf("\nExit status: 0 success, 1 network or runtime failure, "
	    "2 usage error.\nSee sockline(1) for the details.\n");
	exit(EXIT_OK);
}

/* What --reply, -e or -c allocated. */
static void
free_responder(struct config *cfg)
{
	char	**a;

	free((char *)cfg->reply);
	cfg->reply = NULL;
	cfg->reply_len = 0;
	if (cfg->responder == RESP_EXEC && cfg->exec_argv != NULL) {
		for (a = cfg->exec_argv; *a != NULL; a++)
			free(*a);
	}
	free(cfg->exec_argv);
	cfg->exec_argv = NULL;
}

/* --echo, --upper, --reply, -e, -c: one of them at most. */
static void
set_responder(struct config *cfg, const struct optdef *o, const char *arg)
{
	static const char	*names[] = { NULL, "--echo", "--upper",
				    "--reply", "-e", "-c", "--broker", "--chat",
				    "--script", "--replay" };
	char			 err[128], *text;
	char			**argv;
	size_t			 len;

	/* --broker --chat is a chat, as with ncat. */
	if ((cfg->responder == RESP_BROKER && o->min == RESP_CHAT) ||
	    (cfg->responder == RESP_CHAT && o->min == RESP_BROKER)) {
		cfg->responder = RESP_CHAT;
		return;
	}
	if (cfg->responder != RESP_NONE && cfg->responder != o->min)
		usage_error("%s and %s exclude each other",
		    names[cfg->responder], names[o->min]);
	/* Given again: the last one counts, and the one before goes. */
	free_responder(cfg);
	cfg->responder = (enum responder)o->min;
	switch (cfg->responder) {
	case RESP_REPLY:
		if (escape_decode(arg, &text, &len, err, sizeof(err)) == -1)
			usage_error("--reply %s: %s", arg, err);
		cfg->reply = text;
		cfg->reply_len = len;
		break;
	case RESP_EXEC:
		if (argv_split(arg, &argv, err, sizeof(err)) == -1)
			usage_error("-e %s: %s", arg, err);
		cfg->exec_argv = argv;
		break;
	case RESP_SHELL:
		if (*arg == '\0')
			usage_error("-c: empty command");
		if ((argv = calloc(4, sizeof(*argv))) == NULL)
			usage_error("out of memory");
		argv[0] = "/bin/sh";
		argv[1] = "-c";
		argv[2] = (char *)arg;
		cfg->exec_argv = argv;
		break;
	case RESP_SCRIPT:
	case RESP_REPLAY:
		cfg->chat_path = arg;
		break;
	default:
		break;
	}
}

/*
 * --script and --replay: the file is read and checked now, so that a
 * mistake in it is a usage error before any socket.
 */
static void
load_chat(struct config *cfg)
{
	char	*text, err[512];
	size_t	 len;
	int	 e;

	if (chat_read_file(cfg->chat_path, &text, &len, err,
	    sizeof(err)) == -1)
		usage_error("%s %s", cfg->responder == RESP_SCRIPT ?
		    "--script" : "--replay", err);
	if (cfg->responder == RESP_SCRIPT)
		e = script_parse(cfg->chat_path, text, len, &cfg->chat, err,
		    sizeof(err));
	else
		e = replay_parse(cfg->chat_path, text, len, cfg->listen,
		    cfg->replay_timing, &cfg->chat, err, sizeof(err));
	free(text);
	if (e == -1) {
		fprintf(stderr, "sockline: %s\n", err);
		exit(EXIT_USAGE);
	}
}

/* Applies one option to the config; returns -1 after a message. */
static int
apply(const struct optdef *o, const char *arg, struct config *cfg)
{
	struct cidr_list	*list;
	struct cidr		*nv;
	char			*base = (char *)cfg, *end, err[128];
	long			 v;

	switch (o->kind) {
	case OPT_FLAG:
		*(int *)(base + o->off) = 1;
		break;
	case OPT_COUNT:
		(*(int *)(base + o->off))++;
		break;
	case OPT_INT:
		if (o->off == F(backlog))
			cfg->backlog_set = 1;
		errno = 0;
		v = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0')
			usage_error("-%c %s: not a number", o->ch, arg);
		if (errno == ERANGE || v > o->max)
			usage_error("-%c %s: too large (at most %ld)", o->ch,
			    arg, o->max);
		if (v < o->min)
			usage_error("-%c %s: too small (at least %ld)", o->ch,
			    arg, o->min);
		*(int *)(base + o->off) = (int)v;
		break;
	case OPT_SECS:
		if (addr_parse_secs(arg, &v, err, sizeof(err)) == -1)
			usage_error("-%c %s: %s", o->ch, arg, err);
		*(long *)(base + o->off) = v;
		break;
	case OPT_STR:
		*(const char **)(base + o->off) = arg;
		break;
	case OPT_FAMILY:
		if (cfg->family != AF_UNSPEC && cfg->family != (int)o->min)
			usage_error("-4 and -6 cannot be used together");
		cfg->family = (int)o->min;
		break;
	case OPT_CIDR:
		list = (struct cidr_list *)(base + o->off);
		if ((nv = reallocarray(list->v, list->n + 1,
		    sizeof(*list->v))) == NULL)
			usage_error("out of memory");
		list->v = nv;
		if (addr_parse_cidr(arg, &list->v[list->n]) == -1)
			usage_error("--%s %s: not an address or ADDR/LEN",
			    o->name, arg);
		list->n++;
		break;
	case OPT_RESPONDER:
		set_responder(cfg, o, arg);
		break;
	case OPT_PROXY_VERSION:
		if (strcmp(arg, "v1") == 0 || strcmp(arg, "1") == 0)
			cfg->proxy_protocol = 1;
		else if (strcmp(arg, "v2") == 0 || strcmp(arg, "2") == 0)
			cfg->proxy_protocol = 2;
		else
			usage_error("--proxy-protocol %s: not v1 or v2", arg);
		break;
	case OPT_TLS_PIN:
		if (tlsopt_pin(arg, cfg->tls_pin_sha256, err,
		    sizeof(err)) == -1)
			usage_error("--%s %s: %s", o->name, arg, err);
		cfg->tls_pin = arg;
		break;
	case OPT_TLS_VERSION:
		if (tlsopt_version(arg, (int *)(base + o->off), err,
		    sizeof(err)) == -1)
			usage_error("--%s %s: %s", o->name, arg, err);
		break;
	case OPT_TLS_ALPN:
		if (tlsopt_alpn(arg, err, sizeof(err)) == -1)
			usage_error("--%s %s: %s", o->name, arg, err);
		*(const char **)(base + o->off) = arg;
		break;
	case OPT_STARTTLS:
		if ((cfg->starttls = stls_proto(arg)) == -1)
			usage_error("--%s %s: not one of smtp, lmtp, imap, pop3, "
			    "ftp, nntp, sieve, xmpp, postgres, ldap", o->name,
			    arg);
		cfg->starttls_arg = arg;
		cfg->tls = 1;
		break;
	case OPT_HELP:
		help();
	case OPT_VERSION:
		/* The GNU layout, which packagers and help2man expect. */
		printf("sockline %s\n"
		    "Copyright (C) 2026 the sockline authors\n"
		    "License GPL-3.0-or-later "
		    "<https://gnu.org/licenses/gpl.html>\n"
		    "This is free software: you are free to change and "
		    "redistribute it.\n"
		    "There is NO WARRANTY, to the extent permitted by law.\n",
		    SOCKLINE_VERSION);
		exit(EXIT_OK);
	}
	return 0;
}

/* --script and --replay: a conversation on a stream, and nothing else. */
static void
check_scripted(const struct config *cfg)
{
	const char	*name = cfg->responder == RESP_SCRIPT ? "--script" :
			    "--replay";

	if (cfg->replay_timing && cfg->responder != RESP_REPLAY)
		usage_error("--replay-timing is for --replay");
	if (!RESP_SCRIPTED(cfg->responder))
		return;
	if (cfg->udp || cfg->zero || cfg->lockstep)
		usage_error("%s holds a conversation on a stream: not with %s",
		    name, cfg->udp ? "-u" : cfg->zero ? "-z" : "--lockstep");
	if (!cfg->listen && cfg->interactive)
		usage_error("%s drives the client, not the keyboard: not with "
		    "--interactive", name);
}

/* --broker, --chat and the PROXY protocol: streams, one side each. */
static void
check_relays(const struct config *cfg)
{
	const char	*relay = cfg->responder == RESP_BROKER ? "--broker" :
			    cfg->responder == RESP_CHAT ? "--chat" : NULL;

	if (relay != NULL && !cfg->listen)
		usage_error("%s is for listening (-l)", relay);
	if (relay != NULL && cfg->udp)
		usage_error("%s relays streams: not with -u", relay);
	if (cfg->proxy_protocol != 0 && (cfg->listen || cfg->udp ||
	    cfg->unix_sock || cfg->zero))
		usage_error("--proxy-protocol is for TCP clients: not with %s",
		    cfg->listen ? "-l (see --accept-proxy-protocol)" :
		    cfg->udp ? "-u" : cfg->unix_sock ? "-U" : "-z");
	if (cfg->accept_proxy && !cfg->listen)
		usage_error("--accept-proxy-protocol is for listening (-l)");
	if (cfg->accept_proxy && (cfg->udp || cfg->unix_sock))
		usage_error("--accept-proxy-protocol is for TCP listeners: "
		    "not with %s", cfg->udp ? "-u" : "-U");
}

/* The options that only make sense in some modes. */
static void
check_modes(const struct config *cfg)
{
	if (cfg->send_only && cfg->recv_only)
		usage_error("--send-only and --recv-only exclude each other");
	check_relays(cfg);
	if (cfg->no_split && !cfg->udp)
		usage_error("--no-split is for datagrams (-u)");
	if (cfg->udp && cfg->no_shutdown)
		usage_error("--no-shutdown is for streams, not datagrams");
	if (cfg->zero && (cfg->listen || cfg->udp))
		usage_error("-z probes stream ports: not with %s",
		    cfg->listen ? "-l" : "-u");
	if (cfg->lockstep && (cfg->listen || cfg->zero || cfg->send_only ||
	    cfg->recv_only))
		usage_error("--lockstep is a client that sends and receives: "
		    "not with %s", cfg->listen ? "-l" : cfg->zero ? "-z" :
		    cfg->send_only ? "--send-only" : "--recv-only");
	if (!cfg->listen) {
		if (cfg->keep_open)
			usage_error("-k is for listening (-l)");
		if (cfg->max_conns != 0)
			usage_error("-m is for listening (-l)");
		if (cfg->allow.n > 0 || cfg->deny.n > 0)
			usage_error("--allow and --deny are for listening (-l)");
		if (cfg->responder != RESP_NONE &&
		    !RESP_SCRIPTED(cfg->responder))
			usage_error("--echo, --upper, --reply, -e and -c are "
			    "for listening (-l)");
	}
	check_scripted(cfg);
	if (cfg->unix_sock && (cfg->allow.n > 0 || cfg->deny.n > 0))
		usage_error("--allow and --deny take IP addresses: not with -U");
	if (cfg->responder != RESP_NONE && (cfg->send_only || cfg->recv_only))
		usage_error("a responder sends and receives: not with %s",
		    cfg->send_only ? "--send-only" : "--recv-only");
	if (cfg->crlf && (cfg->zero || cfg->recv_only))
		usage_error("-C changes what is sent: not with %s",
		    cfg->zero ? "-z" : "--recv-only");
	if (cfg->interactive && cfg->batch)
		usage_error("--interactive and --batch exclude each other");
	if (cfg->history != NULL && cfg->no_history)
		usage_error("--history and --no-history exclude each other");
	if (cfg->zero && (cfg->output != NULL || cfg->interactive))
		usage_error("-z only probes: not with %s",
		    cfg->output != NULL ? "-o" : "--interactive");
	if (cfg->listen) {
		if (cfg->source != NULL)
			usage_error("-s is for connecting; give the address "
			    "to listen on as the host operand");
		/*
		 * -w bounds what a listener waits for before a client
		 * joins (a TLS handshake, a PROXY header, a proxy
		 * client's request) and a script's waits.
		 */
		if (cfg->wait_ms >= 0 && !cfg->tls && !cfg->accept_proxy &&
		    cfg->proxy_server_arg == NULL &&
		    !RESP_SCRIPTED(cfg->responder))
			usage_error("-w is a connect timeout: not with -l "
			    "(except with --tls, --accept-proxy-protocol, "
			    "--proxy-server, --script or --replay)");
		if (cfg->udp && cfg->backlog_set)
			usage_error("-b is for stream listeners, not -u");
	} else {
		if (cfg->port_file != NULL)
			usage_error("--port-file is for listening (-l)");
		if (cfg->backlog_set)
			usage_error("-b is for listening (-l)");
	}
	if (cfg->unix_sock) {
		if (cfg->family != AF_UNSPEC)
			usage_error("-4 and -6 do not apply to unix sockets");
		if (cfg->source_port_arg != NULL)
			usage_error("-p does not apply to unix sockets");
		if (cfg->port_file != NULL)
			usage_error("--port-file does not apply to unix "
			    "sockets");
	}
}

/*
 * --tls and the options that refine it.  Without --tls they are refused
 * rather than ignored: a --tls-ca with no TLS is a mistake to point out.
 */
static void
check_tls(const struct config *cfg)
{
	static const struct {
		size_t		 off;
		const char	*name;
		int		 side;	/* 1: client only, 2: listener only */
	} refine[] = {
		{ F(tls_name), "--tls-name", 1 },
		{ F(tls_ca), "--tls-ca", 1 },
		{ F(tls_pin), "--tls-pin", 1 },
		{ F(tls_cert), "--tls-cert", 0 },
		{ F(tls_key), "--tls-key", 0 },
		{ F(tls_alpn), "--tls-alpn", 0 },
		{ F(tls_ciphers), "--tls-ciphers", 0 },
		{ F(tls_client_ca), "--tls-client-ca", 2 },
		{ F(tls_cert_out), "--tls-cert-out", 2 },
	};
	const char	*base = (const char *)cfg, *given = NULL;
	size_t		 i;

	for (i = 0; i < sizeof(refine) / sizeof(refine[0]); i++) {
		if (*(const char *const *)(base + refine[i].off) == NULL)
			continue;
		given = refine[i].name;
		if (refine[i].side == 1 && cfg->listen)
			usage_error("%s is for TLS clients, not with -l", given);
		if (refine[i].side == 2 && !cfg->listen)
			usage_error("%s is for TLS listeners (-l)", given);
	}
	if (cfg->insecure) {
		given = "--insecure";
		if (cfg->listen)
			usage_error("--insecure is for TLS clients, not with -l");
	}
	if (cfg->tls_min != 0 || cfg->tls_max != 0)
		given = cfg->tls_min != 0 ? "--tls-min" : "--tls-max";
	if (cfg->tls_keylog != NULL)
		given = "--tls-keylog";
	if (!cfg->tls) {
		/* At the prompt they are kept for a later /starttls. */
		if (given != NULL && (cfg->batch || cfg->zero || cfg->udp ||
		    (!cfg->interactive && !isatty(STDIN_FILENO))))
			usage_error("%s needs --tls (or --starttls PROTO)",
			    given);
		return;
	}
	if (cfg->starttls > 0 && cfg->listen &&
	    !stls_srv_proto(cfg->starttls))
		usage_error("-l --starttls plays smtp, imap or pop3, not %s",
		    cfg->starttls_arg);
	if (cfg->udp && cfg->starttls > 0)
		usage_error("--starttls is for streams, not -u");
	if (cfg->udp)
		usage_error("--tls is for streams: DTLS (--tls -u) is not "
		    "supported");
	if (cfg->zero)
		usage_error("-z only probes: not with %s", cfg->starttls > 0 ?
		    "--starttls" : "--tls");
	if (cfg->insecure && cfg->tls_pin != NULL)
		usage_error("--insecure and --tls-pin exclude each other");
	if (cfg->tls_max != 0 && cfg->tls_max < (cfg->tls_min != 0 ?
	    cfg->tls_min : 0x0303))
		usage_error("--tls-max 1.2 is below --tls-min 1.3");
	if (cfg->tls_key != NULL && cfg->tls_cert == NULL)
		usage_error("--tls-key needs --tls-cert");
	if (cfg->tls_cert != NULL && cfg->tls_cert_out != NULL)
		usage_error("--tls-cert-out writes the generated certificate: "
		    "not with --tls-cert");
	if (cfg->unix_sock && !cfg->listen && cfg->tls_name == NULL &&
	    cfg->tls_pin == NULL && !cfg->insecure)
		usage_error("-U --tls has no host name to verify: give "
		    "--tls-name NAME, --tls-pin or --insecure");
}

/*
 * The client's credentials are in cfg->purl now: in argv they are
 * blanked, so that ps(1) and /proc/PID/cmdline do not show them (as
 * curl does).  A --proxy-server keeps its --proxy-auth: it is read for
 * every client.
 */
static void
hide_credentials(const struct config *cfg)
{
	char	*s = (char *)cfg->proxy, *sep, *at = NULL, *p;

	if ((sep = strstr(s, "://")) != NULL) {
		for (p = sep + 3; *p != '\0' && *p != '/'; p++) {
			if (*p == '@')
				at = p;
		}
		if (at != NULL)
			memset(sep + 3, 'x', (size_t)(at - sep - 3));
	}
	if (cfg->proxy_auth != NULL)
		memset((char *)cfg->proxy_auth, 'x', strlen(cfg->proxy_auth));
}

/* --proxy, -X, --proxy-* and --proxy-server (design item 20). */
static void
check_proxy(struct config *cfg)
{
	char	err[256];

	if (cfg->proxy_type != NULL && cfg->proxy == NULL)
		usage_error("-X needs --proxy HOST[:PORT]");
	if (cfg->proxy_server_arg != NULL) {
		if (strcmp(cfg->proxy_server_arg, "http") == 0)
			cfg->proxy_server = PROXY_HTTP;
		else if (strcmp(cfg->proxy_server_arg, "socks5") == 0)
			cfg->proxy_server = PROXY_SOCKS5;
		else
			usage_error("--proxy-server %s: not http or socks5",
			    cfg->proxy_server_arg);
		if (!cfg->listen || !cfg->keep_open)
			usage_error("--proxy-server serves many clients: give "
			    "-l -k");
		if (cfg->accept_proxy)
			usage_error("--proxy-server reads no PROXY header: not "
			    "with --accept-proxy-protocol");
		if (cfg->udp || cfg->unix_sock || cfg->tls ||
		    cfg->responder != RESP_NONE || cfg->proxy != NULL)
			usage_error("--proxy-server is a TCP listener of its "
			    "own: not with %s", cfg->udp ? "-u" :
			    cfg->unix_sock ? "-U" : cfg->tls ? "--tls" :
			    cfg->proxy != NULL ? "--proxy" :
			    "a responder (--echo, --upper, --reply, -e, -c)");
		if (cfg->proxy_auth != NULL && (strchr(cfg->proxy_auth,
		    ':') == NULL || cfg->proxy_auth[0] == ':'))
			usage_error("--proxy-auth takes USER:PASS");
	}
	if (cfg->proxy == NULL) {
		if (cfg->proxy_auth != NULL && cfg->proxy_server_arg == NULL)
			usage_error("--proxy-auth needs --proxy or "
			    "--proxy-server");
		if (cfg->proxy_ca != NULL || cfg->proxy_insecure)
			usage_error("%s needs an https:// --proxy",
			    cfg->proxy_ca != NULL ? "--proxy-ca" :
			    "--proxy-insecure");
		return;
	}
	if (cfg->listen || cfg->udp || cfg->zero || cfg->unix_sock)
		usage_error("--proxy tunnels a TCP client: not with %s",
		    cfg->listen ? "-l" : cfg->udp ? "-u" : cfg->zero ? "-z" :
		    "-U");
	/* The message never repeats the argument: it may hold a password. */
	if (proxy_url_parse(cfg->proxy, cfg->proxy_type, cfg->proxy_auth,
	    &cfg->purl, err, sizeof(err)) == -1)
		usage_error("--proxy: %s", err);
	hide_credentials(cfg);
	/* Through a tunnel a PROXY header would name the proxy's socket. */
	if (cfg->proxy_protocol != 0)
		usage_error("--proxy-protocol and --proxy exclude each other");
	if (cfg->starttls > 0 && cfg->purl.kind == PROXY_HTTPS)
		usage_error("--starttls through an https:// proxy is not "
		    "supported: use an http:// or SOCKS proxy");
	if (cfg->purl.kind != PROXY_HTTPS && (cfg->proxy_ca != NULL ||
	    cfg->proxy_insecure))
		usage_error("%s is for an https:// proxy",
		    cfg->proxy_ca != NULL ? "--proxy-ca" : "--proxy-insecure");
	if (cfg->proxy_ca != NULL && cfg->proxy_insecure)
		usage_error("--proxy-ca and --proxy-insecure exclude each other");
	if (cfg->numeric && !addr_is_numeric(cfg->purl.host))
		usage_error("--proxy: %s is not a numeric address, and -n "
		    "forbids name lookups", cfg->purl.host);
}

/* A target the proxy is told of: nothing that could cut a request. */
static void
check_proxy_target(const struct config *cfg)
{
	const char	*p;

	if (cfg->purl.kind == PROXY_NONE)
		return;
	for (p = cfg->host; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			usage_error("the host holds a space or a control "
			    "character: no proxy would take it");
	}
	if (strlen(cfg->host) > 255)
		usage_error("a host name holds at most 255 bytes");
}

static void
check_path(const char *what, const char *path)
{
	if (*path == '\0')
		usage_error("empty %s", what);
	if (strlen(path) > addr_unix_max(path))
		usage_error("%s: File name too long (a unix socket %s holds "
		    "at most %zu bytes)", path, path[0] == '@' ?
		    "name, with its @," : "path", addr_unix_max(path));
}

static int
check_operands(struct config *cfg, int argc, char **argv)
{
	char		 err[128];
	const char	*port;

	check_modes(cfg);
	/* A relay serves many clients at once. */
	if (cfg->responder == RESP_BROKER || cfg->responder == RESP_CHAT)
		cfg->keep_open = 1;
	check_tls(cfg);
	check_proxy(cfg);
	if (cfg->max_conns == 0)
		cfg->max_conns = 100;
	if (cfg->unix_sock) {
		if (argc == 0)
			usage_error("missing socket path");
		if (argc > 1)
			usage_error("too many operands: -U takes one path");
		cfg->path = argv[0];
		check_path("socket path", cfg->path);
		if (cfg->source != NULL)
			check_path("-s path", cfg->source);
		return 0;
	}
	if (cfg->listen) {
		if (cfg->source_port_arg != NULL) {
			if (argc > 1)
				usage_error("too many operands: with -p give "
				    "at most a host");
			port = cfg->source_port_arg;
			cfg->host = argc == 1 ? argv[0] : NULL;
			cfg->source_port_arg = NULL;
		} else {
			if (argc == 0)
				usage_error("missing port to listen on");
			if (argc > 2)
				usage_error("too many operands");
			port = argv[argc - 1];
			cfg->host = argc == 2 ? argv[0] : NULL;
		}
		if (addr_parse_port(port, 1, cfg->numeric, &cfg->port, err,
		    sizeof(err)) == -1)
			usage_error("%s", err);
		cfg->port_hi = cfg->port;
	} else {
		if (argc == 0)
			usage_error("missing host and port");
		if (argc == 1)
			usage_error("missing port");
		if (argc > 2)
			usage_error("too many operands");
		cfg->host = argv[0];
		port = argv[1];
		if (cfg->zero) {
			if (addr_parse_range(port, cfg->numeric, &cfg->port,
			    &cfg->port_hi, err, sizeof(err)) == -1)
				usage_error("%s", err);
		} else if (addr_parse_port(port, 0, cfg->numeric, &cfg->port,
		    err, sizeof(err)) == -1)
			usage_error("%s", err);
		else
			cfg->port_hi = cfg->port;
		if (cfg->source_port_arg != NULL &&
		    addr_parse_port(cfg->source_port_arg, 0, cfg->numeric,
		    &cfg->source_port, err, sizeof(err)) == -1)
			usage_error("-p: %s", err);
	}
	cfg->host = unbracket(cfg->host, cfg->host_buf, sizeof(cfg->host_buf));
	cfg->source = unbracket(cfg->source, cfg->source_buf,
	    sizeof(cfg->source_buf));
	if (cfg->host != NULL && *cfg->host == '\0')
		usage_error("empty host");
	if (cfg->numeric && cfg->host != NULL && !addr_is_numeric(cfg->host))
		usage_error("%s: not a numeric address, and -n forbids name "
		    "lookups", cfg->host);
	if (cfg->numeric && cfg->source != NULL &&
	    !addr_is_numeric(cfg->source))
		usage_error("-s %s: not a numeric address, and -n forbids "
		    "name lookups", cfg->source);
	cfg->port_arg = port;
	check_proxy_target(cfg);
	return 0;
}

/*
 * Fills cfg from argv.  Exits 0 for --help and --version, 2 for any
 * usage error; returns 0 otherwise.
 */
int
options_parse(int argc, char **argv, struct config *cfg)
{
	struct option	 longopts[NOPTDEFS + 1];
	char		 shortopts[3 * NOPTDEFS + 2], *p = shortopts;
	const char	*bad;
	size_t		 i, n = 0;
	int		 ch;

	memset(cfg, 0, sizeof(*cfg));
	cfg->family = AF_UNSPEC;
	cfg->backlog = 128;
	cfg->quit_ms = -1;
	cfg->wait_ms = -1;
	cfg->idle_ms = -1;
	cfg->delay_ms = -1;
	cfg->max_conns = 0;

	*p++ = ':';		/* report a missing argument as ':' */
	for (i = 0; i < NOPTDEFS; i++) {
		if (optdefs[i].ch < 256) {
			*p++ = (char)optdefs[i].ch;
			if (optdefs[i].arg != NULL)
				*p++ = ':';
		}
		if (optdefs[i].name == NULL)
			continue;
		longopts[n].name = optdefs[i].name;
		longopts[n].has_arg = optdefs[i].arg != NULL ?
		    required_argument : no_argument;
		longopts[n].flag = NULL;
		longopts[n].val = optdefs[i].ch;
		n++;
	}
	*p = '\0';
	memset(&longopts[n], 0, sizeof(longopts[n]));

	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts,
	    NULL)) != -1) {
		if (ch == '?' || ch == ':') {
			bad = argv[optind - 1];
			if (optopt != 0 && optopt < 256 &&
			    strncmp(bad, "--", 2) != 0)
				usage_error(ch == ':' ? "option -%c needs an "
				    "argument" : "unknown option -%c", optopt);
			usage_error(ch == ':' ? "option %s needs an argument" :
			    "unknown option %s", bad);
		}
		for (i = 0; i < NOPTDEFS; i++) {
			if (optdefs[i].ch == ch)
				break;
		}
		apply(&optdefs[i], optarg, cfg);
	}
	check_operands(cfg, argc - optind, argv + optind);
	if (RESP_SCRIPTED(cfg->responder)) {
		load_chat(cfg);
		/* A scripted client reads no keyboard: no prompt either. */
		if (!cfg->listen)
			cfg->batch = 1;
	}
	return 0;
}

/* Gives back what options_parse() allocated. */
void
options_free(struct config *cfg)
{
	free(cfg->allow.v);
	free(cfg->deny.v);
	free_responder(cfg);
	chat_script_free(&cfg->chat);
	memset(cfg, 0, sizeof(*cfg));
}
