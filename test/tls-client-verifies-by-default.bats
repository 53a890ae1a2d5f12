#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A TLS client verifies by default (design item 19): a python TLS server
# presenting a certificate of the test CA is reached over IPv4, IPv6 and
# a unix socket when sockline is told that CA; the name checked is the
# host operand (DNS name or IP literal) or --tls-name; --insecure and
# --tls-pin are the ways past verification.

load helpers/common
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

@test "a verified exchange over IPv4 goes both ways and ends with close_notify" {
	tls_peer srv server expect:'hello\n' send:'world\n' expect-close-notify close
	printf 'hello\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "world"
	assert_equal "$stderr" ""
	finish "$srv_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/srv.rec")" "hello"
	assert_equal "$(info srv end)" "close_notify"
}

@test "a verified exchange over IPv6 goes both ways" {
	tls_peer srv server -6 expect:'hello6\n' send:'world6\n' expect-close-notify close
	printf 'hello6\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		::1 "$port" <"$T/in"
	assert_success
	assert_output "world6"
	finish "$srv_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/srv.rec")" "hello6"
}

@test "a verified exchange over a unix socket checks --tls-name and goes both ways" {
	tls_peer srv server --unix "$T/s" expect:'over unix\n' send:'back\n' \
		expect-close-notify close
	printf 'over unix\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		--tls-name localhost -U "$T/s" <"$T/in"
	assert_success
	assert_output "back"
	finish "$srv_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/srv.rec")" "over unix"
	assert_equal "$(info srv sni)" "localhost"
}

@test "--ssl is the same as --tls" {
	tls_peer srv server expect:'x\n' send:'y\n' expect-close-notify close
	printf 'x\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --ssl --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "y"
	assert_equal "$(info srv version)" "TLSv1.3"
}

@test "a DNS host operand is checked against the DNS SANs" {
	# localhost may be ::1 first: the peer is on 127.0.0.1 only, so the
	# second address is the one that answers.
	tls_peer srv server send:'named\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		localhost "$port" </dev/null
	assert_success
	assert_output "named"
}

@test "an IPv4 literal is matched against the certificate's IP SANs" {
	tls_peer srv server send:'by ip\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" </dev/null
	assert_success
	assert_output "by ip"
}

@test "an IPv6 literal is matched against the certificate's IP SANs" {
	tls_peer srv server -6 send:'by ip6\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		::1 "$port" </dev/null
	assert_success
	assert_output "by ip6"
}

@test "--tls-ca takes a directory of hashed CA certificates" {
	mkdir "$T/cas"
	cp "$PKI/ca2.pem" "$PKI/ca.pem" "$T/cas/"
	openssl rehash "$T/cas"
	tls_peer srv server send:'from dir\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$T/cas" \
		127.0.0.1 "$port" </dev/null
	assert_success
	assert_output "from dir"
}

@test "--insecure gets past an unknown self-signed certificate with one warning line" {
	tls_peer srv selfsigned expect:'hi\n' send:'ok\n' expect-close-notify close
	printf 'hi\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --insecure \
		127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "ok"
	assert_one_line "$stderr"
	assert_equal "$(cat "$T/srv.rec")" "hi"
}

@test "--tls-pin with the leaf's key hash gets past a self-signed certificate" {
	tls_peer srv selfsigned expect:'pinned\n' send:'ok\n' expect-close-notify close
	printf 'pinned\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls \
		--tls-pin "$(pin_of "$PKI/selfsigned.pem")" 127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "ok"
	assert_equal "$stderr" ""
	assert_equal "$(cat "$T/srv.rec")" "pinned"
}

@test "--tls-pin replaces the name check: a pinned leaf for another name gets through" {
	tls_peer srv wrongname send:'pinned anyway\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" --tls \
		--tls-pin "$(pin_of "$PKI/wrongname.pem")" 127.0.0.1 "$port" </dev/null
	assert_success
	assert_output "pinned anyway"
}

@test "--tls-pin over a unix socket needs no --tls-name" {
	tls_peer srv server --unix "$T/s" send:'unix pinned\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" --tls \
		--tls-pin "$(pin_of "$PKI/server.pem")" -U "$T/s" </dev/null
	assert_success
	assert_output "unix pinned"
}

@test "--insecure over a unix socket needs no --tls-name" {
	tls_peer srv server --unix "$T/s" send:'unix insecure\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --insecure -U "$T/s" </dev/null
	assert_success
	assert_output "unix insecure"
	assert_one_line "$stderr"
}

@test "-v tells the TLS version, the cipher and the verified subject" {
	tls_peer srv server send:'v\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" -v --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" </dev/null
	assert_success
	assert_output "v"
	# The version as the peer saw it, in whatever spelling: 1.3.
	v=$(info srv version)
	[[ "$stderr" == *"${v#TLSv}"* ]] || fail "no version ${v#TLSv} in: $stderr"
	[[ "$stderr" == *"$(info srv cipher)"* ]] || fail "no cipher in: $stderr"
	[[ "$stderr" == *sockline-test-server* ]] || fail "no subject in: $stderr"
}

@test "-vv shows the whole chain and whether records go through kTLS or user space" {
	tls_peer srv server send:'vv\n' expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" -vv --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" </dev/null
	assert_success
	assert_output "vv"
	[[ "$stderr" == *"sockline test CA"* ]] || fail "no issuer in: $stderr"
	assert_has_fingerprint "$stderr" "$PKI/server.pem"
	[[ "$stderr" =~ (kTLS|ktls|kernel|user\ space|userspace) ]] ||
		fail "does not say where records go: $stderr"
}
