/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * File names at the prompt written as a shell writes them: /send takes
 * 'a b', "a b" and a\ b, and Tab completes a name with blanks or quotes
 * in it the same way, so that what it inserts is what /send reads back,
 * and completing goes on inside a quoted directory name.
 *
 * Only one name follows /send, so a blank that is not quoted stays part
 * of it (`/send my file` sends "my file"), and nothing but quotes and
 * backslashes is special: no $, no globbing.  Inside double quotes a
 * backslash escapes only " and \.
 */

#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "repl.h"

/* What Tab must quote in a file name it inserts. */
static const char	special[] = " \t\n\\\"'";

/*
 * Writes s without its quoting into out (outlen > 0); quote is the
 * quote s starts inside (0: none).  Returns 0; -1 with *why set when a
 * quote is not closed (out then holds the name as if it were) or when
 * out is too small.
 */
int
path_unquote(const char *s, int quote, char *out, size_t outlen,
    const char **why)
{
	size_t	n = 0;
	int	c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (quote == '\'') {
			if (c == '\'') {
				quote = 0;
				continue;
			}
		} else if (quote == '"') {
			if (c == '"') {
				quote = 0;
				continue;
			}
			if (c == '\\' && (s[1] == '"' || s[1] == '\\'))
				c = (unsigned char)*++s;
		} else if (c == '\'' || c == '"') {
			quote = c;
			continue;
		} else if (c == '\\' && s[1] != '\0')
			c = (unsigned char)*++s;
		if (n + 1 >= outlen) {
			out[n] = '\0';
			*why = "name too long";
			return -1;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	if (quote != 0) {
		*why = quote == '"' ? "no closing \"" : "no closing '";
		return -1;
	}
	return 0;
}

/* rl_filename_dequoting_function: the name Tab is to complete. */
static char *
dequote(char *text, int quote)
{
	const char	*why;
	char		*out;

	if ((out = malloc(strlen(text) + 1)) == NULL)
		return NULL;
	/* An open quote is what completing inside one looks like. */
	(void)path_unquote(text, quote, out, strlen(text) + 1, &why);
	return out;
}

/*
 * rl_filename_quoting_function: a name as Tab inserts it, in the quotes
 * the user opened, else with backslashes.  The closing quote is
 * readline's to add, and it leaves it off after a directory, so Tab
 * goes on completing inside it.
 */
static char *
quote(char *text, int match_type, char *qcp)
{
	char	*out, *o;
	int	 q = qcp != NULL ? *qcp : 0;

	(void)match_type;
	/* Four bytes for a ', as '\''. */
	if ((out = malloc(strlen(text) * 4 + 2)) == NULL)
		return NULL;
	o = out;
	if (q == '\'' || q == '"')
		*o++ = (char)q;
	for (; *text != '\0'; text++) {
		if (q == '\'' && *text == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
			continue;
		}
		if ((q == '"' && (*text == '"' || *text == '\\')) ||
		    (q == 0 && strchr(special, *text) != NULL))
			*o++ = '\\';
		*o++ = *text;
	}
	*o = '\0';
	return out;
}

/*
 * rl_char_is_quoted_p: whether the blank at line[index] is quoted or
 * escaped, so that it does not end the word Tab completes.
 */
static int
is_quoted(char *line, int index)
{
	int	i, q = 0;

	for (i = 0; i < index && line[i] != '\0'; i++) {
		if (q != '\'' && line[i] == '\\') {
			if (++i == index)
				return 1;
		} else if (q != 0 && line[i] == q)
			q = 0;
		else if (q == 0 && (line[i] == '\'' || line[i] == '"'))
			q = line[i];
	}
	return q != 0;
}

/* Readline's completion settings for the prompt. */
void
pathquote_setup(void)
{
	/* Only blanks end a word; quotes and backslashes are quoting. */
	rl_completer_word_break_characters = " \t\n";
	rl_completer_quote_characters = "\"'";
	rl_filename_quote_characters = special;
	rl_filename_quoting_function = quote;
	rl_filename_dequoting_function = dequote;
	rl_char_is_quoted_p = is_quoted;
}
