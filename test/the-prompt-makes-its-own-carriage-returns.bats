#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# While the prompt has a terminal set the usual way (output processing
# on, LF turned into CR LF, nothing else), it turns the kernel's output
# processing off and writes the CRs itself (issue 16 item 9: most of the
# time a flood took to draw went there).  What the screen shows must not
# change: the peer's lines, readline's own drawing of a line that wraps,
# and the settings given back.  A terminal with other output settings
# keeps them.

load helpers/common
load helpers/tmux

LONG='a typed line long enough to wrap over two rows of the pane, so that readline moves between them as it draws the line again'

# output_flags: the pane's terminal's settings, one word a line.
output_flags() {
	stty -F "$(tmux_ display-message -p '#{pane_tty}')" -a | tr ' ;' '\n\n'
}

# list_and_edit: a completion listing (readline ends its rows with a
# bare LF: the next row must start at the left edge all the same), then
# $LONG typed, wrapped and edited at its start, and sent.
list_and_edit() {
	type_text /
	keys Tab Tab
	wait_pane '^/bytes +/close +/help'
	keys C-u
	type_text "$LONG"
	keys C-a
	type_text 'HEAD '
	wait_pane "^127\\.0\\.0\\.1:$port> HEAD $LONG *$"
	keys Enter
	wait_pane "^127\\.0\\.0\\.1:$port> \$"
}

# exits_restored: exit ends sockline with 0 and the terminal as it was,
# and the peer saw what it expected.
exits_restored() {
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "with the usual settings the prompt turns output processing off, and the peer's lines still start at the left edge" {
	serve send:'one\ntwo\r\nthree\n' expect:"HEAD $LONG\n" expect-eof
	repl_to_peer
	wait_pane '^three$'
	output_flags | grep -qx -- -opost
	pane_rows | grep -qx one
	pane_rows | grep -qx two
	pane_rows | grep -qx three
	list_and_edit
	exits_restored
}

@test "a terminal with other output settings (tab3) keeps its output processing and shows the same lines" {
	serve send:'one\ntwo\r\nthree\n' expect:"HEAD $LONG\n" expect-eof
	PANE_STTY=tab3 repl_to_peer
	wait_pane '^three$'
	output_flags | grep -qx opost
	output_flags | grep -qx tab3
	pane_rows | grep -qx one
	pane_rows | grep -qx two
	list_and_edit
	exits_restored
}

@test "Ctrl-Z gives the shell its output processing back, and fg takes it again" {
	serve send:'one\n' expect:'after fg\n' expect-eof
	job_shell
	line "$SOCKLINE 127.0.0.1 $port; echo ended >$T/ended"
	wait_pane '^one$'
	output_flags | grep -qx -- -opost
	keys C-z
	wait_pane 'Stopped'
	output_flags | grep -qx opost
	# The shell's own lines start at the left edge again.
	line 'printf "x\ny\n"'
	wait_pane '^y$'
	line fg
	wait_pane "^127\\.0\\.0\\.1:$port> \$"
	output_flags | grep -qx -- -opost
	# Settings changed while it was stopped are the shell's to keep.
	keys C-z
	wait_until prompt_is 'shell$ '
	line 'stty tab3'
	line fg
	wait_until prompt_is "127.0.0.1:$port> "
	output_flags | grep -qx opost
	output_flags | grep -qx tab3
	line 'after fg'
	line exit
	wait_file "$T/ended"
	output_flags | grep -qx opost
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "with -c, whose program writes to the same terminal, output processing stays on and its lines start at the left edge" {
	repl -l -k --port-file "$T/port" \
	    -c 'printf "err-1\nerr-2\nerr-3\n" >&2; cat >/dev/null' 127.0.0.1 0
	port=$(port_of "$T/port")
	wait_pane "waiting for a client on port $port> "
	output_flags | grep -qx opost
	bg cl peer.py --connect 127.0.0.1 --port "$port" wait-file:"$T/done"
	wait_pane '^err-3$'
	pane_rows | grep -qx err-2
	touch "$T/done"
	finish "$cl_pid"
}

@test "a session ended by SIGTERM in the middle of a flood leaves the shell's next line at the left edge" {
	bg srv flood.py --port-file "$T/port"
	port=$(port_of "$T/port")
	job_shell
	line "$SOCKLINE --no-history 127.0.0.1 $port; echo ended-\$?"
	wait_pane '^flood [0-9]+ x+$'
	kill -TERM "$(shell_child)"
	wait_pane '^ended-143$'
}
