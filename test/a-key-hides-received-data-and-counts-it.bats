#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Ctrl-O (the readline function sockline-hide-output) hides received
# data from the screen until it is pressed again, then says how many
# bytes were hidden; -o still logs every one of them (design item 21).

load helpers/common
load helpers/tmux

LINE=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.

# logged N: the -o log has N records of $LINE received.
logged() {
	test "$(grep -c "< $LINE\$" "$T/log" 2>/dev/null)" = "$1"
}

@test "a 20 MB flood hidden with Ctrl-O is counted exactly, stays off the screen and is all in the -o log" {
	# 327680 lines of 64 bytes: 20 MB.
	yes "$LINE" | head -n 327680 >"$T/flood"
	total=$(stat -c %s "$T/flood")
	assert_equal "$total" 20971520
	serve send:'start\n' wait-file:"$T/go" send-file:"$T/flood" \
		expect-eof
	repl_to_peer -o "$T/log"
	wait_pane '^start$'
	keys C-o
	wait_pane "^\\(hidden\\) 127\\.0\\.0\\.1:$port> \$"
	touch "$T/go"
	# Every byte is read once the log has a record for each line.
	wait_until logged 327680
	keys C-o
	wait_pane "^sockline: $total bytes of received data hidden\$"
	wait_pane "^127\\.0\\.0\\.1:$port> \$"
	run pane_has "$LINE"
	assert_failure
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
	# The log holds the flood, byte for byte, after "start".
	grep ' < ' "$T/log" | cut -d' ' -f4- | tail -n +2 >"$T/logged"
	cmp "$T/flood" "$T/logged"
}

@test "received data shows again after the second Ctrl-O, which counts what came between" {
	serve send:'before\n' wait-file:"$T/go" send:'x\n' wait-file:"$T/go2" \
		send:'after\n' expect-eof
	repl_to_peer -o "$T/log"
	wait_pane '^before$'
	keys C-o
	wait_pane '^\(hidden\) '
	touch "$T/go"
	wait_line "$T/log" ' < x$'
	keys C-o
	wait_pane '^sockline: 2 bytes of received data hidden$'
	touch "$T/go2"
	wait_pane '^after$'
	run pane_has '^x'
	assert_failure
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "~/.inputrc can bind sockline-hide-output to another key" {
	printf '"\\C-t": sockline-hide-output\n' >"$T/inputrc.hide"
	serve recv-all:"$T/got"
	PANE_INPUTRC=$T/inputrc.hide repl_to_peer
	keys C-t
	wait_pane "^\\(hidden\\) 127\\.0\\.0\\.1:$port> \$"
	keys C-t
	wait_pane '^sockline: 0 bytes of received data hidden$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}
