/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --reply's escapes and -e's word splitting (src/escape.c).  Any text
 * must decode or be refused without a crash or leak; and what a user
 * would write for some bytes or some words must give exactly those
 * back: bytes written as literals and \xHH, words in single or double
 * quotes (as a POSIX shell reads them).
 */

#include <ctype.h>

#include "sockline.h"
#include "fuzz.h"

/* Writes bytes as --reply text: printable ones as they are (a
 * backslash doubled), or \xHH, or \n \r \t, as the selector says. */
static char *
encode(const uint8_t *p, size_t n, unsigned sel)
{
	static const char	 hex[] = "0123456789abcdef";
	char			*s, *o;
	size_t			 i;

	if ((s = malloc(4 * n + 1)) == NULL)
		abort();
	for (o = s, i = 0; i < n; i++, sel = sel * 1103515245 + 12345) {
		if (p[i] == '\\')
			o += sprintf(o, "\\\\");
		else if (p[i] == '\n' && (sel & 0x100))
			o += sprintf(o, "\\n");
		else if (p[i] == '\r' && (sel & 0x100))
			o += sprintf(o, "\\r");
		else if (p[i] == '\t' && (sel & 0x100))
			o += sprintf(o, "\\t");
		else if (p[i] != '\0' && (sel & 0x200))
			*o++ = (char)p[i];
		else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = (sel & 0x400) ? (char)toupper(hex[p[i] >> 4]) :
			    hex[p[i] >> 4];
			*o++ = hex[p[i] & 15];
		}
	}
	*o = '\0';
	return s;
}

static void
decode_any(const char *s)
{
	char	err[128], *out;
	size_t	len;

	if (escape_decode(s, &out, &len, err, sizeof(err)) == 0) {
		CHECK(len <= strlen(s));
		free(out);
	} else
		CHECK(err[0] != '\0');
}

static void
split_any(const char *s)
{
	char	err[128], **argv;
	size_t	i;

	if (argv_split(s, &argv, err, sizeof(err)) == -1) {
		CHECK(err[0] != '\0');
		return;
	}
	CHECK(argv[0] != NULL);
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

static void
decode_round_trip(const uint8_t *p, size_t n, unsigned sel)
{
	char	*s, *out, err[128];
	size_t	 len;

	s = encode(p, n, sel);
	CHECK(escape_decode(s, &out, &len, err, sizeof(err)) == 0);
	CHECK(len == n && memcmp(out, p, n) == 0);
	free(out);
	free(s);
}

/* Writes w in double quotes at o as a POSIX shell reads it: $ ` " \
 * escaped; a backslash before any other character may also stay bare,
 * since there it is kept literally.  Returns the end. */
static char *
double_quote(char *o, const char *w, unsigned sel)
{
	*o++ = '"';
	for (; *w != '\0'; w++, sel = sel * 1103515245 + 12345) {
		if (*w == '\\' && w[1] != '\0' &&
		    strchr("$`\"\\\n", w[1]) == NULL && (sel & 0x100))
			*o++ = '\\';
		else if (strchr("$`\"\\", *w) != NULL) {
			*o++ = '\\';
			*o++ = *w;
		} else
			*o++ = *w;
	}
	*o++ = '"';
	return o;
}

/* Words (split at NULs) in single quotes, a quote as '\'', or in double
 * quotes, give exactly the words back; an empty first word, the
 * program's name, is refused. */
static void
split_round_trip(struct fdp *f, unsigned sel)
{
	char	*words[16], *cmd, *o, *w, err[128], **argv;
	size_t	 nw = 0, i, room = 1;

	while (f->n > 0 && nw < 16) {
		words[nw] = fdp_string(f);
		room += 4 * strlen(words[nw]) + 3;
		nw++;
	}
	if (nw == 0)
		return;
	if ((cmd = malloc(room)) == NULL)
		abort();
	o = cmd;
	for (i = 0; i < nw; i++) {
		if (sel & (1u << i)) {
			o = double_quote(o, words[i], sel >> 16);
		} else {
			*o++ = '\'';
			for (w = words[i]; *w != '\0'; w++) {
				if (*w == '\'')
					o += sprintf(o, "'\\''");
				else
					*o++ = *w;
			}
			*o++ = '\'';
		}
		*o++ = i + 1 < nw ? (i % 2 ? '\t' : ' ') : '\0';
	}
	if (words[0][0] == '\0') {
		CHECK(argv_split(cmd, &argv, err, sizeof(err)) == -1);
		for (i = 0; i < nw; i++)
			free(words[i]);
		free(cmd);
		return;
	}
	CHECK(argv_split(cmd, &argv, err, sizeof(err)) == 0);
	for (i = 0; i < nw; i++) {
		CHECK(argv[i] != NULL && strcmp(argv[i], words[i]) == 0);
		free(argv[i]);
		free(words[i]);
	}
	CHECK(argv[nw] == NULL);
	free(argv);
	free(cmd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp	 f = { data, size };
	unsigned	 which = fdp_byte(&f), sel = fdp_byte(&f);
	char		*s;

	switch (which % 3) {
	case 0:
		s = fdp_string(&f);
		decode_any(s);
		split_any(s);
		free(s);
		break;
	case 1:
		decode_round_trip(f.p, f.n, sel * 0x9e3779b9u);
		break;
	case 2:
		split_round_trip(&f, sel * 0x9e3779b9u);
		break;
	}
	return 0;
}
