#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# make demo: the README's first command.  An echo listener on a free
# loopback port and a prompt connected to it; the listener goes when
# the prompt does.

load helpers/common
load helpers/tmux

# echo_listener_of PID: the demo's echo listener, a descendant of PID.
echo_listener_of() {
	local pids=("$1") p c kids
	while ((${#pids[@]} > 0)); do
		p=${pids[0]}
		pids=("${pids[@]:1}")
		kids=$(cat /proc/"$p"/task/*/children 2>/dev/null) || true
		for c in $kids; do
			if tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null |
			    grep -q -- ' -l .*--echo'; then
				echo "$c"
				return 0
			fi
			pids+=("$c")
		done
	done
	return 1
}

found_listener() {
	listener_pid=$(echo_listener_of "$repl_pid")
}

@test "make demo echoes a typed line, and exit ends it and its listener" {
	# -o all: the tests run on a built tree; make must not build here.
	SOCKLINE=make repl -s -C "$TOP" -o all demo
	wait_pane '^An echo server is listening on 127\.0\.0\.1 port [0-9]+: type a line and it comes back\.$'
	port=$(pane | sed -n 's/^An echo server is listening on 127\.0\.0\.1 port \([0-9]*\):.*/\1/p')
	wait_pane "^127\\.0\\.0\\.1:$port> \$"
	wait_until found_listener
	line 'hello, demo'
	# The line as typed, then the echo on a row of its own.
	wait_pane '^hello, demo$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
	wait_until gone "$listener_pid"
}
