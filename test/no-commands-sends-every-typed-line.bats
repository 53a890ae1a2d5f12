#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --no-commands (design item 21, issue 16 item 8): at the prompt every
# typed line is sent as it is, exit, /commands and a leading backslash
# included; only Ctrl-D ends the session, the first ending the input
# (design item 18), the second quitting.  The python peer checks what
# arrives, in order.

load helpers/common
load helpers/tmux

@test "--no-commands sends exit, /help and \\x as typed, and two Ctrl-D quit" {
	serve expect:'exit\n/help\n\\exit\n/quit\n' expect-eof \
		send:'all four came\n' sleep:20000
	repl_to_peer --no-commands
	line exit
	line /help
	line '\exit'
	line /quit
	keys C-d
	wait_pane '^all four came$'
	keys C-d
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
	# /help ran nothing: no command list was shown.
	run pane_has '^  /help'
	assert_failure
}

@test "--no-commands: Tab completes no command name" {
	serve expect:'/he\n' expect-eof
	repl_to_peer --no-commands
	type_text /he
	keys Tab Enter C-d
	finish "$srv_pid"
	assert_equal "$status" 0
	wait_repl_exit
	assert_equal "$status" 0
}

@test "--no-commands is in --help" {
	run "$SOCKLINE" --help
	assert_success
	assert_output --partial '--no-commands'
}
