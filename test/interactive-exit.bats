#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Every way out of the prompt leaves the terminal as it found it
# (stty -g equal before and after) with the contract's exit status.

load helpers/common
load helpers/tmux

# ends_with STATUS: sockline ended with STATUS, terminal restored.
ends_with() {
	wait_repl_exit
	assert_equal "$status" "$1"
	assert_terminal_restored
}

@test "exit quits with 0, sends nothing and restores the terminal" {
	serve expect-eof
	repl_to_peer
	line exit
	ends_with 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "Ctrl-D on an empty line sends nothing but the end of input, and the peer's close then ends the session with 0" {
	# Design item 18: the first Ctrl-D half-closes; this peer closes
	# once it sees that, which ends the session (item 2).
	serve expect-eof
	repl_to_peer
	keys C-d
	ends_with 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "Ctrl-D on a line being typed deletes, it does not end the input" {
	serve expect:'ab\n' expect-eof
	repl_to_peer
	type_text abc
	keys Left C-d
	wait_pane '> ab *$'
	keys Enter C-d
	ends_with 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "/quit quits with 0 and restores the terminal" {
	serve expect-eof
	repl_to_peer
	line /quit
	ends_with 0
}

@test "the peer closing ends the session with 0 and restores the terminal" {
	serve close
	# Nothing typed: the session ends at the close, the prompt may never
	# show (design item 2, "stop promptly").
	repl 127.0.0.1 "$port"
	ends_with 0
	assert pane_has 'closed the connection$'
}

@test "a refused connection exits 1 with one message and leaves the terminal alone" {
	bg closed peer.py --bind-only --port-file "$T/closed"
	cport=$(port_of "$T/closed")
	repl 127.0.0.1 "$cport"
	ends_with 1
	assert pane_has "^sockline: connect to 127\\.0\\.0\\.1 port $cport \\(tcp\\) failed: Connection refused\$"
}

@test "SIGINT ends the session with 130 and restores the terminal" {
	serve expect-eof
	repl_to_peer
	type_text 'half typed'
	wait_pane '> half typed$'
	kill -INT "$repl_pid"
	ends_with 130
}

@test "SIGTERM ends the session with 143 and restores the terminal" {
	serve expect-eof
	repl_to_peer
	kill -TERM "$repl_pid"
	ends_with 143
}

@test "SIGHUP ends the session with 129 and restores the terminal" {
	serve expect-eof
	repl_to_peer
	kill -HUP "$repl_pid"
	ends_with 129
}

@test "SIGTERM ends a listener waiting for its first client with 143" {
	repl -l 127.0.0.1 0
	wait_pane '^waiting for a client on port [0-9]+> $'
	kill -TERM "$repl_pid"
	ends_with 143
}

@test "a resized terminal redraws the prompt and the session goes on" {
	serve expect:'after resize\n' expect-eof
	repl_to_peer
	type_text 'after'
	wait_pane '> after$'
	tmux_ resize-window -x 70 -y 20
	wait_until test "$(tmux_ display-message -p '#{pane_width}')" = 70
	type_text ' resize'
	keys Enter
	line exit
	ends_with 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "an idle interactive session uses under 50 ms of CPU in 2 seconds" {
	serve expect-eof
	repl_to_peer
	t0=$(cpu_ticks "$repl_pid")
	sleep 2 # the measured window, not a wait for a condition
	t1=$(cpu_ticks "$repl_pid")
	used_ms=$(( (t1 - t0) * 1000 / $(getconf CLK_TCK) ))
	rss=$(ps -o rss= -p "$repl_pid")
	echo "idle interactive session: ${used_ms} ms CPU in 2 s, RSS ${rss} KiB" >&3
	(( used_ms < 50 ))
	line exit
	ends_with 0
}

@test "Ctrl-Z suspends to the shell with the terminal restored, and fg brings the prompt back" {
	serve expect:'after fg\n' expect-eof
	job_shell
	line "stty -g >$T/before; $SOCKLINE 127.0.0.1 $port; stty -g >$T/after"
	wait_until prompt_is "127.0.0.1:$port> "
	keys C-z
	wait_pane 'Stopped'
	wait_until prompt_is 'shell$ '
	line "stty -g >$T/stopped; fg"
	wait_until prompt_is "127.0.0.1:$port> "
	line 'after fg'
	line exit
	wait_file "$T/after"
	cmp "$T/before" "$T/stopped"
	cmp "$T/before" "$T/after"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "lines typed after exit are thrown away, not run by the shell" {
	serve expect:'before\n' expect-eof
	shell_repl --no-history 127.0.0.1 "$port"
	wait_pane "^127\\.0\\.0\\.1:$port> "
	printf 'before\nexit\necho LEAKED >%s\n' "$T/leaked" >"$T/typed"
	# Not bracketed: to sockline these are typed lines, one after another.
	tmux_ load-buffer "$T/typed"
	tmux_ paste-buffer
	shell_settle
	assert_equal "$status" 0
	assert [ ! -e "$T/leaked" ]
	assert_shell_ran_nothing_else
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "SIGTERM with typed input not read yet: it exits 143 and the shell runs none of it" {
	serve record:"$T/got"
	shell_repl --no-history 127.0.0.1 "$port"
	wait_pane "^127\\.0\\.0\\.1:$port> "
	# Stopped, sockline cannot read what is typed: it waits in the terminal.
	kill -STOP "$repl_pid"
	line "echo LEAKED >$T/leaked"
	wait_until pane_input_queued
	kill -TERM "$repl_pid"
	kill -CONT "$repl_pid"
	shell_settle
	assert_equal "$status" 143
	assert [ ! -e "$T/leaked" ]
	assert_shell_ran_nothing_else
}

@test "lines typed ahead while the connection is being made, then fails, never reach the shell" {
	bg full peer.py --full-backlog --port-file "$T/port"
	port=$(port_of "$T/port")
	# The connect hangs (the peer's backlog is full) until -w gives up.
	shell_repl --no-history -w 4 127.0.0.1 "$port"
	line "echo LEAKED >$T/leaked"
	wait_until pane_input_queued
	# Typed while sockline still waited, so it was there to be thrown away.
	kill -0 "$repl_pid"
	shell_settle
	assert_equal "$status" 1
	assert pane_has "^sockline: connect to 127\\.0\\.0\\.1 port $port \\(tcp\\) failed: "
	assert [ ! -e "$T/leaked" ]
	assert_shell_ran_nothing_else
}
