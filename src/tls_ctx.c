/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The run's SSL_CTX (design item 19): certificates, versions, ALPN,
 * ciphers and trust from the command line, made once at start-up so
 * that a bad file is an error before any socket; and what callbacks
 * and messages keep with the context and with each SSL.
 */

#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"
#include "tls.h"
#include "tls_int.h"

static int	ctx_idx = -1;		/* SSL_CTX: struct tls_ctxdata */
static int	name_idx = -1;		/* SSL: the name checked */
static int	leaf_idx = -1;		/* SSL: the leaf that failed */

static void
ctxdata_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	struct tls_ctxdata	*d = ptr;

	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	if (d != NULL)
		free(d->alpn);
	free(d);
}

static void
name_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	free(ptr);
}

static void
leaf_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	X509_free(ptr);
}

struct tls_ctxdata *
tls_ctxdata(const SSL_CTX *ctx)
{
	return SSL_CTX_get_ex_data(ctx, ctx_idx);
}

const char *
tls_checked_name(const SSL *ssl)
{
	return SSL_get_ex_data(ssl, name_idx);
}

X509 *
tls_failed_leaf(const SSL *ssl)
{
	return SSL_get_ex_data(ssl, leaf_idx);
}

int
tls_set_checked_name(SSL *ssl, const char *name)
{
	char	*copy;

	if ((copy = strdup(name)) == NULL)
		return -1;
	if (SSL_set_ex_data(ssl, name_idx, copy) != 1) {
		free(copy);
		return -1;
	}
	return 0;
}

/*
 * OpenSSL 3.0 drops the peer's certificate when its verification fails,
 * yet the message must name it: keep the leaf at the first error.
 */
void
tls_keep_leaf(X509_STORE_CTX *sctx)
{
	SSL	*ssl;
	X509	*leaf;

	ssl = X509_STORE_CTX_get_ex_data(sctx,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	leaf = X509_STORE_CTX_get0_cert(sctx);
	if (ssl == NULL || leaf == NULL || tls_failed_leaf(ssl) != NULL ||
	    X509_up_ref(leaf) != 1)
		return;
	if (SSL_set_ex_data(ssl, leaf_idx, leaf) != 1)
		X509_free(leaf);
}

/*
 * A password prompt would fight the readline prompt for the terminal,
 * and a test suite has nobody to type: encrypted keys are refused, and
 * flag at u lets the message say why.
 */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag;
	if (u != NULL)
		*(int *)u = 1;
	return -1;
}

