#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# SIGINT, SIGTERM and SIGHUP end sockline at once with 128+N and the
# terminal restored, even while the peer floods the prompt, the terminal
# is stopped with Ctrl-S, or stdout is a pipe nobody reads (design item
# 17).  The floods here never end, so a sockline that waits for the
# flood to be over fails the bounded wait; bench/signal-latency measures
# how long it really takes.

load helpers/common
load helpers/tmux

# flood_peer: a peer on 127.0.0.1 that sends lines without end; $port.
flood_peer() {
	bg srv flood.py --port-file "$T/port"
	port=$(port_of "$T/port")
}

# peer_sleeps: the flood peer is blocked, which once connected it only
# ever is in a send that waits for room.
peer_sleeps() {
	[ "$(cut -d ' ' -f 3 "/proc/$srv_pid/stat")" = S ]
}

# ends_soon_with STATUS: sockline in the pane ended with STATUS, long
# before an endless flood would let it, and gave the terminal back.
ends_soon_with() {
	WAIT_SECS=10 wait_repl_exit
	assert_equal "$status" "$1"
	assert_terminal_restored
}

@test "SIGTERM ends the prompt while the peer floods it, with 143 and the terminal restored" {
	flood_peer
	repl 127.0.0.1 "$port"
	wait_pane '^flood [0-9]+ x+$'
	kill -TERM "$repl_pid"
	ends_soon_with 143
}

@test "SIGINT ends the prompt while the peer floods it, with 130 and the terminal restored" {
	flood_peer
	repl 127.0.0.1 "$port"
	wait_pane '^flood [0-9]+ x+$'
	kill -INT "$repl_pid"
	ends_soon_with 130
}

@test "SIGHUP ends the prompt while the peer floods it, with 129 and the terminal restored" {
	flood_peer
	repl 127.0.0.1 "$port"
	wait_pane '^flood [0-9]+ x+$'
	kill -HUP "$repl_pid"
	ends_soon_with 129
}

@test "SIGTERM ends the prompt while Ctrl-S holds the flooded terminal" {
	flood_peer
	repl 127.0.0.1 "$port"
	wait_pane '^flood [0-9]+ x+$'
	keys C-s
	kill -TERM "$repl_pid"
	ends_soon_with 143
}

@test "SIGTERM ends batch mode while Ctrl-S holds the terminal on its stdout" {
	flood_peer
	repl --batch 127.0.0.1 "$port"
	wait_pane '^flood [0-9]+ x+$'
	keys C-s
	kill -TERM "$repl_pid"
	ends_soon_with 143
}

@test "SIGTERM ends a unix listener flooded by its client and removes the socket file" {
	bg srv flood.py --unix "$T/s.sock" --port-file "$T/ready" --connect
	repl -U -l "$T/s.sock"
	wait_pane '^flood [0-9]+ x+$'
	kill -TERM "$repl_pid"
	ends_soon_with 143
	assert [ ! -e "$T/s.sock" ]
}

@test "SIGTERM ends batch mode with 143 while stdout is a pipe nobody reads" {
	flood_peer
	# A reader that opens the pipe and never reads from it.
	mkfifo "$T/out"
	sleep 1000 <"$T/out" 3>&- &
	echo $! >>"$T/pids"
	"$SOCKLINE" -v 127.0.0.1 "$port" </dev/null >"$T/out" 2>"$T/sl.err" \
		3>&- &
	sl_pid=$!
	echo "$sl_pid" >>"$T/pids"
	wait_line "$T/sl.err" '^Connection to '
	# The pipe is full, and so is the socket: the peer waits for room.
	wait_until peer_sleeps
	kill -TERM "$sl_pid"
	finish "$sl_pid" 10
	assert_equal "$status" 143
}
