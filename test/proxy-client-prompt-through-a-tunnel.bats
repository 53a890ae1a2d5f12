#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The prompt through a proxy (design items 11 and 20), driven in tmux: the
# prompt names the target, not the proxy; typed lines go through the
# tunnel and replies come back above the prompt; a refusing proxy ends
# the session with its reason and the terminal restored.

load helpers/common
load helpers/tmux
load helpers/proxy

@test "at the prompt, typed lines go through a SOCKS5 tunnel and the prompt names the target" {
	proxy socks5
	bg tgt peer.py --listen --port-file "$T/tgt.port" expect:'hello through\n' \
		send:'HELLO BACK\n' expect-eof
	tport=$(port_of "$T/tgt.port")
	repl --proxy "socks5h://127.0.0.1:$pport" localhost "$tport"
	wait_pane "^localhost:$tport> "
	line 'hello through'
	wait_pane '^HELLO BACK$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
	finish "$tgt_pid"
	assert_equal "$status" 0
}

@test "at the prompt, a refusing HTTP proxy ends the session with its reason" {
	proxy http --refuse '403 Forbidden'
	target
	repl --proxy "http://127.0.0.1:$pport" localhost "$tport"
	wait_repl_exit
	assert_equal "$status" 1
	assert_terminal_restored
	pane_has '403 Forbidden' || {
		pane >&2
		fail "no reason on the screen"
	}
}
