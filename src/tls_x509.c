/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Certificates and OpenSSL errors in words: a subject on one line, the
 * SHA-256 fingerprint the way browsers and `openssl x509 -fingerprint`
 * show it, the public-key pin the way curl's --pinnedpubkey takes it.
 */

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <string.h>

#include "tls_int.h"

/* One line, RFC 2253 ("CN=host,O=Org"): what people paste into configs. */
void
tls_subject(const X509_NAME *name, char *out, size_t outlen)
{
	BIO	*b;
	int	 n;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (name == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(b, out, (int)(outlen - 1))) > 0)
		out[n] = '\0';
	BIO_free(b);
	if (out[0] == '\0')
		snprintf(out, outlen, "(empty subject)");
}

static void
hex(const unsigned char *p, size_t n, int colons, char *out, size_t outlen)
{
	static const char	 upper[] = "0123456789ABCDEF";
	static const char	 lower[] = "0123456789abcdef";
	const char		*digits = colons ? upper : lower;
	size_t			 i, o = 0;

	for (i = 0; i < n && o + 3 < outlen; i++) {
		if (colons && i > 0)
			out[o++] = ':';
		out[o++] = digits[p[i] >> 4];
		out[o++] = digits[p[i] & 15];
	}
	if (outlen > 0)
		out[o < outlen ? o : outlen - 1] = '\0';
}

/*
 * The SHA-256 of the whole certificate: "AB:CD:..." with colons (for
 * people), lower-case hex without them (for programs' environment).
 */
void
tls_fingerprint(const X509 *x, int colons, char *out, size_t outlen)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	n = 0;

	if (outlen > 0)
		out[0] = '\0';
	if (x != NULL && X509_digest(x, EVP_sha256(), md, &n) == 1)
		hex(md, n, colons, out, outlen);
}

/* SHA-256 of the DER SubjectPublicKeyInfo: it survives a re-issue with
 * the same key, which is why curl and HPKP pin it.  0 on success. */
int
tls_spki_sha256(X509 *x, unsigned char md[32])
{
	unsigned char	*der = NULL;
	unsigned int	 mdlen = 0;
	int		 len, rc;

	if (x == NULL ||
	    (len = i2d_PUBKEY(X509_get0_pubkey(x), &der)) <= 0)
		return -1;
	rc = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
	OPENSSL_free(der);
	return rc == 1 && mdlen == 32 ? 0 : -1;
}

/* "sha256:BASE64", ready to paste after --tls-pin. */
void
tls_spki_pin(X509 *x, char *out, size_t outlen)
{
	unsigned char	md[32], b64[TLS_PIN_LEN];

	if (outlen > 0)
		out[0] = '\0';
	if (tls_spki_sha256(x, md) == 0 &&
	    EVP_EncodeBlock(b64, md, sizeof(md)) > 0)
		snprintf(out, outlen, "sha256:%s", (char *)b64);
}

/* "2026-12-26 14:00:00Z": sortable, unlike "Dec 26 14:00:00 2026 GMT". */
void
tls_time(const ASN1_TIME *t, char *out, size_t outlen)
{
	BIO	*b;
	int	 n;

	if (outlen == 0)
		return;
	snprintf(out, outlen, "?");
	if (t == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (ASN1_TIME_print_ex(b, t, ASN1_DTFLGS_ISO8601) == 1 &&
	    (n = BIO_read(b, out, (int)(outlen - 1))) > 0)
		out[n] = '\0';
	BIO_free(b);
}

/*
 * The reason part of one queued error ("unsupported protocol"), never
 * the library:function:file:line dump around it.  A system error is
 * its errno's words.
 */
const char *
tls_err_reason(unsigned long e, char *buf, size_t buflen)
{
	const char	*r, *colon;

	if (ERR_SYSTEM_ERROR(e))
		return strerror(ERR_GET_REASON(e));
	if ((r = ERR_reason_error_string(e)) != NULL)
		return r;
	ERR_error_string_n(e, buf, buflen);
	if ((colon = strrchr(buf, ':')) != NULL)
		return colon + 1;
	return buf;
}
