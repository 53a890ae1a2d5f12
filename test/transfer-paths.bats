#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Bytes take different paths depending on what stdin and stdout are:
# splice(2) for pipes, sendfile(2) for a file on stdin, read and write
# otherwise (and whenever -C, -k or a responder needs to see them).
# Every path must move exactly the same bytes.

load helpers/common

setup() {
	head -c 8388608 /dev/urandom >"$T/data"
}

# transfer IN OUT [OPTIONS]: 8 MiB through an echo peer, stdin as a
# pipe or a file, stdout as a pipe or a file; the echo must be exact.
transfer() {
	local in=$1 out=$2
	shift 2
	rm -f "$T/port" "$T/back"
	bg srv peer.py --listen --port-file "$T/port" echo
	port=$(port_of "$T/port")
	case $in-$out in
	pipe-pipe) run timeout 30 bash -c 'cat "$2" | "$0" "${@:4}" 127.0.0.1 "$1" | cat >"$3"' \
		"$SOCKLINE" "$port" "$T/data" "$T/back" "$@" ;;
	pipe-file) run timeout 30 bash -c 'cat "$2" | "$0" "${@:4}" 127.0.0.1 "$1" >"$3"' \
		"$SOCKLINE" "$port" "$T/data" "$T/back" "$@" ;;
	file-pipe) run timeout 30 bash -c '"$0" "${@:4}" 127.0.0.1 "$1" <"$2" | cat >"$3"' \
		"$SOCKLINE" "$port" "$T/data" "$T/back" "$@" ;;
	file-file) run timeout 30 bash -c '"$0" "${@:4}" 127.0.0.1 "$1" <"$2" >"$3"' \
		"$SOCKLINE" "$port" "$T/data" "$T/back" "$@" ;;
	esac
	assert_success
	finish "$srv_pid"
	cmp "$T/data" "$T/back"
}

@test "a pipe to a pipe moves every byte exactly (splice both ways)" {
	transfer pipe pipe
}

@test "a file to a file moves every byte exactly (sendfile in, copy out)" {
	transfer file file
}

@test "a pipe to a file and a file to a pipe move every byte exactly" {
	transfer pipe file
	transfer file pipe
}

@test "the copying path moves the same bytes when zero-copy is not allowed" {
	# -C makes sockline look at every byte, so nothing is spliced; on
	# data without a LF it changes nothing, so the echo is still exact.
	tr -d '\n' <"$T/data" >"$T/data.nolf"
	mv "$T/data.nolf" "$T/data"
	transfer pipe pipe -C
	transfer file file -C
}

@test "splice keeps the end-of-stream rules: the reply after end of input arrives" {
	head -c 4097 /dev/urandom >"$T/payload"
	for i in 1 2 3 4 5; do
		rm -f "$T/port"
		bg srv peer.py --listen --port-file "$T/port" count-reply
		port=$(port_of "$T/port")
		run --separate-stderr timeout 10 bash -c 'cat "$2" | "$0" 127.0.0.1 "$1" | cat' \
			"$SOCKLINE" "$port" "$T/payload"
		assert_success
		assert_output "4097"
	done
}
