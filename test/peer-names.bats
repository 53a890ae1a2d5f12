#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Who a peer is, as sockline shows it.  A unix datagram sender picks its
# own name, any bytes at all; none of them may reach a terminal as
# control bytes (design item 14), in -v lines or anywhere else.

load helpers/common

@test "a unix datagram sender named with control bytes is shown with them escaped" {
	bg sl "$SOCKLINE" -v -l -U -u "$T/s"
	wait_until test -S "$T/s"
	python3 - "$T/s" <<-'EOF'
		import socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		s.bind(b"\0evil\x1b[2J\x07name\x7f")
		s.sendto(b"hi\n", sys.argv[1])
	EOF
	wait_line "$T/sl.out" '^hi$'
	wait_line "$T/sl.err" '^Connection received on @'
	run grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$T/sl.err"
	assert_output 0
	run grep -F 'Connection received on @evil\x1b[2J\aname\x7f' "$T/sl.err"
	assert_success
}

@test "a unix datagram sender that never bound is shown as (unnamed)" {
	bg sl "$SOCKLINE" -v -l -U -u "$T/s"
	wait_until test -S "$T/s"
	python3 - "$T/s" <<-'EOF'
		import socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		s.sendto(b"hi\n", sys.argv[1])
		s.sendto(b"again\n", sys.argv[1])
	EOF
	wait_line "$T/sl.out" '^again$'
	run grep -E '^(Connection received on|Received [0-9]+ bytes from) ' "$T/sl.err"
	assert_output "$(printf 'Connection received on (unnamed)\nReceived 3 bytes from (unnamed)\nReceived 6 bytes from (unnamed)')"
}
