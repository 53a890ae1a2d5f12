/*
 * The run's SSL_CTX (design item 19) and each connection's SSL: trust,
 * certificates, versions, ALPN and ciphers from the command line, made
 * once at start-up so that a bad file is an error before any socket.
 */

#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
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

/*
 * OpenSSL 3.0 drops the peer's certificate when its verification fails,
 * yet the message must name it: keep the leaf at the first error.
 */
static void
keep_leaf(X509_STORE_CTX *sctx)
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

static int
verify_cb(int ok, X509_STORE_CTX *sctx)
{
	if (!ok)
		keep_leaf(sctx);
	return ok;
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
static int
check_path(const char *opt, const char *path, int dir_ok, char *err,
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
static int
ssl_fail(const char *opt, const char *path, char *err, size_t errlen)
{
	char	buf[256];

	snprintf(err, errlen, "%s %s: %s", opt, path,
	    tls_err_reason(ERR_peek_error(), buf, sizeof(buf)));
	ERR_clear_error();
	return -1;
}

/*
 * A pin replaces the CA and name checks (design item 19): the chain is
 * not built at all, the leaf's public key is the whole test.  The error
 * code left behind tells tls_fail_reason it was the pin.
 */
static int
pin_verify(X509_STORE_CTX *sctx, void *arg)
{
	struct tls_ctxdata	*d = arg;
	unsigned char		 md[32];
	X509			*leaf = X509_STORE_CTX_get0_cert(sctx);

	if (tls_spki_sha256(leaf, md) == 0 &&
	    CRYPTO_memcmp(md, d->cfg->tls_pin_sha256, sizeof(md)) == 0) {
		X509_STORE_CTX_set_error(sctx, X509_V_OK);
		return 1;
	}
	keep_leaf(sctx);
	X509_STORE_CTX_set_current_cert(sctx, leaf);
	X509_STORE_CTX_set_error(sctx, X509_V_ERR_APPLICATION_VERIFICATION);
	return 0;
}

static int
client_trust(SSL_CTX *ctx, const struct config *cfg, char *err,
    size_t errlen)
{
	struct stat	st;

	if (cfg->tls_pin != NULL) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_cert_verify_callback(ctx, pin_verify,
		    tls_ctxdata(ctx));
		return 0;
	}
	if (cfg->insecure) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	if (cfg->tls_ca == NULL) {
		if (SSL_CTX_set_default_verify_paths(ctx) != 1)
			return ssl_fail("the system trust store", "", err,
			    errlen);
		return 0;
	}
	if (check_path("--tls-ca", cfg->tls_ca, 1, err, errlen) == -1)
		return -1;
	if (stat(cfg->tls_ca, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* A hashed directory (c_rehash) is read lazily, per lookup. */
		if (SSL_CTX_load_verify_dir(ctx, cfg->tls_ca) != 1)
			return ssl_fail("--tls-ca", cfg->tls_ca, err, errlen);
	} else if (SSL_CTX_load_verify_file(ctx, cfg->tls_ca) != 1)
		return ssl_fail("--tls-ca", cfg->tls_ca, err, errlen);
	return 0;
}

/* Client certificates, only from --tls-client-ca's CA, whose names the
 * listener sends so that a client with several knows which to give. */
static int
server_trust(SSL_CTX *ctx, const struct config *cfg, char *err,
    size_t errlen)
{
	STACK_OF(X509_NAME)	*names;
	const char		*ca = cfg->tls_client_ca;

	/* Without it, a client resuming a session fails its handshake. */
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"sockline",
	    8);
	if (ca == NULL)
		return 0;
	if (check_path("--tls-client-ca", ca, 0, err, errlen) == -1)
		return -1;
	if (SSL_CTX_load_verify_file(ctx, ca) != 1 ||
	    (names = SSL_load_client_CA_file(ca)) == NULL)
		return ssl_fail("--tls-client-ca", ca, err, errlen);
	SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	return 0;
}

/* PEM; the chain may follow the certificate, the key may sit with it. */
static int
load_cert(SSL_CTX *ctx, const struct config *cfg, char *err, size_t errlen)
{
	const char	*cert = cfg->tls_cert;
	const char	*key = cfg->tls_key != NULL ? cfg->tls_key : cert;
	int		 key_encrypted = 0;

	if (check_path("--tls-cert", cert, 0, err, errlen) == -1 ||
	    (cfg->tls_key != NULL &&
	    check_path("--tls-key", key, 0, err, errlen) == -1))
		return -1;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		return ssl_fail("--tls-cert", cert, err, errlen);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, &key_encrypted);
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ERR_clear_error();
		SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
		if (key_encrypted)
			snprintf(err, errlen, "%s %s: the key is encrypted; "
			    "give it unencrypted", cfg->tls_key != NULL ?
			    "--tls-key" : "--tls-cert", key);
		else if (cfg->tls_key == NULL)
			snprintf(err, errlen, "--tls-cert %s: no private key "
			    "in it; give --tls-key FILE", cert);
		else
			snprintf(err, errlen, "--tls-key %s: no private key "
			    "in it", key);
		return -1;
	}
	SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "the key in %s does not match the "
		    "certificate in %s", key, cert);
		return -1;
	}
	return 0;
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
	if (cfg->tls_cert != NULL) {
		if (load_cert(ctx, cfg, err, errlen) == -1)
			goto fail;
	} else if (server && tls_gen_cert(ctx, cfg, err, errlen) == -1)
		goto fail;
	if ((server ? server_trust : client_trust)(ctx, cfg, err, errlen) ==
	    -1)
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

