#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --proxy http:// and https:// (design item 20): the exact CONNECT
# request (request line, Host, Proxy-Authorization: Basic), the tunnel
# with its half-close, the proxy's refusals as its status line, and an
# https:// proxy verified against --proxy-ca (not --tls-ca).  The proxy
# is peers/proxy-peer.py, with python's ssl for https://.

load helpers/common
load helpers/pki
load helpers/tls
load helpers/proxy

setup_file() {
	make_pki
}

# connect_req HOSTPORT [HEADER...]: the CONNECT request expected, in hex.
connect_req() {
	local hp=$1 h
	shift
	{
		printf 'CONNECT %s HTTP/1.1\r\nHost: %s\r\n' "$hp" "$hp"
		for h in "$@"; do
			printf '%s\r\n' "$h"
		done
		printf '\r\n'
	} | od -An -tx1 | tr -d ' \n'
}

@test "http:// sends CONNECT host:port HTTP/1.1 with a Host header (IPv4 target)" {
	proxy http
	target
	through "http://127.0.0.1:$pport" 127.0.0.1
	assert_tunnel
	assert_equal "$(recorded request)" "$(connect_req "127.0.0.1:$tport")"
}

@test "http:// sends an IPv6 target in brackets" {
	proxy http
	target -6
	through "http://127.0.0.1:$pport" '[::1]'
	assert_tunnel
	assert_equal "$(recorded request)" "$(connect_req "[::1]:$tport")"
}

@test "http:// sends a name for the proxy to resolve" {
	proxy http
	target
	through "http://127.0.0.1:$pport" localhost
	assert_tunnel
	assert_equal "$(recorded request)" "$(connect_req "localhost:$tport")"
}

@test "an HTTP proxy on IPv6 carries the tunnel" {
	proxy http -6
	target
	through "http://[::1]:$pport" 127.0.0.1
	assert_tunnel
}

@test "-X connect with HOST:PORT is an HTTP CONNECT proxy" {
	proxy http
	target
	through "127.0.0.1:$pport" localhost -X connect
	assert_tunnel
	assert_equal "$(recorded request)" "$(connect_req "localhost:$tport")"
}

@test "credentials go in Proxy-Authorization: Basic, percent-decoded from the URL" {
	proxy http --auth 'al ice:pa:ss'
	target
	through "http://al%20ice:pa%3Ass@127.0.0.1:$pport" localhost
	assert_tunnel
	assert_equal "$(recorded request)" "$(connect_req "localhost:$tport" \
		"Proxy-Authorization: Basic $(printf 'al ice:pa:ss' | base64)")"
}

@test "--proxy-auth goes in Proxy-Authorization: Basic" {
	proxy http --auth 'bob:hunter2'
	target
	through "http://127.0.0.1:$pport" localhost --proxy-auth bob:hunter2
	assert_tunnel
	assert_equal "$(recorded request)" "$(connect_req "localhost:$tport" \
		"Proxy-Authorization: Basic $(printf 'bob:hunter2' | base64)")"
}

@test "407 without credentials: exit 1, says the proxy wants them" {
	proxy http --auth 'bob:hunter2'
	target
	through "http://127.0.0.1:$pport" localhost
	assert_refused "407" "--proxy-auth"
}

@test "407 with wrong credentials: exit 1, the password nowhere in stderr, -v or -o" {
	proxy http --auth 'bob:hunter2'
	target
	through "http://bob:N0tThat1@127.0.0.1:$pport" localhost -o "$T/log"
	assert_refused "credentials were rejected (407)"
	[[ "$stderr" != *N0tThat1* ]]
	through "http://bob:N0tThat1@127.0.0.1:$pport" localhost -vv
	[[ "$stderr" != *N0tThat1* && "$stderr" != *"$(printf 'bob:N0tThat1' | base64)"* ]]
	! grep -q N0tThat1 "$T/log"
}

@test "a 403 refusal is told with its status line" {
	proxy http --refuse '403 Forbidden'
	target
	through "http://127.0.0.1:$pport" localhost
	assert_refused "403 Forbidden"
}

@test "a target the proxy cannot reach: its 502, exit 1" {
	proxy http
	target
	kill "$tgt_pid"
	wait_until gone "$tgt_pid"
	through "http://127.0.0.1:$pport" 127.0.0.1
	assert_refused "502 Bad Gateway"
}

