#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The prompt over TLS (design items 11, 12 and 19), driven in tmux
# against the python TLS peer: typed lines are encrypted on the way out,
# replies decrypted on the way in, and a failed verification ends the
# session with its reason and the terminal restored.

load helpers/common
load helpers/tmux
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

@test "a typed line goes to a python TLS echo server and its echo is shown" {
	tls_peer srv server echo
	repl --tls --tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
	wait_pane "^127\\.0\\.0\\.1:$port> "
	line 'hello over tls'
	wait_pane '^hello over tls$'
	line 'and again'
	wait_pane '^and again$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
	assert_equal "$(cat "$T/srv.rec")" "hello over tls
and again"
}

@test "a reply from a TLS server without a typed line is shown above the prompt" {
	tls_peer srv server send:'220 welcome over tls\r\n' expect:'QUIT\r\n' \
		send:'221 bye\r\n' close
	repl -C --tls --tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
	wait_pane '^220 welcome over tls$'
	line QUIT
	wait_pane '^221 bye$'
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a failed verification at the prompt exits 1 with its reason and restores the terminal" {
	tls_peer srv server recv-all:"$T/got"
	repl --tls 127.0.0.1 "$port"
	wait_repl_exit
	assert_equal "$status" 1
	assert_terminal_restored
	pane_has 'unable to get local issuer certificate' || {
		pane >&2
		fail "no reason on the screen"
	}
	finish "$srv_pid"
	assert_nothing_received srv
}

@test "the prompt over TLS to a unix socket with --tls-name" {
	tls_peer srv server --unix "$T/s" echo
	repl --tls --tls-ca "$PKI/ca.pem" --tls-name localhost -U "$T/s"
	wait_until pane_has '> $'
	line 'unix and tls'
	wait_pane '^unix and tls$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}
