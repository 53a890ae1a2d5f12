#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# -l --accept-proxy-protocol: each client sends a PROXY header (v1 or v2)
# first; its source stands for the client everywhere (-v, -o,
# SOCKLINE_REMOTE_*, --allow/--deny); a missing, truncated or malformed
# header drops the client with a -v note.  The clients are python peers
# sending the header's bytes: the addresses in them are only bytes, and
# no traffic goes to them.

load helpers/common

SIG='\r\n\r\n\0\r\nQUIT\n'
# v2, PROXY, TCP over IPv4: 10.1.2.3:4000 -> 127.0.0.1:80.
V2_4="${SIG}"'\x21\x11\x00\x0c\x0a\x01\x02\x03\x7f\x00\x00\x01\x0f\xa0\x00\x50'
# v2, PROXY, TCP over IPv6: 2001:db8::7 port 4001 -> ::1 port 80.
V2_6="${SIG}"'\x21\x21\x00\x24\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\x0f\xa1\x00\x50'
# v2, LOCAL (a health check): the connection's own address counts.
V2_LOCAL="${SIG}"'\x20\x00\x00\x00'

start() {
	bg sl "$SOCKLINE" -v -l --accept-proxy-protocol "$@" --port-file "$T/port" 127.0.0.1 0
	port=$(port_of "$T/port")
}

client() {
	peer.py --connect 127.0.0.1 --port "$port" "$@"
}

@test "a v1 header's source is what -v, -o and the data's label show, and data after it is not lost" {
	start -k -o "$T/log"
	run client send:'PROXY TCP4 10.1.2.3 127.0.0.1 4000 80\r\nhello\n' close
	assert_success
	wait_line "$T/sl.out" '^hello$'
	wait_line "$T/sl.err" '^Connection received on 10\.1\.2\.3 4000$'
	run grep -c 'PROXY' "$T/sl.out"
	assert_output 0
	wait_line "$T/log" '10\.1\.2\.3'
	run grep -c '127\.0\.0\.1' "$T/log"
	# Only the line saying where the listener listens.
	assert_output 1
}

@test "a v2 header over IPv4 and one over IPv6 give SOCKLINE_REMOTE_ADDR and _PORT to -c" {
	start -k -c 'echo "$SOCKLINE_REMOTE_ADDR $SOCKLINE_REMOTE_PORT"'
	run client send:"$V2_4" expect:'10.1.2.3 4000\n' expect-eof
	assert_success
	run client send:"$V2_6" expect:'2001:db8::7 4001\n' expect-eof
	assert_success
}

@test "a v2 LOCAL header keeps the connection's own address" {
	start -k -c 'echo "$SOCKLINE_REMOTE_ADDR"'
	run client send:"$V2_LOCAL" expect:'127.0.0.1\n' expect-eof
	assert_success
}

@test "a header that comes in pieces is taken whole, and not a byte of the data after it" {
	start -k -c 'echo "$SOCKLINE_REMOTE_ADDR $SOCKLINE_REMOTE_PORT"; cat'
	run client send:'PRO' sleep:30 send:'XY TCP4 10.1.2.3 127.0' sleep:30 \
		send:'.0.1 4000 80\r' sleep:30 send:'\nab' expect:'10.1.2.3 4000\n' \
		send:'c\n' expect:'abc\n' close
	assert_success
	run client send:'\r\n\r\n\0\r' sleep:30 send:'\nQUIT\n\x21\x11\x00' sleep:30 \
		send:'\x0c\x0a\x01\x02\x03\x7f\x00\x00\x01\x0f' sleep:30 send:'\xa0\x00\x50xy\n' \
		expect:'10.1.2.3 4000\n' expect:'xy\n' close
	assert_success
}

