/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What an established TLS session is, for people (-v, -vv) and for the
 * programs of -e/-c (SOCKLINE_TLS_* variables, design item 19).
 */

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"
#include "tls.h"
#include "tls_int.h"

/* Room for a subject or an issuer on one line. */
#define NAME_LEN	256

/* "TLS 1.3" for people; OpenSSL's "TLSv1.3" stays for programs. */
static void
version_words(const SSL *ssl, char *out, size_t outlen)
{
	const char	*v = SSL_get_version(ssl);

	if (strncmp(v, "TLSv", 4) == 0)
		snprintf(out, outlen, "TLS %s", v + 4);
	else
		snprintf(out, outlen, "%s", v);
}

/* Who the peer is and how far we trust it, as the -v line ends. */
static void
peer_words(const struct config *cfg, const SSL *ssl, char *out,
    size_t outlen)
{
	X509		*peer = SSL_get0_peer_certificate(ssl);
	const char	*sni;
	char		 subj[NAME_LEN], asked[300];
	int		 ok = SSL_get_verify_result(ssl) == X509_V_OK;

	tls_subject(peer != NULL ? X509_get_subject_name(peer) : NULL, subj,
	    sizeof(subj));
	if (SSL_is_server(ssl)) {
		/* The name the client asked for: which site it thinks it
		 * reached, often the question when debugging a client. */
		sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
		snprintf(asked, sizeof(asked), "%s%s", sni != NULL ? "SNI " :
		    "no SNI", sni != NULL ? sni : "");
		if (peer == NULL)
			snprintf(out, outlen, "%s, no client certificate",
			    asked);
		else
			snprintf(out, outlen, "%s, client %s: %s", asked, ok ?
			    "verified" : "not verified", subj);
	} else if (peer == NULL)
		snprintf(out, outlen, "no server certificate");
	else if (cfg->tls_pin != NULL)
		snprintf(out, outlen, "pinned: %s", subj);
	else if (cfg->insecure)
		snprintf(out, outlen, "not verified (--insecure): %s", subj);
	else
		snprintf(out, outlen, "verified: %s", subj);
}

/* -vv: one line per certificate, leaf first. */
static void
chain_lines(const struct config *cfg, const SSL *ssl)
{
	STACK_OF(X509)	*chain;
	X509		*x, *peer = SSL_get0_peer_certificate(ssl);
	char		 subj[NAME_LEN], iss[NAME_LEN], until[64];
	char		 fpr[TLS_FPR_LEN];
	int		 i, n, depth = 0;

	/* What was proven when verified (up to the trust anchor), else
	 * what was sent; a server's view of a client lacks the leaf. */
	chain = SSL_get_verify_result(ssl) == X509_V_OK ?
	    SSL_get0_verified_chain(ssl) : NULL;
	if (chain == NULL || sk_X509_num(chain) == 0)
		chain = SSL_get_peer_cert_chain(ssl);
	n = chain != NULL ? sk_X509_num(chain) : 0;
	for (i = -1; i < n; i++) {
		if (i == -1) {
			x = peer;
		} else {
			x = sk_X509_value(chain, i);
			if (peer != NULL && X509_cmp(x, peer) == 0)
				continue;
		}
		if (x == NULL)
			continue;
		tls_subject(X509_get_subject_name(x), subj, sizeof(subj));
		tls_subject(X509_get_issuer_name(x), iss, sizeof(iss));
		tls_time(X509_get0_notAfter(x), until, sizeof(until));
		tls_fingerprint(x, 1, fpr, sizeof(fpr));
		msg_verbose(cfg, 2, "  %d: %s, issuer %s, until %s, SHA-256 %s",
		    depth++, subj, iss, until, fpr);
	}
}

void
tls_report(const struct config *cfg, struct ssl_st *ssl, const char *label)
{
	const unsigned char	*alpn;
	unsigned int		 alpnlen;
	char			 ver[32], proto[300], peer[NAME_LEN + 400];
	int			 ktx, krx;

	if (cfg->verbose < 1 || ssl == NULL)
		return;
	version_words(ssl, ver, sizeof(ver));
	SSL_get0_alpn_selected(ssl, &alpn, &alpnlen);
	if (alpnlen > 0)
		snprintf(proto, sizeof(proto), ", ALPN %.*s", (int)alpnlen,
		    (const char *)alpn);
	else if (cfg->tls_alpn != NULL)
		snprintf(proto, sizeof(proto), ", no ALPN");
	else
		proto[0] = '\0';
	peer_words(cfg, ssl, peer, sizeof(peer));
	msg_verbose(cfg, 1, "%s%s%s, %s%s, %s", label != NULL ? label : "",
	    label != NULL ? ": " : "", ver, SSL_get_cipher_name(ssl), proto,
	    peer);
	if (cfg->verbose < 2)
		return;
	/* Where the records are made: the kernel (kTLS) or OpenSSL. */
	ktx = BIO_get_ktls_send(SSL_get_wbio(ssl)) > 0;
	krx = BIO_get_ktls_recv(SSL_get_rbio(ssl)) > 0;
	msg_verbose(cfg, 2, "  records: %s", ktx && krx ? "kTLS both ways" :
	    ktx ? "kTLS sending, user space receiving" :
	    krx ? "kTLS receiving, user space sending" : "user space");
	chain_lines(cfg, ssl);
}

/*
 * Set, or unset so that nothing is inherited from sockline's own
 * environment: a program must never see another session's peer.
 */
static void
env(const char *name, const char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

void
tls_setenv(struct ssl_st *ssl)
{
	const unsigned char	*alpn;
	unsigned int		 alpnlen = 0;
	X509			*peer;
	char			 buf[256], subj[NAME_LEN], fpr[TLS_FPR_LEN];

	env("SOCKLINE_TLS_VERSION", ssl != NULL ? SSL_get_version(ssl) : NULL);
	env("SOCKLINE_TLS_CIPHER", ssl != NULL ? SSL_get_cipher_name(ssl) :
	    NULL);
	/* Empty, not unset, without ALPN: set -u scripts can test it. */
	if (ssl != NULL)
		SSL_get0_alpn_selected(ssl, &alpn, &alpnlen);
	snprintf(buf, sizeof(buf), "%.*s", (int)alpnlen,
	    alpnlen > 0 ? (const char *)alpn : "");
	env("SOCKLINE_TLS_ALPN", ssl != NULL ? buf : NULL);
	peer = ssl != NULL ? SSL_get0_peer_certificate(ssl) : NULL;
	if (peer != NULL) {
		tls_subject(X509_get_subject_name(peer), subj, sizeof(subj));
		tls_fingerprint(peer, 0, fpr, sizeof(fpr));
	}
	env("SOCKLINE_TLS_PEER_SUBJECT", peer != NULL ? subj : NULL);
	env("SOCKLINE_TLS_PEER_SHA256", peer != NULL ? fpr : NULL);
}
