#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# UDP (-u) over IPv4 and IPv6, against python datagram peers
# (design.md items 6 and 7).

load helpers/common

@test "a UDP client sends one datagram per input line" {
	bg srv peer.py --udp --listen --port-file "$T/port" \
		expect:'one\n' expect:'two\n' expect:'three'
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "one\ntwo\nthree" | "$0" -u -q 0 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "--no-split sends each read whole, newlines and all" {
	bg srv peer.py --udp --listen --port-file "$T/port" expect:'a\nb\nc\n\0\xff'
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "a\nb\nc\n\0\377" | "$0" -u --no-split -q 0 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a UDP client prints a reply that comes 300 ms after the end of its input" {
	bg srv peer.py --udp --listen --port-file "$T/port" expect:'ping\n' sleep:300 send:'late pong\n'
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "ping\n" | "$0" -u 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "late pong"
}

@test "a UDP client keeps printing replies while they keep coming within the quiet period" {
	bg srv peer.py --udp --listen --port-file "$T/port" expect:'go\n' \
		sleep:400 send:'1\n' sleep:400 send:'2\n' sleep:400 send:'3\n'
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "go\n" | "$0" -u -q 0.7 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf '1\n2\n3')"
}

@test "a closed UDP port is reported as Connection refused with exit 1" {
	bg holder peer.py --udp --listen --port-file "$T/port" wait-file:"$T/never"
	port=$(port_of "$T/port")
	kill "$holder_pid"
	finish "$holder_pid"
	# The ICMP error comes back while the client waits for replies.
	run --separate-stderr timeout 10 bash -c 'printf "anyone\n" | "$0" -u 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_failure 1
	[[ "$stderr" == *"Connection refused"* ]]
}

@test "a UDP listener receives from every sender and answers the most recent one" {
	mkfifo "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -u -l 127.0.0.1 0 --port-file "$T/port"
	exec 4>"$T/in"
	port=$(port_of "$T/port")
	bg a peer.py --udp --connect 127.0.0.1 --port "$port" send:'from a\n' \
		wait-file:"$T/b-sent" no-dgram-within:300
	wait_line "$T/sl.out" '^from a$'
	bg b peer.py --udp --connect 127.0.0.1 --port "$port" send:'from b\n' \
		touch:"$T/b-sent" expect:'to the latest\n'
	wait_line "$T/sl.out" '^from b$'
	printf 'to the latest\n' >&4
	finish "$b_pid"
	assert_equal "$status" 0
	finish "$a_pid"
	assert_equal "$status" 0
	exec 4>&-
	# Two senders seen: each datagram's sender is named on stderr.
	run grep -cE '^Received [0-9]+ bytes from 127\.0\.0\.1 [0-9]+$' "$T/sl.err"
	assert_output 1
}

@test "-v names the sender of every datagram a UDP listener receives" {
	bg sl "$SOCKLINE" -v -u -l 127.0.0.1 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	run peer.py --udp --connect 127.0.0.1 --port "$port" send:'x\n' send:'yz\n'
	assert_success
	wait_line "$T/sl.err" '^Received 3 bytes from 127\.0\.0\.1 [0-9]+$'
	run grep -E '^Received 2 bytes from 127\.0\.0\.1 [0-9]+$' "$T/sl.err"
	assert_success
	run grep -E '^Connection received on 127\.0\.0\.1 [0-9]+$' "$T/sl.err"
	assert_success
}

@test "datagrams of 65507 bytes arrive whole in both directions" {
	head -c 65507 /dev/urandom >"$T/big"
	head -c 65507 /dev/urandom >"$T/big2"
	bg srv peer.py --udp --listen --port-file "$T/port" recv-all:"$T/got" send-file:"$T/big2"
	port=$(port_of "$T/port")
	run timeout 10 bash -c '"$0" -u --no-split 127.0.0.1 "$1" <"$2" >"$3"' \
		"$SOCKLINE" "$port" "$T/big" "$T/back"
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
	cmp "$T/big" "$T/got"
	cmp "$T/big2" "$T/back"
}

@test "a UDP line longer than a datagram is sent in datagram-sized pieces" {
	head -c 70000 /dev/zero | tr '\0' 'a' >"$T/long"
	bg srv peer.py --udp --listen --port-file "$T/port" recv-all:"$T/p1" recv-all:"$T/p2"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 "$SOCKLINE" -u -q 0 127.0.0.1 "$port" <"$T/long"
	assert_success
	finish "$srv_pid"
	assert_equal "$(stat -c %s "$T/p1")" 65507
	assert_equal "$(stat -c %s "$T/p2")" $((70000 - 65507))
}

@test "a UDP client works over IPv6" {
	bg srv peer.py --udp -6 --listen --port-file "$T/port" expect:'six\n' send:'ack6\n'
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "six\n" | "$0" -u ::1 "$1"' "$SOCKLINE" "$port"
	assert_success
	assert_output "ack6"
}

@test "a -6 UDP listener does not receive from 127.0.0.1" {
	bg sl "$SOCKLINE" -6 -u -l 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	# The IPv4 datagram goes first; the IPv6 one marks when both are past.
	peer.py --udp --connect 127.0.0.1 --port "$port" send:'via v4\n' || true
	peer.py --udp -6 --connect ::1 --port "$port" send:'via v6\n'
	wait_line "$T/sl.out" '^via v6$'
	run cat "$T/sl.out"
	assert_output "via v6"
}

@test "a -4 UDP listener does not receive from ::1" {
	bg sl "$SOCKLINE" -4 -u -l 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	peer.py --udp -6 --connect ::1 --port "$port" send:'via v6\n' || true
	peer.py --udp --connect 127.0.0.1 --port "$port" send:'via v4\n'
	wait_line "$T/sl.out" '^via v4$'
	run cat "$T/sl.out"
	assert_output "via v4"
}

@test "a UDP listener with no host hears IPv4 and IPv6 senders" {
	bg sl "$SOCKLINE" -u -l 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	peer.py --udp --connect 127.0.0.1 --port "$port" send:'v4\n'
	wait_line "$T/sl.out" '^v4$'
	peer.py --udp -6 --connect ::1 --port "$port" send:'v6\n'
	wait_line "$T/sl.out" '^v6$'
}

@test "--no-split cuts input of more than a datagram into whole datagrams of at most 65507 bytes" {
	head -c 150000 /dev/urandom >"$T/big"
	bg srv dgram-peer.py --port-file "$T/port" --record "$T/rec"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 "$SOCKLINE" -u --no-split -q 0 \
		127.0.0.1 "$port" <"$T/big"
	assert_success
	assert_equal "$stderr" ""
	# Every byte arrived, in order, in datagrams none of which is too big.
	wait_until python3 -c '
import ast, sys
got = [ast.literal_eval(l) for l in open(sys.argv[1])]
sys.exit(b"".join(got) != open(sys.argv[2], "rb").read() or
         max(map(len, got)) > 65507)' "$T/rec" "$T/big"
}
