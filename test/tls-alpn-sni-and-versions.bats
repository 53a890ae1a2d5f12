#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# What the TLS handshake negotiates (design item 19): SNI (a DNS name is
# sent, an IP literal is not), ALPN both ways (the client offers, the
# listener picks the first of its own list the client offered), the
# version range (--tls-min, --tls-max; default minimum 1.2) and
# --tls-ciphers.  The python peer records what it saw.

load helpers/common
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

# client ARGS...: sockline --tls ARGS 127.0.0.1 $port with stdin at
# /dev/null, verified against the test CA, under `run`.
client() {
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		"$@" 127.0.0.1 "$port" </dev/null
}

@test "--tls-name is sent as SNI and checked" {
	tls_peer srv server send:'sni\n' expect-close-notify close
	client --tls-name test.sockline.invalid
	assert_success
	assert_output "sni"
	assert_equal "$(info srv sni)" "test.sockline.invalid"
}

@test "a DNS host operand is sent as SNI" {
	tls_peer srv server send:'sni\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		localhost "$port" </dev/null
	assert_success
	assert_equal "$(info srv sni)" "localhost"
}

@test "an IPv4 literal sends no SNI" {
	tls_peer srv server send:'no sni\n' expect-close-notify close
	client
	assert_success
	assert_output "no sni"
	grep -qx 'handshake=ok' "$T/srv.info"
	grep -qx 'sni=' "$T/srv.info"
}

@test "an IPv6 literal sends no SNI" {
	tls_peer srv server -6 send:'no sni\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		::1 "$port" </dev/null
	assert_success
	grep -qx 'handshake=ok' "$T/srv.info"
	grep -qx 'sni=' "$T/srv.info"
}

@test "ALPN: sockline offers --tls-alpn and the python server picks from its list" {
	tls_peer srv server --alpn http/1.1,h2 send:'alpn\n' expect-close-notify close
	client -v --tls-alpn h2,http/1.1
	assert_success
	assert_output "alpn"
	assert_equal "$(info srv alpn)" "http/1.1"
	[[ "$stderr" == *http/1.1* ]] || fail "-v does not show the ALPN: $stderr"
}

@test "ALPN: sockline -l --tls-alpn picks the first of its list the python client offered" {
	bg srv "$SOCKLINE" -l 0 --tls --echo --tls-alpn x-none,h2,http/1.1 \
		--tls-cert-out "$T/ca.pem" --port-file "$T/p"
	port=$(port_of "$T/p")
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		--alpn http/1.1,h2 --info "$T/c.info" send:'a\n' expect:'a\n' close
	assert_success
	assert_equal "$(sed -n 's/^alpn=//p' "$T/c.info")" "h2"
}

@test "ALPN: a client that offers none of the listener's protocols is not given one" {
	bg srv "$SOCKLINE" -l 0 --tls --echo --tls-alpn h2 \
		--tls-cert-out "$T/ca.pem" --port-file "$T/p"
	port=$(port_of "$T/p")
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		--alpn smtp --info "$T/c.info" send:'a\n' expect:'a\n' close
	# Refusing the handshake (no_application_protocol) is allowed too;
	# what must never happen is a protocol the client did not offer.
	if [ "$status" -eq 0 ]; then
		assert_equal "$(sed -n 's/^alpn=//p' "$T/c.info")" ""
	else
		[[ "$output" =~ no.application.protocol ]] || fail "$output"
	fi
}

@test "--tls-min 1.3 against a TLS 1.2-only server fails clearly with exit 1" {
	tls_peer srv server --max 1.2 recv-all:"$T/got"
	printf 'never\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		--tls-min 1.3 127.0.0.1 "$port" <"$T/in"
	assert_failure 1
	assert_one_line "$stderr"
	[[ "$stderr" == *127.0.0.1* ]] || fail "no host in: $stderr"
	[[ "$stderr" =~ [^0-9]$port([^0-9]|$) ]] || fail "no port in: $stderr"
	[[ "$stderr" =~ (protocol|version) ]] || fail "no reason in: $stderr"
	finish "$srv_pid"
	assert_nothing_received srv
}

@test "a TLS 1.2-only server is reached by default (the minimum is 1.2)" {
	tls_peer srv server --max 1.2 send:'old\n' expect-close-notify close
	client
	assert_success
	assert_output "old"
	assert_equal "$(info srv version)" "TLSv1.2"
}

@test "--tls-max 1.2 makes a TLS 1.2 connection to a server that offers 1.3" {
	tls_peer srv server expect:'x\n' send:'twelve\n' expect-close-notify close
	printf 'x\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		--tls-max 1.2 127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "twelve"
	assert_equal "$(info srv version)" "TLSv1.2"
}

@test "--tls-max 1.2 against a TLS 1.3-only server fails with exit 1" {
	tls_peer srv server --min 1.3 recv-all:"$T/got"
	client --tls-max 1.2
	assert_failure 1
	assert_one_line "$stderr"
	finish "$srv_pid"
	assert_nothing_received srv
}

@test "sockline -l --tls-min 1.3 refuses a TLS 1.2-only python client" {
	bg srv "$SOCKLINE" -l 0 -k --tls --echo --tls-min 1.3 \
		--tls-cert-out "$T/ca.pem" --port-file "$T/p"
	port=$(port_of "$T/p")
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		--max 1.2 send:'a\n' expect:'a\n' close
	assert_failure
	assert_output --partial "handshake"
	# A 1.3 client is still served.
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'b\n' expect:'b\n' close
	assert_success
}

@test "--tls-ciphers chooses the TLS 1.3 suite" {
	tls_peer srv server send:'suite\n' expect-close-notify close
	client --tls-ciphers TLS_CHACHA20_POLY1305_SHA256
	assert_success
	assert_equal "$(info srv cipher)" "TLS_CHACHA20_POLY1305_SHA256"
}

@test "--tls-ciphers chooses the TLS 1.2 cipher" {
	tls_peer srv server send:'cipher\n' expect-close-notify close
	client --tls-max 1.2 --tls-ciphers ECDHE-ECDSA-AES128-GCM-SHA256
	assert_success
	assert_equal "$(info srv version)" "TLSv1.2"
	assert_equal "$(info srv cipher)" "ECDHE-ECDSA-AES128-GCM-SHA256"
}

@test "sockline -l --tls-ciphers limits what a python client gets" {
	bg srv "$SOCKLINE" -l 0 --tls --echo --tls-ciphers TLS_AES_128_GCM_SHA256 \
		--tls-cert-out "$T/ca.pem" --port-file "$T/p"
	port=$(port_of "$T/p")
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		--info "$T/c.info" send:'c\n' expect:'c\n' close
	assert_success
	assert_equal "$(sed -n 's/^cipher=//p' "$T/c.info")" "TLS_AES_128_GCM_SHA256"
}

@test "a --tls-ciphers list OpenSSL does not know is refused with one line naming it" {
	tls_peer srv server recv-all:"$T/got"
	client --tls-ciphers NO-SUCH-CIPHER
	[ "$status" -eq 1 ] || [ "$status" -eq 2 ] || fail "exit $status"
	assert_one_line "$stderr"
	[[ "$stderr" == *NO-SUCH-CIPHER* ]] || fail "does not name the list: $stderr"
}
