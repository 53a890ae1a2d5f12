#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The signals whose default action ends the process, other than SIGINT,
# SIGTERM and SIGHUP (which end the session normally) and SIGPIPE (which
# is ignored), still end it as by default, but first give the terminal
# back and remove the unix socket file sockline bound (design item 17).

load helpers/common
load helpers/tmux

# killed_at_prompt SIG: a -U -l listener at its prompt gets SIG; it dies
# of it (128+N), the terminal is as before and the socket file is gone.
killed_at_prompt() {
	local sig=$1 n
	n=$(kill -l "$1")
	# SIGQUIT's core would land in the test's directory.
	ulimit -c 0
	repl -U -l "$T/s.sock"
	wait_pane "waiting for a client on $T/s.sock> "
	[ -S "$T/s.sock" ]
	kill -"$sig" "$repl_pid"
	wait_repl_exit
	assert_equal "$status" $((128 + n))
	assert_terminal_restored
	assert [ ! -e "$T/s.sock" ]
}

@test "SIGQUIT at the prompt of a unix listener restores the terminal and removes the socket file" {
	killed_at_prompt QUIT
}

@test "SIGUSR1 at the prompt of a unix listener restores the terminal and removes the socket file" {
	killed_at_prompt USR1
}

@test "SIGUSR2 at the prompt of a unix listener restores the terminal and removes the socket file" {
	killed_at_prompt USR2
}

@test "SIGALRM at the prompt of a unix listener restores the terminal and removes the socket file" {
	killed_at_prompt ALRM
}

@test "SIGXFSZ at the prompt of a unix listener restores the terminal and removes the socket file" {
	killed_at_prompt XFSZ
}

@test "SIGUSR1 in batch mode removes the socket file of a unix listener" {
	bg sl "$SOCKLINE" -v -U -l "$T/s.sock"
	wait_line "$T/sl.err" '^Listening on '
	[ -S "$T/s.sock" ]
	kill -USR1 "$sl_pid"
	finish "$sl_pid"
	assert_equal "$status" 138
	assert [ ! -e "$T/s.sock" ]
}

@test "a signal ignored when sockline started stays ignored" {
	bash -c 'trap "" USR1; exec "$1" -v -U -l "$2" </dev/null 2>"$3"' _ \
		"$SOCKLINE" "$T/s.sock" "$T/sl.err" 3>&- &
	sl_pid=$!
	echo "$sl_pid" >>"$T/pids"
	wait_line "$T/sl.err" '^Listening on '
	kill -USR1 "$sl_pid"
	# Then SIGTERM: it must still be there to get it.
	kill -TERM "$sl_pid"
	finish "$sl_pid"
	assert_equal "$status" 143
	assert [ ! -e "$T/s.sock" ]
}
