#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Empty things: an empty line, an empty datagram.  Each once took the
# code through pointer arithmetic on an empty buffer's NULL data (NULL +
# 0, undefined behaviour), which `make check-asan` (clang's UBSan) stops
# on; here they must simply work.

load helpers/common
load helpers/tmux

STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}'

@test "an empty line sent with -o is an empty record in the session log" {
	serve recv-all:"$T/got"
	run --separate-stderr timeout 10 bash -c \
		'printf "a\n\nb\n" | "$0" -o "$1" 127.0.0.1 "$2"' \
		"$SOCKLINE" "$T/log" "$port"
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
	cmp "$T/got" <(printf 'a\n\nb\n')
	run cat "$T/log"
	assert_line --index 1 --regexp "^$STAMP > a\$"
	assert_line --index 2 --regexp "^$STAMP > \$"
	assert_line --index 3 --regexp "^$STAMP > b\$"
}

@test "an empty datagram in a hex dump shows nothing, and the next one is dumped" {
	bg sl "$SOCKLINE" -l -u -x 127.0.0.1 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	run peer.py --udp --connect 127.0.0.1 --port "$port" send: send:hi
	assert_success
	wait_line "$T/sl.out" '\|hi\|$'
	kill -0 "$sl_pid"
	assert_equal "$(wc -l <"$T/sl.out")" 1
}

@test "an empty datagram at the prompt shows nothing, and the session goes on" {
	bg srv peer.py --udp --listen --port-file "$T/port" \
		expect:'ping\n' send: send:'pong\n' expect:'bye\n'
	port=$(port_of "$T/port")
	repl -u 127.0.0.1 "$port"
	wait_pane "^127\\.0\\.0\\.1:$port> "
	line ping
	wait_pane '^pong$'
	line bye
	finish "$srv_pid"
	assert_equal "$status" 0
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
}
