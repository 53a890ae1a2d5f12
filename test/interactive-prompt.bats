#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The prompt on a terminal (design item 12): what is typed is sent a
# line at a time, whatever the keys around it.  Driven in tmux.

load helpers/common
load helpers/tmux

@test "a typed line reaches a python peer exactly, with its newline" {
	serve expect:'hello, world\n' expect-eof
	repl_to_peer
	line 'hello, world'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a server that upper-cases what it receives answers hello with HELLO" {
	serve upper
	repl_to_peer
	line hello
	wait_pane '^HELLO$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "an empty line is sent as an empty line" {
	serve expect:'a\n\nb\n' expect-eof
	repl_to_peer
	line a
	keys Enter
	line b
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "with -C each typed line ends in CRLF" {
	serve expect:'GET / HTTP/1.0\r\n\r\n' send:'HTTP/1.0 200 OK\r\n' expect-eof
	repl_to_peer -C
	line 'GET / HTTP/1.0'
	keys Enter
	wait_pane '^HTTP/1\.0 200 OK$'
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "Ctrl-C discards the line being typed and the session goes on" {
	serve expect:'kept\n' expect-eof
	repl_to_peer
	type_text 'thrown away'
	wait_pane '> thrown away$'
	keys C-c
	wait_pane '> thrown away\^C$'
	line kept
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "pasting two lines at once sends two lines" {
	serve expect:'first\nsecond\n' expect-eof
	repl_to_peer
	printf 'first\nsecond\n' >"$T/paste"
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer -p
	wait_pane '> second$'
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a paste that readline takes itself (inputrc binds bracketed-paste-begin) is data too, sent on Enter" {
	serve expect:'first\nexit\n' touch:"$T/got" expect-eof
	printf '"\\e[200~": bracketed-paste-begin\n' >"$T/inputrc.rl"
	PANE_INPUTRC="$T/inputrc.rl" repl_to_peer
	printf 'first\nexit' >"$T/paste"
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer -p
	# Readline holds its paste in the line until Enter.
	wait_pane '^exit$'
	keys Enter
	wait_until eval 'test -e "$T/got" || gone "$srv_pid"'
	kill -0 "$repl_pid"
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "with bracketed paste turned off in inputrc, pasted lines are typed lines" {
	serve expect:'first\n' expect-eof
	printf 'set enable-bracketed-paste off\n' >"$T/inputrc.off"
	PANE_INPUTRC="$T/inputrc.off" repl_to_peer
	printf 'first\nexit\n' >"$T/paste"
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer -p
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "readline's name is sockline, so inputrc can hold a \$if sockline section" {
	serve expect:'from the macro\n' expect-eof
	printf '$if sockline\n"\\C-t": "from the macro"\n$endif\n' >"$T/inputrc.if"
	PANE_INPUTRC="$T/inputrc.if" repl_to_peer
	keys C-t
	wait_pane '> from the macro$'
	keys Enter
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "function keys and arrows send nothing to the peer" {
	serve expect:'only this\n' expect-eof
	repl_to_peer
	keys F5 F12 Up Down PageUp Insert
	line 'only this'
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a 10,000-character typed line arrives whole" {
	serve recv-all:"$T/got"
	repl_to_peer
	python3 -c 'print("x" * 10000, end="")' >"$T/long"
	tmux_ load-buffer "$T/long"
	tmux_ paste-buffer
	keys Enter
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
	python3 -c 'import sys; sys.stdout.write("x" * 10000 + "\n")' >"$T/want"
	cmp "$T/want" "$T/got"
}

@test "the default prompt names the peer, and --prompt replaces it" {
	serve expect-eof
	repl_to_peer
	# Polled: a notice redraws the prompt, and a slow run (valgrind)
	# can be caught between wiping it and drawing it again.
	prompt_is() { [ "$(prompt_line)" = "127.0.0.1:$port> " ]; }
	wait_until prompt_is
	line exit
	wait_repl_exit
	repl_again
	serve expect-eof
	repl --prompt 'redis> ' 127.0.0.1 "$port"
	wait_pane '^redis> $'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "a listener waiting for its first client says so and sends it what was typed before" {
	repl -l 127.0.0.1 0 --port-file "$T/lport"
	lport=$(port_of "$T/lport")
	wait_pane "^waiting for a client on port $lport> "
	line early
	run peer.py --connect 127.0.0.1 --port "$lport" expect:'early\n' \
		send:'hi from the client\n' expect:'later\n' close &
	wait_pane '^hi from the client$'
	wait_pane "^127\\.0\\.0\\.1:[0-9]+> $"
	line later
	wait_repl_exit
	assert_equal "$status" 0
}

@test "--batch on a terminal shows no prompt and passes bytes as they are" {
	serve send:'\x1b[1mplain\x1b[0m\n' expect:'typed\n' expect-eof close
	repl --batch 127.0.0.1 "$port"
	wait_pane '^plain$'
	line typed
	keys C-d
	wait_repl_exit
	assert_equal "$status" 0
	run pane
	refute_output --partial "> "
	finish "$srv_pid"
	assert_equal "$status" 0
}

# piped ARGS...: `cat $T/in | sockline --interactive --no-history ARGS`
# with no controlling terminal (setsid), so the prompt goes to stderr;
# run's output is sockline's stdout.
piped() {
	run --separate-stderr setsid -w bash -c \
		'cat "$1" | "$0" --interactive --no-history "${@:2}"' \
		"$SOCKLINE" "$T/in" "$@"
}

@test "--interactive takes lines from a pipe and prints the replies until the peer closes" {
	serve expect:'one\ntwo\n' expect-eof send:'ONE\nTWO\n' close
	printf 'one\ntwo\n' >"$T/in"
	piped 127.0.0.1 "$port"
	assert_success
	assert_output "$(printf 'ONE\nTWO')"
	[[ $stderr == *"127.0.0.1:$port> "* ]]
	[[ $stderr != *$'\e'* ]] || fail "an escape sequence reached stderr: $stderr"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "--interactive input from a pipe: exit still ends the session at once" {
	serve expect:'one\n' expect-eof
	printf 'one\nexit\nnever sent\n' >"$T/in"
	piped 127.0.0.1 "$port"
	assert_success
	assert_output ""
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "--interactive input from a pipe: -q bounds the wait for a peer that never closes" {
	serve expect:'x\n' send:'X\n' expect-eof touch:"$T/saw-eof" \
		wait-file:"$T/never"
	printf 'x\n' >"$T/in"
	piped -q 1 127.0.0.1 "$port"
	assert_success
	assert_output "X"
	# The peer was half-closed, as in batch mode.
	wait_until test -e "$T/saw-eof"
}

@test "--interactive input from a pipe with --no-shutdown does not half-close" {
	serve expect:'x\n' no-eof-within:300 send:'X\n' close
	printf 'x\n' >"$T/in"
	piped --no-shutdown 127.0.0.1 "$port"
	assert_success
	assert_output "X"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "--interactive and --batch together are a usage error" {
	run --separate-stderr "$SOCKLINE" --interactive --batch 127.0.0.1 9
	assert_equal "$status" 2
	assert_equal "$stderr" "sockline: --interactive and --batch exclude each other (see 'sockline --help')"
}
