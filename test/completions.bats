#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The bash, zsh and fish completions, as installed by `make install`
# into a staging directory: options, option arguments (files, hosts,
# services, commands), operands, and nothing after options that take a
# number or free text.  bash: _sockline called with COMP_WORDS and
# COMP_CWORD.  zsh: a private interactive zsh in a pseudo-terminal,
# pressing TAB (helpers/zsh-complete).  fish: complete -C.
#
# zsh and fish are skipped where they are not installed, except in CI
# (CI set), where that fails; `make test` installs them first
# (scripts/deps test), so it never skips them.

load helpers/common

setup_file() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		make -s -C "$TOP" -o sockline install \
		DESTDIR="$BATS_FILE_TMPDIR/stage" PREFIX=/usr >/dev/null
}

STAGE_SHARE="$BATS_FILE_TMPDIR/stage/usr/share"

setup() {
	mkdir -p "$T/files/dir"
	: >"$T/files/log1"
	: >"$T/files/log2"
	: >"$T/files/other"
	printf '10.1.2.3 zz-test-host\n10.1.2.4 zz-other-host\n' >"$T/hosts"
}

# need_shell NAME: skips the test when the shell is missing, saying
# why; in CI a missing shell fails instead.
need_shell() {
	command -v "$1" >/dev/null && return 0
	[ -n "${CI:-}" ] &&
		fail "$1 is not installed, and CI must test its completion (scripts/deps test installs it)"
	skip "$1 is not installed (scripts/deps test installs it; make test runs it)"
}

need_services() {
	grep -qE '^http[[:space:]]+80/tcp' /etc/services 2>/dev/null ||
		skip "/etc/services has no http entry (Debian: netbase)"
}

# The options --help lists, short and long, one per line, sorted.
help_options() {
	"$SOCKLINE" --help |
		grep -oE -- '^  (-[0-9A-Za-z](, --[a-z0-9-]+)?|    --[a-z0-9-]+)' |
		grep -oE -- '--?[0-9A-Za-z][a-z0-9-]*' | LC_ALL=C sort -u
}

# The options whose argument is a number, a duration or free text
# (N, SECS, TEXT, ADDR[/LEN] in --help), short and long, one per line:
# nothing can be offered after them.
free_arg_options() {
	"$SOCKLINE" --help |
		grep -E -- '^  (-[0-9A-Za-z], |    )--[a-z0-9-]+ (N|SECS|TEXT|ADDR\[/LEN\]) ' |
		grep -oE -- '^  (-[0-9A-Za-z], |    )--[a-z0-9-]+' |
		grep -oE -- '--?[0-9A-Za-z][a-z0-9-]*' | LC_ALL=C sort -u
}

# bash_complete WORD...: runs the installed bash completion with
# COMP_WORDS set to the words (the last one is the word at the cursor)
# and prints COMPREPLY, one per line, sorted.  Host names come from
# $T/hosts.
bash_complete() {
	HOSTFILE="$T/hosts" bash -c '
		source "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_sockline || exit 1
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
	' bash_complete "$STAGE_SHARE/bash-completion/completions/sockline" "$@" |
		LC_ALL=C sort
}

# zsh_complete LINE: what zsh offers at the end of LINE, sorted.
zsh_complete() {
	ZSH_COMPLETE_HOSTS="zz-test-host zz-other-host" \
		"$TOP/test/helpers/zsh-complete" \
		"$STAGE_SHARE/zsh/site-functions" "$1"
}

# fish_complete LINE: what fish offers at the end of LINE (the
# candidates only, without their descriptions), sorted.  fish finds the
# installed file itself, through XDG_DATA_DIRS, once sockline is on the
# PATH; its host list is replaced by two names.
fish_complete() {
	PATH="$BATS_FILE_TMPDIR/stage/usr/bin:$PATH" \
		XDG_DATA_DIRS="$STAGE_SHARE" XDG_CONFIG_HOME="$T/config" \
		XDG_DATA_HOME="$T/data" \
		fish -c '
			function __fish_print_hostnames
				printf "%s\n" zz-test-host zz-other-host
			end
			complete -C $argv[1]' "$1" | cut -f 1 | LC_ALL=C sort
}

# --- bash ---

@test "bash: the completion is registered for sockline" {
	run bash -c 'source "$1" && complete -p sockline' _ \
		"$STAGE_SHARE/bash-completion/completions/sockline"
	assert_success
	assert_output "complete -F _sockline sockline"
}

@test "bash: options complete, and '-' offers exactly the options of --help" {
	run bash_complete sockline --hi
	assert_output "--history"
	run bash_complete sockline --no-s
	assert_output "--no-shutdown
--no-split"
	run bash_complete sockline -
	assert_output "$(help_options)"
}