/* An IP literal, its zone ("%eth0") cut off into buf; else NULL. */
static const char *
ip_literal(const char *name, char *buf, size_t buflen)
{
	unsigned char	a[16];
	size_t		n = strcspn(name, "%");

	if (n >= buflen)
		return NULL;
	memcpy(buf, name, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, a) == 1 || inet_pton(AF_INET6, buf, a) == 1)
		return buf;
	return NULL;
}

struct ssl_st *
tls_ssl_new(struct ssl_ctx_st *ctx, const struct config *cfg, int server,
    const char *name, char *err, size_t errlen)
{
	SSL		*ssl;
	char		 ipbuf[64], buf[256];
	const char	*ip;
	char		*copy = NULL;
	int		 check = cfg->tls_pin == NULL && !cfg->insecure;

	if ((ssl = SSL_new(ctx)) == NULL) {
		snprintf(err, errlen, "cannot start TLS: %s",
		    tls_err_reason(ERR_peek_error(), buf, sizeof(buf)));
		ERR_clear_error();
		return NULL;
	}
	if (server) {
		SSL_set_accept_state(ssl);
		return ssl;
	}
	SSL_set_connect_state(ssl);
	if (cfg->tls_name != NULL)
		name = cfg->tls_name;
	if (name == NULL) {
		if (!check)
			return ssl;
		snprintf(err, errlen, "no name to check the certificate "
		    "against: give --tls-name NAME, --tls-pin or --insecure");
		goto fail;
	}
	/* RFC 6066: SNI carries DNS names only, never an address. */
	ip = ip_literal(name, ipbuf, sizeof(ipbuf));
	if (ip == NULL && SSL_set_tlsext_host_name(ssl, name) != 1) {
		snprintf(err, errlen, "%s: not a name to send as SNI", name);
		goto fail;
	}
	if (!check)
		return ssl;
	if ((copy = strdup(ip != NULL ? ip : name)) == NULL ||
	    SSL_set_ex_data(ssl, name_idx, copy) != 1) {
		free(copy);
		snprintf(err, errlen, "cannot start TLS: out of memory");
		goto fail;
	}
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (ip != NULL ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
	    ip) != 1 : SSL_set1_host(ssl, name) != 1) {
		snprintf(err, errlen, "%s: not a name to check a certificate "
		    "against", name);
		goto fail;
	}
	return ssl;
fail:
	ERR_clear_error();
	SSL_free(ssl);
	return NULL;
}
