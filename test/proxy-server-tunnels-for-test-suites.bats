#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# -l -k --proxy-server http|socks5 (design item 20): a proxy for test
# suites.  Python clients (peers/proxy-client.py) open tunnels to python
# targets (peers/peer.py) through it: half-close in both directions,
# credentials required, --allow/--deny, -m, a client that never
# finishes its handshake, -v lines per tunnel, -o naming each target.

load helpers/common

# server ARGS...: sockline -l -k -v --proxy-server ARGS 0 as "ps"; sets $sport.
server() {
	rm -f "$T/ps.port"
	bg ps "$SOCKLINE" -l -k -v --port-file "$T/ps.port" --proxy-server "$@" 0
	sport=$(port_of "$T/ps.port")
}

# target [-6]: says hello, expects ping and our end, answers bye, closes.
target() {
	rm -f "$T/tgt.port"
	bg tgt peer.py --listen "$@" --port-file "$T/tgt.port" send:'hello\n' \
		expect:'ping\n' expect-eof send:'bye\n' close
	tport=$(port_of "$T/tgt.port")
}

# client KIND ARGS...: proxy-client.py through the server, under run.
client() {
	local kind=$1
	shift
	run --separate-stderr timeout 30 proxy-client.py --kind "$kind" --port "$sport" "$@"
}

# conversation: the steps that match target().
conversation() {
	echo expect:'hello\n' send:'ping\n' shutdown expect:'bye\n' expect-eof
}

assert_target_done() {
	finish "$tgt_pid"
	assert_equal "$status" 0
}

@test "socks5: a tunnel to a name (ATYP 3) carries both ways, our half-close passed on" {
	server socks5
	target
	client socks5 localhost "$tport" $(conversation)
	assert_success
	assert_target_done
}

@test "socks5: an IPv4 address target (ATYP 1)" {
	server socks5
	target
	client socks5 --atyp v4 127.0.0.1 "$tport" $(conversation)
	assert_success
	assert_target_done
}

@test "socks5: an IPv6 address target (ATYP 4), and a client on ::1" {
	server socks5
	target -6
	client socks5 --proxy-host ::1 --atyp v6 ::1 "$tport" $(conversation)
	assert_success
	assert_target_done
}

@test "http: CONNECT to a name, an IPv4 and an IPv6 target" {
	server http
	target
	client http localhost "$tport" $(conversation)
	assert_success
	assert_target_done
	target
	client http 127.0.0.1 "$tport" $(conversation)
	assert_success
	assert_target_done
	target -6
	client http ::1 "$tport" $(conversation)
	assert_success
	assert_target_done
}

@test "the target's half-close is passed on too, and the client may still send" {
	server http
	bg tgt peer.py --listen --port-file "$T/tgt.port" send:'first\n' shutdown \
		expect:'late words\n' expect-eof
	tport=$(port_of "$T/tgt.port")
	client http 127.0.0.1 "$tport" expect:'first\n' expect-eof send:'late words\n' shutdown
	assert_success
	assert_target_done
}

@test "-v says when each tunnel opened and closed, with bytes each way" {
	server socks5
	target
	client socks5 127.0.0.1 "$tport" $(conversation)
	assert_success
	assert_target_done
	wait_line "$T/ps.err" "^Tunnel 1 from 127.0.0.1 [0-9]+ to 127.0.0.1 $tport closed: 5 bytes to the target, 10 back$"
	grep -qE "^Tunnel 1 from 127.0.0.1 [0-9]+ to 127.0.0.1 $tport opened$" "$T/ps.err"
}

@test "-o logs each tunnel's target, so a test can check its client went through" {
	rm -f "$T/ps.port"
	bg ps "$SOCKLINE" -l -k --port-file "$T/ps.port" --proxy-server http -o "$T/log" 0
	sport=$(port_of "$T/ps.port")
	target
	client http localhost "$tport" $(conversation)
	assert_success
	assert_target_done
	wait_line "$T/log" "# tunnel 1 from 127.0.0.1 [0-9]+ to localhost $tport \(http\)$"
}

