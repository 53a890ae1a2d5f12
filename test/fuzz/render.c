/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What received bytes look like (src/render.c): the terminal escaper,
 * the hex dump and plain output, with the flags, width and peer taken
 * from the first bytes, and the data cut into reads (sizes from the
 * fuzzer).  Checked:
 *  - on a terminal, escaped: no control byte but the "\r\n" line ends,
 *    only valid UTF-8, no C1 control or text-reordering mark;
 *  - the same bytes cut differently look the same (not for -x, whose
 *    rows follow the reads, nor for datagrams);
 *  - plain output is the bytes themselves;
 *  - the screen row kept for redrawing is what was last written;
 *  - each hex dump row ends its ASCII column with '|'.
 */

#include <locale.h>

#include "sockline.h"
#include "fuzz.h"

static int
safe_for_terminal(const char *p, size_t n)
{
	uint32_t	cp;
	size_t		i;
	int		len;

	for (i = 0; i < n; i += (size_t)len) {
		len = render_utf8(p + i, n - i, &cp);
		if (len <= 0)
			return 0;
		if (cp == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		if (cp < 0x20 && cp != '\n')
			return 0;
		if (cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    render_bidi(cp))
			return 0;
	}
	return 1;
}

/* Renders in[0..n) in reads of the given sizes; returns what it became. */
static void
render_all(const struct config *cfg, int term, int utf8, int cols,
    const struct peer *from, int flags, const uint8_t *in, size_t n,
    const uint8_t *sizes, size_t nsizes, struct buf *out)
{
	struct render	r;
	size_t		i, j, k;

	render_init(&r, cfg, term);
	r.utf8 = utf8;
	r.cols = cols;
	for (i = 0, j = 0; i < n; i += k, j++) {
		k = nsizes > 0 ? sizes[j % nsizes] : n;
		if (k == 0 || k > n - i)
			k = n - i;
		CHECK(render_data(&r, out, from, (const char *)in + i, k,
		    flags) == 0);
		/* The row the prompt goes back to is the output's end. */
		CHECK(r.tail_len <= sizeof(r.tail));
		if (r.tail_ok && r.term)
			CHECK(buf_used(out) >= r.tail_len &&
			    memcmp(buf_head(out) + buf_used(out) - r.tail_len,
			    r.tail, r.tail_len) == 0);
	}
	CHECK(render_flush(&r, out) == 0);
	CHECK(r.nhold == 0);
	render_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 once;
	struct fdp	 f = { data, size };
	struct config	 cfg;
	struct peer	 peer;
	struct buf	 whole, parts;
	const uint8_t	*sizes, *in;
	unsigned	 mode = fdp_byte(&f);
	size_t		 nsizes, n, i;
	int		 term, utf8, cols, flags = 0;

	if (!once) {
		/* wcwidth() needs to know the characters. */
		setlocale(LC_CTYPE, "C.UTF-8");
		once = 1;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.hex = mode & 1;
	cfg.raw = (mode >> 1) & 1;
	term = (mode >> 2) & 1;
	utf8 = (mode >> 3) & 1;
	if (mode & 0x10)
		flags |= OUT_DGRAM;
	if (mode & 0x20)
		flags |= OUT_SENDER;
	cols = 1 + fdp_byte(&f) % 160;
	memset(&peer, 0, sizeof(peer));
	peer.id = 1;
	peer.proto = (mode & 0x40) ? "unix" : "udp";
	snprintf(peer.host, sizeof(peer.host), "%s",
	    (mode & 0x40) ? "/tmp/s" : "::1");
	nsizes = fdp_bytes(&f, fdp_byte(&f) % 16, &sizes);
	n = fdp_bytes(&f, f.n, &in);

	memset(&whole, 0, sizeof(whole));
	memset(&parts, 0, sizeof(parts));
	render_all(&cfg, term, utf8, cols, &peer, flags, in, n, NULL, 0,
	    &whole);
	render_all(&cfg, term, utf8, cols, &peer, flags, in, n, sizes, nsizes,
	    &parts);

	if (term && !cfg.raw && !cfg.hex)
		CHECK(safe_for_terminal(buf_head(&whole), buf_used(&whole)) &&
		    safe_for_terminal(buf_head(&parts), buf_used(&parts)));
	if (!cfg.hex && !(flags & OUT_DGRAM))
		CHECK(buf_used(&whole) == buf_used(&parts) &&
		    memcmp(buf_head(&whole), buf_head(&parts),
		    buf_used(&whole)) == 0);
	if ((!term || cfg.raw) && !cfg.hex && !(flags & OUT_SENDER) &&
	    !(term && (flags & OUT_DGRAM)))
		CHECK(buf_used(&parts) == n &&
		    memcmp(buf_head(&parts), in, n) == 0);
	if (cfg.hex && !(flags & OUT_SENDER)) {
		for (i = 0; i < buf_used(&parts); i++) {
			if (buf_head(&parts)[i] == '\n')
				CHECK(i >= 1 && (buf_head(&parts)[i - 1] == '|' ||
				    (i >= 2 && buf_head(&parts)[i - 1] == '\r' &&
				    buf_head(&parts)[i - 2] == '|')));
		}
	}
	buf_free(&whole);
	buf_free(&parts);
	return 0;
}
