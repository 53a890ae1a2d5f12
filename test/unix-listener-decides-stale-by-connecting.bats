#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A unix listener finds an existing socket at its path stale or live by
# connecting to it, never by reading /proc/net/unix, where an abstract
# name holding a newline can forge a line for any path.

load helpers/common

@test "a stale socket is replaced even when an abstract name forges a /proc/net/unix line for it" {
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/s"
	[ -S "$T/s" ]
	bg forger forge-proc-line.py "$T/s" "$T/forged"
	wait_file "$T/forged"
	printf 'fresh\n' >"$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -U -l "$T/s"
	wait_line "$T/sl.err" '^(Listening on |sockline: )'
	run cat "$T/sl.err"
	refute_output --partial 'Address already in use'
	run peer.py --unix "$T/s" expect:'fresh\n' expect-eof close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
}

@test "a live unix listener is still left alone: Address already in use, exit 1" {
	bg srv "$SOCKLINE" -v -k -U -l "$T/s" --reply 'still me\n'
	wait_line "$T/srv.err" '^Listening on '
	run --separate-stderr timeout 5 "$SOCKLINE" -U -l "$T/s" </dev/null
	assert_failure 1
	[[ "$stderr" == *"Address already in use"* ]]
	run peer.py --unix "$T/s" send:'hi\n' expect:'still me\n' close
	assert_success
}
