/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the tls_*.c files share among themselves.  This header includes
 * OpenSSL's, so only tls_*.c may include it; the rest of the program
 * sees src/tls.h alone.
 */

#ifndef SOCKLINE_TLS_INT_H
#define SOCKLINE_TLS_INT_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stddef.h>

struct config;

/* "AB:CD:..." for 32 bytes, and its NUL. */
#define TLS_FPR_LEN	(32 * 3)
/* Base64 of 32 bytes (44), and its NUL. */
#define TLS_PIN_LEN	45

/*
 * What callbacks need, kept with the SSL_CTX (freed with it): the run's
 * config (for the pin) and the listener's ALPN list in wire format.
 */
struct tls_ctxdata {
	const struct config	*cfg;
	unsigned char		*alpn;
	unsigned int		 alpn_len;
};
struct tls_ctxdata *tls_ctxdata(const SSL_CTX *);
/* The name or IP a client checks, for the failure message; NULL if
 * none (a listener, a pin, --insecure, -U without --tls-name). */
const char	*tls_checked_name(const SSL *);
/* The peer's leaf when its verification failed (else NULL). */
X509		*tls_failed_leaf(const SSL *);

int		 tls_set_checked_name(SSL *, const char *);
/* Verify callbacks keep the leaf, at the first error. */
void		 tls_keep_leaf(X509_STORE_CTX *);
/* "--tls-ca FILE: reason", from errno or OpenSSL's queue; -1. */
int		 tls_check_path(const char *, const char *, int, char *,
		    size_t);
int		 tls_ssl_fail(const char *, const char *, char *, size_t);

/* tls_trust.c: verification, each side's. */
int		 tls_client_trust(SSL_CTX *, const struct config *, char *,
		    size_t);
int		 tls_server_trust(SSL_CTX *, const struct config *, char *,
		    size_t);

/* tls_proto.c: ALPN and cipher lists. */
int		 tls_set_alpn(SSL_CTX *, const struct config *, int, char *,
		    size_t);
int		 tls_set_ciphers(SSL_CTX *, const char *, char *, size_t);

/* tls_cert.c: the listener's generated certificate. */
int		 tls_gen_cert(SSL_CTX *, const struct config *, char *,
		    size_t);

/* tls_keylog.c: --tls-keylog, SSLKEYLOGFILE. */
int		 tls_keylog(SSL_CTX *, const struct config *, char *, size_t);

/* tls_x509.c: words for certificates. */
void		 tls_subject(const X509_NAME *, char *, size_t);
void		 tls_fingerprint(const X509 *, int, char *, size_t);
int		 tls_spki_sha256(X509 *, unsigned char[32]);
void		 tls_spki_pin(X509 *, char *, size_t);
void		 tls_time(const ASN1_TIME *, char *, size_t);
const char	*tls_err_reason(unsigned long, char *, size_t);

#endif /* SOCKLINE_TLS_INT_H */
