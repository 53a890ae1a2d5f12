#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Unix datagrams arrive whole however large, up to the socket's receive
# buffer (SO_RCVBUF); a larger one is cut, but never silently: a message
# names it and the exit status is 1.

load helpers/common

@test "a 100000-byte unix datagram reaches a listener whole" {
	bg sl "$SOCKLINE" -v -U -u -l "$T/s"
	wait_line "$T/sl.err" '^Listening on '
	run big-dgram.py send "$T/s" 100000
	assert_success
	# A last small datagram says when the first has been written out.
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"\nEND\n", sys.argv[1])' "$T/s"
	wait_line "$T/sl.out" '^END$'
	{ big-dgram.py pattern 100000; printf '\nEND\n'; } >"$T/want"
	cmp "$T/want" "$T/sl.out"
	run cat "$T/sl.err"
	refute_output --partial 'was cut'
}

@test "a unix datagram client gets a 150000-byte reply whole, exit 0" {
	bg srv big-dgram.py serve "$T/s" 150000 "$T/ready"
	wait_file "$T/ready"
	run --separate-stderr timeout 20 bash -c 'printf "hi\n" | "$0" -U -u -q 0.5 "$1" >"$2"' \
		"$SOCKLINE" "$T/s" "$T/got"
	assert_success
	assert_equal "$stderr" ""
	big-dgram.py pattern 150000 >"$T/want"
	cmp "$T/want" "$T/got"
}

@test "a reply larger than the receive buffer is cut with a message, and the exit status is 1" {
	rcvbuf=$(python3 -c 'import socket; print(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))')
	sndmax=$(python3 -c 'import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20); print(s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))')
	size=$((rcvbuf + 1000))
	((size + 32 <= sndmax)) || skip "SO_SNDBUF cannot be raised past SO_RCVBUF here (wmem_max)"
	bg srv big-dgram.py serve "$T/s" "$size" "$T/ready"
	wait_file "$T/ready"
	run --separate-stderr timeout 20 bash -c 'printf "hi\n" | "$0" -U -u -q 0.5 "$1" >"$2"' \
		"$SOCKLINE" "$T/s" "$T/got"
	assert_failure 1
	assert_equal "$stderr" "sockline: a datagram of $size bytes from $T/s (unix) was cut to $rcvbuf: it is larger than the receive buffer (SO_RCVBUF)"
	# What fitted is still delivered.
	big-dgram.py pattern "$rcvbuf" >"$T/want"
	cmp "$T/want" "$T/got"
}
