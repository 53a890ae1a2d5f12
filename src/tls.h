/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * TLS for stream connections (design item 19), on OpenSSL 3.
 *
 * The seam between two halves: tls_ctx.c (and the files it owns) builds
 * the run's SSL_CTX from the config, makes each connection's SSL, and
 * turns OpenSSL's state into words; the connection I/O layer drives the
 * handshake and moves bytes.  Only tls_*.c include OpenSSL's headers;
 * everything else sees the opaque types below.
 */

#ifndef SOCKLINE_TLS_H
#define SOCKLINE_TLS_H

#include <stddef.h>

struct config;
struct ssl_ctx_st;
struct ssl_st;

/*
 * The one SSL_CTX of a run, made at start-up, before any socket.
 * server: for a listener.  Client: verification on unless --insecure or
 * a pin; the system trust store or --tls-ca.  Both: --tls-cert/--tls-key,
 * --tls-alpn, --tls-min/--tls-max (default min 1.2), --tls-ciphers.
 * Listener: --tls-client-ca; without --tls-cert a temporary ECDSA P-256
 * certificate is made for localhost, 127.0.0.1, ::1 and cfg->host, its
 * SHA-256 fingerprint printed with -v, and written with --tls-cert-out
 * (fsafe_replace, 0644 less the umask) before the port file exists.
 * The context sets SSL_MODE_RELEASE_BUFFERS (idle connections keep no
 * record buffers), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER and
 * SSL_OP_ENABLE_KTLS; partial writes are the I/O layer's choice.
 * Returns NULL with a one-line message (no "sockline: ") in err.
 */
struct ssl_ctx_st *tls_ctx_new(const struct config *, int, char *, size_t);
void		 tls_ctx_free(struct ssl_ctx_st *);

/*
 * One connection's SSL.  Client: name is the host operand (NULL for
 * -U); --tls-name overrides it.  SNI is sent for a DNS name, never for
 * an IP literal; the name or IP is checked against the certificate; a
 * pin replaces the CA and name checks.  NULL with a message in err.
 */
struct ssl_st	*tls_ssl_new(struct ssl_ctx_st *, const struct config *, int,
		    const char *, char *, size_t);

/*
 * Why a handshake or a TLS read/write failed, in one line: for a failed
 * verification the reason, the name checked, the leaf's subject and
 * SHA-256 fingerprint and the options that get past it; else OpenSSL's
 * reason string (never an error-queue dump), or strerror(saved_errno)
 * for a syscall error, or "connection closed during the TLS handshake".
 * The ints: SSL_get_error()'s value, then errno as it was after the
 * call (0 if none).  Clears the error queue.
 */
void		 tls_fail_reason(struct ssl_st *, const struct config *, int,
		    int, char *, size_t);

/* After a handshake: -v says version, cipher, ALPN, verified subject;
 * -vv the whole chain.  label names the peer, as in other -v lines. */
void		 tls_report(const struct config *, struct ssl_st *,
		    const char *);

/* In a child about to exec an -e/-c program: SOCKLINE_TLS_VERSION
 * ("TLSv1.3"), _CIPHER (OpenSSL's name), _ALPN (empty if none), and
 * with a peer certificate _PEER_SUBJECT (RFC 2253) and _PEER_SHA256
 * (lower-case hex, no colons); the others are unset, and NULL unsets
 * them all, so nothing is inherited from sockline's environment. */
void		 tls_setenv(struct ssl_st *);

/* tls_view.c: /tls (the session) and /cert (the peer's chain), a line
 * at a time through the callback. */
void		 tls_session_lines(const struct config *, struct ssl_st *,
		    void (*)(void *, const char *), void *);
void		 tls_cert_lines(struct ssl_st *, void (*)(void *, const char *),
		    void *);

#endif /* SOCKLINE_TLS_H */
