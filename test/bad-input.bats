#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Bad input: every row of bad-input.table (arguments, exit status,
# message) is an invocation sockline must refuse with the documented
# status and one line on stderr, before it opens a network socket or
# creates a file.  See the table's header for its format.

load helpers/common

# rows: the table's rows, one per line, without comments.
rows() {
	grep -vE '^(#|$)' "$TOP/test/bad-input.table"
}

# split ROW: sets $args, $want_status and $want_message.
split() {
	local rest
	args=${1%%$'\t'*}
	rest=${1#*$'\t'}
	want_status=${rest%%$'\t'*}
	want_message=${rest#*$'\t'}
}

setup() {
	LONG107=$T/$(printf 'p%.0s' $(seq $((107 - ${#T} - 1))))
	LONG108=${LONG107}q
	mkdir -p "$T/cwd" "$T/home"
}

# in_clean_dir CMD...: runs CMD in an empty directory with an empty
# home, stdout and stderr to $T/out and $T/err; sets $status.
in_clean_dir() {
	status=0
	(cd "$T/cwd" && HOME="$T/home" XDG_STATE_HOME="$T/home/state" \
		timeout 10 "$@" </dev/null >"$T/out" 2>"$T/err") || status=$?
}

# created: what appeared in the working directory or the home.
created() {
	ls -A "$T/cwd" "$T/home" | grep -vE '^(/|$)' || true
}

@test "the table has at least 40 rows, each with an exit status and a message" {
	local row n=0
	while IFS= read -r row; do
		split "$row"
		[[ "$want_status" =~ ^[12]$ ]] || fail "bad status in row: $row"
		[ -n "$want_message" ] || fail "no message in row: $row"
		n=$((n + 1))
	done < <(rows)
	echo "$n rows" >&3
	((n >= 40))
}

@test "every row exits with its status and one line matching its message, stdout empty, no file created" {
	local row line
	while IFS= read -r row; do
		split "$row"
		eval "set -- $args"
		in_clean_dir "$SOCKLINE" "$@"
		[ "$status" -eq "$want_status" ] ||
			fail "exit $status, not $want_status: sockline $args: $(cat "$T/err")"
		[ ! -s "$T/out" ] || fail "stdout for: sockline $args: $(cat "$T/out")"
		[ "$(wc -l <"$T/err")" -eq 1 ] ||
			fail "not one line for: sockline $args: $(cat "$T/err")"
		line=$(cat "$T/err")
		[[ "$line" == "sockline: "* ]] || fail "no prefix: $line"
		[[ "${line#sockline: }" =~ $want_message ]] ||
			fail "sockline $args: '$line' does not match '$want_message'"
		[ -z "$(created)" ] || fail "sockline $args created: $(created)"
	done < <(rows)
}

@test "no row opens a network socket or creates a file (strace)" {
	command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
	local row
	while IFS= read -r row; do
		split "$row"
		eval "set -- $args"
		# (LeakSanitizer cannot run under ptrace, for the ASan build.)
		ASAN_OPTIONS=detect_leaks=0 in_clean_dir strace -f -qq -o "$T/trace" \
			-e trace=socket,bind,connect,open,openat,creat,mkdir,mkdirat,mknod,mknodat \
			"$SOCKLINE" "$@"
		[ "$status" -eq "$want_status" ] || fail "exit $status under strace: sockline $args"
		# glibc's service-name lookup probes nscd over a unix socket,
		# and if_nametoindex(3) asks the kernel through one: those are
		# the C library's, not sockets of ours, and they go nowhere.
		run grep -E 'socket\(AF_INET|bind\(|connect\(' "$T/trace"
		run grep -v 'nscd/socket' <<<"$output"
		[ -z "$output" ] || fail "a socket was used for: sockline $args: $output"
		# Opening a device (/dev/full, /dev/null) creates nothing.
		run grep -E 'O_CREAT.*= [0-9]+$|mkdir(at)?\(.*= 0$|mknod(at)?\(.*= 0$' "$T/trace"
		run grep -vE 'open(at)?\((AT_FDCWD, )?"/dev/' <<<"$output"
		[ -z "$output" ] || fail "a file was made for: sockline $args: $output"
	done < <(rows)
}
