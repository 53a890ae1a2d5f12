#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# At the prompt: a broker's operator sees every client's bytes labelled
# and talks to all of them; a chat's operator sees the clients' own
# lines; with --accept-proxy-protocol, labels and /peers show the source
# the PROXY header named (design.md item 22).

load helpers/common
load helpers/tmux

@test "a broker's operator sees each client's bytes labelled, and what is typed goes to every client" {
	repl -l --broker 127.0.0.1 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	bg a peer.py --connect 127.0.0.1 --port "$port" touch:"$T/a-in" wait-file:"$T/b-in" \
		send:'from a\n' expect:'from b\n' expect:'operator\n' close
	wait_until test -e "$T/a-in"
	bg b peer.py --connect 127.0.0.1 --port "$port" touch:"$T/b-in" \
		expect:'from a\n' send:'from b\n' expect:'operator\n' close
	wait_pane '\[([0-9]+ )?127\.0\.0\.1:[0-9]+\] from a'
	wait_pane '\[([0-9]+ )?127\.0\.0\.1:[0-9]+\] from b'
	line operator
	finish "$a_pid"
	assert_equal "$status" 0
	finish "$b_pid"
	assert_equal "$status" 0
}

@test "with --accept-proxy-protocol the labels and /peers show the header's source" {
	repl -l -k --accept-proxy-protocol 127.0.0.1 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	bg a peer.py --connect 127.0.0.1 --port "$port" \
		send:'PROXY TCP4 10.1.2.3 127.0.0.1 4000 80\r\nbehind a balancer\n' \
		wait-file:"$T/done"
	wait_pane '\[([0-9]+ )?10\.1\.2\.3:4000\] behind a balancer'
	line /peers
	wait_pane '^\* +1 +10\.1\.2\.3 port 4000 \(tcp\)$'
	touch "$T/done"
}
