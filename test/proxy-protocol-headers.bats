#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --proxy-protocol v1|v2: a client sends a PROXY protocol header naming
# the connection's real source and destination before any data; a python
# listener checks it byte for byte against haproxy's proxy-protocol.txt.

load helpers/common

# sends VERSION FAMILY: sockline sends "hello\n" with a header of VERSION
# over FAMILY (4 or 6); the listener checks both.
sends() {
	local host=127.0.0.1 six=
	[ "$2" = 6 ] && { host=::1; six=-6; }
	bg pl proxy-listener.py $six --port-file "$T/port" --version "${1#v}" --data 'hello\n'
	port=$(port_of "$T/port")
	printf 'hello\n' >"$T/in"
	run "$SOCKLINE" --proxy-protocol "$1" "$host" "$port" <"$T/in"
	assert_success
	finish "$pl_pid"
	cat "$T/pl.err" >&2
	assert_equal "$status" 0
}

@test "--proxy-protocol v1 over IPv4 sends 'PROXY TCP4 src dst sport dport' and CRLF first" {
	sends v1 4
	run cat "$T/pl.out"
	assert_output --regexp '^PROXY TCP4 127\.0\.0\.1 127\.0\.0\.1 [0-9]+ [0-9]+'
}

@test "--proxy-protocol v1 over IPv6 sends 'PROXY TCP6 ::1 ::1 sport dport' and CRLF first" {
	sends v1 6
	run cat "$T/pl.out"
	assert_output --regexp '^PROXY TCP6 ::1 ::1 [0-9]+ [0-9]+'
}

@test "--proxy-protocol v2 over IPv4 sends the binary header: signature, PROXY, TCP over IPv4, 12 address bytes" {
	sends v2 4
	run cat "$T/pl.out"
	assert_output --regexp '^0d0a0d0a000d0a515549540a2111000c7f0000017f000001[0-9a-f]{8}$'
}

@test "--proxy-protocol v2 over IPv6 sends the binary header: signature, PROXY, TCP over IPv6, 36 address bytes" {
	sends v2 6
	run cat "$T/pl.out"
	assert_output --regexp '^0d0a0d0a000d0a515549540a21210024(0{31}1){2}[0-9a-f]{8}$'
}

@test "--proxy-protocol sends the header once, then the data unchanged, with -C and -o too" {
	bg pl proxy-listener.py --port-file "$T/port" --version 2 --data 'a\r\nb\r\n'
	port=$(port_of "$T/port")
	printf 'a\nb\n' >"$T/in"
	run "$SOCKLINE" -C -o "$T/log" --proxy-protocol v2 127.0.0.1 "$port" <"$T/in"
	assert_success
	finish "$pl_pid"
	cat "$T/pl.err" >&2
	assert_equal "$status" 0
	# The log holds the conversation, not the header.
	run grep -c 'QUIT' "$T/log"
	assert_output 0
}
