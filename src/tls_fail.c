/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Why a TLS handshake, read or write failed, in one line a person can
 * act on (design item 19): a failed verification says what was wrong,
 * which name was checked, which certificate came, and the options that
 * get past it; anything else is OpenSSL's reason string, never the
 * error queue's library:function:file:line dump.
 */

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <string.h>

#include "sockline.h"
#include "tls.h"
#include "tls_int.h"

#define NAME_LEN	256

/* The words for one failed verification, with the subject given. */
static int
verify_words(SSL *ssl, const struct config *cfg, long vr, const char *subj,
    const char *fpr, const char *pin, char *out, size_t outlen)
{
	const char	*name = tls_checked_name(ssl);
	const char	*why = X509_verify_cert_error_string(vr);

	if (SSL_is_server(ssl))
		return snprintf(out, outlen, "client certificate verify "
		    "failed: %s; client: %s, SHA-256 %s; not signed by "
		    "--tls-client-ca %s?", why, subj, fpr,
		    cfg->tls_client_ca != NULL ? cfg->tls_client_ca : "");
	if (vr == X509_V_ERR_APPLICATION_VERIFICATION && cfg->tls_pin != NULL)
		return snprintf(out, outlen, "certificate pin mismatch: the "
		    "leaf's key is %s, not %s; leaf: %s, SHA-256 %s; if that "
		    "key is right, use --tls-pin %s", pin, cfg->tls_pin, subj,
		    fpr, pin);
	if (cfg->tls_for_proxy)
		return snprintf(out, outlen, "certificate verify failed: %s; "
		    "name checked: %s; leaf: %s, SHA-256 %s; use --proxy-ca "
		    "FILE or --proxy-insecure", why, name != NULL ? name :
		    "(none)", subj, fpr);
	return snprintf(out, outlen, "certificate verify failed: %s; name "
	    "checked: %s; leaf: %s, SHA-256 %s; use --tls-ca FILE, --tls-pin "
	    "%s or --insecure", why, name != NULL ? name : "(none)", subj, fpr,
	    pin);
}

/*
 * A verification failed: ours of the server, or ours of a client.  A
 * long subject is cut short rather than the options at the line's end.
 */
static void
verify_failed(SSL *ssl, const struct config *cfg, long vr, char *out,
    size_t outlen)
{
	X509	*leaf = tls_failed_leaf(ssl);
	char	 subj[NAME_LEN], fpr[TLS_FPR_LEN], pin[TLS_PIN_LEN + 8];
	size_t	 over, len;
	int	 n;

	if (leaf == NULL)
		leaf = SSL_get0_peer_certificate(ssl);
	tls_subject(leaf != NULL ? X509_get_subject_name(leaf) : NULL, subj,
	    sizeof(subj));
	tls_fingerprint(leaf, 1, fpr, sizeof(fpr));
	tls_spki_pin(leaf, pin, sizeof(pin));
	n = verify_words(ssl, cfg, vr, subj, fpr, pin, out, outlen);
	if (n < 0 || (size_t)n < outlen)
		return;
	over = (size_t)n - (outlen - 1) + 3;
	if ((len = strlen(subj)) <= over + 8)
		return;
	memcpy(subj + len - over, "...", 4);
	verify_words(ssl, cfg, vr, subj, fpr, pin, out, outlen);
}

/* Words for a reason that, bare, would puzzle. */
static const char *
hint(unsigned long e)
{
	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return "";
	switch (ERR_GET_REASON(e)) {
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
		return " (is the peer speaking TLS?)";
	case SSL_R_HTTP_REQUEST:
		return " (the client sent plain HTTP)";
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
		return " (--tls-client-ca requires one)";
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
		return " (give --tls-cert FILE)";
	default:
		return "";
	}
}

static void
closed(SSL *ssl, char *out, size_t outlen)
{
	if (!SSL_is_init_finished(ssl))
		snprintf(out, outlen, "connection closed during the TLS "
		    "handshake");
	else
		snprintf(out, outlen, "connection closed without a TLS "
		    "close_notify");
}

void
tls_fail_reason(struct ssl_st *ssl, const struct config *cfg, int ssl_error,
    int saved_errno, char *out, size_t outlen)
{
	unsigned long	 e, first = 0;
	int		 verify = 0;
	long		 vr;
	char		 buf[256];

	if (outlen == 0)
		return;
	/* The first error names the cause; a verify failure may sit under
	 * a later one. */
	while ((e = ERR_get_error()) != 0) {
		if (first == 0)
			first = e;
		if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED)
			verify = 1;
	}
	vr = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
	if (ssl != NULL && verify && vr != X509_V_OK) {
		verify_failed(ssl, cfg, vr, out, outlen);
		goto out;
	}
	switch (ssl_error) {
	case SSL_ERROR_ZERO_RETURN:
		snprintf(out, outlen, "the peer closed the TLS session");
		goto out;
	case SSL_ERROR_SYSCALL:
		if (first != 0)
			break;
		if (saved_errno != 0)
			snprintf(out, outlen, "%s", strerror(saved_errno));
		else if (ssl != NULL)
			closed(ssl, out, outlen);
		else
			snprintf(out, outlen, "connection closed");
		goto out;
	case SSL_ERROR_SSL:
		if (first == 0) {
			snprintf(out, outlen, "TLS protocol error");
			goto out;
		}
		break;
	default:
		if (first == 0) {
			snprintf(out, outlen, "TLS error %d", ssl_error);
			goto out;
		}
		break;
	}
	/* OpenSSL 3 calls an end without close_notify an error. */
	if (ssl != NULL && ERR_GET_LIB(first) == ERR_LIB_SSL &&
	    ERR_GET_REASON(first) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		closed(ssl, out, outlen);
	else
		snprintf(out, outlen, "%s%s", tls_err_reason(first, buf,
		    sizeof(buf)), hint(first));
out:
	ERR_clear_error();
}
