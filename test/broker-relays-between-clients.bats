#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --broker: a -k listener relays each client's bytes, unchanged, to every
# other client (design.md item 22), checked by independent python clients.

load helpers/common

start_broker() {
	bg sl "$SOCKLINE" -v -l --broker "$@" --port-file "$T/port" 127.0.0.1 0
	port=$(port_of "$T/port")
}

# test_size FILE N: FILE holds N bytes.
test_size() {
	[ "$(stat -c %s "$1")" -eq "$2" ]
}

# received N: true once the broker has said it took N clients.
received() {
	(($(grep -c '^Connection received on ' "$T/sl.err") >= $1))
}

# go_after N: creates $T/go once the broker has taken N clients.
go_after() {
	wait_until received "$1"
	touch "$T/go"
}

@test "three clients sending 3 MB each at once each get every byte of the other two, in order" {
	start_broker
	bg rc relay-clients.py --clients 3 --bytes 3000000 --go "$T/go" 127.0.0.1 "$port"
	go_after 3
	finish "$rc_pid" 60
	assert_equal "$status" 0
	# The operator saw all 9 MB, and nothing went to the senders themselves.
	wait_until test_size "$T/sl.out" 9000000
}

@test "a client that half-closes is heard by the others, closed, and leaves them undisturbed" {
	start_broker
	bg rc relay-clients.py --half-close --clients 3 --bytes 1000000 --go "$T/go" 127.0.0.1 "$port"
	go_after 3
	finish "$rc_pid" 60
	assert_equal "$status" 0
	run grep -c '^Dropped' "$T/sl.err"
	assert_output 0
}

@test "a client that never reads is dropped and the others still get everything, in bounded memory" {
	start_broker
	bg rc relay-clients.py --silent --clients 3 --bytes 16000000 --go "$T/go" 127.0.0.1 "$port"
	go_after 3
	finish "$rc_pid" 120
	assert_equal "$status" 0
	wait_line "$T/sl.err" '^Dropped 127\.0\.0\.1 [0-9]+: it does not read what is sent to it$'
	# 32 MB went to a client that took none of it: queued whole, they
	# would need more than 32 MB.
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$sl_pid/status")
	echo "VmHWM ${hwm} kB" >&2
	((hwm < 24000))
}

@test "-m 2 turns a third client of a broker away" {
	start_broker -m 2
	bg rc relay-clients.py --clients 2 --bytes 1000 --go "$T/go" 127.0.0.1 "$port"
	wait_until received 2
	run peer.py --connect 127.0.0.1 --port "$port" expect-eof
	assert_success
	wait_line "$T/sl.err" 'Refused a connection from 127\.0\.0\.1 [0-9]+: 2 clients already \(-m\)'
	touch "$T/go"
	finish "$rc_pid"
	assert_equal "$status" 0
}

@test "--deny keeps a client away from a broker; the allowed ones talk" {
	start_broker --deny 127.0.0.2
	run python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.2", 0))
s.connect(("127.0.0.1", int(sys.argv[1])))
sys.exit(s.recv(10) != b"")' "$port"
	assert_success
	wait_line "$T/sl.err" 'Refused a connection from 127\.0\.0\.2 [0-9]+: not allowed'
	bg rc relay-clients.py --clients 2 --bytes 10000 --go "$T/go" 127.0.0.1 "$port"
	go_after 2
	finish "$rc_pid"
	assert_equal "$status" 0
}

@test "what the operator pipes in goes to every client of a broker" {
	mkfifo "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -l --broker --port-file "$T/port" 127.0.0.1 0
	exec 4>"$T/in"
	port=$(port_of "$T/port")
	bg a peer.py --connect 127.0.0.1 --port "$port" expect:'to all\n' close
	bg b peer.py --connect 127.0.0.1 --port "$port" expect:'to all\n' close
	wait_until received 2
	printf 'to all\n' >&4
	finish "$a_pid"
	assert_equal "$status" 0
	finish "$b_pid"
	assert_equal "$status" 0
	exec 4>&-
}
