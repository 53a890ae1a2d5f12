#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --proxy with SOCKS (design item 20): the exact bytes sockline sends to
# a SOCKS4, SOCKS4a or SOCKS5 proxy (names sent for the proxy to resolve
# or resolved here, as the scheme says; RFC 1929 credentials), the
# conversation through the tunnel with its half-close, and every way a
# proxy can refuse.  The proxy is peers/proxy-peer.py.

load helpers/common
load helpers/proxy

@test "socks5h:// sends the name for the proxy to resolve (ATYP 3)" {
	proxy socks5
	target
	through "socks5h://127.0.0.1:$pport" localhost
	assert_tunnel
	assert_equal "$(recorded hello)" 050100
	assert_equal "$(recorded request)" "0501000309$(hexstr localhost)$(hexport)"
}

@test "socks5:// resolves the name here and sends its address (ATYP 1)" {
	proxy socks5
	target
	through "socks5://127.0.0.1:$pport" localhost -4
	assert_tunnel
	assert_equal "$(recorded request)" "050100017f000001$(hexport)"
}

@test "socks5:// sends an IPv4 literal as an address" {
	proxy socks5
	target
	through "socks5h://127.0.0.1:$pport" 127.0.0.1
	assert_tunnel
	assert_equal "$(recorded request)" "050100017f000001$(hexport)"
}

@test "socks5:// sends an IPv6 target as an address (ATYP 4), [::1] as ::1" {
	proxy socks5
	target -6
	through "socks5://127.0.0.1:$pport" '[::1]'
	assert_tunnel
	assert_equal "$(recorded request)" "0501000400000000000000000000000000000001$(hexport)"
}

@test "a proxy on IPv6 ([::1]) carries the tunnel" {
	proxy socks5 -6
	target
	through "socks5h://[::1]:$pport" localhost
	assert_tunnel
}

@test "URL credentials are percent-decoded and sent as RFC 1929 username/password" {
	proxy socks5 --auth 'us er:p@ss:w'
	target
	through "socks5h://us%20er:p%40ss%3Aw@127.0.0.1:$pport" localhost
	assert_tunnel
	assert_equal "$(recorded hello)" 05020002
	assert_equal "$(recorded auth)" "0105$(hexstr 'us er')06$(hexstr 'p@ss:w')"
}

@test "--proxy-auth USER:PASS is sent as RFC 1929 username/password" {
	proxy socks5 --auth 'alice:s3cret'
	target
	through "socks5h://127.0.0.1:$pport" localhost --proxy-auth alice:s3cret
	assert_tunnel
	assert_equal "$(recorded auth)" "0105$(hexstr alice)06$(hexstr s3cret)"
}

@test "credentials the proxy rejects: exit 1, one line, the password nowhere" {
	proxy socks5 --auth 'alice:right'
	target
	through "socks5h://alice:Wr0ngPass@127.0.0.1:$pport" localhost -o "$T/log"
	assert_refused "rejected"
	through "socks5h://alice:Wr0ngPass@127.0.0.1:$pport" localhost -vv
	assert_failure 1
	[[ "$stderr" == *"user name or password rejected"* ]]
	[[ "$stderr" != *Wr0ngPass* ]]
	! grep -q Wr0ngPass "$T/log"
}

@test "credentials never appear in -v lines or the -o log of a tunnel that works" {
	proxy socks5 --auth 'alice:Sekr1tPw'
	target
	through "socks5h://alice:Sekr1tPw@127.0.0.1:$pport" localhost -vv -o "$T/log"
	assert_tunnel
	[[ "$stderr" == *"through socks5h://127.0.0.1:$pport"* ]]
	[[ "$stderr" != *Sekr1tPw* && "$stderr" != *alice* ]]
	! grep -q -e Sekr1tPw -e alice "$T/log"
}

@test "a proxy that wants credentials we lack says so" {
	proxy socks5 --auth 'alice:pw'
	target
	through "socks5h://127.0.0.1:$pport" localhost
	assert_refused "no acceptable authentication method" "--proxy-auth"
}

@test "a proxy with no acceptable method: exit 1 and the reason" {
	proxy socks5 --refuse method
	target
	through "socks5h://127.0.0.1:$pport" localhost
	assert_refused "no acceptable authentication method (SOCKS5 method 255)"
}

@test "SOCKS5 refusals are told in words: connection refused (5)" {
	proxy socks5 --refuse 5
	target
	through "socks5h://127.0.0.1:$pport" localhost
	assert_refused "connection refused (SOCKS5 reply 5)"
}

@test "SOCKS5 refusals are told in words: not allowed by ruleset (2)" {
	proxy socks5 --refuse 2
	target
	through "socks5h://127.0.0.1:$pport" localhost
	assert_refused "connection not allowed by ruleset (SOCKS5 reply 2)"
}

@test "SOCKS5 refusals are told in words: host unreachable (4)" {
	proxy socks5 --refuse 4
	target
	through "socks5h://127.0.0.1:$pport" localhost
	assert_refused "host unreachable (SOCKS5 reply 4)"
}

@test "a target the proxy cannot reach is its refusal, exit 1" {
	proxy socks5
	target
	kill "$tgt_pid"
	wait_until gone "$tgt_pid"
	through "socks5h://127.0.0.1:$pport" 127.0.0.1
	assert_refused "connection refused"
}

@test "a proxy that answers garbage: a clear message, exit 1" {
	proxy socks5 --garbage
	target
	through "socks5h://127.0.0.1:$pport" localhost
	assert_refused "garbage"
}

@test "a proxy that closes mid-handshake: a clear message, exit 1" {
	proxy socks5 --close
	target
	through "socks5h://127.0.0.1:$pport" localhost
	assert_refused "closed the connection"
}

