/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The prompt's /tls and /cert (design item 19): a TLS session and the
 * peer's certificates in words, one field a line, in the terms other
 * tools use (OpenSSL's version and cipher names, as python's ssl and
 * `openssl s_client` print them; the pin as --tls-pin takes it).
 */

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sockline.h"
#include "tls.h"
#include "tls_int.h"

typedef void	 line_fn(void *, const char *);

static void	 say(line_fn *, void *, const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/* "  name       value": the names line up. */
static void
say(line_fn *line, void *arg, const char *name, const char *fmt, ...)
{
	va_list	ap;
	char	value[1024], buf[1100];

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	snprintf(buf, sizeof(buf), "  %-12s %s", name, value);
	line(arg, buf);
}

/* How far the peer was checked, from our side. */
static void
verification(const struct config *cfg, const SSL *ssl, char *out,
    size_t outlen)
{
	X509		*peer = SSL_get0_peer_certificate(ssl);
	long		 v = SSL_get_verify_result(ssl);
	const char	*name = tls_checked_name(ssl);

	if (SSL_is_server(ssl)) {
		if (peer == NULL)
			snprintf(out, outlen, "no client certificate");
		else if (v == X509_V_OK)
			snprintf(out, outlen, "client certificate verified");
		else
			snprintf(out, outlen, "client certificate not "
			    "verified: %s", X509_verify_cert_error_string(v));
	} else if (cfg->tls_pin != NULL)
		snprintf(out, outlen, "pinned (--tls-pin): the key matches");
	else if (cfg->insecure)
		snprintf(out, outlen, "not verified (--insecure)%s%s",
		    v != X509_V_OK ? ": " : "", v != X509_V_OK ?
		    X509_verify_cert_error_string(v) : "");
	else if (v == X509_V_OK)
		snprintf(out, outlen, "verified%s%s", name != NULL ?
		    " for " : "", name != NULL ? name : "");
	else
		snprintf(out, outlen, "failed: %s",
		    X509_verify_cert_error_string(v));
}

void
tls_session_lines(const struct config *cfg, struct ssl_st *ssl,
    line_fn *line, void *arg)
{
	const unsigned char	*alpn;
	unsigned int		 alpnlen;
	const char		*sni;
	char			 how[512];
	int			 ktx, krx;

	say(line, arg, "version", "%s", SSL_get_version(ssl));
	say(line, arg, "cipher", "%s (%d bits)", SSL_get_cipher_name(ssl),
	    SSL_get_cipher_bits(ssl, NULL));
	SSL_get0_alpn_selected(ssl, &alpn, &alpnlen);
	say(line, arg, "ALPN", "%.*s", alpnlen > 0 ? (int)alpnlen : 4,
	    alpnlen > 0 ? (const char *)alpn : "none");
	sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	say(line, arg, "SNI", "%s%s", sni != NULL ? sni : "none",
	    SSL_is_server(ssl) ? " (the client asked for)" : "");
	say(line, arg, "resumed", "%s", SSL_session_reused(ssl) ? "yes" :
	    "no");
	verification(cfg, ssl, how, sizeof(how));
	say(line, arg, "peer", "%s", how);
	ktx = BIO_get_ktls_send(SSL_get_wbio(ssl)) > 0;
	krx = BIO_get_ktls_recv(SSL_get_rbio(ssl)) > 0;
	say(line, arg, "kTLS", "%s", ktx && krx ? "yes, both ways" : ktx ?
	    "sending only" : krx ? "receiving only" : "no (user space)");
}

/* "DNS:a, IP:127.0.0.1, ..." */
static void
sans(X509 *x, char *out, size_t outlen)
{
	GENERAL_NAMES		*names;
	const GENERAL_NAME	*g;
	const unsigned char	*d;
	char			 ip[INET6_ADDRSTRLEN];
	size_t			 o = 0;
	int			 i, len;

	snprintf(out, outlen, "none");
	if ((names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL)) == NULL)
		return;
	for (i = 0; i < sk_GENERAL_NAME_num(names) && o + 1 < outlen; i++) {
		g = sk_GENERAL_NAME_value(names, i);
		len = 0;
		if (g->type == GEN_DNS || g->type == GEN_EMAIL ||
		    g->type == GEN_URI) {
			d = ASN1_STRING_get0_data(g->d.ia5);
			len = snprintf(out + o, outlen - o, "%s%s:%.*s",
			    o > 0 ? ", " : "", g->type == GEN_DNS ? "DNS" :
			    g->type == GEN_EMAIL ? "email" : "URI",
			    ASN1_STRING_length(g->d.ia5), (const char *)d);
		} else if (g->type == GEN_IPADD) {
			d = ASN1_STRING_get0_data(g->d.ip);
			if (inet_ntop(ASN1_STRING_length(g->d.ip) == 16 ?
			    AF_INET6 : AF_INET, d, ip, sizeof(ip)) == NULL)
				continue;
			len = snprintf(out + o, outlen - o, "%sIP:%s",
			    o > 0 ? ", " : "", ip);
		}
		if (len > 0)
			o += (size_t)len < outlen - o ? (size_t)len :
			    outlen - o - 1;
	}
	GENERAL_NAMES_free(names);
}

