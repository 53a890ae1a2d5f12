/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Base64 digits read without OpenSSL, for the parsers that the fuzz
 * targets build alone: --tls-pin's value (tlsopts.c) and the Basic
 * credentials of a --proxy-server client (proxy_req.c).  The encoder
 * the proxy client needs is proxy_base64() in proxy_msg.c.
 */

#include <stddef.h>

#include "sockline.h"

/* A base64 digit's value, or -1. */
int
b64_digit(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decodes the n digits at s (the caller takes the '=' padding off) into
 * out, which has room for outlen bytes, and returns how many it wrote:
 * -1 if a byte is no digit or out is too small.  The bits left over past
 * the last whole byte are not looked at: a caller that wants them zero
 * checks the last digit.
 */
int
b64_decode(const char *s, size_t n, unsigned char *out, size_t outlen)
{
	size_t		i, o = 0;
	unsigned	acc = 0;
	int		bits = 0, v;

	for (i = 0; i < n; i++) {
		if ((v = b64_digit((unsigned char)s[i])) == -1)
			return -1;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outlen)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (int)o;
}
