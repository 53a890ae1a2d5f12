#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --help is generated from the option table; the man page and the three
# completion files are written by hand, so this keeps them in step.

load helpers/common

help_long_options() {
	"$SOCKLINE" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u
}

help_short_options() {
	"$SOCKLINE" --help | grep -oE -- '^  -[0-9A-Za-z]' | sed 's/^  -//' | sort -u
}

rendered_man() {
	MANWIDTH=200 man -l "$TOP/man/sockline.1" 2>/dev/null | col -b
}

@test "every long option in --help is in the man page and in each completion file" {
	man=$(rendered_man)
	[ -n "$man" ]
	for o in $(help_long_options); do
		grep -qF -- "$o" <<<"$man" || fail "$o missing from the man page"
		for c in "$TOP"/completions/*; do
			grep -qF -- "$o" "$c" || grep -qE -- "-l ${o#--}([^a-z0-9-]|\$)" "$c" ||
				fail "$o missing from $c"
		done
	done
}

@test "every short option in --help is described in the man page" {
	for o in $(help_short_options); do
		grep -qE "^\.It Fl $o( |\$)" "$TOP/man/sockline.1" ||
			fail "-$o has no .It entry in the man page"
	done
}

@test "the man page and the completions name no option that --help lacks" {
	help=$(help_long_options)
	for o in $(grep -oE -- 'Fl -[a-z][a-z0-9-]+' "$TOP/man/sockline.1" | sed 's/^Fl -/--/' | sort -u); do
		grep -qxF -- "$o" <<<"$help" || fail "the man page documents $o, which --help lacks"
	done
	for c in "$TOP"/completions/*; do
		for o in $(grep -oE -- '--[a-z][a-z0-9-]+' "$c" | sort -u); do
			grep -qxF -- "$o" <<<"$help" || fail "$c offers $o, which --help lacks"
		done
	done
	# In fish, "-l NAME" on a complete line; elsewhere it is set -l.
	for o in $(grep -E '^complete ' "$TOP/completions/sockline.fish" |
	    grep -oE -- '-l [a-z][a-z0-9-]+' | sed 's/^-l /--/' | sort -u); do
		grep -qxF -- "$o" <<<"$help" || fail "sockline.fish offers $o, which --help lacks"
	done
}

@test "the man page has no lint warnings" {
	if command -v mandoc >/dev/null; then
		run mandoc -Tlint -Wwarning "$TOP/man/sockline.1"
	else
		run groff -mdoc -ww -z "$TOP/man/sockline.1"
	fi
	assert_success
	assert_output ""
}

@test "the man page gives an argument to exactly the options --help gives one" {
	# --help: "  -b, --backlog N", "  -C, --crlf", "      --allow ADDR[/LEN]".
	while read -r short long arg; do
		items=$(grep -E "^\.It Fl (${short#-} .*)?Fl ${long#-}( |\$)|^\.It Fl ${long#-}( |\$)" \
		    "$TOP/man/sockline.1") || fail "$long has no .It entry"
		if [ -n "$arg" ]; then
			grep -qE -- "Fl ${long#-} Ar " <<<"$items" ||
				fail "$long takes $arg in --help, no argument in the man page"
			[ -z "$short" ] || [ "$short" = - ] ||
				grep -qE -- "^\.It Fl ${short#-} Ar " <<<"$items" ||
				fail "$short takes $arg in --help, no argument in the man page"
		else
			! grep -qE -- "Fl ${long#-} Ar " <<<"$items" ||
				fail "$long takes no argument in --help, one in the man page"
		fi
	done < <("$SOCKLINE" --help | sed -nE \
	    -e 's/^  (-[0-9A-Za-z]), (--[a-z0-9-]+)( ([A-Z][^ ]*))? .*/\1 \2 \4/p' \
	    -e 's/^      (--[a-z0-9-]+)( ([A-Z][^ ]*))? .*/- \1 \3/p')
}
