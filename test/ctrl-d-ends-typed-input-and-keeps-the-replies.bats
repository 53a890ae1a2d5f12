#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Ctrl-D on an empty line ends what the user types as end of input does
# in batch mode (design items 1 and 18): the peer is half-closed (over
# TLS: close_notify), its replies still show, and the prompt stays for
# commands; a second Ctrl-D, exit or /quit quits.  Datagrams and -k
# listeners have no half-close: there Ctrl-D quits as before.  Driven
# in tmux against python peers that answer only at end of input.

load helpers/common
load helpers/tmux
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

# sort_peer: the sort service (peers/sort-at-eof.py) as "srv"; sets $port.
sort_peer() {
	bg srv sort-at-eof.py --port-file "$T/port" --record "$T/got"
	port=$(port_of "$T/port")
}

# sorted_answer_shown: the three sorted lines are in the pane, in order.
sorted_answer_shown() {
	pane | grep -E '^(apple|banana|cherry)$' | tr '\n' ' ' |
		grep -q '^apple banana cherry $'
}

@test "Ctrl-D half-closes, the sort service's answer shows, and a second Ctrl-D exits 0" {
	sort_peer
	repl_to_peer
	line cherry
	line apple
	line banana
	keys C-d
	wait_pane '^sockline: end of input sent; '
	wait_until sorted_answer_shown
	assert_equal "$(cat "$T/got")" "cherry
apple
banana"
	# The service is still there: only the user ends this session.
	wait_pane "^127\\.0\\.0\\.1:$port> $"
	kill -0 "$srv_pid"
	keys C-d
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
	kill -0 "$srv_pid"
}

@test "/eof does what the first Ctrl-D does, and exit then quits" {
	sort_peer
	repl_to_peer
	line pear
	line fig
	line /eof
	wait_until grep -qx pear "$T/got"
	wait_pane '^fig$'
	wait_pane '^pear$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
}

@test "after Ctrl-D a typed line is not sent, a notice says so, and /quit quits" {
	sort_peer
	repl_to_peer
	line one
	keys C-d
	wait_pane '^one$'
	line two
	wait_pane '^sockline: input has ended \(Ctrl-D\): nothing more is sent'
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
	assert_equal "$(cat "$T/got")" "one"
}

# tls_answer_shown: the TLS peer's two lines, in its order.
tls_answer_shown() {
	pane | grep -E '^(ant|zebra)$' | tr '\n' ' ' | grep -q '^ant zebra $'
}

@test "over TLS Ctrl-D sends close_notify and the reply that follows it shows" {
	tls_peer srv server expect:'zebra\nant\n' expect-close-notify \
		send:'ant\nzebra\n' sleep:20000
	repl --tls --tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
	wait_pane "^127\\.0\\.0\\.1:$port> "
	line zebra
	line ant
	keys C-d
	# The peer answers only once it has had our close_notify.
	wait_until tls_answer_shown
	keys C-d
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
}

@test "on a datagram client Ctrl-D quits at once" {
	bg srv peer.py --listen --udp --port-file "$T/port" no-dgram-within:100000
	port=$(port_of "$T/port")
	repl -u 127.0.0.1 "$port"
	wait_pane "^127\\.0\\.0\\.1:$port> "
	keys C-d
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
}

@test "on a -k listener Ctrl-D quits at once, with a client still connected" {
	repl -k -l --port-file "$T/lport" 127.0.0.1 0
	lport=$(port_of "$T/lport")
	bg cli peer.py --connect 127.0.0.1 --port "$lport" expect-eof
	wait_pane ' connected$'
	keys C-d
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
}
