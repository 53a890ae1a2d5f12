/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Text the user gives for the wire: --reply's C escapes, and -e's
 * command split into argv the way a user expects, without a shell.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockline.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decodes \n \r \t \\ and \xHH in s into a new buffer (*out, *len; it
 * may hold NULs).  Anything else after a backslash is an error, so a
 * typo never goes out on the wire unnoticed.
 */
int
escape_decode(const char *s, char **out, size_t *len, char *err,
    size_t errlen)
{
	char	*d;
	size_t	 o = 0;
	int	 hi, lo;

	if ((d = malloc(strlen(s) + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			d[o++] = *s;
			continue;
		}
		switch (*++s) {
		case 'n':
			d[o++] = '\n';
			break;
		case 'r':
			d[o++] = '\r';
			break;
		case 't':
			d[o++] = '\t';
			break;
		case '\\':
			d[o++] = '\\';
			break;
		case 'x':
			if ((hi = hexval((unsigned char)s[1])) == -1 ||
			    (lo = hexval((unsigned char)s[2])) == -1) {
				snprintf(err, errlen, "\\x needs two hex "
				    "digits");
				goto fail;
			}
			d[o++] = (char)(hi << 4 | lo);
			s += 2;
			break;
		case '\0':
			snprintf(err, errlen, "a lone backslash at the end");
			goto fail;
		default:
			snprintf(err, errlen, "unknown escape \\%c (known: \\n "
			    "\\r \\t \\\\ \\xHH)", *s);
			goto fail;
		}
	}
	*out = d;
	*len = o;
	return 0;
fail:
	free(d);
	return -1;
}

/*
 * The character after a backslash inside double quotes that the
 * backslash escapes, as in a POSIX shell; before any other it stays.
 */
static int
dq_escapable(char c)
{
	return c == '$' || c == '`' || c == '"' || c == '\\' || c == '\n';
}

/*
 * Splits a command into words at blanks, quoting as a POSIX shell does
 * but expanding nothing, because no shell is involved: single quotes
 * keep everything literally; double quotes keep blanks, and a backslash
 * in them escapes only $ ` " \ and a newline; outside quotes a
 * backslash keeps the next character.  A backslash-newline joins lines.
 */
int
argv_split(const char *s, char ***argvp, char *err, size_t errlen)
{
	char	**argv = NULL, **nv, *word, *w;
	size_t	 n = 0;
	char	 quote = 0;
	int	 inword = 0;

	if ((word = malloc(strlen(s) + 1)) == NULL)
		goto oom;
	w = word;
	for (;; s++) {
		if (*s == '\0' || (!quote && isblank((unsigned char)*s))) {
			if (*s == '\0' && quote) {
				snprintf(err, errlen, "unbalanced %c", quote);
				goto fail;
			}
			if (inword) {
				*w = '\0';
				if ((nv = reallocarray(argv, n + 2,
				    sizeof(*argv))) == NULL)
					goto oom;
				argv = nv;
				if ((argv[n++] = strdup(word)) == NULL)
					goto oom;
				argv[n] = NULL;
				w = word;
				inword = 0;
			}
			if (*s == '\0')
				break;
			continue;
		}
		if (*s == '\\' && quote != '\'' && s[1] == '\n') {
			s++;		/* a line continued: both go */
			continue;
		}
		inword = 1;
		if (quote == '\'' ? *s == '\'' : quote == '"' && *s == '"') {
			quote = 0;
		} else if (!quote && (*s == '\'' || *s == '"')) {
			quote = *s;
		} else if (*s == '\\' && !quote && s[1] != '\0') {
			*w++ = *++s;
		} else if (*s == '\\' && quote == '"' && dq_escapable(s[1])) {
			*w++ = *++s;
		} else
			*w++ = *s;
	}
	free(word);
	if (n == 0) {
		snprintf(err, errlen, "empty command");
		free(argv);
		return -1;
	}
	/* "" or '' as the first word: execvp(3) would fail in the child,
	 * after the client connected; say so now instead. */
	if (argv[0][0] == '\0') {
		snprintf(err, errlen, "empty program name");
		goto fail_argv;
	}
	*argvp = argv;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	free(word);
fail_argv:
	while (n > 0)
		free(argv[--n]);
	free(argv);
	return -1;
}
