#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# -v prints nc's status lines; -vv also says, as each stream connection
# closes, how many bytes went each way and by which path (splice,
# sendfile, or read/write).  The counts are checked against what an
# independent peer sent and received.

load helpers/common

# server: a peer that takes "hello" and its end, then answers with
# "world\n" and closes; sets $port.
server() {
	rm -f "$T/port"
	bg srv peer.py --listen --port-file "$T/port" expect:'hello' expect-eof \
		send:'world\n' close
	port=$(port_of "$T/port")
}

closed_line() {
	grep '^Connection with ' <<<"$stderr" || true
}

@test "-vv says the bytes each way, spliced, when stdin and stdout are pipes" {
	server
	run --separate-stderr timeout 10 bash -c 'printf hello | "$0" -vv 127.0.0.1 "$1" | cat' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output world
	assert_equal "$(closed_line)" \
		"Connection with 127.0.0.1 port $port (tcp) closed: sent 5 bytes by splice, received 6 bytes by splice"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "-vv says a file on stdin went by sendfile and what came back to a file by read/write" {
	server
	printf hello >"$T/in"
	run --separate-stderr timeout 10 bash -c '"$0" -vv 127.0.0.1 "$1" <"$2" >"$3"' \
		"$SOCKLINE" "$port" "$T/in" "$T/out"
	assert_success
	assert_equal "$(cat "$T/out")" world
	assert_equal "$(closed_line)" \
		"Connection with 127.0.0.1 port $port (tcp) closed: sent 5 bytes by sendfile, received 6 bytes by read/write"
}

@test "-vv with -C counts the bytes as sent, by read/write" {
	rm -f "$T/port"
	bg srv peer.py --listen --port-file "$T/port" expect:'a\r\nb\r\n' expect-eof \
		send:'ok\n' close
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "a\nb\n" | "$0" -C -vv 127.0.0.1 "$1" | cat' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output ok
	assert_equal "$(closed_line)" \
		"Connection with 127.0.0.1 port $port (tcp) closed: sent 6 bytes by read/write, received 3 bytes by read/write"
}

@test "a -k --echo listener with -vv reports each client as it leaves" {
	bg sl "$SOCKLINE" -vv -l -k --echo 127.0.0.1 0 --port-file "$T/sl.port"
	port=$(port_of "$T/sl.port")
	run peer.py --connect 127.0.0.1 --port "$port" send:'one\n' expect:'one\n' \
		shutdown expect-eof
	assert_success
	run peer.py --connect 127.0.0.1 --port "$port" send:'three\n' expect:'three\n' \
		send:'x' expect:'x' shutdown expect-eof
	assert_success
	wait_until test "$(grep -c '^Connection with .* closed: ' "$T/sl.err")" -eq 2
	run grep '^Connection with ' "$T/sl.err"
	[[ "${lines[0]}" =~ ^Connection\ with\ 127\.0\.0\.1\ port\ [0-9]+\ \(tcp\)\ closed:\ sent\ 4\ bytes\ by\ read/write,\ received\ 4\ bytes\ by\ read/write$ ]] ||
		fail "first: ${lines[0]}"
	[[ "${lines[1]}" =~ sent\ 7\ bytes\ by\ read/write,\ received\ 7\ bytes\ by\ read/write$ ]] ||
		fail "second: ${lines[1]}"
}

@test "-v alone prints nc's lines but no byte counts" {
	server
	run --separate-stderr timeout 10 bash -c 'printf hello | "$0" -v 127.0.0.1 "$1" | cat' \
		"$SOCKLINE" "$port"
	assert_success
	[[ "$stderr" == *"Connection to 127.0.0.1 $port port [tcp/"*"] succeeded!"* ]] || fail "$stderr"
	assert_equal "$(closed_line)" ""
}
