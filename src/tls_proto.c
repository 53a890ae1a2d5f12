/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --tls-alpn and --tls-ciphers: lists people type with commas, turned
 * into what OpenSSL takes.
 */

#include <openssl/ssl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"
#include "tls_int.h"

/* "h2,http/1.1" in ALPN's wire format: each name after its length. */
static unsigned char *
alpn_wire(const char *list, unsigned int *lenp, char *err, size_t errlen)
{
	unsigned char	*w;
	const char	*p, *e;
	size_t		 n, o = 0;

	if ((w = malloc(strlen(list) + 1)) == NULL) {
		snprintf(err, errlen, "--tls-alpn: out of memory");
		return NULL;
	}
	for (p = list;; p = e + 1) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n > 255) {
			snprintf(err, errlen, "--tls-alpn %s: %s", list,
			    n == 0 ? "an empty protocol name" :
			    "a protocol name over 255 bytes");
			free(w);
			return NULL;
		}
		w[o++] = (unsigned char)n;
		memcpy(w + o, p, n);
		o += n;
		if (e == NULL)
			break;
	}
	*lenp = (unsigned int)o;
	return w;
}

/*
 * The listener picks the first protocol of its own list that the client
 * offered.  With none in common it answers without ALPN rather than with
 * RFC 7301's no_application_protocol alert: a test server should let
 * the client decide whether that matters, and -v shows "ALPN none".
 */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	struct tls_ctxdata	*d = arg;
	unsigned int		 i, j;

	(void)ssl;
	for (i = 0; i < d->alpn_len; i += 1 + d->alpn[i]) {
		for (j = 0; j < inlen; j += 1 + in[j]) {
			if (j + 1 + in[j] > inlen)
				break;
			if (in[j] == d->alpn[i] &&
			    memcmp(in + j + 1, d->alpn + i + 1, in[j]) == 0) {
				*out = in + j + 1;
				*outlen = in[j];
				return SSL_TLSEXT_ERR_OK;
			}
		}
	}
	return SSL_TLSEXT_ERR_NOACK;
}

int
tls_set_alpn(SSL_CTX *ctx, const struct config *cfg, int server, char *err,
    size_t errlen)
{
	struct tls_ctxdata	*d = tls_ctxdata(ctx);
	unsigned char		*w;
	unsigned int		 len;

	if (cfg->tls_alpn == NULL)
		return 0;
	if ((w = alpn_wire(cfg->tls_alpn, &len, err, errlen)) == NULL)
		return -1;
	if (server) {
		d->alpn = w;
		d->alpn_len = len;
		SSL_CTX_set_alpn_select_cb(ctx, alpn_select, d);
		return 0;
	}
	/* 0 is success here, unlike the rest of the library. */
	if (SSL_CTX_set_alpn_protos(ctx, w, len) != 0) {
		snprintf(err, errlen, "--tls-alpn %s: cannot be set",
		    cfg->tls_alpn);
		free(w);
		return -1;
	}
	free(w);
	return 0;
}

/* TLS 1.3 suites are spelled the IANA way ("TLS_AES_128_GCM_SHA256");
 * TLS 1.2 ciphers OpenSSL's way ("ECDHE-RSA-AES128-GCM-SHA256"). */
static int
is_tls13_suite(const char *name)
{
	return strncmp(name, "TLS_", 4) == 0 && strstr(name, "_WITH_") == NULL;
}

/*
 * One list for both versions, split by name: TLS 1.3 suites go to
 * set_ciphersuites, the rest to set_cipher_list.  Each part restricts
 * only its own version, so "TLS_AES_256_GCM_SHA384" alone leaves TLS 1.2
 * its defaults (--tls-min 1.3 rules 1.2 out).  A bad 1.3 name is named;
 * a 1.2 part is an error only when it selects nothing, as in OpenSSL.
 */
int
tls_set_ciphers(SSL_CTX *ctx, const char *list, char *err, size_t errlen)
{
	char	*copy, *v12, *v13, *tok, *save;
	size_t	 n;
	int	 rc = -1;

	n = strlen(list) + 1;
	copy = strdup(list);
	v12 = calloc(1, n);
	v13 = calloc(1, n);
	if (copy == NULL || v12 == NULL || v13 == NULL) {
		snprintf(err, errlen, "--tls-ciphers: out of memory");
		goto out;
	}
	for (tok = strtok_r(copy, ":, ", &save); tok != NULL;
	    tok = strtok_r(NULL, ":, ", &save)) {
		if (!is_tls13_suite(tok)) {
			if (*v12 != '\0')
				strcat(v12, ":");
			strcat(v12, tok);
			continue;
		}
		if (SSL_CTX_set_ciphersuites(ctx, tok) != 1) {
			snprintf(err, errlen, "--tls-ciphers: unknown TLS 1.3 "
			    "suite %s", tok);
			goto out;
		}
		if (*v13 != '\0')
			strcat(v13, ":");
		strcat(v13, tok);
	}
	if (*v12 == '\0' && *v13 == '\0') {
		snprintf(err, errlen, "--tls-ciphers: an empty list");
		goto out;
	}
	if (*v13 != '\0' && SSL_CTX_set_ciphersuites(ctx, v13) != 1) {
		snprintf(err, errlen, "--tls-ciphers %s: not accepted", v13);
		goto out;
	}
	if (*v12 != '\0' && SSL_CTX_set_cipher_list(ctx, v12) != 1) {
		snprintf(err, errlen, "--tls-ciphers: no TLS 1.2 cipher "
		    "matches %s", v12);
		goto out;
	}
	rc = 0;
out:
	free(copy);
	free(v12);
	free(v13);
	return rc;
}