@test "a proxy that never answers: -w bounds the whole handshake" {
	proxy socks5 --silent
	target
	through "socks5h://127.0.0.1:$pport" localhost -w 1
	assert_refused "not done after 1.000 s"
}

@test "a proxy that is not there: exit 1 naming the proxy" {
	proxy socks5
	target
	kill "$px_pid"
	wait_until gone "$px_pid"
	through "socks5h://127.0.0.1:$pport" localhost
	assert_failure 1
	assert_equal "$stderr" "sockline: connect to proxy 127.0.0.1 port $pport (tcp) failed: Connection refused"
}

@test "--proxy HOST:PORT with no -X is SOCKS5 with names resolved by the proxy" {
	proxy socks5
	target
	through "127.0.0.1:$pport" localhost
	assert_tunnel
	assert_equal "$(recorded request)" "0501000309$(hexstr localhost)$(hexport)"
}

@test "-X 5 is SOCKS5 with names resolved by the proxy" {
	proxy socks5
	target
	through "127.0.0.1:$pport" localhost -X 5
	assert_tunnel
	assert_equal "$(recorded request)" "0501000309$(hexstr localhost)$(hexport)"
}

@test "-X 4 is SOCKS4 with the name resolved here" {
	proxy socks4
	target
	through "127.0.0.1:$pport" localhost -X 4
	assert_tunnel
	assert_equal "$(recorded request)" "0401$(hexport)7f00000100"
}

@test "socks4:// sends the address and an empty user id" {
	proxy socks4
	target
	through "socks4://127.0.0.1:$pport" 127.0.0.1
	assert_tunnel
	assert_equal "$(recorded request)" "0401$(hexport)7f00000100"
}

@test "socks4:// sends the URL's user as its user id" {
	proxy socks4 --auth bob
	target
	through "socks4://bob@127.0.0.1:$pport" 127.0.0.1
	assert_tunnel
	assert_equal "$(recorded request)" "0401$(hexport)7f000001$(hexstr bob)00"
}

@test "socks4a:// sends the name after 0.0.0.1 for the proxy to resolve" {
	proxy socks4
	target
	through "socks4a://127.0.0.1:$pport" localhost
	assert_tunnel
	assert_equal "$(recorded request)" "0401$(hexport)0000000100$(hexstr localhost)00"
}

@test "SOCKS4 refusals are told in words (91)" {
	proxy socks4 --refuse 91
	target
	through "socks4://127.0.0.1:$pport" 127.0.0.1
	assert_refused "request rejected or failed (SOCKS4 reply 91)"
}

@test "SOCKS4 cannot carry an IPv6 target: exit 1 before the proxy hears of it" {
	proxy socks4
	target -6
	through "socks4a://127.0.0.1:$pport" '[::1]'
	assert_failure 1
	[[ "$stderr" == *"SOCKS4 cannot carry an IPv6 address"* ]]
	[ ! -s "$T/px.rec" ]
}

@test "a SOCKS4 proxy that answers garbage: a clear message, exit 1" {
	proxy socks4 --garbage
	target
	through "socks4://127.0.0.1:$pport" 127.0.0.1
	assert_refused "garbage"
}

@test "--lockstep works through a tunnel" {
	proxy socks5
	bg tgt peer.py --listen --port-file "$T/tgt.port" expect:'one\n' send:'1\n' \
		expect:'two\n' send:'2\n' wait-file:"$T/never"
	tport=$(port_of "$T/tgt.port")
	run --separate-stderr timeout 20 bash -c 'printf "one\ntwo\n" | "$0" --lockstep --proxy "$1" 127.0.0.1 "$2"' \
		"$SOCKLINE" "socks5h://127.0.0.1:$pport" "$tport"
	assert_success
	assert_output "$(printf '1\n2')"
}

@test "what the target says at once is not lost behind the proxy's reply" {
	proxy socks5
	bg tgt peer.py --listen --port-file "$T/tgt.port" send:'first words\n' close
	tport=$(port_of "$T/tgt.port")
	run --separate-stderr timeout 20 "$SOCKLINE" --recv-only --proxy "socks5h://127.0.0.1:$pport" 127.0.0.1 "$tport"
	assert_success
	assert_output "first words"
}

@test "no proxy environment variable is read: only --proxy decides" {
	proxy socks5
	target
	run --separate-stderr timeout 20 env ALL_PROXY=socks5h://127.0.0.1:1 \
		all_proxy=socks5h://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 \
		https_proxy=http://127.0.0.1:1 http_proxy=http://127.0.0.1:1 \
		SOCKS_PROXY=127.0.0.1:1 bash -c 'printf "ping\n" | "$0" --proxy "$1" localhost "$2"' \
		"$SOCKLINE" "socks5h://127.0.0.1:$pport" "$tport"
	assert_tunnel
	assert_equal "$(recorded request)" "0501000309$(hexstr localhost)$(hexport)"
}

@test "credentials are blanked from the command line others can read (ps, /proc/PID/cmdline)" {
	proxy socks5 --auth 'alice:Hidd3nPw'
	bg tgt peer.py --listen --port-file "$T/tgt.port" send:'up\n' wait-file:"$T/done"
	tport=$(port_of "$T/tgt.port")
	bg cl "$SOCKLINE" --recv-only --proxy "socks5h://alice:Hidd3nPw@127.0.0.1:$pport" localhost "$tport"
	wait_line "$T/cl.out" '^up$'
	run tr '\0' ' ' <"/proc/$cl_pid/cmdline"
	[[ "$output" == *"@127.0.0.1:$pport"* ]] || fail "not the client's command line: $output"
	[[ "$output" != *Hidd3nPw* && "$output" != *alice* ]] || fail "credentials shown: $output"
	touch "$T/done"
	finish "$tgt_pid"
}
