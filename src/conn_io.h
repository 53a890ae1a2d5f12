/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The I/O seam of a stream connection: how its bytes are read, written,
 * spliced and ended, whatever carries them.
 *
 * Every stream conn holds a struct conn_io: an ops table and the layer's
 * own state.  stream.c, session.c, the responders, --lockstep and the
 * front ends only ever call through it, so none of them knows whether
 * the bytes cross the socket as they are (conn_plain.c) or inside TLS
 * (conn_tls.c).  The rules every layer keeps:
 *
 *  - read() and write() never block.  -1 with EAGAIN means "not now";
 *    the layer then says in rd_wait / wr_wait which socket events let
 *    the call go on (TLS may need the socket writable to read, or
 *    readable to write).  conn_io_events() turns what the session wants
 *    into poll interest, conn_io_ready() turns poll results back into
 *    the operations to retry.  Any other errno is a failure; why() puts
 *    it in words (an errno's string, or TLS's own reason).
 *  - pending() says bytes are readable without the socket becoming
 *    readable (a TLS record already decrypted or read ahead): the conn
 *    is then read again at the end of the round, not left waiting for a
 *    poll that will not come.
 *  - shutdown() ends our direction (TCP half-close; TLS close_notify,
 *    then the half-close); it may take more rounds (EAGAIN), and reading
 *    goes on after it until the peer's own end.
 *  - zcopy() says whether splice(2)/sendfile(2) may use the fd in that
 *    direction: always for a plain socket, only with kernel TLS for TLS.
 *  - pending_error() and unacked() look at the socket under any layer:
 *    the end-of-stream checks of design item 3.  A layer that sends
 *    bytes of its own after the peer closed with all our data
 *    acknowledged (TLS's close_notify) sets reset_ok: a reset they
 *    provoke then loses nothing and is not a failure.
 *
 * Handshakes.  handshake() drives whatever must happen before the
 * session's data may flow (TLS, a proxy's dialogue; a PROXY header
 * later), non-blocking, returning 0 when done.  hs.c runs it for
 * a socket that is not yet a conn (a -k listener's new client, a client
 * before its session), so a slow peer never delays the others and the
 * session only ever sees finished connections.
 *
 * Room left for what comes next.  A connection whose I/O changes
 * mid-life (STARTTLS, /starttls: plain, then TLS, in the client or the
 * server role) gets a new conn_io made over the same fd (conn_tls_new
 * takes the plain one and keeps its fd); while that one's handshake
 * runs, the conn is marked as handshaking, conn_update() gives the
 * socket to the handshake instead of the session (whose data then
 * neither flows in nor out), and the conn's io is replaced when it is
 * done (session_tls.c: conn->hs is the mark).  A STARTTLS dialogue that
 * precedes it is plain reads and writes: conn_stls.c is that layer, whose
 * handshake() runs the dialogue, then TLS on the same fd, and replaces
 * itself with the TLS layer when both are done.
 * A proxy tunnel (conn_proxy.c) is a handshake() of its own, run by
 * hs.c before the session like TLS's, that leaves the connection to the
 * proxy behind (plain, or TLS to an https:// proxy); TLS to the target
 * then starts on it: over a plain socket as on any other, over the
 * proxy's TLS through a BIO that reads and writes through that layer
 * (conn_tls.c).
 */

#ifndef SOCKLINE_CONN_IO_H
#define SOCKLINE_CONN_IO_H

#include <sys/types.h>

#include <stddef.h>

struct conn_io;
struct config;

/* The two directions, for zcopy(). */
#define IO_SEND		0
#define IO_RECV		1

struct conn_io_ops {
	const char	*name;		/* "plain", "tls": for -vv */
	int		 (*handshake)(struct conn_io *);
	ssize_t		 (*read)(struct conn_io *, void *, size_t);
	ssize_t		 (*write)(struct conn_io *, const void *, size_t);
	int		 (*shutdown)(struct conn_io *);
	int		 (*pending)(const struct conn_io *);
	int		 (*zcopy)(const struct conn_io *, int);
	const char	*(*why)(const struct conn_io *, int);
	void		 (*close)(struct conn_io *);
};

struct conn_io {
	const struct conn_io_ops *ops;
	int			 fd;
	void			*ctx;		/* the layer's state: an SSL */
	int			 rd_wait;	/* a read waits for these */
	int			 wr_wait;	/* a write (or end) for these */
	int			 reset_ok;	/* a reset now loses nothing */
};

/* conn_io.c: what every layer shares. */
void		 conn_io_plain(struct conn_io *, int);
int		 conn_io_events(const struct conn_io *, int);
int		 conn_io_ready(const struct conn_io *, int, int);
int		 conn_io_pending_error(const struct conn_io *);
int		 conn_io_unacked(const struct conn_io *);
const char	*conn_io_strerror(const struct conn_io *, int);
const char	*conn_io_reason(const char *, int);
void		 conn_io_close_fd(struct conn_io *);

/*
 * conn_tls.c: TLS over a socket (design item 19).  conn_tls_new() makes
 * the layer (server: the listener's side) on io->fd; label names the
 * peer in messages.  NULL ctx: no TLS in this run.  -1 with a message
 * in err.
 */
int		 conn_tls_start(const struct config *, char *, size_t);
void		 conn_tls_end(void);
int		 conn_tls_new(struct conn_io *, const struct config *, int,
		    const char *, const char *, char *, size_t);
void		 conn_tls_report(const struct conn_io *, const struct config *,
		    const char *);
void		 conn_tls_setenv(const struct conn_io *);
int		 conn_tls_ready(const struct config *, char *, size_t);
int		 conn_tls_lines(const struct conn_io *, const struct config *,
		    int, void (*)(void *, const char *), void *);
int		 conn_tls_proxy_start(const struct config *, char *, size_t);
int		 conn_tls_proxy_new(struct conn_io *, const struct config *,
		    const char *, char *, size_t);

/* conn_stls.c: STARTTLS's dialogue, then TLS, as one handshake. */
struct peer;
int		 conn_stls_new(struct conn_io *, const struct config *, int,
		    int, int, const char *, const char *, const struct peer *,
		    const char *, char *, size_t);

#endif /* SOCKLINE_CONN_IO_H */
