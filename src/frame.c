/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Line framing, for everything that cuts a byte stream into messages:
 * staged input sent a line at a time (datagrams, -d, --lockstep), a
 * program's output sent as datagrams (-e on a datagram listener), and
 * --lockstep's reply lines.  One pure function, so that the rule is
 * written once and a fuzzer can check it alone (test/fuzz/frame.c).
 */

#include <string.h>

#include "sockline.h"

/*
 * The length of the unit at the start of p[0..n): a line with its
 * newline; max bytes when no newline comes within max (a line longer
 * than a datagram, or than is worth holding); at the end of input
 * whatever is left.  0: more input is needed to say.  max is at least 1.
 * The units a stream is cut into do not depend on how it was read.
 */
size_t
frame_next(const char *p, size_t n, size_t max, int eof)
{
	const char	*nl;

	if ((nl = memchr(p, '\n', n < max ? n : max)) != NULL)
		return (size_t)(nl - p) + 1;
	if (n >= max)
		return max;
	return eof ? n : 0;
}
