/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * -C: line ends sent as CRLF.  A LF becomes CRLF unless a CR is already
 * in front of it, also when the CR ended the previous chunk, so the
 * result does not depend on how input happened to be read.
 */

#include "sockline.h"

/*
 * Translates n bytes from in to out (room for 2n), carrying in *cr
 * whether the last byte seen was a CR.  Returns the bytes written.
 */
size_t
crlf_translate(int *cr, const char *in, size_t n, char *out)
{
	size_t	i, o = 0;

	for (i = 0; i < n; i++) {
		if (in[i] == '\n' && !*cr)
			out[o++] = '\r';
		out[o++] = in[i];
		*cr = in[i] == '\r';
	}
	return o;
}