/* OpenSSL says "system lib" for a missing file; errno says more. */
int
tls_check_path(const char *opt, const char *path, int dir_ok, char *err,
    size_t errlen)
{
	struct stat	st;
	int		fd;

	if (stat(path, &st) == -1) {
		snprintf(err, errlen, "%s %s: %s", opt, path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode) && !dir_ok) {
		snprintf(err, errlen, "%s %s: %s", opt, path, strerror(EISDIR));
		return -1;
	}
	if ((fd = open(path, O_RDONLY)) == -1) {
		snprintf(err, errlen, "%s %s: %s", opt, path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* "--tls-ca FILE: no certificate or crl found": the queue's first
 * reason, which names the cause; the ones after it name the callers. */
int
tls_ssl_fail(const char *opt, const char *path, char *err, size_t errlen)
{
	unsigned long	 e = ERR_peek_error();
	char		 buf[256];

	/* "no start line" means no PEM block of the kind looked for. */
	snprintf(err, errlen, "%s %s: %s", opt, path,
	    ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE ?
	    "no PEM certificate in it" : tls_err_reason(e, buf, sizeof(buf)));
	ERR_clear_error();
	return -1;
}

/* Whether the error queue holds that error; it is read through. */
static int
queued(int lib, int reason)
{
	unsigned long	e;
	int		found = 0;

	while ((e = ERR_get_error()) != 0)
		if (ERR_GET_LIB(e) == lib && ERR_GET_REASON(e) == reason)
			found = 1;
	return found;
}

/* PEM; the chain may follow the certificate, the key may sit with it. */
static int
load_cert(SSL_CTX *ctx, const struct config *cfg, char *err, size_t errlen)
{
	const char	*cert = cfg->tls_cert;
	const char	*key = cfg->tls_key != NULL ? cfg->tls_key : cert;
	int		 key_encrypted = 0, ok, mismatch;

	if (tls_check_path("--tls-cert", cert, 0, err, errlen) == -1 ||
	    (cfg->tls_key != NULL &&
	    tls_check_path("--tls-key", key, 0, err, errlen) == -1))
		return -1;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		return tls_ssl_fail("--tls-cert", cert, err, errlen);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, &key_encrypted);
	ok = SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1;
	SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
	/* Loading the key checks it against the certificate already. */
	mismatch = ok ? SSL_CTX_check_private_key(ctx) != 1 :
	    queued(ERR_LIB_X509, X509_R_KEY_VALUES_MISMATCH);
	ERR_clear_error();
	if (mismatch)
		snprintf(err, errlen, "the key in %s does not match the "
		    "certificate in %s", key, cert);
	else if (ok)
		return 0;
	else if (key_encrypted)
		snprintf(err, errlen, "%s %s: the key is encrypted; give it "
		    "unencrypted", cfg->tls_key != NULL ? "--tls-key" :
		    "--tls-cert", key);
	else if (cfg->tls_key == NULL)
		snprintf(err, errlen, "--tls-cert %s: no private key in it; "
		    "give --tls-key FILE", cert);
	else
		snprintf(err, errlen, "--tls-key %s: no private key in it",
		    key);
	return -1;
}

static int
set_versions(SSL_CTX *ctx, const struct config *cfg, char *err,
    size_t errlen)
{
	int	min = cfg->tls_min != 0 ? cfg->tls_min : TLS1_2_VERSION;

	if (cfg->tls_max != 0 && cfg->tls_max < min) {
		snprintf(err, errlen, "--tls-max 1.2 is below --tls-min %s",
		    cfg->tls_min != 0 ? "1.3" : "1.2 (the default)");
		return -1;
	}
	if (SSL_CTX_set_min_proto_version(ctx, min) != 1 ||
	    (cfg->tls_max != 0 &&
	    SSL_CTX_set_max_proto_version(ctx, cfg->tls_max) != 1)) {
		ERR_clear_error();
		snprintf(err, errlen, "--tls-min/--tls-max: not supported "
		    "by this OpenSSL");
		return -1;
	}
	return 0;
}

struct ssl_ctx_st *
tls_ctx_new(const struct config *cfg, int server, char *err, size_t errlen)
{
	struct tls_ctxdata	*d = NULL;
	SSL_CTX			*ctx;
	char			 buf[256];

	if (ctx_idx == -1) {
		ctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		    ctxdata_free);
		name_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    name_free);
		leaf_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    leaf_free);
	}
	if ((ctx = SSL_CTX_new(server ? TLS_server_method() :
	    TLS_client_method())) == NULL || (d = calloc(1, sizeof(*d))) ==
	    NULL || SSL_CTX_set_ex_data(ctx, ctx_idx, d) != 1) {
		snprintf(err, errlen, "cannot set up TLS: %s",
		    tls_err_reason(ERR_peek_error(), buf, sizeof(buf)));
		ERR_clear_error();
		free(d);
		SSL_CTX_free(ctx);
		return NULL;
	}
	d->cfg = cfg;
	/*
	 * Idle connections give their buffers back (RSS per idle client),
	 * a write may be retried from a moved buffer, and the kernel does
	 * the record layer (kTLS) where it can, silently not where not.
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	SSL_CTX_set_default_passwd_cb(ctx, no_password);
	if (set_versions(ctx, cfg, err, errlen) == -1 ||
	    (cfg->tls_ciphers != NULL &&
	    tls_set_ciphers(ctx, cfg->tls_ciphers, err, errlen) == -1) ||
	    tls_set_alpn(ctx, cfg, server, err, errlen) == -1)
		goto fail;
	if (cfg->tls_key != NULL && cfg->tls_cert == NULL) {
		snprintf(err, errlen, "--tls-key needs --tls-cert");
		goto fail;
	}
	if (cfg->tls_cert != NULL && cfg->tls_cert_out != NULL) {
		snprintf(err, errlen, "--tls-cert-out writes the generated "
		    "certificate: not with --tls-cert");
		goto fail;
	}
	if ((server ? tls_server_trust(ctx, cfg, err, errlen) :
	    tls_client_trust(ctx, cfg, err, errlen)) == -1 ||
	    tls_keylog(ctx, cfg, err, errlen) == -1)
		goto fail;
	/* Last: --tls-cert-out writes a file only for a start that works. */
	if (cfg->tls_cert != NULL) {
		if (load_cert(ctx, cfg, err, errlen) == -1)
			goto fail;
	} else if (server && tls_gen_cert(ctx, cfg, err, errlen) == -1)
		goto fail;
	ERR_clear_error();
	return ctx;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

void
tls_ctx_free(struct ssl_ctx_st *ctx)
{
	SSL_CTX_free(ctx);
}
