#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# /reconnect through --proxy (issue 16 item 4, design items 20 and 21):
# the same proxy is asked again for the same target, over TLS for an
# https:// proxy, with --tls then run to the target inside the tunnel.
# The dialogue runs in the loop, so the prompt stays live and what is
# typed meanwhile goes to the new connection; a failure is one line and
# the prompt stays for the next /reconnect.  The proxy is
# peers/proxy-peer.py, whose record shows each request it was sent; the
# target answers one line per connection and closes
# (peers/line-then-close.py), or is a python TLS peer.

load helpers/common
load helpers/tmux
load helpers/proxy
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

# one_shot: the target (line-then-close.py) as "srv"; sets $port.
one_shot() {
	bg srv line-then-close.py --port-file "$T/port"
	port=$(port_of "$T/port")
}

# requests N: the proxy has recorded N requests (it records each one
# before it answers).
requests() {
	[ "$(grep -c '^request ' "$T/px.rec")" -eq "$1" ]
}

# seen N REGEX: at least N lines of the pane match REGEX.
seen() {
	[ "$(pane | grep -cE -- "$2")" -ge "$1" ]
}

# assert_same_requests HEX N: the proxy was sent N requests, each HEX.
assert_same_requests() {
	local want=$1 n=$2
	assert_equal "$(recorded request | sort -u)" "$want"
	assert_equal "$(recorded request | wc -l)" "$n"
}

