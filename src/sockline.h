/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sockline: an interactive, netcat-style socket tool.
 *
 * One header for the whole program, in the manner of tmux.h: every
 * module's public surface is declared here so that the dependencies
 * between files stay visible in one place.  Only front_repl.c and the
 * modules it owns include <readline/readline.h>.
 */

#ifndef SOCKLINE_H
#define SOCKLINE_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "conn_io.h"

#define SOCKLINE_VERSION	"0.1.0"

/* Exit statuses of the contract (design.md item 4). */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

/* Size of one stream buffer; allocated only when first needed. */
#define BUF_CHUNK	(64 * 1024)

/*
 * What one read moves on the bulk paths: stdin and stdout in batch mode,
 * a stream's reads, and what a single conversation (not -k) queues for
 * its socket.  Fewer, larger calls; TLS gains most, as each round
 * encrypts and sends several records at once.
 */
#define BULK_CHUNK	(256 * 1024)

/* How long stdin may have nothing ready once the peer has closed. */
#define PEER_EOF_GRACE_MS	100

/*
 * The pause ("tens of ms", design item 13) after which bytes without a
 * newline count as a whole message: --reply answers them, --lockstep
 * takes them as the reply, and -k shows a client's partial line.
 */
#define LINE_PAUSE_MS		50

/* Room for any numeric address with a scope: "fe80::1%eth0". */
#define ADDR_STRLEN	(INET6_ADDRSTRLEN + IF_NAMESIZE + 2)

/* Largest datagram payload: UDP over IPv4 (65535 - 20 - 8). */
#define DGRAM_MAX	65507

/* --allow / --deny: an address and a prefix length. */
struct cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];
	int		 bits;
};
struct cidr_list {
	struct cidr	*v;
	int		 n;
};

/* What a listener does with what it receives, besides showing it. */
enum responder {
	RESP_NONE,
	RESP_ECHO,		/* --echo */
	RESP_UPPER,		/* --upper */
	RESP_REPLY,		/* --reply TEXT */
	RESP_EXEC,		/* -e CMD */
	RESP_SHELL,		/* -c CMD */
	RESP_BROKER,		/* --broker: each client to the others */
	RESP_CHAT,		/* --chat: the same by lines, named */
	RESP_SCRIPT,		/* --script FILE */
	RESP_REPLAY		/* --replay LOG */
};
/* The ones that run a chat_script (script.c, replay.c, chat_run.c). */
#define RESP_SCRIPTED(r)	((r) == RESP_SCRIPT || (r) == RESP_REPLAY)

/*
 * A chat script, or a session log compiled into one: the steps a peer's
 * conversation must follow (design item 22).  Built once at start-up;
 * every client of a listener runs its own copy of the same steps.
 */
enum chat_op {
	CHAT_SEND,		/* text, len: bytes to send */
	CHAT_EXPECT,		/* a received line that matches re */
	CHAT_EXACT,		/* exactly the bytes text, len (--replay) */
	CHAT_EOF,		/* the peer's end of stream */
	CHAT_SLEEP,		/* ms */
	CHAT_CLOSE
};
struct chat_step {
	enum chat_op	 op;
	int		 line;		/* in the file, for messages */
	char		*text;		/* CHAT_EXPECT: the regex as written */
	size_t		 len;
	long		 ms;		/* SLEEP; SEND: pause first (timing) */
	regex_t		*re;
};
struct chat_script {
	const char	*name;		/* the file, as given */
	struct chat_step *v;
	int		 n;
};

/*
 * --proxy (design item 20): the proxy's kind, address and credentials,
 * parsed once by proxy_url.c.  The credentials are never printed.
 */
enum proxy_kind {
	PROXY_NONE,
	PROXY_SOCKS4,		/* socks4://: IPv4 resolved here */
	PROXY_SOCKS4A,		/* socks4a://: names resolved by the proxy */
	PROXY_SOCKS5,		/* socks5://: resolved here */
	PROXY_SOCKS5H,		/* socks5h://: names resolved by the proxy */
	PROXY_HTTP,		/* http://: CONNECT */
	PROXY_HTTPS		/* https://: CONNECT over TLS to the proxy */
};
#define PROXY_FIELD	256
struct proxy_url {
	enum proxy_kind	 kind;
	char		 host[PROXY_FIELD];	/* no brackets */
	uint16_t	 port;
	int		 auth;			/* user (and pass) given */
	char		 user[PROXY_FIELD];	/* percent-decoded */
	char		 pass[PROXY_FIELD];
};

/*
 * Everything the command line said, filled once by options.c and then
 * passed down as const.  Times are in milliseconds; -1 means "not given".
 */
struct config {
	int		 family;	/* AF_UNSPEC, AF_INET or AF_INET6 */
	int		 listen;	/* -l */
	int		 udp;		/* -u: datagrams */
	int		 unix_sock;	/* -U: the operand is a path */
	int		 zero;		/* -z: probe */
	int		 numeric;	/* -n */
	int		 verbose;	/* -v, counted */
	int		 backlog;	/* -b */
	int		 backlog_set;
	int		 no_shutdown;	/* --no-shutdown */
	int		 crlf;		/* -C */
	int		 send_only;	/* --send-only */
	int		 recv_only;	/* --recv-only */
	int		 no_split;	/* --no-split: a datagram per read */
	long		 quit_ms;	/* -q */
	long		 wait_ms;	/* -w */
	long		 idle_ms;	/* -i */
	long		 delay_ms;	/* -d */