/* "EC P-256 (256 bits)", "RSA (2048 bits)". */
static void
key_words(X509 *x, char *out, size_t outlen)
{
	EVP_PKEY	*pk = X509_get0_pubkey(x);
	const char	*type, *nist = NULL;
	char		 group[64] = "";
	size_t		 glen;

	if (pk == NULL) {
		snprintf(out, outlen, "unknown");
		return;
	}
	type = EVP_PKEY_get0_type_name(pk);
	if (EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) == 1)
		nist = EC_curve_nid2nist(OBJ_sn2nid(group));
	snprintf(out, outlen, "%s%s%s (%d bits)", type != NULL ? type : "?",
	    group[0] != '\0' ? " " : "", nist != NULL ? nist : group,
	    EVP_PKEY_get_bits(pk));
}

static void
validity(X509 *x, char *out, size_t outlen)
{
	char	from[64], until[64];
	int	days = 0, secs = 0;

	tls_time(X509_get0_notBefore(x), from, sizeof(from));
	tls_time(X509_get0_notAfter(x), until, sizeof(until));
	ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x));
	if (days < 0 || secs < 0)
		snprintf(out, outlen, "%s to %s (expired %d day%s ago)", from,
		    until, -days, days == -1 ? "" : "s");
	else
		snprintf(out, outlen, "%s to %s (expires in %d day%s)", from,
		    until, days, days == 1 ? "" : "s");
}

static void
cert_block(X509 *x, int depth, line_fn *line, void *arg)
{
	char	buf[1024], head[64];

	snprintf(head, sizeof(head), "certificate %d%s", depth, depth == 0 ?
	    " (the peer's own)" : "");
	line(arg, head);
	tls_subject(X509_get_subject_name(x), buf, sizeof(buf));
	say(line, arg, "subject", "%s", buf);
	tls_subject(X509_get_issuer_name(x), buf, sizeof(buf));
	say(line, arg, "issuer", "%s", buf);
	validity(x, buf, sizeof(buf));
	say(line, arg, "valid", "%s", buf);
	sans(x, buf, sizeof(buf));
	say(line, arg, "SANs", "%s", buf);
	key_words(x, buf, sizeof(buf));
	say(line, arg, "key", "%s", buf);
	say(line, arg, "signature", "%s",
	    OBJ_nid2ln(X509_get_signature_nid(x)));
	tls_fingerprint(x, 1, buf, sizeof(buf));
	say(line, arg, "SHA-256", "%s", buf);
	tls_spki_pin(x, buf, sizeof(buf));
	say(line, arg, "pin", "%s", buf);
}

/* The chain as the peer sent it, its own certificate first. */
void
tls_cert_lines(struct ssl_st *ssl, line_fn *line, void *arg)
{
	STACK_OF(X509)	*chain = SSL_get_peer_cert_chain(ssl);
	X509		*x, *peer = SSL_get0_peer_certificate(ssl);
	int		 i, depth = 0;

	if (peer == NULL) {
		line(arg, "  the peer sent no certificate");
		return;
	}
	cert_block(peer, depth++, line, arg);
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
		x = sk_X509_value(chain, i);
		if (X509_cmp(x, peer) != 0)
			cert_block(x, depth++, line, arg);
	}
}
