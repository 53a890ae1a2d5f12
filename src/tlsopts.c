/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The values of the TLS options, parsed without OpenSSL (so the fuzz
 * target test/fuzz/tlsopts.c covers them alone): --tls-pin's
 * sha256:BASE64, --tls-min and --tls-max, and the shape of --tls-alpn's
 * list.  Each returns -1 with a reason in err.
 */

#include <stdio.h>
#include <string.h>

#include "sockline.h"

#define PIN_PREFIX	"sha256:"

/*
 * "sha256:" and the base64 of exactly 32 bytes (as curl's
 * --pinnedpubkey and `openssl ... | base64` write it): 43 digits and
 * one '=' of padding.
 */
int
tlsopt_pin(const char *s, unsigned char out[32], char *err, size_t errlen)
{
	const char	*p;
	size_t		 i;

	if (strncmp(s, PIN_PREFIX, strlen(PIN_PREFIX)) != 0) {
		snprintf(err, errlen, "not sha256:BASE64");
		return -1;
	}
	p = s + strlen(PIN_PREFIX);
	if (strlen(p) != 44 || p[43] != '=') {
		snprintf(err, errlen, "not the base64 of a SHA-256 (44 "
		    "characters, the last '=')");
		return -1;
	}
	for (i = 0; i < 43; i++) {
		if (b64_digit((unsigned char)p[i]) == -1) {
			snprintf(err, errlen, "'%c' is not a base64 digit",
			    p[i]);
			return -1;
		}
	}
	/* 43 digits are 258 bits: the 2 left over must be zero. */
	if (b64_decode(p, 43, out, 32) != 32 ||
	    (b64_digit((unsigned char)p[42]) & 3) != 0) {
		snprintf(err, errlen, "not the base64 of a SHA-256");
		return -1;
	}
	return 0;
}

/* "1.2" or "1.3", as the protocol's version number. */
int
tlsopt_version(const char *s, int *out, char *err, size_t errlen)
{
	if (strcmp(s, "1.2") == 0)
		*out = 0x0303;
	else if (strcmp(s, "1.3") == 0)
		*out = 0x0304;
	else {
		snprintf(err, errlen, "not a TLS version (1.2 or 1.3)");
		return -1;
	}
	return 0;
}

/* Comma-separated protocol names, each 1 to 255 bytes (RFC 7301). */
int
tlsopt_alpn(const char *s, char *err, size_t errlen)
{
	size_t	n;

	for (;;) {
		n = strcspn(s, ",");
		if (n == 0) {
			snprintf(err, errlen, "an empty protocol name");
			return -1;
		}
		if (n > 255) {
			snprintf(err, errlen, "a protocol name longer than "
			    "255 bytes");
			return -1;
		}
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
}