@test "bash: nothing is offered after an option that takes a number or free text" {
	free=$(free_arg_options)
	# What --help says today, at least; every later one too.
	for o in -b --backlog -d --delay -i --idle-timeout -m --max-conns \
	    -q --quit-after -w --wait --allow --deny --reply --prompt; do
		grep -qx -- "$o" <<<"$free" || fail "$o is not in: $free"
	done
	for o in $free; do
		run bash_complete sockline "$o" ""
		assert_output "" || fail "$o offered: $output"
		run bash_complete sockline "$o" "1"
		assert_output "" || fail "$o 1 offered: $output"
	done
	run bash_complete sockline -lvq ""
	assert_output ""
}

@test "bash: files after -o, --output, --history and --port-file, in every spelling" {
	expected="$T/files/log1
$T/files/log2"
	for o in -o --output --history --port-file -lvo; do
		run bash_complete sockline "$o" "$T/files/lo"
		assert_output "$expected"
	done
	# '=' splits a word in bash: --output = FILE.
	run bash_complete sockline --output = "$T/files/lo"
	assert_output "$expected"
	# ... unless COMP_WORDBREAKS lacks it.
	run bash_complete sockline "--history=$T/files/lo"
	assert_output "--history=$T/files/log1
--history=$T/files/log2"
}

@test "bash: -U completes a socket path, and -s a path to bind" {
	run bash_complete sockline -U "$T/files/"
	assert_output "$T/files/dir
$T/files/log1
$T/files/log2
$T/files/other"
	run bash_complete sockline -luv "$T/files/lo"
	assert_output ""
	run bash_complete sockline -lUv "$T/files/lo"
	assert_output "$T/files/log1
$T/files/log2"
	run bash_complete sockline --unix -s "$T/files/o"
	assert_output "$T/files/other"
	run bash_complete sockline -U "$T/files/log1" ""
	assert_output ""
}

@test "bash: a host, then a service name for the port" {
	need_services
	run bash_complete sockline zz-t
	assert_output "zz-test-host"
	run bash_complete sockline -v -w 5 -s 10.0.0.1 zz-o
	assert_output "zz-other-host"
	run bash_complete sockline -s zz-t
	assert_output "zz-test-host"
	run bash_complete sockline -w 5 zz-test-host htt
	assert_output "http
http-alt
https"
	run bash_complete sockline --source-port smt
	assert_output "smtp"
	run bash_complete sockline zz-test-host http ""
	assert_output ""
	# -l -p PORT takes a host alone.
	run bash_complete sockline -lvp 8080 zz-test-host ""
	assert_output ""
	run bash_complete sockline -lp 8080 zz-t
	assert_output "zz-test-host"
}

@test "bash: commands after -e and -c" {
	run bash_complete sockline -e ca
	assert_line "cat"
	run bash_complete sockline -l 0 --sh-exec ca
	assert_line "cat"
}

# --- zsh ---

@test "zsh: options complete, and '-' offers exactly the options of --help" {
	need_shell zsh
	run zsh_complete "sockline --hi"
	assert_success
	assert_output "--history"
	run zsh_complete "sockline --no-s"
	assert_output "--no-shutdown
--no-split"
	run zsh_complete "sockline -"
	assert_output "$(help_options)"
	# A responder excludes the others (and itself, once given).
	run zsh_complete "sockline -l 0 --upper --e"
	assert_output ""
	run zsh_complete "sockline -l 0 --upper --"
	assert_line "--lockstep"
	for o in --echo --exec --reply --sh-exec --upper; do
		refute_line "$o"
	done
}

@test "zsh: nothing is offered after an option that takes a number or free text" {
	need_shell zsh
	free=$(free_arg_options)
	# What --help says today, at least; every later one too.
	for o in -b --backlog -d --delay -i --idle-timeout -m --max-conns \
	    -q --quit-after -w --wait --allow --deny --reply --prompt; do
		grep -qx -- "$o" <<<"$free" || fail "$o is not in: $free"
	done
	for o in $free; do
		run zsh_complete "sockline $o "
		assert_success
		assert_output "" || fail "$o offered: $output"
	done
}

@test "zsh: files after -o and --history, a socket path after -U" {
	need_shell zsh
	run zsh_complete "sockline -o $T/files/lo"
	assert_output "log1
log2"
	run zsh_complete "sockline --history=$T/files/lo"
	assert_output "log1
log2"
	run zsh_complete "sockline --port-file $T/files/o"
	assert_output "other"
	run zsh_complete "sockline -lU $T/files/o"
	assert_output "other"
	run zsh_complete "sockline -U -s $T/files/o"
	assert_output "other"
}

