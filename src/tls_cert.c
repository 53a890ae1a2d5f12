/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A listener without --tls-cert makes its own certificate (design item
 * 19): an ECDSA P-256 key, which takes a millisecond where RSA-2048
 * takes a tenth of a second or more, and a self-signed X.509 v3
 * certificate for the names a local client would use.  It is its own
 * CA (CA:TRUE, keyCertSign), so the PEM that --tls-cert-out writes is
 * what a client gives to --tls-ca, and verification stays on in tests.
 */

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sockline.h"
#include "tls_int.h"

/* Valid an hour back (clocks differ a little) and a month ahead. */
#define CERT_BACK_SECS	3600L
#define CERT_DAYS	30

/* A SAN entry: an IP address if the text is one, else a DNS name. */
static int
add_name(GENERAL_NAMES *gens, const char *name)
{
	GENERAL_NAME		*g;
	ASN1_OCTET_STRING	*ip;
	ASN1_IA5STRING		*dns;

	if ((g = GENERAL_NAME_new()) == NULL)
		return -1;
	if ((ip = a2i_IPADDRESS(name)) != NULL)
		GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
	else {
		ERR_clear_error();
		if ((dns = ASN1_IA5STRING_new()) == NULL ||
		    ASN1_STRING_set(dns, name, -1) != 1) {
			ASN1_IA5STRING_free(dns);
			GENERAL_NAME_free(g);
			return -1;
		}
		GENERAL_NAME_set0_value(g, GEN_DNS, dns);
	}
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return -1;
	}
	return 0;
}

/*
 * The host listened on joins the usual three, unless it is one of them,
 * a wildcard address (no client dials "0.0.0.0"), or has a zone, which
 * no certificate can name.
 */
static const char *
extra_host(const struct config *cfg)
{
	const char	*h = cfg->host;
	unsigned char	 a[16] = { 0 }, zero[16] = { 0 };

	if (h == NULL || *h == '\0' || strchr(h, '%') != NULL ||
	    strcasecmp(h, "localhost") == 0)
		return NULL;
	if (inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1) {
		if (memcmp(a, zero, sizeof(a)) == 0 ||
		    strcmp(h, "127.0.0.1") == 0)
			return NULL;
		/* "::1" spelled otherwise ("0::1") is still ::1. */
		if (memcmp(a, zero, 15) == 0 && a[15] == 1 &&
		    strchr(h, ':') != NULL)
			return NULL;
	}
	return h;
}

static int
add_ext(X509 *x, X509V3_CTX *v, int nid, const char *value)
{
	X509_EXTENSION	*ext;
	int		 rc;

	if ((ext = X509V3_EXT_conf_nid(NULL, v, nid, value)) == NULL)
		return -1;
	rc = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return rc == 1 ? 0 : -1;
}

static int
build(X509 *x, EVP_PKEY *key, const char *host)
{
	X509V3_CTX	 v;
	X509_NAME	*name;
	GENERAL_NAMES	*gens;
	BIGNUM		*bn;
	unsigned char	 serial[16];
	int		 rc;

	/* A random positive serial: two runs' certificates never clash in
	 * a client's cache or store. */
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		return -1;
	serial[0] = (serial[0] & 0x7f) | 0x40;
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL)
		return -1;
	rc = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	if (!rc || X509_set_version(x, X509_VERSION_3) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -CERT_BACK_SECS) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), CERT_DAYS * 86400L) ==
	    NULL || X509_set_pubkey(x, key) != 1)
		return -1;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"sockline", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1)
		return -1;

	X509V3_set_ctx(&v, x, x, NULL, NULL, 0);
	if (add_ext(x, &v, NID_basic_constraints, "critical,CA:TRUE") ||
	    add_ext(x, &v, NID_key_usage,
	    "critical,digitalSignature,keyCertSign") ||
	    add_ext(x, &v, NID_subject_key_identifier, "hash"))
		return -1;
	/* Built as a list, not a config string: a host is never parsed. */
	if ((gens = sk_GENERAL_NAME_new_null()) == NULL)
		return -1;
	rc = add_name(gens, "localhost") == 0 &&
	    add_name(gens, "127.0.0.1") == 0 && add_name(gens, "::1") == 0 &&
	    (host == NULL || add_name(gens, host) == 0) &&
	    X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT) == 1;
	GENERAL_NAMES_free(gens);
	if (!rc || X509_sign(x, key, EVP_sha256()) <= 0)
		return -1;
	return 0;
}

/* --tls-cert-out: the PEM, replaced whole (design item 15, mode 0644). */
static int
write_out(X509 *x, const char *path, char *err, size_t errlen)
{
	BIO	*b;
	char	*pem;
	char	 why[512];
	long	 len;
	int	 rc = -1;

	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509(b, x) != 1 ||
	    (len = BIO_get_mem_data(b, &pem)) <= 0)
		snprintf(err, errlen, "--tls-cert-out %s: cannot encode the "
		    "certificate", path);
	else if ((rc = fsafe_replace(path, pem, (size_t)len, 0644, why,
	    sizeof(why))) == -1)
		snprintf(err, errlen, "--tls-cert-out %s", why);
	BIO_free(b);
	return rc;
}

int
tls_gen_cert(SSL_CTX *ctx, const struct config *cfg, char *err,
    size_t errlen)
{
	EVP_PKEY	*key;
	X509		*x = NULL;
	const char	*host = extra_host(cfg);
	char		 fpr[TLS_FPR_LEN], ebuf[256];
	int		 rc = -1;

	if ((key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL ||
	    build(x, key, host) == -1 ||
	    SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		snprintf(err, errlen, "cannot make a TLS certificate: %s",
		    tls_err_reason(ERR_peek_error(), ebuf, sizeof(ebuf)));
		goto out;
	}
	tls_fingerprint(x, 1, fpr, sizeof(fpr));
	msg_verbose(cfg, 1, "TLS certificate generated for localhost, "
	    "127.0.0.1, ::1%s%s: SHA-256 %s", host != NULL ? ", " : "",
	    host != NULL ? host : "", fpr);
	if (cfg->tls_cert_out != NULL &&
	    write_out(x, cfg->tls_cert_out, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}