	const char	*host;		/* NULL when listening on any */
	const char	*port_arg;	/* as given, for messages */
	uint16_t	 port;
	uint16_t	 port_hi;	/* -z range end; equal to port if none */
	const char	*path;		/* -U socket path; '@' first: abstract */
	const char	*port_file;	/* --port-file */
	const char	*source;	/* -s */
	const char	*source_port_arg; /* -p, before the mode is known */
	uint16_t	 source_port;
	/* "[::1]" as host or -s: the literal without its brackets. */
	char		 host_buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	char		 source_buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];

	int		 keep_open;	/* -k */
	int		 max_conns;	/* -m */
	int		 lockstep;	/* --lockstep */
	struct cidr_list allow;		/* --allow */
	struct cidr_list deny;		/* --deny */
	enum responder	 responder;
	const char	*reply;		/* --reply, escapes decoded */
	size_t		 reply_len;
	char		**exec_argv;	/* -e split, or sh -c CMD for -c */
	const char	*chat_path;	/* --script FILE, --replay LOG */
	int		 replay_timing;	/* --replay-timing */
	struct chat_script chat;	/* and what it says to do */
	/* The interactive front end and the session log. */
	int		 interactive;	/* --interactive */
	int		 batch;		/* --batch */
	int		 raw;		/* --raw */
	int		 timestamps;	/* --timestamps */
	int		 hex;		/* -x */
	int		 no_history;	/* --no-history */
	int		 no_commands;	/* --no-commands */
	const char	*prompt;	/* --prompt */
	const char	*history;	/* --history */
	const char	*output;	/* -o */

	/* TLS (design item 19); tls_min/tls_max: 0 or 0x0303, 0x0304. */
	int		 tls;		/* --tls, --ssl */
	int		 insecure;	/* --insecure */
	int		 tls_min;	/* --tls-min */
	int		 tls_max;	/* --tls-max */
	const char	*tls_name;	/* --tls-name */
	const char	*tls_ca;	/* --tls-ca FILE|DIR */
	const char	*tls_pin;	/* --tls-pin sha256:BASE64, as given */
	unsigned char	 tls_pin_sha256[32]; /* and decoded */
	const char	*tls_cert;	/* --tls-cert */
	const char	*tls_key;	/* --tls-key */
	const char	*tls_alpn;	/* --tls-alpn, comma-separated */
	const char	*tls_ciphers;	/* --tls-ciphers */
	const char	*tls_client_ca;	/* --tls-client-ca (listener) */
	const char	*tls_cert_out;	/* --tls-cert-out (listener) */
	const char	*tls_keylog;	/* --tls-keylog FILE */
	const char	*starttls_arg;	/* --starttls PROTO, as given */
	int		 starttls;	/* and its stls_proto(); 0: none */

	/* PROXY protocol (design item 22). */
	int		 proxy_protocol;	/* --proxy-protocol: 1 or 2 */
	int		 accept_proxy;	/* --accept-proxy-protocol */
	int		 tls_for_proxy;	/* this config checks the proxy */

	/* Proxies (design item 20). */
	const char	*proxy;		/* --proxy URL|HOST[:PORT], as given */
	const char	*proxy_type;	/* -X 4|5|connect */
	const char	*proxy_auth;	/* --proxy-auth USER:PASS */
	const char	*proxy_ca;	/* --proxy-ca FILE|DIR */
	int		 proxy_insecure; /* --proxy-insecure */
	const char	*proxy_server_arg; /* --proxy-server http|socks5 */
	enum proxy_kind	 proxy_server;	/* PROXY_HTTP or PROXY_SOCKS5 */
	struct proxy_url purl;		/* --proxy, parsed */
};

/* The socket type and protocol name a config asks for. */
#define CFG_SOCKTYPE(c)	((c)->udp ? SOCK_DGRAM : SOCK_STREAM)
#define CFG_PROTO(c)	((c)->unix_sock ? "unix" : (c)->udp ? "udp" : "tcp")

/* options.c */
int		 options_parse(int, char **, struct config *);
void		 options_free(struct config *);

/*
 * starttls.c: the client's STARTTLS dialogue, pure (design item 19).
 * Protocols are numbered from 1 (stls_proto(), -1 if unknown).
 */
#define STLS_MORE	0
#define STLS_DONE	1
#define STLS_FAIL	2
#define STLS_REPLY_MAX	(64 * 1024)
#define STLS_LINE_MAX	4096
struct stls {
	int		 proto;
	int		 step;
	int		 sent;		/* this step's command went out */
	char		 name[300];	/* EHLO's argument, XMPP's to= */
	char		 why[512];
};
struct stls_reply {
	int		 ok;		/* the reply means yes */
	int		 offers;	/* it names STARTTLS among capabilities */
	int		 code;		/* a numeric code, -1 if malformed */
};
int		 stls_proto(const char *);
const char	*stls_proto_name(int);
void		 stls_init(struct stls *, int, const char *, int);
size_t		 stls_command(struct stls *, char *, size_t);
size_t		 stls_parse(int, int, const char *, size_t,
		    struct stls_reply *);
int		 stls_feed(struct stls *, const char *, size_t, size_t *);
void		 stls_escape(const char *, size_t, char *, size_t);

/* starttls_srv.c: a listener's side of STARTTLS (smtp, imap, pop3). */
struct buf;
#define STLS_SRV_MORE		0
#define STLS_SRV_UPGRADE	1
#define STLS_SRV_CLOSE		2
int		 stls_srv_proto(int);
int		 stls_srv_greeting(int, struct buf *);
int		 stls_srv_line(int, const char *, size_t, struct buf *);