@test "an HTTP proxy that answers garbage: a clear message, exit 1" {
	proxy http --garbage
	target
	through "http://127.0.0.1:$pport" localhost
	assert_refused "garbage"
}

@test "an HTTP proxy that closes without answering: a clear message, exit 1" {
	proxy http --close
	target
	through "http://127.0.0.1:$pport" localhost
	assert_refused "closed the connection without answering"
}

@test "an HTTP proxy that never answers: -w bounds the handshake" {
	proxy http --silent
	target
	through "http://127.0.0.1:$pport" localhost -w 1
	assert_refused "not done after 1.000 s"
}

@test "https:// CONNECTs over TLS, verified against --proxy-ca" {
	proxy http --tls "$PKI/server.pem" "$PKI/server.key"
	target
	through "https://127.0.0.1:$pport" localhost --proxy-ca "$PKI/ca.pem"
	assert_tunnel
	assert_equal "$(recorded request)" "$(connect_req "localhost:$tport")"
}

@test "https:// with a name: the proxy's certificate is checked against it" {
	proxy http --tls "$PKI/server.pem" "$PKI/server.key"
	target
	through "https://localhost:$pport" 127.0.0.1 --proxy-ca "$PKI/ca.pem" -4
	assert_tunnel
}

@test "https:// proxy not trusted: exit 1, the reason and --proxy-ca" {
	proxy http --tls "$PKI/server.pem" "$PKI/server.key"
	target
	through "https://127.0.0.1:$pport" localhost
	assert_refused "certificate verify failed" "--proxy-ca"
	[ ! -s "$T/px.rec" ]
}

@test "https:// proxy: --tls-ca is for the target, not the proxy" {
	proxy http --tls "$PKI/server.pem" "$PKI/server.key"
	target
	through "https://127.0.0.1:$pport" localhost --tls --tls-ca "$PKI/ca.pem"
	assert_failure 1
	[[ "$stderr" == *"certificate verify failed"*"--proxy-ca"* ]]
}

@test "https:// proxy with a wrong name fails verification" {
	proxy http --tls "$PKI/wrongname.pem" "$PKI/wrongname.key"
	target
	through "https://127.0.0.1:$pport" localhost --proxy-ca "$PKI/ca.pem"
	assert_refused "certificate verify failed"
}

@test "--proxy-insecure skips the proxy's verification, with a warning" {
	proxy http --tls "$PKI/selfsigned.pem" "$PKI/selfsigned.key"
	target
	through "https://127.0.0.1:$pport" localhost --proxy-insecure
	assert_success
	assert_output "$(printf 'hello\nbye')"
	[[ "$stderr" == *"--proxy-insecure"* ]]
}

@test "--tls through an http:// tunnel: TLS to the target inside it" {
	proxy http
	tls_peer srv server send:'secret hello\n' expect:'ping\n' expect-close-notify close
	tport=$port
	through "http://127.0.0.1:$pport" localhost --tls --tls-ca "$PKI/ca.pem"
	assert_success
	assert_output "secret hello"
	assert_equal "$(recorded request)" "$(connect_req "localhost:$tport")"
}

@test "--tls through a socks5h:// tunnel, the target's name verified" {
	proxy socks5
	tls_peer srv server send:'secret hello\n' expect:'ping\n' expect-close-notify close
	tport=$port
	through "socks5h://127.0.0.1:$pport" localhost --tls --tls-ca "$PKI/ca.pem"
	assert_success
	assert_output "secret hello"
}

@test "--tls through a tunnel checks the target's certificate, not the proxy's" {
	proxy socks5
	tls_peer srv wrongname send:'x\n' close
	tport=$port
	through "socks5h://127.0.0.1:$pport" localhost --tls --tls-ca "$PKI/ca.pem"
	assert_failure 1
	[[ "$stderr" == *"certificate verify failed"*"localhost"* ]]
}

@test "--tls through an https:// proxy: TLS inside TLS" {
	proxy http --tls "$PKI/server.pem" "$PKI/server.key"
	tls_peer srv server send:'secret hello\n' expect:'ping\n' expect-close-notify close
	tport=$port
	through "https://127.0.0.1:$pport" localhost --proxy-ca "$PKI/ca.pem" --tls --tls-ca "$PKI/ca.pem"
	assert_success
	assert_output "secret hello"
}
