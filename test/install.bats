#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# make install and make uninstall as a packager runs them: into a staging
# DESTDIR, never the real system, and without root.  The inner make runs
# with the environment of a plain shell, not of the `make test` above it.

load helpers/common

# mk ARGS...: make in the source tree, taking the built binary as it is.
mk() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		make -s -C "$TOP" -o sockline "$@"
}

# files_under DIR: every file or link under DIR, relative to it, sorted.
files_under() {
	(cd "$1" && find . -not -type d | sed 's|^\./||' | LC_ALL=C sort)
}

@test "make install puts the binary, the man page and the completions under DESTDIR and PREFIX=/usr/local" {
	run mk install DESTDIR="$T/stage"
	assert_success
	run files_under "$T/stage"
	assert_output "usr/local/bin/sockline
usr/local/share/bash-completion/completions/sockline
usr/local/share/fish/vendor_completions.d/sockline.fish
usr/local/share/man/man1/sockline.1
usr/local/share/zsh/site-functions/_sockline"
	[ -x "$T/stage/usr/local/bin/sockline" ]
	run "$T/stage/usr/local/bin/sockline" --version
	assert_success
	assert_line --index 0 --regexp '^sockline [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --index 2 "License GPL-3.0-or-later <https://gnu.org/licenses/gpl.html>"
	cmp "$TOP/man/sockline.1" "$T/stage/usr/local/share/man/man1/sockline.1"
	cmp "$TOP/completions/_sockline" \
		"$T/stage/usr/local/share/zsh/site-functions/_sockline"
	[ "$(stat -c %a "$T/stage/usr/local/share/man/man1/sockline.1")" = 644 ]
	[ "$(stat -c %a "$T/stage/usr/local/bin/sockline")" = 755 ]
}

@test "make uninstall leaves the DESTDIR it installed into empty" {
	mk install DESTDIR="$T/stage" PREFIX=/usr
	[ -x "$T/stage/usr/bin/sockline" ]
	run mk uninstall DESTDIR="$T/stage" PREFIX=/usr
	assert_success
	# Not a file nor a directory left: the tree was made by install.
	run find "$T/stage" -mindepth 1
	assert_output ""
	[ -d "$T/stage" ]
}

@test "make uninstall keeps a directory that holds something else" {
	mkdir -p "$T/stage/usr/bin"
	echo other >"$T/stage/usr/bin/other-tool"
	mk install DESTDIR="$T/stage" PREFIX=/usr
	run mk uninstall DESTDIR="$T/stage" PREFIX=/usr
	assert_success
	run find "$T/stage" -mindepth 1
	assert_output "$T/stage/usr
$T/stage/usr/bin
$T/stage/usr/bin/other-tool"
}

@test "BINDIR, MANDIR and PREFIX each move what goes there" {
	run mk install DESTDIR="$T/stage" PREFIX=/opt/sl BINDIR=/usr/games \
		MANDIR=/usr/share/man
	assert_success
	run files_under "$T/stage"
	assert_output "opt/sl/share/bash-completion/completions/sockline
opt/sl/share/fish/vendor_completions.d/sockline.fish
opt/sl/share/zsh/site-functions/_sockline
usr/games/sockline
usr/share/man/man1/sockline.1"
	run mk uninstall DESTDIR="$T/stage" PREFIX=/opt/sl BINDIR=/usr/games \
		MANDIR=/usr/share/man
	run files_under "$T/stage"
	assert_output ""
}

@test "the man page installed under DESTDIR is one man(1) can show" {
	mk install DESTDIR="$T/stage" PREFIX=/usr
	run env MANWIDTH=80 man -l "$T/stage/usr/share/man/man1/sockline.1"
	assert_success
	# The dash of the NAME line is "\(en": one character in a UTF-8
	# locale, "--" or "-" in the C locale.
	assert_output --regexp "NAME
 +sockline (.|--) interactive, netcat-style socket tool"
}

@test "the build hands CC, CPPFLAGS, CFLAGS, LDFLAGS and LDLIBS to the compiler and the linker" {
	# -B -n prints every command of a full build without running any.
	run env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$TOP" -B -n \
		sockline CC=my-cc CPPFLAGS=-DMY_CPP CFLAGS=-O1-mine \
		LDFLAGS=-Lmy-ld LDLIBS=-lmy-lib
	assert_success
	compiles=$(grep -E -- ' -c -o src/[a-z0-9_]+\.o ' <<<"$output")
	[ "$(wc -l <<<"$compiles")" -eq "$(ls "$TOP"/src/*.c | wc -l)" ]
	while read -r line; do
		[[ $line == "my-cc "* ]] || fail "not compiled with CC: $line"
		[[ $line == *" -DMY_CPP "* ]] || fail "no CPPFLAGS: $line"
		[[ $line == *" -O1-mine "* ]] || fail "no CFLAGS: $line"
	done <<<"$compiles"
	link=$(grep -E -- ' -o sockline ' <<<"$output")
	[[ $link == "my-cc "* ]] || fail "not linked with CC: $link"
	[[ $link == *" -O1-mine "* ]] || fail "no CFLAGS at link: $link"
	[[ $link == *" -Lmy-ld "* ]] || fail "no LDFLAGS at link: $link"
	[[ $link == *" -lmy-lib"* ]] || fail "no LDLIBS at link: $link"
	# Libraries after the objects, so that a linker with --as-needed
	# still finds readline.
	[[ $link =~ \.o\ .*-lreadline ]] || fail "readline before the objects: $link"
}
