#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# /reconnect (issue 16 item 4, design item 21): the same connection
# opened again from the prompt.  By default the peer closing still ends
# the session (design item 2) and its notice offers no /reconnect; once
# /reconnect has been used, the session stays when the peer closes, the
# notice says /reconnect opens it again, and a line typed meanwhile is
# kept and sent on the new connection.  The peer is a python service
# that answers one line per connection and closes.

load helpers/common
load helpers/tmux
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

# one_shot: the service (peers/line-then-close.py) as "srv"; sets $port.
one_shot() {
	bg srv line-then-close.py --port-file "$T/port" "$@"
	port=$(port_of "$T/port")
}

@test "by default the peer closing ends the session, and the notice offers no /reconnect" {
	one_shot
	repl_to_peer
	line first
	wait_pane '^got first on connection 1$'
	wait_repl_exit
	assert_equal "$status" 0
	wait_pane 'closed the connection$'
	run pane_has 'reconnect'
	assert_failure
}

@test "/reconnect opens the connection again, stays when the peer closes, and keeps the line typed meanwhile" {
	one_shot
	repl_to_peer
	line /reconnect
	wait_pane '^sockline: connected to .*; /help lists the commands'
	line alpha
	wait_pane '^got alpha on connection 2$'
	wait_pane 'closed the connection; /reconnect opens it again, /quit quits$'
	# Not connected: the line waits, and goes out on the next connection.
	line beta
	wait_pane '^sockline: not connected: this waits for /reconnect$'
	line /reconnect
	wait_pane '^got beta on connection 3$'
	wait_pane 'closed the connection; /reconnect opens it again'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
}

@test "/reconnect after Ctrl-D starts a new conversation: typed lines are sent again" {
	one_shot
	repl_to_peer
	line /reconnect
	wait_pane '^sockline: connected to .*; /help lists the commands'
	keys C-d
	wait_pane '^sockline: end of input sent'
	wait_pane 'closed the connection; /reconnect opens it again'
	line /reconnect
	line gamma
	wait_pane '^got gamma on connection 3$'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "/reconnect on a listener says only a client reconnects" {
	repl -l --port-file "$T/lport" 127.0.0.1 0
	port_of "$T/lport" >/dev/null
	line /reconnect
	wait_pane '^sockline: /reconnect: only a client reconnects$'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "over TLS /reconnect runs the handshake again and the new connection carries the line" {
	tls_peer srv1 server expect:'a\n' send:'got a\n' expect-end
	repl --tls --tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
	wait_pane "^127\\.0\\.0\\.1:$port> "
	line a
	wait_pane '^got a$'
	# The first peer serves one connection: this /reconnect fails (a
	# refusal, or a reset of a handshake it never answers), and the
	# session stays for the next one.
	line /reconnect
	finish "$srv1_pid"
	assert_equal "$status" 0
	wait_pane '^sockline: .*failed'
	tls_peer srv2 server --port "$port" expect:'b\n' send:'got b\n' sleep:20000
	line /reconnect
	wait_pane '^sockline: connected to .*; /help lists the commands'
	line b
	wait_pane '^got b$'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
	assert_equal "$(cat "$T/srv2.rec")" "b"
}
