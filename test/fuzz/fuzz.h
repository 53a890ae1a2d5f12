/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the libFuzzer targets under test/fuzz/ share: taking the fuzzer's
 * bytes apart (a few control bytes first, the data after), and a check
 * that stops with a message, so a broken property is a crash libFuzzer
 * keeps as an input to replay.  Build with `make fuzz`.
 */

#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fdp {
	const uint8_t	*p;
	size_t		 n;
};

/*
 * The fuzzers run with stderr closed (-close_fd_mask=3): a failed check
 * is told through the sanitizers' report, which libFuzzer keeps.
 */
void	__sanitizer_report_error_summary(const char *);
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		__sanitizer_report_error_summary(__FILE__ ": check "	\
		    "failed: " #cond);					\
		abort();						\
	}								\
} while (0)

/* One control byte, 0 once the input is used up. */
static inline unsigned
fdp_byte(struct fdp *f)
{
	if (f->n == 0)
		return 0;
	f->n--;
	return *f->p++;
}

/* Up to want bytes of the input, at *out; returns how many. */
static inline size_t
fdp_bytes(struct fdp *f, size_t want, const uint8_t **out)
{
	if (want > f->n)
		want = f->n;
	*out = f->p;
	f->p += want;
	f->n -= want;
	return want;
}

/* The bytes up to the next NUL (or the end), as a new C string. */
static inline char *
fdp_string(struct fdp *f)
{
	const uint8_t	*nul = memchr(f->p, '\0', f->n);
	size_t		 len = nul != NULL ? (size_t)(nul - f->p) : f->n;
	char		*s;

	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, f->p, len);
	s[len] = '\0';
	f->p += len;
	f->n -= len;
	if (nul != NULL) {
		f->p++;
		f->n--;
	}
	return s;
}

/*
 * A parser of a message that comes in stages (the proxy dialogues): its
 * stage from the first byte, 1 to stages, and the rest as the bytes.
 */
struct fuzz_msg {
	int		 stage;
	const uint8_t	*in;
	size_t		 n;
};

typedef int	(*fuzz_parser)(int, const uint8_t *, size_t, void *);

static inline void
fuzz_msg(struct fuzz_msg *m, const uint8_t *data, size_t size, int stages)
{
	struct fdp	f = { data, size };

	m->stage = (int)(fdp_byte(&f) % (unsigned)stages) + 1;
	m->n = fdp_bytes(&f, f.n, &m->in);
}

/*
 * Feeds parse the bytes as a socket reader would: first none, then each
 * time as many more as it says it needs, never more than m holds.
 * Returns its last answer: 0 whole (in *have bytes), -1 no such message;
 * 1 when it wanted more than m holds.
 */
static inline int
fuzz_msg_read(const struct fuzz_msg *m, fuzz_parser parse, void *out,
    size_t *have)
{
	int	need;

	*have = 0;
	for (;;) {
		if ((need = parse(m->stage, m->in, *have, out)) <= 0)
			return need;
		if (*have + (size_t)need > m->n)
			return 1;
		*have += (size_t)need;
	}
}

#endif /* FUZZ_H */