@test "--proxy-auth is required of socks5 clients: right, none, wrong" {
	server socks5 --proxy-auth alice:s3cret
	target
	client socks5 --auth alice:s3cret localhost "$tport" $(conversation)
	assert_success
	assert_target_done
	client socks5 --refused 255 localhost "$tport"
	assert_success
	client socks5 --auth alice:wrong --refused 1001 localhost "$tport"
	assert_success
	! grep -q s3cret "$T/ps.err"
}

@test "--proxy-auth is required of http clients: right, none (407), wrong (407)" {
	server http --proxy-auth alice:s3cret
	target
	client http --auth alice:s3cret localhost "$tport" $(conversation)
	assert_success
	assert_target_done
	client http --refused 407 localhost "$tport"
	assert_success
	client http --auth alice:nope --refused 407 localhost "$tport"
	assert_success
}

@test "a target that refuses: SOCKS5 reply 5, HTTP 502" {
	# A port just bound and released: nothing listens there.
	tport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	server socks5
	client socks5 --refused 5 127.0.0.1 "$tport"
	assert_success
	kill "$ps_pid"
	server http
	client http --refused 502 127.0.0.1 "$tport"
	assert_success
}

@test "--deny turns a client away before a byte is read" {
	server socks5 --deny 127.0.0.1
	target
	client socks5 localhost "$tport" $(conversation)
	assert_failure
	wait_line "$T/ps.err" "^Refused a connection from 127.0.0.1 [0-9]+: not allowed$"
}

@test "-m caps tunnels: the second is refused while the first is open" {
	server socks5 -m 1
	bg hold peer.py --listen --port-file "$T/h.port" wait-file:"$T/never"
	hport=$(port_of "$T/h.port")
	bg first proxy-client.py --kind socks5 --port "$sport" localhost "$hport" hold
	wait_line "$T/ps.err" "^Tunnel 1 .* opened$"
	target
	client socks5 localhost "$tport" $(conversation)
	assert_failure
	wait_line "$T/ps.err" "^Refused a connection from 127.0.0.1 [0-9]+: 1 tunnels already \(-m\)$"
}

@test "a client that never finishes its handshake is dropped after -w, others are served meanwhile" {
	server socks5 -w 2
	bg staller proxy-client.py --kind socks5 --port "$sport" localhost 1 stall
	wait_line "$T/ps.err" "^Connection received on "
	target
	client socks5 localhost "$tport" $(conversation)
	assert_success
	assert_target_done
	finish "$staller_pid"
	assert_equal "$status" 0
	grep -q "handshake not done after 2.000 s" "$T/ps.err"
}

@test "an HTTP request that is not CONNECT gets 405" {
	server http
	run --separate-stderr timeout 20 bash -c 'printf "GET / HTTP/1.1\r\nHost: x\r\n\r\n" | "$0" 127.0.0.1 "$1"' "$SOCKLINE" "$sport"
	assert_success
	assert_line --index 0 --regexp "^HTTP/1.1 405 Method Not Allowed"
}

@test "with no host the proxy listens on loopback only" {
	server socks5
	wait_line "$T/ps.err" "^Listening on "
	run grep '^Listening on ' "$T/ps.err"
	for l in "${lines[@]}"; do
		[[ "$l" == "Listening on 127.0.0.1 $sport (socks5 proxy)" ||
			"$l" == "Listening on ::1 $sport (socks5 proxy)" ]] || fail "not loopback: $l"
	done
}

@test "sockline's own client through sockline's proxy server, socks5h and http" {
	server socks5
	target
	run --separate-stderr timeout 20 bash -c 'printf "ping\n" | "$0" --proxy "$1" localhost "$2"' \
		"$SOCKLINE" "socks5h://127.0.0.1:$sport" "$tport"
	assert_success
	assert_output "$(printf 'hello\nbye')"
	assert_target_done
}
