/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The --script parser (script_parse() in src/script.c).  Any text must
 * be taken or refused with "NAME:LINE: why" for a line it has, without
 * a crash or leak; what it takes has sane steps.  And a send written as
 * a user would write some bytes (escaped, \c at the end) must give
 * exactly those bytes back.
 */

#include "sockline.h"
#include "fuzz.h"

/* "send " and the bytes as \xHH or literals, then \c: one step. */
static void
check_send(const uint8_t *p, size_t n, unsigned sel)
{
	struct chat_script	 sc;
	char			*text, *o, err[512];
	size_t			 i;

	if ((text = malloc(4 * n + 16)) == NULL)
		abort();
	o = text + sprintf(text, "send ");
	for (i = 0; i < n; i++, sel = sel * 1103515245 + 12345) {
		if (p[i] == '\\')
			o += sprintf(o, "\\\\");
		else if (p[i] >= 0x20 && p[i] < 0x7f && (sel & 0x100))
			*o++ = (char)p[i];
		else
			o += sprintf(o, "\\x%02x", p[i]);
	}
	o += sprintf(o, "\\c\n");
	CHECK(script_parse("f", text, (size_t)(o - text), &sc, err,
	    sizeof(err)) == 0);
	CHECK(sc.n == 1 && sc.v[0].op == CHAT_SEND && sc.v[0].line == 1);
	CHECK(sc.v[0].len == n && (n == 0 || memcmp(sc.v[0].text, p, n) == 0));
	chat_script_free(&sc);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chat_script	 sc;
	char			 err[512];
	size_t			 lines = 1, i;
	int			 k, line;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(err, 0, sizeof(err));
	if (script_parse("f", (const char *)data, size, &sc, err,
	    sizeof(err)) == -1) {
		CHECK(sscanf(err, "f:%d:", &line) == 1);
		CHECK(line >= 1 && (size_t)line <= lines);
		CHECK(sc.n == 0 && sc.v == NULL);
	} else {
		for (k = 0; k < sc.n; k++) {
			CHECK(sc.v[k].line >= 1 &&
			    (size_t)sc.v[k].line <= lines);
			CHECK(k == 0 || sc.v[k].line > sc.v[k - 1].line);
			if (sc.v[k].op == CHAT_EXPECT)
				CHECK(sc.v[k].re != NULL &&
				    sc.v[k].text != NULL);
			if (sc.v[k].op == CHAT_SEND)
				CHECK(sc.v[k].text != NULL);
		}
		chat_script_free(&sc);
	}
	check_send(data, size > 512 ? 512 : size,
	    size > 0 ? data[0] * 7919u : 0);
	return 0;
}