/* b64.c: base64 digits read, without OpenSSL. */
int		 b64_digit(int);
int		 b64_decode(const char *, size_t, unsigned char *, size_t);

/* tlsopts.c: TLS option values, parsed without OpenSSL. */
int		 tlsopt_pin(const char *, unsigned char[32], char *, size_t);
int		 tlsopt_version(const char *, int *, char *, size_t);
int		 tlsopt_alpn(const char *, char *, size_t);

/* msg.c: one-line messages on stderr, "sockline: " first. */
void		 msg_warn(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 msg_verbose(const struct config *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
typedef void	 msg_hook_fn(const char *);
void		 msg_set_hook(msg_hook_fn *);

/* addr.c */
int		 addr_parse_port(const char *, int, int, uint16_t *, char *,
		    size_t);
int		 addr_parse_range(const char *, int, uint16_t *, uint16_t *,
		    char *, size_t);
int		 addr_parse_secs(const char *, long *, char *, size_t);
int		 addr_is_numeric(const char *);
int		 addr_parse_cidr(const char *, struct cidr *);
int		 addr_cidr_match(const struct cidr_list *,
		    const struct sockaddr *);
int		 addr_allowed(const struct config *, const struct sockaddr *);
int		 addr_resolve(const struct config *, const char *, uint16_t,
		    int, int, struct addrinfo **, char *, size_t);
int		 addr_repeated(const struct addrinfo *, const struct addrinfo *);
void		 addr_format(const struct sockaddr *, char *, size_t,
		    uint16_t *);
const char	*addr_service(const struct config *, uint16_t, const char *);
int		 addr_unix(const char *, struct sockaddr_un *, socklen_t *);
size_t		 addr_unix_max(const char *);
void		 addr_unix_format(const struct sockaddr_un *, socklen_t, char *,
		    size_t);

/* sock.c: small socket helpers; they return -1 and keep errno. */
int		 sock_nonblock(int);
int		 sock_open(int, int, int);
int		 sock_connect(int, const struct sockaddr *, socklen_t, long);
int		 sock_listen(const struct addrinfo *, int, int);
int		 sock_accept(int, struct sockaddr_storage *, socklen_t *);
uint16_t	 sock_local_port(int);

/* unix.c: AF_UNIX endpoints (design item 9). */
int		 unix_connect(const char *, int, long);
int		 unix_bind(const char *, int, int);
int		 unix_autobind(int);
void		 unix_unlink_at_exit(const char *);
void		 unix_cleanup(void);

/* escape.c: --reply's C escapes, and -e's argv split (no shell). */
int		 escape_decode(const char *, char **, size_t *, char *, size_t);
int		 argv_split(const char *, char ***, char *, size_t);

/* zcopy.c: splice(2)/sendfile(2) between the user's fds and a socket. */
#define ZC_NONE		0
#define ZC_PIPE		1
#define ZC_FILE		2
int		 zcopy_kind(int);
ssize_t		 zcopy_in(int, int, int);
ssize_t		 zcopy_out(int, int);

/* crlf.c: LF to CRLF, keeping an existing CRLF as it is. */
size_t		 crlf_translate(int *, const char *, size_t, char *);

/* frame.c: where the next line or message of a byte stream ends. */
size_t		 frame_next(const char *, size_t, size_t, int);

/*
 * fsafe.c: opening the files sockline writes (-o, --port-file,
 * --history, --tls-keylog, --tls-cert-out) under design item 15: in a
 * sticky world-writable directory never follow a symlink, nor open an
 * existing file or FIFO, owned by someone other than the caller or the
 * directory's owner.  Both return -1 with a one-line reason in err
 * when refused or failed: "PATH: reason" (the path as given, and the
 * entry refused when it is another), so callers say what they were
 * doing before it: msg_warn("cannot write port file %s", err).
 * errno is set as well (EPERM when refused).  FSAFE_ERRLEN is room
 * enough for any err.
 *
 * fsafe_open: flags are open(2)'s (O_WRONLY|O_CREAT with O_APPEND or
 * O_TRUNC, ...); mode is for a new file.  Returns the fd.
 * fsafe_replace: writes data whole to a mkstemp(3) name in the same
 * directory and renames it over path (a FIFO, terminal or /dev/stdout
 * at path is written in place instead).  Returns 0.
 * fsafe_mkdirs: makes the directories above path that are missing, with
 * mode, under the same rule: mkdir -p that follows no planted link.
 * Returns 0.
 */
#define FSAFE_ERRLEN	(3 * 4096)
int		 fsafe_open(const char *, int, mode_t, char *, size_t);
int		 fsafe_replace(const char *, const void *, size_t, mode_t,
		    char *, size_t);
int		 fsafe_mkdirs(const char *, mode_t, char *, size_t);

/* term.c: the terminal's settings, and writing to it without blocking. */
void		 term_save(int);
void		 term_discard_input(void);
void		 term_restore(void);
int		 term_reopen(int);
dev_t		 term_device(int);

/* util.c */
int64_t		 now_ms(void);
int		 fd_keep_open(int);
int		 fd_nonblocking(int);
/* stdout was closed at start (now /dev/null): received data has nowhere
 * to go, and losing it must not end in exit 0 (design item 3). */
extern int	 stdout_closed;

/* signals.c */
extern volatile sig_atomic_t	 sig_caught;
extern volatile sig_atomic_t	 sig_child;
void		 signals_init(void);
void		 signals_default(void);
void		 signals_deliver(void);
const sigset_t	*signals_waitmask(void);
/* SIGWINCH, for the prompt: a flag, and a pipe that wakes the loop. */
extern volatile sig_atomic_t	 sig_winch;
extern volatile sig_atomic_t	 sig_cont;
int		 signals_winch_start(void);
void		 signals_winch_stop(void);

/* buf.c: a byte buffer with a read offset, allocated lazily. */
struct buf {
	char		*data;
	size_t		 cap;
	size_t		 off;		/* first unread byte */
	size_t		 len;		/* unread bytes */
};
size_t		 buf_room(const struct buf *, size_t);
int		 buf_append(struct buf *, const void *, size_t);
void		 buf_consume(struct buf *, size_t);
void		 buf_consume_keep(struct buf *, size_t);
void		 buf_free(struct buf *);
char		*buf_head(const struct buf *);
#define buf_used(b)	((b)->len)

/* ev.c: the event loop (poll(2) backend, timers, signal-safe waits). */
#define EV_READ		0x1
#define EV_WRITE	0x2
struct ev;
typedef void	 ev_fd_cb(int, int, void *);
typedef void	 ev_timer_cb(void *);
struct ev_timer {
	int64_t			 when;
	ev_timer_cb		*cb;
	void			*arg;
	int			 active;
	LIST_ENTRY(ev_timer)	 entry;
};
/* Work run once at the end of the current round (ev_defer). */
struct ev_deferred {
	void			(*cb)(void *);
	void			*arg;
	int			 pending;
	TAILQ_ENTRY(ev_deferred) entry;
};
struct ev	*ev_new(void);
void		 ev_free(struct ev *);
int		 ev_set(struct ev *, int, int, ev_fd_cb *, void *);
void		 ev_del(struct ev *, int);
void		 ev_timer_init(struct ev_timer *, ev_timer_cb *, void *);
void		 ev_timer_start(struct ev *, struct ev_timer *, long);
void		 ev_timer_stop(struct ev *, struct ev_timer *);
int		 ev_run_once(struct ev *);
void		 ev_defer(struct ev *, struct ev_deferred *);
void		 ev_undefer(struct ev *, struct ev_deferred *);

/*
 * A peer as the user sees it: who sent these bytes, where input goes.
 * For a unix socket, host is the path and port is 0.
 */
/* Room for a unix name of 107 bytes, each escaped as "\xHH", and "@". */
#define PEER_HOSTLEN	432
struct peer {
	int			 id;
	const char		*proto;		/* "tcp", "udp", "unix" */
	char			 host[PEER_HOSTLEN];
	uint16_t		 port;
	struct sockaddr_storage	 addr;		/* where datagrams for it go */
	socklen_t		 addrlen;
};
void		 peer_set(struct peer *, const char *, const struct sockaddr *,
		    socklen_t);
const char	*peer_name(const struct peer *, char *, size_t);
const char	*peer_addr(const struct peer *, char *, size_t);

/*
 * One socket the session moves bytes through: a stream connection, or
 * a datagram socket (connected to one peer, or receiving from many).
 */
enum conn_kind {
	CONN_STREAM,
	CONN_DGRAM
};
struct resp;
struct conn {
	struct session		*session;
	enum conn_kind		 kind;
	int			 fd;
	struct conn_io		 io;		/* stream: how bytes move */
	int			 want;		/* stream: EV_* the session wants */
	struct ev_deferred	 again;		/* read what the io holds */
	int			 connected;	/* datagram: has one peer */
	struct peer		 peer;		/* the other end */
	struct buf		 out;		/* bytes or framed datagrams */
	struct buf		 in;		/* -k: a line not yet shown */
	int64_t			 in_ms;		/* when in last grew */
	struct resp		*resp;		/* responder state, if any */
	int			 rd_eof;	/* the peer will send no more */
	int			 wr_shut;	/* we half-closed */
	int			 wr_ending;	/* the half-close takes more rounds */
	int			 events;	/* interest last given to ev */
	int			 zc_wait;	/* zero-copy input: socket was full */
	size_t			 dgram_max;	/* the largest datagram it takes */
	int			 queued;	/* in session.queued */
	TAILQ_ENTRY(conn)	 qentry;
	int			 dead;		/* closed; freed after this round */
	int64_t			 progress_ms;	/* when it last took bytes */
	struct hs		*hs;		/* its I/O changes: hands off */
	int			 upgraded;	/* STARTTLS made it TLS */
	int			 stls_proto;	/* by /starttls PROTO */
	struct buf		 chat_line;	/* --chat: not yet relayed */
	/* -vv, a stream: bytes each way, [ZC_NONE] read/written by us, the
	 * rest by splice(2) or (in, when zc_in_kind is ZC_FILE) sendfile(2). */
	uint64_t		 sent[2];
	uint64_t		 rcvd[2];
	int			 zc_in_kind;
	TAILQ_ENTRY(conn)	 entry;
};
TAILQ_HEAD(conn_list, conn);

/* Someone who sent a datagram to a listening datagram socket. */
struct sender {
	struct peer		 peer;
	struct conn		*via;		/* the socket it wrote to */
	struct resp		*resp;		/* -e: its own program */
	TAILQ_ENTRY(sender)	 entry;
};
TAILQ_HEAD(sender_list, sender);

struct session;

/* Flags for front_ops.output(). */
#define OUT_DGRAM	0x1	/* the bytes are one whole datagram */
#define OUT_SENDER	0x2	/* show who sent them */

/* What front_ops.event() reports. */
enum front_event {
	FE_PEER_UP,		/* a peer connected (or first sent) */
	FE_PEER_DOWN,		/* a peer closed its side */
	FE_PEER_GONE,		/* a peer left the list of peers */
	FE_PEER_TLS		/* a peer's connection is now TLS */
};

/*
 * The front end: where input comes from and where received bytes go.
 * The session never asks which front end it has; it only uses these.
 */
struct front {
	const struct front_ops	*ops;
	struct session		*s;
	void			*priv;
};
struct front_ops {
	const char	*name;
	/* Start watching the user's input; called once the loop exists. */
	int		 (*start)(struct front *);
	/* Received bytes from a peer.  Never more than room() allows,
	 * except that a datagram is always handed over whole. */
	void		 (*output)(struct front *, const struct peer *,
			    const char *, size_t, int);
	/* How many received bytes output() can take right now. */
	size_t		 (*room)(struct front *);
	/* True when everything received has been written out. */
	int		 (*flushed)(struct front *);
	/* The session wants input paused (0) or resumed (1). */
	void		 (*input_ctl)(struct front *, int);
	/* Something happened to a peer the user may want to hear of. */
	void		 (*event)(struct front *, enum front_event,
			    const struct peer *);
	/* Undo whatever start() did to the process's terminal or fds. */
	void		 (*stop)(struct front *);

	/*
	 * Optional (NULL: not offered): zero-copy output.  out_fd() is a
	 * pipe received bytes may be spliced to right now, or -1;
	 * out_wait() says that pipe was full: room() is 0 until it drains,
	 * then the front end calls session_output_ready().
	 */
	int		 (*out_fd)(struct front *);
	void		 (*out_wait)(struct front *);
	/*
	 * Optional: true when the front end knows no input is on its way
	 * (a person's keyboard with nothing typed ahead or queued), so that
	 * the end after the peer's needs no grace to see input go quiet.
	 */
	int		 (*input_idle)(struct front *);
};

/* front.c: picks the front end for this run. */
struct front	*front_new(struct session *);
int		 front_input_idle(struct front *);
void		 front_discard_typed(const struct config *);
struct front	*front_pipe_new(struct session *);
struct front	*front_repl_new(struct session *);

/*
 * render.c: what received bytes look like to a person: control bytes
 * escaped, a hex dump, the time before each line, who sent them.  For
 * a terminal it also keeps the screen row being written, so that the
 * prompt can be drawn below an unfinished line and the line continued.
 */
#define RENDER_TAIL	2048
struct render {
	int		 hex;		/* -x, /hex */
	int		 raw;		/* --raw, /raw: control bytes as they are */
	int		 stamps;	/* --timestamps */
	int		 term;		/* for a terminal: escape, rows, CRLF */
	int		 utf8;		/* the terminal shows UTF-8 */
	int		 cols;		/* and is this wide */

	int		 bol;		/* at the beginning of a line */
	int		 peer;		/* whose line is open */
	uint64_t	 off;		/* hex dump offset */
	char		 hold[4];	/* a CR or part of a character, held */
	size_t		 nhold;		/* until the next bytes say what it is */
	struct buf	 scratch;
	int		 col;		/* column in the screen row being written */
	int		 tail_ok;	/* tail[] holds all of that row */
	int		 tail_whole;	/* and that row all of the open line */
	size_t		 tail_len;
	char		 tail[RENDER_TAIL];
};
void		 render_init(struct render *, const struct config *, int);
int		 render_data(struct render *, struct buf *, const struct peer *,
		    const char *, size_t, int);
int		 render_flush(struct render *, struct buf *);
void		 render_break(struct render *);
void		 render_free(struct render *);
int		 render_utf8(const char *, size_t, uint32_t *);
int		 render_bidi(uint32_t);
const char	*render_ctl(unsigned char, char *, size_t);
void		 render_name(char *, size_t, const char *, size_t);
const char	*peer_short(const struct peer *, char *, size_t);

/* log.c: the session log of -o, both directions, one per process. */
#define LOG_SENT	'>'
#define LOG_RECEIVED	'<'
int		 log_open(const struct config *);
int		 log_escape(struct buf *, const char *, size_t);
void		 log_listening(const struct config *, uint16_t);
void		 log_data(int, const struct peer *, const char *, size_t, int);
void		 log_note(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
int		 log_close(int);

/* session.c: moves bytes between the front end and the peers. */
struct session {
	const struct config	*cfg;
	struct ev		*ev;
	struct front		*front;
	struct conn_list	 conns;
	struct conn_list	 dead;		/* closed, freed after dispatch */
	TAILQ_HEAD(, conn)	 queued;	/* the ones that may be short of room */
	int			 nstreams;	/* streams still open for writing */
	int			 nconns;
	int			 next_id;
	struct sender_list	 senders;	/* of listening datagram sockets */
	int			 nsenders;
	struct sender		*target;	/* where datagram input goes */
	int64_t			 cap_note_ms;	/* -m: last refusal reported */
	long			 cap_unnoted;	/* refusals since, not reported */
	int			 to_id;		/* /to N: only that peer; 0: all */
	int			 stay;		/* /reconnect: outlive the peer */

	/* The input pipeline: -C, then framing into lines when needed. */
	struct buf		 staged;	/* input not yet released */
	int			 crlf_cr;	/* last input byte was CR */
	int			 line_mode;	/* release a line at a time */
	int			 delaying;	/* -d: waiting between lines */

	int			 input_eof;	/* the user's input ended */
	int			 no_input;	/* there is none: never half-close */
	int			 input_paused;
	int			 had_client;	/* a stream peer has been seen */
	int			 peer_eof;	/* the (only) peer has closed */
	int			 quit;		/* -q ran out */
	int			 running;	/* the front end has started */
	int			 zc_off;	/* zero-copy failed once: no more */
	int			 reads_paused;	/* a peer waits for output room */
	int			 cut;		/* a datagram was cut: exit 1 */
	int			 done;
	int			 status;

	struct ev_timer		 quit_timer;	/* -q: after end of input */
	struct ev_timer		 grace_timer;	/* stdin idle after peer EOF */
	struct ev_timer		 delay_timer;	/* -d */
	struct ev_timer		 idle_timer;	/* -i */
	struct ev_timer		 stall_timer;	/* -k: a client stopped reading */
	struct ev_timer		 flush_timer;	/* quitting: the wait to flush */
	struct ev_timer		 partial_timer;	/* -k: shows paused partial lines */
	struct ev_timer		 ack_timer;	/* the peer ended: is all acked? */
	int64_t			 ack_deadline;
	int			 quitting;	/* exit was asked: flush, then go */

	/* --lockstep: one reply per line sent. */
	int			 ls_waiting;	/* for a reply, or the greeting */
	int			 ls_greeting;	/* still in the greeting window */
	int			 ls_line;	/* lines sent so far */
	struct buf		 ls_reply;	/* a reply line being assembled */
	struct ev_timer		 ls_timer;
	struct ev_timer		 ls_pause;	/* a partial reply that paused */
	int			 ls_midline;	/* a long reply printed in part */
	int64_t			 ls_greet_end;	/* -w: the greeting ends by then */
	int64_t			 ls_greet_ms;	/* when greeting bytes last came */

	uint16_t		 listen_port;	/* listen: the port bound */

	/* --broker, --chat: a full client holds the senders back. */
	int			 relay_paused;
	struct ev_deferred	 relay_again;
	struct buf		 relay_later;	/* --chat: a leaver's last words */
	struct ev_deferred	 relay_notices;
};
void		 session_init(struct session *, const struct config *,
		    struct ev *);
struct conn	*session_add_conn(struct session *, const struct conn_io *,
		    enum conn_kind, int, const struct sockaddr *, socklen_t);
int		 session_run(struct session *);
void		 session_input(struct session *, const char *, size_t);
void		 session_input_eof(struct session *);
int		 session_input_exact(struct session *, const char *, size_t);
void		 session_input_none(struct session *);
int		 session_input_fd(struct session *, int, int);
struct conn	*session_zcopy_conn(struct session *);
size_t		 session_input_room(struct session *);
void		 session_output_ready(struct session *);
void		 session_fail(struct session *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 session_free(struct session *);

/* session.c, for prompt commands (/peers, /to, /close, /quit). */
int		 session_peers(struct session *, const struct peer **, int);
int		 session_set_target(struct session *, int);
int		 session_close_peer(struct session *, int);
void		 session_quit(struct session *, int);
int		 session_detach(struct session *);

/* reconnect.c: /reconnect, for a client. */
struct proxy_target;
void		 reconnect_target(const struct config *, const struct sockaddr *,
		    socklen_t, const struct proxy_target *);
int		 reconnect_start(struct session *, char *, size_t);
void		 reconnect_end(void);

/* session_tls.c: /starttls, /tls and /cert on a live connection. */
struct conn	*session_stream(struct session *, int);
int		 session_peer_upgraded(struct session *, int);
int		 session_starttls(struct session *, int, int, char *, size_t);
int		 session_tls_lines(struct session *, int, int,
		    void (*)(void *, const char *), void *, char *, size_t);

/* session.c, for stream.c and dgram.c */
void		 session_traffic(struct session *);
void		 session_received(struct session *, struct conn *,
		    struct sender *, const char *, size_t, int);
void		 session_conn_eof(struct session *, struct conn *);
void		 session_drop_conn(struct session *, struct conn *, const char *);
void		 session_release_input(struct session *);
void		 session_conn_fail(struct session *, struct conn *, int);
void		 session_update_input(struct session *);
void		 session_check_done(struct session *);
void		 session_settle(struct session *, struct conn *);
void		 conn_update(struct session *, struct conn *);
void		 conn_queued(struct session *, struct conn *);

/* stream.c and dgram.c: one kind of conn each. */
void		 stream_event(int, int, void *);
int		 stream_pending_error(struct session *, struct conn *);
int		 stream_events(struct session *, struct conn *, int);
int		 stream_all_acked(struct session *);
void		 stream_maybe_shutdown(struct session *, struct conn *);
void		 stream_after(struct session *, struct conn *);
void		 stream_report(const struct session *, const struct conn *);
int		 stream_write_errno(const struct conn *, int);
int		 stream_queue(struct session *, struct conn *, const char *,
		    size_t);
int		 dgram_queue(struct session *, struct conn *,
		    const struct peer *, const char *, size_t);
void		 dgram_event(int, int, void *);
size_t		 dgram_room(const struct conn *);
void		 dgram_free_senders(struct session *);

/*
 * proxyhdr.c: the PROXY protocol header, v1 and v2, with no I/O.
 * proxyhdr_parse returns the header's length, 0 when more bytes are
 * needed (all those so far belong to it), -1 with a reason.  local:
 * the header names no address to take (v2 LOCAL, UNKNOWN, unix...).
 */
#define PROXYHDR_V1_MAX	107
#define PROXYHDR_V2_MAX	(16 + 65535)
struct proxyhdr {
	int			 version;
	int			 local;
	struct sockaddr_storage	 src;
	struct sockaddr_storage	 dst;
	socklen_t		 srclen;
	socklen_t		 dstlen;
};
int		 proxyhdr_parse(const unsigned char *, size_t,
		    struct proxyhdr *, char *, size_t);
int		 proxyhdr_build(int, const struct sockaddr *,
		    const struct sockaddr *, unsigned char *, size_t);

/*
 * listen_proxy.c: --accept-proxy-protocol.  Each new client's header is
 * read in the event loop, within -w (default 5 s), before the client
 * joins the session; admit() then gets the address the header names.
 */
#define PROXY_LIMIT_MS	5000
typedef void	 proxy_admit_fn(void *, int, const struct sockaddr_storage *,
		    socklen_t);
typedef void	 proxy_drop_fn(void *);
struct proxy_wait;
struct proxy_accepts {
	struct session		*s;
	LIST_HEAD(, proxy_wait)	 list;
	int			 n;		/* still reading their header */
	proxy_admit_fn		*admit;
	proxy_drop_fn		*drop;		/* one failed: told after */
	void			*arg;
};
int		 proxy_accept(struct proxy_accepts *, int,
		    const struct sockaddr_storage *, socklen_t);
void		 proxy_accepts_abort(struct proxy_accepts *);

/* broker.c: --broker and --chat, through respond.c. */
void		 broker_stream(struct session *, struct conn *, const char *,
		    size_t);
void		 broker_eof(struct session *, struct conn *);
size_t		 broker_room(struct session *, struct conn *);
void		 broker_update(struct conn *);
void		 broker_conn_free(struct session *, struct conn *);

/*
 * hs.c: a conn_io's handshake before its session knows of it (see
 * conn_io.h).  done(h, ok, why) is called once, from the loop.
 */
#define HS_LIMIT_MS	10000	/* unless -w says otherwise */
struct hs;
typedef void	 hs_done_fn(struct hs *, int, const char *);
struct hs {
	struct ev		*ev;
	struct conn_io		 io;
	long			 limit_ms;
	hs_done_fn		*done;
	void			*arg;
	struct ev_timer		 timer;
	int			 events;
	struct sockaddr_storage	 ss;		/* the peer, for the caller */
	socklen_t		 sslen;
	LIST_ENTRY(hs)		 entry;
};
struct hs	*hs_start(struct ev *, const struct conn_io *, long,
		    hs_done_fn *, void *);
void		 hs_abort(struct hs *);
void		 hs_release(struct hs *);
int		 hs_run(struct ev *, struct conn_io *, long, char *, size_t);

/* listen_tls.c: a TLS listener's clients, before their session. */
struct tls_accepts {
	struct session		*s;
	LIST_HEAD(, hs)		 list;
	int			 n;
};
int		 tls_accept(struct tls_accepts *, int,
		    const struct sockaddr_storage *, socklen_t);
void		 tls_accepts_abort(struct tls_accepts *);

/* connect.c, shared with probe.c */
int		 connect_any(const struct config *, struct addrinfo *, uint16_t,
		    int, struct addrinfo **);
void		 connect_report(const struct config *, const struct sockaddr *);
int		 connect_again(const struct config *, const struct sockaddr *,
		    socklen_t);
int		 connect_tls_io(const struct config *, struct conn_io *,
		    const struct sockaddr *, socklen_t, char *, size_t);
const char	*stls_hello(const struct config *, int, char *, size_t);
const char	*stls_hello_for(const struct config *, int, int, char *,
		    size_t);

/* respond.c: --echo, --upper, --reply, -e, -c on a listener. */
void		 respond_stream(struct session *, struct conn *, const char *,
		    size_t);
void		 respond_stream_eof(struct session *, struct conn *);
int		 respond_starts(const struct config *);
void		 respond_dgram(struct session *, struct conn *, struct sender *,
		    const char *, size_t);
size_t		 respond_room(struct session *, struct conn *);
int		 respond_dgram_full(const struct session *,
		    const struct sender *, socklen_t);
int		 respond_busy(const struct conn *);
void		 respond_conn_free(struct session *, struct conn *);
void		 respond_sender_free(struct session *, struct sender *);
void		 respond_update(struct conn *);
int		 respond_send(struct session *, struct conn *, const char *,
		    size_t);
int		 respond_send_dgram(struct session *, struct conn *,
		    const struct peer *, const char *, size_t);

/*
 * script.c and replay.c: pure parsers (test/fuzz/script.c, replay.c).
 * Each fills a chat_script from a file's text, or returns -1 with
 * "NAME:LINE: why" in err.  replay_parse's int arguments: the replay
 * listens (-l), and keeps the log's pauses (--replay-timing).
 */
int		 script_parse(const char *, const char *, size_t,
		    struct chat_script *, char *, size_t);
int		 replay_parse(const char *, const char *, size_t, int, int,
		    struct chat_script *, char *, size_t);
void		 chat_script_free(struct chat_script *);
int		 chat_read_file(const char *, char **, size_t *, char *,
		    size_t);
const char	*chat_secs(long, char *, size_t);

/* chat_run.c: one peer's run of the chat script, driven by respond.c. */
struct chat;
struct chat	*chat_start(struct session *, struct conn *);
void		 chat_received(struct chat *, const char *, size_t);
void		 chat_eof(struct chat *);
int		 chat_busy(const struct chat *);
size_t		 chat_room(const struct chat *);
void		 chat_free(struct chat *);
int		 chat_failures(void);

/* exec.c: a program per client, for -e and -c. */
struct child;
struct child	*child_start(struct session *, struct conn *, struct sender *);
void		 child_input(struct child *, const char *, size_t);
void		 child_input_eof(struct child *);
size_t		 child_room(const struct child *);
int		 child_done(const struct child *);
void		 child_update(struct child *);
void		 child_free(struct child *);

/* programs.c: every program -e/-c started, until it has exited. */
struct program;
struct program	*program_track(pid_t);
void		 program_detach(struct ev *, struct program *);
int		 programs_running(void);
int		 programs_detached(void);
void		 children_reap(void);
void		 children_kill(void);

/* lockstep.c: --lockstep. */
void		 lockstep_start(struct session *);
int		 lockstep_received(struct session *, const char *, size_t, int);
void		 lockstep_sent(struct session *);
int		 lockstep_eof(struct session *);

/* probe.c: -z. */
int		 probe_main(const struct config *);

/* proxy_url.c: --proxy's argument, -X and --proxy-auth (pure). */
int		 proxy_url_parse(const char *, const char *, const char *,
		    struct proxy_url *, char *, size_t);
int		 proxy_auth_check(const struct proxy_url *, char *, size_t);
const char	*proxy_kind_name(enum proxy_kind);
const char	*proxy_label(const struct proxy_url *, char *, size_t);

/*
 * proxy_msg.c: the client's requests and the parsers of the proxy's
 * replies (pure).  A target is an address (family AF_INET or AF_INET6)
 * or, with family AF_UNSPEC, a name the proxy resolves.
 */
struct proxy_target {
	int		 family;
	uint8_t		 addr[16];
	const char	*name;		/* the host operand, as given */
	uint16_t	 port;
};
struct proxy_reply {
	int		 ok;
	int		 code;		/* method, status or HTTP code */
	size_t		 len;		/* bytes the reply took */
	char		 why[160];	/* when not ok, or not a reply */
};
/* The replies a client waits for. */
#define PXS_S5_METHOD	1
#define PXS_S5_AUTH	2
#define PXS_S5_CONNECT	3
#define PXS_S4_CONNECT	4
#define PXS_HTTP	5
/* Room for any request the client sends. */
#define PROXY_REQ_MAX	(4 * PROXY_FIELD + 64 + 2 * PROXY_FIELD)
size_t		 proxy_base64(const unsigned char *, size_t, char *);
size_t		 proxy_socks5_hello(const struct proxy_url *, unsigned char *);
size_t		 proxy_socks5_auth(const struct proxy_url *, unsigned char *);
size_t		 proxy_socks5_connect(const struct proxy_target *,
		    unsigned char *);
size_t		 proxy_socks4_connect(const struct proxy_url *,
		    const struct proxy_target *, unsigned char *);
size_t		 proxy_http_connect(const struct proxy_url *,
		    const struct proxy_target *, char *, size_t);
const char	*proxy_socks5_reason(int);
int		 proxy_reply(int, const unsigned char *, size_t,
		    struct proxy_reply *);

/*
 * conn_proxy.c: the tunnel's dialogue as a conn_io handshake.  over is
 * the connection to the proxy (plain, or TLS for https://); once the
 * handshake is done proxy_io_take() gives it back, now a tunnel.
 */
int		 conn_proxy_new(struct conn_io *, const struct conn_io *,
		    const struct config *, const struct proxy_target *,
		    char *, size_t);
void		 conn_proxy_take(struct conn_io *);

/* proxy_req.c: what a --proxy-server's client asks (pure). */
struct proxy_request {
	size_t		 len;		/* bytes the request took */
	int		 code;		/* refused: the SOCKS5 code, HTTP status */
	int		 methods;	/* greeting: 1 none, 2 user/password */
	int		 has_cred;
	char		 cred[2 * PROXY_FIELD + 2];	/* "user:pass" */
	char		 host[PROXY_FIELD];
	uint16_t	 port;
	char		 why[96];
};
#define PRQ_S5_HELLO	1
#define PRQ_S5_AUTH	2
#define PRQ_S5_CONNECT	3
#define PRQ_HTTP	4
int		 proxy_request(int, const unsigned char *, size_t,
		    struct proxy_request *);
size_t		 proxy_socks5_answer(int, const struct sockaddr *,
		    unsigned char *);
size_t		 proxy_http_answer(int, char *, size_t);

/* proxy_relay.c: one direction of a --proxy-server tunnel. */
struct relay_dir {
	int		 pipe[2];	/* -1: none yet */
	size_t		 inpipe;
	size_t		 cap;		/* the pipe's size */
	char		*buf;		/* no splice: a buffer instead */
	size_t		 off, len;
	int		 eof;		/* the sender ended */
	int		 done;		/* and that was passed on */
	int		 nosplice;
	unsigned long long bytes;
};
void		 relay_dir_init(struct relay_dir *);
void		 relay_dir_free(struct relay_dir *);
int		 relay_pass(struct relay_dir *, int, int, int *, const char **);

/* proxy_serve.c: -l -k --proxy-server. */
int		 proxy_serve_main(const struct config *);

/* connect_proxy.c: --proxy, the tunnel before the session. */
int		 proxy_connect(const struct config *, struct ev *,
		    struct conn_io *, struct sockaddr_storage *, socklen_t *,
		    struct proxy_target *);
int		 proxy_dialogue(const struct config *, int,
		    const struct sockaddr *, const struct proxy_target *,
		    struct conn_io *);
long		 proxy_wait_ms(const struct config *);
void		 proxy_tunnel_up(const struct config *, struct conn_io *);
void		 proxy_tunnel_failed(const struct config *, const char *);
void		 proxy_peer_set(const struct config *, struct peer *,
		    const struct sockaddr *, socklen_t);

/* connect.c and listen.c: the two modes; each returns an exit status. */
int		 connect_main(const struct config *);
int		 listen_main(const struct config *);

#endif /* SOCKLINE_H */
