/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whom a connection trusts (design item 19): a client verifies the
 * server against the system store or --tls-ca, by the name or IP it
 * dialled, unless --insecure; a pin replaces all that; a listener with
 * --tls-client-ca verifies its clients.
 */

#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sockline.h"
#include "tls.h"
#include "tls_int.h"

static int
verify_cb(int ok, X509_STORE_CTX *sctx)
{
	if (!ok)
		tls_keep_leaf(sctx);
	return ok;
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
	tls_keep_leaf(sctx);
	X509_STORE_CTX_set_current_cert(sctx, leaf);
	X509_STORE_CTX_set_error(sctx, X509_V_ERR_APPLICATION_VERIFICATION);
	return 0;
}

int
tls_client_trust(SSL_CTX *ctx, const struct config *cfg, char *err,
    size_t errlen)
{
	struct stat	 st;
	const char	*ca = cfg->tls_ca;

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
	if (ca == NULL) {
		/* SSL_CERT_FILE and SSL_CERT_DIR may point elsewhere. */
		if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
			ERR_clear_error();
			snprintf(err, errlen, "cannot read the system's "
			    "trusted certificates");
			return -1;
		}
		return 0;
	}
	if (tls_check_path(cfg->tls_for_proxy ? "--proxy-ca" : "--tls-ca",
	    ca, 1, err, errlen) == -1)
		return -1;
	/* A hashed directory (c_rehash) is read lazily, per lookup. */
	if ((stat(ca, &st) == 0 && S_ISDIR(st.st_mode) ?
	    SSL_CTX_load_verify_dir(ctx, ca) :
	    SSL_CTX_load_verify_file(ctx, ca)) != 1)
		return tls_ssl_fail(cfg->tls_for_proxy ? "--proxy-ca" :
		    "--tls-ca", ca, err, errlen);
	return 0;
}

/* Client certificates, only from --tls-client-ca's CA, whose names the
 * listener sends so that a client with several knows which to give. */
int
tls_server_trust(SSL_CTX *ctx, const struct config *cfg, char *err,
    size_t errlen)
{
	STACK_OF(X509_NAME)	*names;
	const char		*ca = cfg->tls_client_ca;

	/* Without it, a client resuming a session fails its handshake. */
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"sockline",
	    8);
	if (ca == NULL)
		return 0;
	if (tls_check_path("--tls-client-ca", ca, 0, err, errlen) == -1)
		return -1;
	if (SSL_CTX_load_verify_file(ctx, ca) != 1 ||
	    (names = SSL_load_client_CA_file(ca)) == NULL)
		return tls_ssl_fail("--tls-client-ca", ca, err, errlen);
	SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	return 0;
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

/*
 * "example.com." is the same host, fully qualified, but neither SNI
 * (RFC 6066) nor a certificate's SAN carries the root's dot: it goes,
 * as curl and browsers do.  NULL if the name cannot be a host's.
 */
static const char *
dns_name(const char *name, char *buf, size_t buflen)
{
	size_t	n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n >= buflen)
		return NULL;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return buf;
}

struct ssl_st *
tls_ssl_new(struct ssl_ctx_st *ctx, const struct config *cfg, int server,
    const char *name, char *err, size_t errlen)
{
	SSL		*ssl;
	char		 ipbuf[64], dnsbuf[256], buf[256];
	const char	*ip;
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
	if (ip == NULL && (name = dns_name(name, dnsbuf, sizeof(dnsbuf))) ==
	    NULL) {
		snprintf(err, errlen, "%s: too long for a host name",
		    cfg->tls_name != NULL ? cfg->tls_name : "the host");
		goto fail;
	}
	if (ip == NULL && SSL_set_tlsext_host_name(ssl, name) != 1) {
		snprintf(err, errlen, "%s: not a name to send as SNI", name);
		goto fail;
	}
	if (!check)
		return ssl;
	if (tls_set_checked_name(ssl, ip != NULL ? ip : name) == -1) {
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