@test "zsh: a host, then a service name for the port; commands after -e" {
	need_shell zsh
	need_services
	run zsh_complete "sockline -v zz-t"
	assert_output "zz-test-host"
	run zsh_complete "sockline -s zz-o"
	assert_output "zz-other-host"
	run zsh_complete "sockline zz-test-host htt"
	assert_output "http
http-alt
https"
	run zsh_complete "sockline -p smt"
	assert_output "smtp"
	run zsh_complete "sockline -l -p 8080 zz-test-host zz"
	assert_output ""
	run zsh_complete "sockline -l 0 -e ca"
	assert_line "cat"
}

# --- fish ---

@test "fish: options complete, and '-' offers exactly the options of --help" {
	need_shell fish
	run fish_complete "sockline --hi"
	assert_success
	assert_output "--history"
	run fish_complete "sockline --no-s"
	assert_output "--no-shutdown
--no-split"
	run fish_complete "sockline -"
	assert_output "$(help_options)"
}

@test "fish: nothing is offered after an option that takes a number or free text" {
	need_shell fish
	free=$(free_arg_options)
	# What --help says today, at least; every later one too.
	for o in -b --backlog -d --delay -i --idle-timeout -m --max-conns \
	    -q --quit-after -w --wait --allow --deny --reply --prompt; do
		grep -qx -- "$o" <<<"$free" || fail "$o is not in: $free"
	done
	for o in $free; do
		run fish_complete "sockline $o "
		assert_success
		assert_output "" || fail "$o offered: $output"
	done
}

@test "fish: files after -o and --history, a socket path after -U" {
	need_shell fish
	run fish_complete "sockline -o $T/files/lo"
	assert_output "$T/files/log1
$T/files/log2"
	run fish_complete "sockline --history=$T/files/lo"
	assert_output "--history=$T/files/log1
--history=$T/files/log2"
	run fish_complete "sockline --port-file $T/files/o"
	assert_output "$T/files/other"
	run fish_complete "sockline -lU $T/files/o"
	assert_output "$T/files/other"
	run fish_complete "sockline -U -s $T/files/o"
	assert_output "$T/files/other"
	# Without -U an operand is no file.
	run fish_complete "sockline $T/files/o"
	assert_output ""
}

@test "fish: a host, then a service name for the port; commands after -e" {
	need_shell fish
	need_services
	run fish_complete "sockline -v zz-t"
	assert_output "zz-test-host"
	run fish_complete "sockline -s zz-o"
	assert_output "zz-other-host"
	run fish_complete "sockline -w 5 zz-test-host htt"
	assert_output "http
http-alt
https"
	run fish_complete "sockline -p smt"
	assert_output "smtp"
	run fish_complete "sockline -lp 8080 zz-test-host "
	assert_output ""
	run fish_complete "sockline -l 0 -e ca"
	assert_line "cat"
}

# fish_finds ENV...: whether a fish started with ENV (and no XDG_*
# variables of ours) completes "sockline --hi" to --history, that is,
# finds the installed completion file itself.
fish_finds() {
	env -u XDG_DATA_DIRS -u XDG_DATA_HOME -u XDG_CONFIG_HOME "$@" \
		fish -c 'complete -C "sockline --hi"' | cut -f 1 |
		grep -qx -- --history
}

@test "fish: after make install into PREFIX=~/.local the completion is found with nothing set" {
	need_shell fish
	home="$T/home"
	mkdir -p "$home"
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$TOP" -o sockline \
		install PREFIX="$home/.local" >/dev/null
	[ -f "$home/.local/share/fish/vendor_completions.d/sockline.fish" ]
	fish_finds HOME="$home" PATH="$home/.local/bin:$PATH"
}

@test "fish: after make install into another PREFIX, the XDG_DATA_DIRS the README gives makes fish find it" {
	need_shell fish
	home="$T/home"
	mkdir -p "$home"
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$TOP" -o sockline \
		install PREFIX="$T/opt/sockline" >/dev/null
	# fish looks in its own data directory and XDG_DATA_DIRS only.
	if fish_finds HOME="$home" PATH="$T/opt/sockline/bin:$PATH"; then
		fail "fish found it without XDG_DATA_DIRS: the README's note is stale"
	fi
	# README.md, "Installing": set XDG_DATA_DIRS to its default plus
	# the prefix.
	grep -qF 'XDG_DATA_DIRS=/opt/sockline/share:/usr/local/share:/usr/share' \
		"$TOP/README.md"
	fish_finds HOME="$home" PATH="$T/opt/sockline/bin:$PATH" \
		XDG_DATA_DIRS="$T/opt/sockline/share:/usr/local/share:/usr/share"
}
