#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# How a TLS session is told (design item 19): -v gives one line with the
# version, the cipher, ALPN and how the peer was trusted (verified,
# pinned, not verified with --insecure; on a listener the SNI asked for
# and the client's certificate); programs get their own session's
# SOCKLINE_TLS_* variables, and nothing stale from sockline's.

load helpers/common
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

# listener NAME ARGS...: sockline -l 0 --tls ARGS as NAME; sets $port.
listener() {
	local name=$1
	shift
	bg "$name" "$SOCKLINE" -l 0 --tls --port-file "$T/$name.port" "$@"
	port=$(port_of "$T/$name.port")
}

@test "-v of a pinned connection says pinned, of an --insecure one not verified" {
	tls_peer srv selfsigned expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" -v --tls \
		--tls-pin "$(pin_of "$PKI/selfsigned.pem")" 127.0.0.1 "$port" </dev/null
	assert_success
	assert_regex "$stderr" "TLS 1\.3, TLS_[A-Z0-9_]+, pinned: .*CN=sockline-test-selfsigned"
	finish "$srv_pid"
	tls_peer srv2 selfsigned expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" -v --tls --insecure \
		127.0.0.1 "$port" </dev/null
	assert_success
	assert_regex "$stderr" "not verified \(--insecure\): .*CN=sockline-test-selfsigned"
}

@test "a -c program sees its session's ALPN, and no stale SOCKLINE_TLS_PEER_* from sockline's environment" {
	SOCKLINE_TLS_PEER_SUBJECT=stale SOCKLINE_TLS_PEER_SHA256=stale \
		listener srv --tls-alpn x-one,x-two --tls-cert-out "$T/ca.pem" -c \
		'printf "%s|%s|%s|%s\n" "$SOCKLINE_TLS_VERSION" "$SOCKLINE_TLS_ALPN" "${SOCKLINE_TLS_PEER_SUBJECT-unset}" "${SOCKLINE_TLS_PEER_SHA256-unset}"'
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" \
		--ca "$T/ca.pem" --alpn x-two,x-one --max 1.2 \
		expect:'TLSv1.2|x-one|unset|unset\n' close
	assert_success
}

@test "-v on a listener names the SNI the client sent, or says there was none" {
	listener srv -k -v --echo --tls-cert-out "$T/ca.pem"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" \
		--ca "$T/ca.pem" --name localhost send:'a\n' expect:'a\n' close
	assert_success
	wait_line "$T/srv.err" "TLS 1\.3, TLS_[A-Z0-9_]+, SNI localhost, no client certificate\$"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" \
		--ca "$T/ca.pem" send:'b\n' expect:'b\n' close
	assert_success
	wait_line "$T/srv.err" "TLS 1\.3, TLS_[A-Z0-9_]+, no SNI, no client certificate\$"
}

@test "-v on a listener with --tls-client-ca names the verified client" {
	listener srv -v --echo --tls-cert-out "$T/ca.pem" --tls-client-ca "$PKI/ca.pem"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" \
		--ca "$T/ca.pem" --cert "$PKI/client.pem" --key "$PKI/client.key" \
		send:'c\n' expect:'c\n' close
	assert_success
	wait_line "$T/srv.err" ", client verified: .*CN=sockline-test-client"
}
