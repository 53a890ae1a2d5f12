#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --lockstep: send a line, wait for one reply, print it, then the next.

load helpers/common

@test "--lockstep against a line server prints one reply per line, in order" {
	bg srv peer.py --listen --port-file "$T/port" expect:'one\n' send:'1\n' \
		expect:'two\n' send:'2\n' expect:'three\n' send:'3\n' wait-file:"$T/never"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "one\ntwo\nthree\n" | "$0" --lockstep 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf '1\n2\n3')"
}

@test "--lockstep waits for each reply before sending the next line" {
	# The server answers slowly; a client that did not wait would have
	# sent "b" before "A" was out, which the peer checks for.
	bg srv peer.py --listen --port-file "$T/port" expect:'a\n' no-eof-within:300 \
		send:'A\n' expect:'b\n' send:'B\n' wait-file:"$T/never"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "a\nb\n" | "$0" --lockstep 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf 'A\nB')"
}

@test "--lockstep against a UDP server" {
	bg sl "$SOCKLINE" -l -u 127.0.0.1 0 --upper --port-file "$T/port"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "x\ny\n" | "$0" --lockstep -u 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf 'X\nY')"
}

@test "--lockstep adds a newline to a datagram reply that has none" {
	bg sl "$SOCKLINE" -l -u 127.0.0.1 0 --reply OK --port-file "$T/port"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "a\nb\n" | "$0" --lockstep -u 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf 'OK\nOK')"
}

@test "--lockstep against a silent server exits 1 after -w" {
	bg srv peer.py --listen --port-file "$T/port" expect:'hello?\n' wait-file:"$T/never"
	port=$(port_of "$T/port")
	start=$(now_us)
	run --separate-stderr timeout 10 bash -c 'printf "hello?\n" | "$0" --lockstep -w 0.5 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	elapsed_ms=$((($(now_us) - start) / 1000))
	assert_failure 1
	assert_equal "$stderr" "sockline: no reply to line 1 within 0.500 s"
	((elapsed_ms >= 500))
}

@test "--lockstep prints a server's greeting before sending the first line" {
	bg srv peer.py --listen --port-file "$T/port" send:'220 ready\n' \
		expect:'HELO me\n' send:'250 hi\n' expect:'QUIT\n' send:'221 bye\n' close
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "HELO me\nQUIT\n" | "$0" --lockstep 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf '220 ready\n250 hi\n221 bye')"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "--lockstep over a unix socket" {
	bg sl "$SOCKLINE" -v -l -U "$T/s" --reply 'ok\n'
	wait_line "$T/sl.err" '^Listening on '
	run --separate-stderr timeout 10 bash -c 'printf "1\n2\n" | "$0" --lockstep -U "$1"' \
		"$SOCKLINE" "$T/s"
	assert_success
	assert_output "$(printf 'ok\nok')"
}

@test "--lockstep ends right after the last reply, with no quiet period or wait for close" {
	bg sl "$SOCKLINE" -l -u 127.0.0.1 0 --echo --port-file "$T/port"
	port=$(port_of "$T/port")
	# -q 30 would keep a plain UDP client waiting 30 s; lockstep does not.
	bg cl bash -c 'printf "q\n" | exec "$0" --lockstep -q 30 -u 127.0.0.1 "$1"' "$SOCKLINE" "$port"
	finish "$cl_pid" 10
	assert_equal "$status" 0
	assert_equal "$(cat "$T/cl.out")" "q"
	# And against a stream server that never closes.
	bg srv peer.py --listen --port-file "$T/port2" expect:'z\n' send:'Z\n' wait-file:"$T/never"
	port2=$(port_of "$T/port2")
	bg cl2 bash -c 'printf "z\n" | exec "$0" --lockstep 127.0.0.1 "$1"' "$SOCKLINE" "$port2"
	finish "$cl2_pid" 10
	assert_equal "$status" 0
	assert_equal "$(cat "$T/cl2.out")" "Z"
}

@test "--lockstep fails when the server closes before replying" {
	bg srv peer.py --listen --port-file "$T/port" expect:'1\n' send:'one\n' expect:'2\n' close
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "1\n2\n" | "$0" --lockstep 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_failure 1
	assert_output "one"
	assert_equal "$stderr" "sockline: the server closed the connection before the reply to line 2"
}

@test "--lockstep sends a last line without a newline with one added" {
	bg srv peer.py --listen --port-file "$T/port" expect:'a\n' send:'A\n' \
		expect:'b\n' send:'B\n' wait-file:"$T/never"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "a\nb" | "$0" -w 2 --lockstep 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf 'A\nB')"
}

@test "--lockstep -C ends a last line without a newline with CRLF" {
	bg srv peer.py --listen --port-file "$T/port" expect:'a\r\n' send:'A\n' \
		expect:'b\r\n' send:'B\n' wait-file:"$T/never"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "a\nb" | "$0" -C -w 2 --lockstep 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf 'A\nB')"
}

@test "--lockstep -u sends a last line without a newline as a datagram with one" {
	bg srv peer.py --udp --listen --port-file "$T/port" expect:'x\n' send:'X' \
		expect:'y\n' send:'Y'
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "x\ny" | "$0" -u -w 2 --lockstep 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf 'X\nY')"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "--lockstep takes a reply without a newline, once it pauses, and adds the newline" {
	bg sl "$SOCKLINE" -l 127.0.0.1 0 --reply Hi --port-file "$T/port"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "a\nb\n" | "$0" -w 2 --lockstep 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf 'Hi\nHi')"
}

@test "--lockstep through prompts without newlines, greeting included" {
	bg srv peer.py --listen --port-file "$T/port" send:'login: ' expect:'alice\n' \
		send:'Password: ' expect:'secret\n' send:'Welcome\n' expect-eof
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "alice\nsecret\n" | "$0" -w 2 --lockstep 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf 'login: \nPassword: \nWelcome')"
}

@test "--lockstep: a server that stops over 50 ms inside a line gives two replies, nothing lost or mixed" {
	# The documented price of the pause rule: "A1" is the reply to line
	# 1, "A2" the reply to line 2; each is printed whole, on its own line.
	bg srv peer.py --listen --port-file "$T/port" expect:'a\n' send:'A1' sleep:300 \
		send:'A2\n' expect:'b\n' wait-file:"$T/never"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "a\nb\n" | "$0" -w 2 --lockstep 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "$(printf 'A1\nA2')"
}
