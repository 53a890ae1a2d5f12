#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Pasting a lot at the prompt.  Lines typed while nobody can take them
# wait in the send queue; when a client comes they go out together.
# With -C, more than 64 KiB of them once overflowed the translation
# buffer (a global-buffer-overflow under `make check-asan`, silent
# corruption otherwise).

load helpers/common
load helpers/tmux

@test "200 KB of lines pasted with -C before a -k client comes arrive whole, as CRLF lines" {
	repl --no-history -l -k -C 127.0.0.1 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	python3 -c 'import sys; sys.stdout.write("".join("%04d%s\n" % (i, "x" * 195) for i in range(1000)))' >"$T/paste"
	sed 's/$/\r/' "$T/paste" >"$T/want"
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer
	# A command runs after every line pasted before it.
	line /peers
	wait_pane '^sockline: no peers yet$'
	run peer.py --connect 127.0.0.1 --port "$port" expect-file:"$T/want"
	assert_success
	kill -0 "$repl_pid"
}

@test "a pasted exit is sent to the peer like the lines around it, and nothing of the paste reaches the shell" {
	printf 'id\nexit\necho LEAKED >%s\n' "$T/leaked" >"$T/paste"
	shell_repl --no-history -l 127.0.0.1 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	bg peer peer.py --connect 127.0.0.1 --port "$port" \
		expect-file:"$T/paste" touch:"$T/got-all" expect-eof
	wait_pane ' connected$'
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer -p
	wait_until eval 'test -e "$T/got-all" || gone "$peer_pid"'
	assert [ -e "$T/got-all" ]
	# The pasted exit did not end the session: a typed one does.
	kill -0 "$repl_pid"
	line exit
	shell_settle
	assert_equal "$status" 0
	assert [ ! -e "$T/leaked" ]
	assert_shell_ran_nothing_else
	finish "$peer_pid"
	assert_equal "$status" 0
}

@test "a pasted /quit, \\exit and empty line are sent as they are, and a paste's unfinished last line waits for Enter" {
	printf '/quit\n\\exit\n\nGET ' >"$T/paste"
	serve expect:'/quit\n\\exit\n\nGET /x\n' expect-eof
	repl_to_peer --no-history
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer -p
	wait_pane '> GET $'
	type_text /x
	keys Enter
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "pasted lines go out with CRLF under -C, after what was typed before the paste" {
	printf 'ping\nexit\n' >"$T/paste"
	serve expect:'typed ping\r\nexit\r\n' expect-eof
	repl_to_peer --no-history -C
	type_text 'typed '
	wait_pane '> typed $'
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer -p
	wait_pane '> exit$'
	kill -0 "$repl_pid"
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "when the peer closes during a 300-line paste, none of the paste reaches the shell" {
	python3 -c 'import sys
for i in range(300):
	print("echo %03d >>%s" % (i, sys.argv[1]))' "$T/leaked" >"$T/paste"
	# The peer reads the first three lines, then closes.
	serve recv:"$(head -n 3 "$T/paste" | wc -c)" close
	shell_repl --no-history 127.0.0.1 "$port"
	wait_pane "^127\\.0\\.0\\.1:$port> "
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer -p
	shell_settle
	# Closed (0), or reset by what was sent after the close (1).
	assert [ "$status" -le 1 ]
	assert [ ! -e "$T/leaked" ]
	assert_shell_ran_nothing_else
}

@test "pasted lines are not kept in the history; typed ones and a paste's end finished with Enter are" {
	printf 'pasted one\npasted two\nfinished' >"$T/paste"
	serve expect:'typed\npasted one\npasted two\nfinished\n' expect-eof
	repl_to_peer
	line typed
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer -p
	wait_pane '> finished$'
	keys Enter
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
	printf 'typed\nfinished\n' >"$T/want"
	diff "$T/want" "$T/state/sockline/history/tcp-$port"
}

@test "in vi mode a paste is data too, in insert and in command mode" {
	printf 'set editing-mode vi\n' >"$T/inputrc.vi"
	printf 'dd\nexit\n' >"$T/paste"
	serve expect:'dd\nexit\ndd\nexit\n' touch:"$T/got" expect-eof
	PANE_INPUTRC="$T/inputrc.vi" repl_to_peer --no-history
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer -p
	wait_pane '> exit$'
	keys Escape
	tmux_ paste-buffer -p
	wait_until eval 'test -e "$T/got" || gone "$srv_pid"'
	assert [ -e "$T/got" ]
	kill -0 "$repl_pid"
	keys i
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}
