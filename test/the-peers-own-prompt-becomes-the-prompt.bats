#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The peer's prompt as the prompt (design item 21), as rlwrap does it:
# an unfinished line that has paused (">>> ", "login: ") is the start of
# the prompt line instead of a row above "host:port> ", typing goes on
# after it, and only what was typed is sent.

load helpers/common
load helpers/tmux

# last_row_is TEXT: the pane's last row that is not empty is TEXT,
# spaces at its end aside.
last_row_is() {
	local row
	row=$(prompt_line)
	[ "${row%"${row##*[! ]}"}" = "$1" ]
}

# start: sockline in the pane, connected to $port.  Not repl_to_peer:
# sockline's own prompt may be replaced before a poll sees it.
start() {
	repl 127.0.0.1 "$port"
	wait_pane '^sockline: connected to '
}

@test "a REPL's '>>> ' is adopted as the prompt and the peer receives only what was typed" {
	serve send:'Python-like 1.0\n>>> ' expect:'1+1\n' send:'2\n>>> ' \
		expect:'exit()\n' send:'bye\n' expect-eof
	start
	wait_until last_row_is '>>>'
	# No row of its own above a prompt of sockline's.
	run pane_has "^127\\.0\\.0\\.1:$port> "
	assert_failure
	type_text '1+1'
	wait_until last_row_is '>>> 1+1'
	keys Enter
	wait_pane '^2$'
	# The next '>>> ' is adopted in turn; the row typed on stays.
	wait_until last_row_is '>>>'
	assert pane_has '^>>> 1\+1$'
	line 'exit()'
	wait_pane '^bye$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "when more of the line comes, the adopted prompt goes back to being output" {
	serve send:'loading: ' wait-file:"$T/go" send:'done\n' \
		expect:'x\n' expect-eof
	start
	wait_until last_row_is 'loading:'
	type_text 'x'
	wait_until last_row_is 'loading: x'
	touch "$T/go"
	wait_pane '^loading: done$'
	wait_until last_row_is "127.0.0.1:$port> x"
	keys Enter
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a 'Password: ' prompt is adopted and the line typed at it is sent alone" {
	serve send:'login: ' expect:'joe\n' send:'Password: ' \
		expect:'s3cret\n' send:'welcome\n' expect-eof
	start
	wait_until last_row_is 'login:'
	line joe
	wait_until last_row_is 'Password:'
	line s3cret
	wait_pane '^welcome$'
	assert pane_has '^login: joe$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}