# socks5h_req HOST: the SOCKS5 request for HOST port $port, in hex.
socks5h_req() {
	printf '050100%02x%s%s%04x' 3 "$(printf '%02x' "${#1}")" \
		"$(hexstr "$1")" "$port"
}

# connect_req HOST: the CONNECT request for HOST port $port, in hex.
connect_req() {
	printf 'CONNECT %s:%s HTTP/1.1\r\nHost: %s:%s\r\n\r\n' \
		"$1" "$port" "$1" "$port" | od -An -tx1 | tr -d ' \n'
}

@test "through socks5h /reconnect asks the proxy again, the prompt stays live meanwhile and the typed line goes to the new connection" {
	: >"$T/gate"
	proxy socks5 --gate "$T/gate"
	one_shot
	repl --proxy "socks5h://127.0.0.1:$pport" localhost "$port"
	wait_pane "^localhost:$port> "
	# The proxy holds its answer: the tunnel is on its way, the prompt
	# works, and a line typed now waits for it.
	rm "$T/gate"
	line /reconnect
	wait_until requests 2
	line /peers
	wait_pane '^sockline: no peers'
	line alpha
	wait_pane '^sockline: not connected: this waits for /reconnect$'
	: >"$T/gate"
	wait_until seen 2 "^sockline: connected to localhost port $port "
	wait_pane '^got alpha on connection 2$'
	wait_pane "localhost port $port .*closed the connection; /reconnect opens it again"
	line /reconnect
	line beta
	wait_pane '^got beta on connection 3$'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
	assert_same_requests "$(socks5h_req localhost)" 3
}

@test "through an http:// proxy /reconnect sends the same CONNECT again" {
	proxy http
	one_shot
	repl --proxy "http://127.0.0.1:$pport" localhost "$port"
	wait_pane "^localhost:$port> "
	line /reconnect
	wait_until seen 2 "^sockline: connected to localhost port $port "
	line gamma
	wait_pane '^got gamma on connection 2$'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
	assert_same_requests "$(connect_req localhost)" 2
}

@test "through an https:// proxy /reconnect runs TLS to the proxy again" {
	proxy http --tls "$PKI/server.pem" "$PKI/server.key"
	one_shot
	repl --proxy "https://localhost:$pport" --proxy-ca "$PKI/ca.pem" \
		127.0.0.1 "$port"
	wait_pane "^127\\.0\\.0\\.1:$port> "
	line /reconnect
	wait_until seen 2 "^sockline: connected to 127\\.0\\.0\\.1 port $port "
	line delta
	wait_pane '^got delta on connection 2$'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
	assert_same_requests "$(connect_req 127.0.0.1)" 2
}

@test "with --tls through socks5h a refused target and a bad certificate each fail in one line, and the next /reconnect gets through" {
	proxy socks5
	tls_peer srv1 server send:'first\n' expect-end
	repl --proxy "socks5h://127.0.0.1:$pport" --tls --tls-ca "$PKI/ca.pem" \
		localhost "$port"
	wait_pane '^first$'
	# srv1 stops listening once it has its one client: the proxy cannot
	# reach the target.
	line /reconnect
	finish "$srv1_pid"
	assert_equal "$status" 0
	wait_pane "^sockline: proxy socks5h://127\\.0\\.0\\.1:$pport: tunnel to localhost port $port failed: connection refused"
	# A target whose certificate is for another name.
	tls_peer srv2 wrongname --port "$port" expect-end
	line /reconnect
	wait_pane "^sockline: TLS handshake with localhost port $port .*failed: .*certificate verify failed"
	finish "$srv2_pid"
	tls_peer srv3 server --port "$port" expect:'b\n' send:'got b\n' expect-end
	line b
	line /reconnect
	wait_pane '^got b$'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv3_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/srv3.rec")" "b"
	assert_equal "$(cat "$T/srv2.rec")" ""
	assert_same_requests "$(socks5h_req localhost)" 4
}

@test "a proxy gone or refusing the credentials fails /reconnect in one line without showing the password, and the prompt stays for the next" {
	proxy socks5 --auth "user:s3cretpw"
	one_shot
	repl -v -o "$T/log" --proxy "socks5h://user:s3cretpw@127.0.0.1:$pport" \
		localhost "$port"
	wait_pane "^localhost:$port> "
	# Once /reconnect has been used the session outlives the tunnel.
	line /reconnect
	wait_until seen 2 "^sockline: connected to localhost port $port "
	kill "$px_pid"
	wait_until gone "$px_pid"
	wait_pane 'closed the connection; /reconnect opens it again'
	line /reconnect
	wait_pane "^sockline: connect to proxy 127\\.0\\.0\\.1 port $pport \\(tcp\\) failed: Connection refused$"
	# The proxy again, on its port, with other credentials.
	bg px proxy-peer.py --kind socks5 --port "$pport" --port-file "$T/px2.port" \
		--record "$T/px.rec" --auth "user:other"
	port_of "$T/px2.port" >/dev/null
	line /reconnect
	wait_pane "^sockline: proxy socks5h://127\\.0\\.0\\.1:$pport: tunnel to localhost port $port failed: user name or password rejected"
	kill "$px_pid"
	wait_until gone "$px_pid"
	rm "$T/px2.port"
	bg px proxy-peer.py --kind socks5 --port "$pport" --port-file "$T/px2.port" \
		--record "$T/px.rec" --auth "user:s3cretpw"
	port_of "$T/px2.port" >/dev/null
	line /reconnect
	line epsilon
	wait_pane '^got epsilon on connection 3$'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
	# This proxy saw the request for the target.
	assert_same_requests "$(socks5h_req localhost)" 1
	run pane_has 's3cretpw'
	assert_failure
	grep -q 'got epsilon' "$T/log"
	run grep -c 's3cretpw' "$T/log"
	assert_output 0
}

@test "-w bounds the proxy's dialogue on /reconnect as on the first connection" {
	: >"$T/gate"
	proxy socks5 --gate "$T/gate"
	one_shot
	repl -w 1 --proxy "socks5h://127.0.0.1:$pport" localhost "$port"
	wait_pane "^localhost:$port> "
	rm "$T/gate"
	line /reconnect
	wait_pane "^sockline: proxy socks5h://127\\.0\\.0\\.1:$pport: tunnel to localhost port $port failed: handshake not done after 1\\.000 s$"
	: >"$T/gate"
	line /reconnect
	line zeta
	wait_pane '^got zeta on connection [0-9]+$'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
	assert_same_requests "$(socks5h_req localhost)" 3
}

@test "/quit while the proxy has not answered /reconnect ends the session at once" {
	: >"$T/gate"
	proxy http --gate "$T/gate"
	one_shot
	repl --proxy "http://127.0.0.1:$pport" localhost "$port"
	wait_pane "^localhost:$port> "
	rm "$T/gate"
	line /reconnect
	wait_until requests 2
	line /reconnect
	wait_pane '^sockline: /reconnect: the last one is still under way \(proxy or TLS\)$'
	# Well before the 10 s the handshake would be given.
	line /quit
	WAIT_SECS=5 wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
}