@test "--deny is checked against the header's source, not the connection's" {
	start -k --deny 10.0.0.0/8 --deny 127.0.0.1 --echo
	run client send:'PROXY TCP4 10.1.2.3 127.0.0.1 4000 80\r\nx\n' expect-closed
	assert_success
	wait_line "$T/sl.err" '^Refused a connection from 10\.1\.2\.3 4000: not allowed$'
	run client send:'PROXY TCP4 192.0.2.9 127.0.0.1 4000 80\r\nok\n' expect:'ok\n' close
	assert_success
	wait_line "$T/sl.err" '^Connection received on 192\.0\.2\.9 4000$'
}

@test "a truncated, a malformed and a missing header each drop their client with a -v note; the others are served" {
	start -k -w 1 --echo
	run client send:'PROXY TCP4 10.1.2.3 127.0' close
	assert_success
	wait_line "$T/sl.err" '^Dropped 127\.0\.0\.1 [0-9]+: PROXY header cut short by the end of the connection$'
	run client send:'GET / HTTP/1.0\r\n\r\n' expect-closed
	assert_success
	wait_line "$T/sl.err" '^Dropped 127\.0\.0\.1 [0-9]+: not a PROXY protocol header$'
	run client send:'PROXY TCP4 10.1.2.3 127.0.0.1 99999 80\r\n' expect-closed
	assert_success
	wait_line "$T/sl.err" '^Dropped 127\.0\.0\.1 [0-9]+: PROXY v1 header: a bad port$'
	run client send:'PROXY TCP4 10.1.2.3' expect-closed
	assert_success
	wait_line "$T/sl.err" '^Dropped 127\.0\.0\.1 [0-9]+: no whole PROXY header within 1\.000 s$'
	run client expect-closed
	assert_success
	wait_line "$T/sl.err" '^Dropped 127\.0\.0\.1 [0-9]+: no PROXY header within 1\.000 s$'
	run client send:"$V2_4"'still\n' expect:'still\n' close
	assert_success
	# Nothing from a dropped client was shown.
	run cat "$T/sl.out"
	assert_output still
}

@test "without -k a client with a bad header is dropped and the next one is the one client" {
	start
	run client send:'HELLO\r\n' expect-closed
	assert_success
	wait_line "$T/sl.err" '^Dropped 127\.0\.0\.1 [0-9]+: not a PROXY protocol header$'
	run client send:'PROXY TCP6 2001:db8::7 ::1 4001 80\r\nbye\n' close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	run cat "$T/sl.out"
	assert_output bye
	grep -q '^Connection received on 2001:db8::7 4001$' "$T/sl.err"
}

@test "sockline --proxy-protocol to sockline --accept-proxy-protocol: the header names the client's real address" {
	start -v
	printf 'hi\n' >"$T/in"
	run "$SOCKLINE" --proxy-protocol v2 127.0.0.1 "$port" <"$T/in"
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	run cat "$T/sl.out"
	assert_output hi
	# -vv: the connection's own address, then the one the header named.
	real=$(sed -n 's/^PROXY v2 header from 127\.0\.0\.1 \([0-9]*\): source 127\.0\.0\.1 \1$/\1/p' "$T/sl.err")
	[ -n "$real" ]
	grep -q "^Connection received on 127\.0\.0\.1 $real\$" "$T/sl.err"
}

@test "a chat behind a balancer announces a newcomer by the header's source" {
	start --chat
	bg a peer.py --connect 127.0.0.1 --port "$port" \
		send:'PROXY TCP4 10.1.2.3 127.0.0.1 4000 80\r\n' \
		expect:'<notice> you are user1\n' touch:"$T/a-in" \
		expect:'<notice> user2 joined from 192.0.2.9 4001\n' expect:'<user2> hi\n' close
	wait_until test -e "$T/a-in"
	run peer.py --connect 127.0.0.1 --port "$port" \
		send:'PROXY TCP4 192.0.2.9 127.0.0.1 4001 80\r\n' \
		expect:'<notice> you are user2; also here: user1\n' send:'hi\n' expect:'<notice> user1 left\n' close
	assert_success
	finish "$a_pid"
	assert_equal "$status" 0
}
