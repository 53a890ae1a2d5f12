#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A -k TLS listener (design item 19) runs every handshake non-blocking in
# its event loop: a silent client never delays the others, a client that
# has not finished its handshake is dropped after 10 s (or -w SECS), and
# every responder serves TLS clients.

load helpers/common
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

# listener ARGS...: `sockline -l 0 -k --tls ARGS` writing its generated
# certificate to $T/ca.pem; sets $port.
listener() {
	bg srv "$SOCKLINE" -l 0 -k --tls --tls-cert-out "$T/ca.pem" \
		--port-file "$T/p" "$@"
	port=$(port_of "$T/p")
}

@test "-k --tls --echo serves 50 concurrent python clients while one of them never handshakes" {
	listener --echo
	run --separate-stderr timeout 120 tls-swarm.py --ca "$T/ca.pem" --silent 1 \
		127.0.0.1 "$port" 50
	assert_success
	assert_output "49 clients served, 1 silent"
}

@test "a client that never handshakes is dropped after -w SECS while others are served" {
	listener --echo -w 1
	# peer.py expects the connection closed: it is when the limit ends.
	bg silent peer.py --connect 127.0.0.1 --port "$port" expect-closed
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'meanwhile\n' expect:'meanwhile\n' close
	assert_success
	# Well before the default 10 s.
	finish "$silent_pid" 8
	assert_equal "$status" 0
}

@test "a client that never handshakes is dropped after 10 s by default" {
	listener --echo
	start=$SECONDS
	bg silent peer.py --connect 127.0.0.1 --port "$port" no-eof-within:8000 expect-closed
	finish "$silent_pid" 30
	assert_equal "$status" 0
	(( SECONDS - start <= 20 ))
}

@test "a client that stops in the middle of its handshake does not delay the others" {
	listener --echo
	# Half a ClientHello: a record header that promises more than comes.
	bg stuck python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
time.sleep(60)' "$port"
	run timeout 60 tls-swarm.py --ca "$T/ca.pem" 127.0.0.1 "$port" 10
	assert_success
}

@test "-k --tls --upper serves TLS clients upper-cased" {
	listener --upper
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'shout\n' expect:'SHOUT\n' close
	assert_success
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'again\n' expect:'AGAIN\n' close
	assert_success
}

@test "-k --tls --reply answers each TLS client's line" {
	listener --reply 'pong\n'
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'ping\n' expect:'pong\n' send:'ping\n' expect:'pong\n' close
	assert_success
}

@test "-k --tls -e runs a program per TLS client on the decrypted bytes" {
	listener -e 'tr a-z A-Z'
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'through a program\n' shutdown expect:'THROUGH A PROGRAM\n' \
		expect-end
	assert_success
	run timeout 20 tls-peer.py --connect ::1 --port "$port" --ca "$T/ca.pem" \
		send:'second\n' shutdown expect:'SECOND\n' expect-end
	assert_success
}

@test "-k --tls: one client resetting mid-session leaves the others served" {
	listener --echo
	bg first tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'one\n' expect:'one\n' touch:"$T/first-in" wait-file:"$T/go" \
		send:'one again\n' expect:'one again\n' close
	wait_until test -e "$T/first-in"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'two\n' expect:'two\n' reset
	assert_success
	touch "$T/go"
	finish "$first_pid"
	assert_equal "$status" 0
}

@test "-k --tls: input goes to every TLS client" {
	mkfifo "$T/in"
	exec {writer}<>"$T/in"
	bg_in srv "$T/in" "$SOCKLINE" -v -l 0 -k --tls --tls-cert-out "$T/ca.pem" \
		--port-file "$T/p"
	port=$(port_of "$T/p")
	bg one tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		--info "$T/one.info" expect:'to all\n' close
	bg two tls-peer.py --connect ::1 --port "$port" --ca "$T/ca.pem" \
		--info "$T/two.info" expect:'to all\n' close
	# -v names each client's cipher once its handshake is done and it
	# has joined; input sent before that would not be for it.
	wait_until test -s "$T/one.info"
	wait_until test -s "$T/two.info"
	cipher=$(sed -n 's/^cipher=//p' "$T/one.info")
	wait_until eval '[ "$(grep -c -- "$cipher" "$T/srv.err")" -ge 2 ]'
	printf 'to all\n' >&"$writer"
	finish "$one_pid"
	assert_equal "$status" 0
	finish "$two_pid"
	assert_equal "$status" 0
	exec {writer}>&-
}

@test "a client that speaks plain text to a -k TLS listener is dropped and the next is served" {
	listener --echo
	# Closed (an alert before that is allowed), not left hanging.
	run timeout 20 peer.py --connect 127.0.0.1 --port "$port" \
		send:'GET / HTTP/1.0\r\n\r\n' recv-all:"$T/junk"
	assert_success
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'real tls\n' expect:'real tls\n' close
	assert_success
	kill -0 "$srv_pid"
	# What the plain client sent was never taken for data.
	run grep -c GET "$T/srv.out"
	assert_output 0
}
