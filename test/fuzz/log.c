/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The -o session log's record text (log_escape() in src/log.c): what a
 * peer sends must come out with nothing that acts on a terminal a log
 * is shown on (no control byte, C1 control or text-reordering mark,
 * only valid UTF-8), and must read back to exactly the bytes sent.
 */

#include "sockline.h"
#include "fuzz.h"

/* Reads a record's text back into bytes. */
static size_t
unescape(const char *p, size_t n, uint8_t *out)
{
	static const char	 names[] = "0......abtnvfr";
	const char		*q;
	size_t			 i, o = 0;
	unsigned		 v;

	for (i = 0; i < n; i++) {
		if (p[i] != '\\') {
			out[o++] = (uint8_t)p[i];
			continue;
		}
		CHECK(i + 1 < n);
		i++;
		if (p[i] == '\\')
			out[o++] = '\\';
		else if (p[i] == 'x') {
			CHECK(i + 2 < n && sscanf(p + i + 1, "%2x", &v) == 1);
			out[o++] = (uint8_t)v;
			i += 2;
		} else {
			CHECK((q = memchr(names, p[i], sizeof(names) - 1)) !=
			    NULL && p[i] != '.');
			out[o++] = (uint8_t)(q - names);
		}
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 out;
	uint8_t		*back;
	uint32_t	 cp;
	size_t		 i;
	int		 len;

	memset(&out, 0, sizeof(out));
	CHECK(log_escape(&out, (const char *)data, size) == 0);
	for (i = 0; i < buf_used(&out); i += (size_t)len) {
		len = render_utf8(buf_head(&out) + i, buf_used(&out) - i, &cp);
		CHECK(len > 0);
		CHECK(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0));
		CHECK(!render_bidi(cp));
	}
	if ((back = malloc(buf_used(&out) + 1)) == NULL)
		abort();
	CHECK(unescape(buf_head(&out), buf_used(&out), back) == size);
	CHECK(size == 0 || memcmp(back, data, size) == 0);
	free(back);
	buf_free(&out);
	return 0;
}
