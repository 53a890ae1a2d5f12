/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * -C (src/crlf.c): the bytes sent must not depend on how input was cut
 * into reads.  The input is translated whole and again in chunks whose
 * sizes come from the fuzzer, carrying the CR state across; both must
 * agree, every LF must follow a CR, and dropping the CRs that were
 * added must give the input back.
 */

#include "sockline.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp	 f = { data, size };
	const uint8_t	*sizes, *in;
	size_t		 nsizes, n, whole, parts = 0, k, i, j, o;
	char		*a, *b;
	int		 cr = 0, need, added;

	nsizes = fdp_bytes(&f, fdp_byte(&f) % 32, &sizes);
	n = fdp_bytes(&f, f.n, &in);
	if ((a = malloc(2 * n + 1)) == NULL || (b = malloc(2 * n + 1)) == NULL)
		abort();
	whole = crlf_translate(&cr, (const char *)in, n, a);
	CHECK(whole >= n && whole <= 2 * n);

	cr = 0;
	for (i = 0, j = 0; i < n; i += k, j++) {
		k = nsizes > 0 ? sizes[j % nsizes] : n;
		if (k == 0 || k > n - i)
			k = n - i;
		parts += crlf_translate(&cr, (const char *)in + i, k, b + parts);
	}
	CHECK(parts == whole && memcmp(a, b, whole) == 0);

	/* A CR is added before each LF that had none, and nothing else. */
	for (i = 0, o = 0, added = 0; i < whole; i++) {
		need = o < n && in[o] == '\n' && (o == 0 || in[o - 1] != '\r');
		if (need && !added) {
			CHECK(a[i] == '\r');
			added = 1;
			continue;
		}
		added = 0;
		CHECK(o < n && (uint8_t)a[i] == in[o]);
		o++;
	}
	CHECK(o == n);
	free(a);
	free(b);
	return 0;
}
