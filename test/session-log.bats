#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# -o FILE: a session log of both directions, marked and timestamped,
# whichever front end runs.

load helpers/common
load helpers/tmux

STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}'

@test "-o logs both directions of a batch session, marked and timestamped" {
	serve upper
	run --separate-stderr timeout 10 bash -c \
		'printf "hello\nworld\n" | "$0" -o "$1" 127.0.0.1 "$2"' \
		"$SOCKLINE" "$T/log" "$port"
	assert_success
	assert_output "$(printf 'HELLO\nWORLD')"
	run cat "$T/log"
	assert_line --index 0 --regexp "^# sockline [0-9.]+ session log, .*: tcp to 127\\.0\\.0\\.1 $port\$"
	assert_line --regexp "^$STAMP > hello\$"
	assert_line --regexp "^$STAMP > world\$"
	assert_line --regexp "^$STAMP < HELLO\$"
	assert_line --regexp "^$STAMP < WORLD\$"
	assert_line --index -1 --regexp '^# end of session, .*, exit status 0$'
	assert_equal "$(stat -c %a "$T/log")" 600
}

@test "-o logs an interactive session, escapes control bytes and marks a line cut short" {
	serve send:'login: ' expect:'alice\n' send:'bell\a and CR\r\n' expect-eof
	repl_to_peer -o "$T/log"
	wait_pane '^login: $'
	line alice
	wait_pane '^bell\\a and CR$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	run cat "$T/log"
	assert_line --index 1 --regexp "^$STAMP < login: \\\\\$"
	assert_line --index 2 --regexp "^$STAMP > alice\$"
	assert_line --index 3 --regexp "^$STAMP < bell\\\\a and CR\\\\r\$"
	assert_line --index 4 --regexp '^# end of session'
}

@test "-o logs datagrams one record each, with the sender when there are several" {
	bg dg dgram-peer.py --port-file "$T/uport" --record "$T/got" --upper
	uport=$(port_of "$T/uport")
	run --separate-stderr timeout 10 bash -c \
		'printf "one\ntwo\n" | "$0" -u -q 0.5 -o "$1" 127.0.0.1 "$2"' \
		"$SOCKLINE" "$T/log" "$uport"
	assert_success
	run cat "$T/log"
	assert_line --regexp "^$STAMP > one\$"
	assert_line --regexp "^$STAMP < ONE\$"
	assert_line --regexp "^$STAMP < TWO\$"
}

@test "a UDP listener's -o log names the sender of every datagram, the first one too" {
	bg sl "$SOCKLINE" -l -u 127.0.0.1 0 --echo -o "$T/log" --port-file "$T/port"
	port=$(port_of "$T/port")
	run peer.py --udp --connect 127.0.0.1 --port "$port" send:'first\n' expect:'first\n'
	assert_success
	run peer.py --udp --connect 127.0.0.1 --port "$port" send:'second\n' expect:'second\n'
	assert_success
	wait_line "$T/log" ' > \[127\.0\.0\.1:[0-9]+\] second$'
	run grep -cE "^$STAMP < \[127\.0\.0\.1:[0-9]+\] (first|second)\$" "$T/log"
	assert_output 2
}

@test "an -o file that cannot be written is one error line, exit 1, and no connection" {
	serve touch:"$T/connected"
	run --separate-stderr "$SOCKLINE" -o "$T/no/such/dir/log" \
		127.0.0.1 "$port" </dev/null
	assert_equal "$status" 1
	assert_equal "$stderr" "sockline: cannot write the session log $T/no/such/dir/log: No such file or directory"
	[ ! -e "$T/connected" ]
}

@test "-o logs what a responder sends back, and names the port a port-0 listener got" {
	bg sl "$SOCKLINE" -l -k 127.0.0.1 0 --upper -o "$T/log" --port-file "$T/port"
	port=$(port_of "$T/port")
	run peer.py --connect 127.0.0.1 --port "$port" send:'shout\n' expect:'SHOUT\n' close
	assert_success
	wait_line "$T/log" ' > \[127\.0\.0\.1:[0-9]+\] SHOUT$'
	kill "$sl_pid"
	finish "$sl_pid"
	run cat "$T/log"
	assert_line --index 0 --regexp "^# sockline [0-9.]+ session log, .*: tcp listening on 127\\.0\\.0\\.1 $port\$"
	assert_line --regexp "^$STAMP < \\[127\\.0\\.0\\.1:[0-9]+\\] shout\$"
}

@test "with --lockstep, -o logs each line when it is sent, after the reply before it" {
	# The server greets, then answers each line; sockline reads all
	# three lines at once but sends each only after the previous reply.
	serve send:'220 hi\n' expect:'A\n' send:'a\n' expect:'B\n' send:'b\n' \
		expect:'C\n' send:'c\n' expect-eof
	run --separate-stderr timeout 10 bash -c \
		'printf "A\nB\nC\n" | "$0" --lockstep -o "$1" 127.0.0.1 "$2"' \
		"$SOCKLINE" "$T/log"  "$port"
	assert_success
	run sed -n 's/^[0-9-]* [0-9:.]* //p' "$T/log"
	assert_output "< 220 hi
> A
< a
> B
< b
> C
< c"
}
