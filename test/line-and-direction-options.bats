#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# -C (CRLF), -d (delay between lines), --send-only and --recv-only.

load helpers/common

@test "-C turns LF into CRLF and leaves an existing CRLF alone" {
	bg srv peer.py --listen --port-file "$T/port" recv-all:"$T/got"
	port=$(port_of "$T/port")
	run timeout 10 bash -c 'printf "a\nb\r\nc\n\nd" | "$0" -C 127.0.0.1 "$1"' "$SOCKLINE" "$port"
	assert_success
	finish "$srv_pid"
	printf 'a\r\nb\r\nc\r\n\r\nd' >"$T/want"
	cmp "$T/want" "$T/got"
}

@test "-C keeps a CRLF whole when the CR and the LF come in different reads" {
	bg srv peer.py --listen --port-file "$T/port" expect:'x\r' touch:"$T/got-cr" \
		expect:'\ny\r\n' expect-eof
	port=$(port_of "$T/port")
	mkfifo "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -C 127.0.0.1 "$port"
	exec 4>"$T/in"
	printf 'x\r' >&4
	wait_until test -e "$T/got-cr"
	printf '\ny\n' >&4
	exec 4>&-
	finish "$srv_pid"
	assert_equal "$status" 0
	finish "$sl_pid"
	assert_equal "$status" 0
}

@test "-C applies to UDP datagrams too" {
	bg srv peer.py --udp --listen --port-file "$T/port" expect:'hello\r\n'
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "hello\n" | "$0" -C -u -q 0 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "-d waits between the lines it sends" {
	bg srv peer.py --listen --port-file "$T/port" expect:'1\n' no-eof-within:150 \
		expect:'2\n' expect:'3\n' expect-eof
	port=$(port_of "$T/port")
	start=$(now_us)
	run --separate-stderr timeout 10 bash -c 'printf "1\n2\n3\n" | "$0" -d 0.3 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	elapsed_ms=$((($(now_us) - start) / 1000))
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
	# Two pauses of 300 ms at least; a loaded machine only makes it longer.
	((elapsed_ms >= 600))
}

@test "--send-only sends everything and prints nothing the peer says" {
	bg srv peer.py --listen --port-file "$T/port" send:'ignored\n' expect:'data\n' expect-eof \
		send:'also ignored\n' close
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "data\n" | "$0" --send-only 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output ""
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "--recv-only prints what the peer says, sends nothing and does not half-close" {
	printf 'never sent\n' >"$T/in"
	bg srv peer.py --listen --port-file "$T/port" send:'news\n' no-eof-within:300 close
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 "$SOCKLINE" --recv-only 127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "news"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "--send-only and --recv-only together are a usage error" {
	run --separate-stderr "$SOCKLINE" --send-only --recv-only 127.0.0.1 80
	assert_failure 2
}
