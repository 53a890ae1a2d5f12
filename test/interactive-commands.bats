#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Prompt commands (design item 12): lines starting with "/", the
# backslash that sends a line as it is, and Tab completion.

load helpers/common
load helpers/tmux

# queued_to PORT: our connection to PORT has bytes the peer has not read.
queued_to() {
	local q
	q=$(ss -Htn state established "( dport = :$1 )" | awk '{ print $2 }')
	[ -n "$q" ] && [ "$q" -gt 0 ]
}

@test "\\exit sends exit and \\/help sends /help" {
	serve expect:'exit\n/help\n\\x\n' expect-eof
	repl_to_peer
	line '\exit'
	line '\/help'
	line '\\x'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "/help lists every prompt command" {
	serve expect-eof
	repl_to_peer
	line /help
	for c in '/help' '/quit' '/hex \[on\|off\]' '/raw \[on\|off\]' \
	    '/send FILE' '/peers' '/to N\|all' '/close \[N\]'; do
		wait_pane "^  $c "
	done
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "an unknown /command says so and sends nothing" {
	serve expect:'after\n' expect-eof
	repl_to_peer
	line /nope
	wait_pane '^sockline: unknown command /nope: /help lists them'
	line '/quit now'
	wait_pane '^sockline: /quit takes no argument$'
	line after
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "/send FILE sends the file's bytes as they are" {
	printf 'line one\nbinary \000\377 no newline' >"$T/payload"
	serve recv-all:"$T/got"
	repl_to_peer
	line "/send $T/payload"
	wait_pane "^sockline: sent $T/payload \\(29 bytes\\)\$"
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
	cmp "$T/payload" "$T/got"
}

@test "/send of a file that is not there, or not a file, says why and sends nothing" {
	serve expect:'after\n' expect-eof
	repl_to_peer
	line "/send $T/missing"
	wait_pane "^sockline: cannot send $T/missing: No such file or directory\$"
	line "/send $T"
	wait_pane "^sockline: cannot send $T: Is a directory\$"
	line /send
	wait_pane '^sockline: /send needs a file name$'
	line after
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

# prompt_back LINE: LINE was typed at the prompt, and below it the last
# row of the pane is an empty prompt again.
prompt_back() {
	pane_has "^127\\.0\\.0\\.1:$port> $1 *\$" &&
	    [[ "$(prompt_line)" =~ ^127\.0\.0\.1:$port\>\ *$ ]]
}

@test "Ctrl-C stops a /send that is still going, and the session goes on" {
	head -c $((48 * 1024 * 1024)) /dev/zero >"$T/big"
	serve wait-file:"$T/go" recv-all:"$T/got"
	repl_to_peer
	line "/send $T/big"
	# The prompt is back: readline has the terminal set up again after
	# the line (it gives it back while the line is handled, and a Ctrl-C
	# then would be the terminal's SIGINT, as under valgrind on a loaded
	# machine).
	wait_until prompt_back "/send $T/big"
	# The peer does not read yet: wait until sockline's socket is full.
	wait_until queued_to "$port"
	keys C-c
	wait_pane "^sockline: /send $T/big stopped after [0-9]+ bytes\$"
	refute pane_has '^sockline: sent '
	touch "$T/go"
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
	got=$(stat -c %s "$T/got")
	(( got < 48 * 1024 * 1024 ))
}

@test "Tab completes a command name, and a file name after /send" {
	mkdir "$T/files"
	printf 'payload\n' >"$T/files/payload.txt"
	serve expect:'payload\n' expect-eof
	repl_to_peer
	type_text /pe
	keys Tab
	wait_pane '> /peers $'
	keys C-u
	type_text "/send $T/files/pay"
	keys Tab
	wait_pane "> /send $T/files/payload\\.txt \$"
	keys Enter
	wait_pane '^sockline: sent '
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "/send takes a name with blanks in double quotes, single quotes, backslash-escaped, or as it is" {
	mkdir "$T/dir with space"
	printf 'one\n' >"$T/dir with space/a b.txt"
	serve expect:'one\none\none\none\n' touch:"$T/got" expect-eof
	repl_to_peer
	line "/send \"$T/dir with space/a b.txt\""
	line "/send '$T/dir with space/a b.txt'"
	line "/send $T/dir\\ with\\ space/a\\ b.txt"
	line "/send $T/dir with space/a b.txt"
	wait_until eval 'test -e "$T/got" || gone "$srv_pid"'
	assert [ -e "$T/got" ]
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "/send of a quoted name whose quote is not closed says so, and a quoted ~ is a name" {
	serve expect:'after\n' expect-eof
	repl_to_peer
	line "/send \"$T/x"
	wait_pane "^sockline: /send \"$T/x: no closing \"\$"
	line "/send '~/nothing-here'"
	wait_pane '^sockline: cannot send ~/nothing-here: No such file or directory$'
	line after
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "/send of a device or a FIFO says it is not a regular file, on one line" {
	mkfifo "$T/fifo"
	serve expect:'after\n' expect-eof
	repl_to_peer
	line "/send /dev/zero"
	wait_pane '^sockline: cannot send /dev/zero: not a regular file$'
	line "/send $T/fifo"
	wait_pane "^sockline: cannot send $T/fifo: not a regular file\$"
	line after
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "Tab completes a directory with blanks in its name, escaped or in the quote begun, and goes on inside it" {
	mkdir "$T/dir with space"
	printf 'one\n' >"$T/dir with space/a b.txt"
	serve expect:'one\none\n' expect-eof
	repl_to_peer
	type_text "/send $T/dir"
	keys Tab
	wait_pane "> /send $T/dir\\\\ with\\\\ space/\$"
	type_text a
	keys Tab
	wait_pane "> /send $T/dir\\\\ with\\\\ space/a\\\\ b\\.txt \$"
	keys Enter
	wait_pane "^sockline: sent $T/dir with space/a b\\.txt \\(4 bytes\\)\$"
	type_text "/send \"$T/dir"
	keys Tab
	wait_pane "> /send \"$T/dir with space/\$"
	type_text a
	keys Tab
	wait_pane "> /send \"$T/dir with space/a b\\.txt\" \$"
	keys Enter
	wait_until eval '[ "$(pane | grep -c "^sockline: sent ")" -eq 2 ]'
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "Tab in a line for the peer changes nothing" {
	serve expect:'ab\n' expect-eof
	repl_to_peer
	type_text a
	keys Tab
	type_text b
	wait_pane '> ab$'
	keys Enter
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "/peers, /to and /close answer sensibly with one peer" {
	serve expect:'to one\n' expect-eof
	repl_to_peer
	line /peers
	wait_pane "^\\*   1  127\\.0\\.0\\.1 port $port \\(tcp\\)\$"
	line '/to 7'
	wait_pane '^sockline: no peer 7; /peers lists them$'
	line '/to 1'
	wait_pane '^sockline: typed lines go to peer 1$'
	line 'to one'
	line '/to all'
	wait_pane '^sockline: typed lines go to every peer$'
	line /close
	wait_pane "^sockline: closed the connection to 127\\.0\\.0\\.1 port $port \\(tcp\\)\$"
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "/quit ends the session with 0 and sends nothing" {
	serve expect-eof
	repl_to_peer
	line /quit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
}
