/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A byte buffer for one direction of one peer.  Memory is taken only
 * when the first byte arrives and given back once the buffer empties,
 * so thousands of idle peers cost almost nothing.
 */

#include <stdlib.h>
#include <string.h>

#include "sockline.h"

/* What buf_head() gives for a buffer with no memory; never written. */
static char	empty[1];

/* A first allocation small enough for malloc's fast paths. */
#define BUF_FIRST	4096

/* How many more bytes fit, if the buffer may hold at most limit. */
size_t
buf_room(const struct buf *b, size_t limit)
{
	return b->len >= limit ? 0 : limit - b->len;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	size_t	 want;
	char	*d;

	if (n == 0)
		return 0;
	if (b->off + b->len + n > b->cap && b->off > 0) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
	}
	if (b->len + n > b->cap) {
		/* Start small: most buffers only ever hold a short tail. */
		want = b->cap == 0 ? BUF_FIRST : b->cap;
		while (want < b->len + n)
			want *= 2;
		if ((d = realloc(b->data, want)) == NULL)
			return -1;
		b->data = d;
		b->cap = want;
	}
	memcpy(b->data + b->off + b->len, p, n);
	b->len += n;
	return 0;
}

/*
 * Consumes n bytes, keeping the memory of a buffer that empties: for
 * the one that refills at once, the terminal's during a flood.
 */
void
buf_consume_keep(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->off = b->len = 0;
		return;
	}
	b->off += n;
	b->len -= n;
}

/* Consumes n bytes; an emptied buffer gives its memory back. */
void
buf_consume(struct buf *b, size_t n)
{
	buf_consume_keep(b, n);
	if (b->len == 0)
		buf_free(b);
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->cap = b->off = b->len = 0;
}

/*
 * The first unread byte.  An empty buffer has no memory, and NULL + 0 is
 * undefined behaviour (UBSan stops on it), so its head is a static
 * empty array instead.
 */
char *
buf_head(const struct buf *b)
{
	return b->data != NULL ? b->data + b->off : empty;
}
