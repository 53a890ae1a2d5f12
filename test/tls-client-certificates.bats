#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Client certificates (design item 19): sockline presents one with
# --tls-cert/--tls-key to a python server that requires it; a listener
# with --tls-client-ca requires one signed by that CA and refuses the
# handshake otherwise; a program behind -c learns who the client is.

load helpers/common
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

# listener ARGS...: `sockline -l -k --tls ARGS` on a free port with the
# test server certificate; sets $port.
listener() {
	bg srv "$SOCKLINE" -l 0 -k --tls --tls-cert "$PKI/server.pem" \
		--tls-key "$PKI/server.key" --port-file "$T/p" "$@"
	port=$(port_of "$T/p")
}

@test "sockline presents --tls-cert/--tls-key to a python server that requires a client certificate" {
	tls_peer srv server --client-ca "$PKI/ca.pem" expect:'me\n' send:'you\n' \
		expect-close-notify close
	printf 'me\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		--tls-cert "$PKI/client.pem" --tls-key "$PKI/client.key" \
		127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "you"
	assert_equal "$(info srv peer_sha256)" "$(fingerprint_of "$PKI/client.pem")"
}

@test "without a client certificate a python server that requires one refuses: exit 1, one line" {
	tls_peer srv server --client-ca "$PKI/ca.pem" recv-all:"$T/got"
	printf 'no cert\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" <"$T/in"
	assert_failure 1
	assert_one_line "$stderr"
	[[ "$stderr" == *127.0.0.1* ]] || fail "no host in: $stderr"
	[[ "$stderr" =~ certificate ]] || fail "no reason in: $stderr"
	finish "$srv_pid"
	assert_nothing_received srv
}

@test "--tls-client-ca accepts a python client with a certificate from that CA" {
	listener --echo --tls-client-ca "$PKI/ca.pem"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$PKI/ca.pem" \
		--cert "$PKI/client.pem" --key "$PKI/client.key" \
		send:'certified\n' expect:'certified\n' close
	assert_success
}

@test "--tls-client-ca refuses the handshake of a python client without a certificate" {
	listener --echo --tls-client-ca "$PKI/ca.pem"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$PKI/ca.pem" \
		send:'anonymous\n' expect:'anonymous\n' close
	assert_failure
	# TLS 1.3 clients learn it from the alert after their Finished.
	assert_output --regexp "(certificate required|handshake failure|CERTIFICATE_REQUIRED)"
	refute_output --partial "expected"
	run grep -c anonymous "$T/srv.out"
	assert_output 0
	# The listener is still there for a client with a certificate.
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$PKI/ca.pem" \
		--cert "$PKI/client.pem" --key "$PKI/client.key" \
		send:'then me\n' expect:'then me\n' close
	assert_success
}

@test "--tls-client-ca refuses a client certificate from another CA" {
	listener --echo --tls-client-ca "$PKI/ca.pem"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$PKI/ca.pem" \
		--cert "$PKI/client2.pem" --key "$PKI/client2.key" \
		send:'stranger\n' expect:'stranger\n' close
	assert_failure
	refute_output --partial "expected"
	run grep -c stranger "$T/srv.out"
	assert_output 0
}

@test "--tls-client-ca refuses the handshake of a TLS 1.2 client without a certificate" {
	listener --echo --tls-client-ca "$PKI/ca.pem"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$PKI/ca.pem" \
		--max 1.2 send:'old anonymous\n' expect:'old anonymous\n' close
	assert_failure
	# TLS 1.2 fails inside the handshake itself.
	assert_output --partial "handshake"
}

@test "sockline as the client of sockline -l --tls-client-ca, with and without a certificate" {
	listener --echo --tls-client-ca "$PKI/ca.pem"
	printf 'both ends sockline\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		--tls-cert "$PKI/client.pem" --tls-key "$PKI/client.key" \
		127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "both ends sockline"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" <"$T/in"
	assert_failure 1
	assert_one_line "$stderr"
}

@test "-c behind --tls-client-ca gets SOCKLINE_TLS_PEER_SUBJECT and SOCKLINE_TLS_PEER_SHA256" {
	listener --tls-client-ca "$PKI/ca.pem" \
		-c 'printf "%s|%s\n" "$SOCKLINE_TLS_PEER_SUBJECT" "$SOCKLINE_TLS_PEER_SHA256"'
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$PKI/ca.pem" \
		--cert "$PKI/client.pem" --key "$PKI/client.key" \
		recv-all:"$T/env"
	assert_success
	subject=$(cut -d'|' -f1 "$T/env")
	sha=$(cut -d'|' -f2 "$T/env" | tr -d ':' | tr 'A-F' 'a-f')
	[[ "$subject" == *sockline-test-client* ]] || fail "subject: $subject"
	assert_equal "$sha" "$(fingerprint_of "$PKI/client.pem")"
}
