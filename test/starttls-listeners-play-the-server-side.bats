#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# -l --starttls smtp|imap|pop3 (design item 19) plays the server's side
# of STARTTLS (a greeting, capabilities naming it, the go-ahead), then
# TLS with the listener's certificate (generated when none is given,
# written by --tls-cert-out), then the responders as usual: a python
# STARTTLS client (peers/starttls-client.py) checks each step and then
# talks through the echo.

load helpers/common
load helpers/pki

setup_file() {
	make_pki
}

# listener NAME PROTO [OPTION...]: sockline -l --starttls PROTO --echo.
listener() {
	local name=$1 proto=$2
	shift 2
	bg "$name" "$SOCKLINE" -l 127.0.0.1 0 --starttls "$proto" --echo \
		--port-file "$T/$name.port" "$@"
	port=$(port_of "$T/$name.port")
}

@test "smtp: a client finds STARTTLS in EHLO, gets 220, verifies the generated certificate and is echoed" {
	listener srv smtp --tls-cert-out "$T/cert.pem"
	run --separate-stderr timeout 20 starttls-client.py smtp --port "$port" \
		--ca "$T/cert.pem" --transcript "$T/tr"
	assert_success
	grep -q '^250 STARTTLS' "$T/tr" || fail "$(cat "$T/tr")"
	finish "$srv_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/srv.out")" "ping"
}

@test "imap: the greeting, CAPABILITY naming STARTTLS, the tagged OK, then TLS" {
	listener srv imap --tls-cert-out "$T/cert.pem"
	run --separate-stderr timeout 20 starttls-client.py imap --port "$port" \
		--ca "$T/cert.pem"
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "pop3: CAPA naming STLS, +OK, then TLS with a given certificate" {
	listener srv pop3 --tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key"
	run --separate-stderr timeout 20 starttls-client.py pop3 --port "$port" \
		--ca "$PKI/ca.pem"
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "sockline as both sides: --starttls smtp against -l --starttls smtp" {
	listener srv smtp --tls-cert-out "$T/cert.pem"
	printf 'both sides\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --starttls smtp \
		--tls-ca "$T/cert.pem" localhost "$port" <"$T/in"
	assert_success
	assert_output "both sides"
}

@test "a command before STARTTLS is refused and nothing of it reaches the responder" {
	listener srv smtp --tls-cert-out "$T/cert.pem"
	run timeout 20 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
f.readline()
s.sendall(b"MAIL FROM:<a@b>\r\n")
sys.stdout.write(f.readline().decode())
s.sendall(b"QUIT\r\n")
sys.stdout.write(f.readline().decode())' "$port"
	assert_success
	assert_line --index 0 --partial "530 5.7.0 Must issue a STARTTLS command first"
	assert_line --index 1 --partial "221 "
	finish "$srv_pid"
	assert_equal "$(cat "$T/srv.out")" ""
}

@test "-k: each client's upgrade is its own, and a slow one holds up no one" {
	listener srv smtp -k --tls-cert-out "$T/cert.pem"
	python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.recv(100); time.sleep(30)' "$port" 3>&- &
	echo $! >>"$T/pids"
	for i in 1 2 3; do
		run --separate-stderr timeout 20 starttls-client.py smtp --port "$port" \
			--ca "$T/cert.pem" --send "client $i
" --expect "client $i
"
		assert_success
	done
	wait_line "$T/srv.out" "client 3"
}

@test "-v on the listener shows the dialogue; -o logs it" {
	listener srv imap -v -o "$T/log" --tls-cert-out "$T/cert.pem"
	run --separate-stderr timeout 20 starttls-client.py imap --port "$port" \
		--ca "$T/cert.pem"
	assert_success
	finish "$srv_pid"
	grep -q '< t2 STARTTLS' "$T/srv.err" || fail "$(cat "$T/srv.err")"
	grep -q '> t2 OK Begin TLS negotiation now' "$T/srv.err" || fail "$(cat "$T/srv.err")"
	grep -q 't2 STARTTLS' "$T/log" || fail "$(cat "$T/log")"
	grep -q 'ping' "$T/log" || fail "$(cat "$T/log")"
}
