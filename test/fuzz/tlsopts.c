/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The TLS option values (src/tlsopts.c): --tls-pin, --tls-min/--tls-max
 * and --tls-alpn, on any text.  Beyond no crash: a pin that is accepted
 * encodes back (base64) to exactly the text given, and any 32 bytes
 * written as a pin are accepted and decode to themselves; a version is
 * accepted only as 1.2 or 1.3; an accepted ALPN list has no empty or
 * over-long name.
 */

#include "sockline.h"
#include "fuzz.h"

static const char	b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* "sha256:" and the base64 of 32 bytes, into out (52 bytes). */
static void
encode_pin(const unsigned char in[32], char *out)
{
	unsigned int	acc = 0;
	int		bits = 0, i;
	char		*o = out + sprintf(out, "sha256:");

	for (i = 0; i < 32; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			*o++ = b64[(acc >> bits) & 63];
		}
	}
	*o++ = b64[(acc << (6 - bits)) & 63];
	*o++ = '=';
	*o = '\0';
}

static void
check_alpn(const char *s)
{
	size_t	n;

	for (;;) {
		n = strcspn(s, ",");
		CHECK(n >= 1 && n <= 255);
		if (s[n] == '\0')
			return;
		s += n + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp	 f = { data, size };
	unsigned char	 pin[32], raw[32];
	const uint8_t	*p;
	char		*s, err[128], enc[64];
	int		 v;

	s = fdp_string(&f);
	if (tlsopt_pin(s, pin, err, sizeof(err)) == 0) {
		encode_pin(pin, enc);
		CHECK(strcmp(enc, s) == 0);
	} else
		CHECK(err[0] != '\0');
	if (tlsopt_version(s, &v, err, sizeof(err)) == 0)
		CHECK((v == 0x0303 && strcmp(s, "1.2") == 0) ||
		    (v == 0x0304 && strcmp(s, "1.3") == 0));
	if (tlsopt_alpn(s, err, sizeof(err)) == 0)
		check_alpn(s);
	free(s);
	/* Any 32 bytes round-trip through the text a user would give. */
	memset(raw, 0, sizeof(raw));
	fdp_bytes(&f, sizeof(raw), &p);
	memcpy(raw, p, (size_t)(f.p - p));
	encode_pin(raw, enc);
	CHECK(tlsopt_pin(enc, pin, err, sizeof(err)) == 0);
	CHECK(memcmp(pin, raw, sizeof(raw)) == 0);
	return 0;
}
