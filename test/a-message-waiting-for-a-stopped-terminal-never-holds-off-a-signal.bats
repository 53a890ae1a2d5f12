#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# What sockline says on stderr (-v lines, errors) outside the prompt
# waits for a stderr that cannot take it in a way that lets SIGTERM,
# SIGINT and SIGHUP through (design item 17): a terminal stopped with
# Ctrl-S must not keep sockline from ending.

load helpers/common
load helpers/tmux

# A sockline that finds its terminal's output stopped, as Ctrl-S does.
stopped_first() {
	cat >"$T/stopped" <<EOF
#!/bin/sh
python3 -c 'import termios; termios.tcflow(2, termios.TCOOFF)' || exit 99
exec "$SOCKLINE" "\$@"
EOF
	chmod +x "$T/stopped"
}

# asleep_as_sockline: the pane's command is sockline by now, and waits.
asleep_as_sockline() {
	local pid
	pid=$(cat "$(pane_dir)/pid") || return 1
	[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$SOCKLINE")" ] &&
	    [ "$(cut -d ' ' -f 3 "/proc/$pid/stat")" = S ]
}

@test "SIGTERM ends a -v listener whose first line waits for a terminal stopped with Ctrl-S, with 143" {
	stopped_first
	SOCKLINE="$T/stopped" repl --batch -v -l 127.0.0.1 0
	wait_until asleep_as_sockline
	kill -TERM "$repl_pid"
	WAIT_SECS=10 wait_repl_exit
	assert_equal "$status" 143
}

@test "SIGINT ends a -v client whose line waits for a terminal stopped with Ctrl-S, with 130" {
	serve expect-eof
	stopped_first
	SOCKLINE="$T/stopped" repl --batch -v 127.0.0.1 "$port"
	wait_until asleep_as_sockline
	kill -INT "$repl_pid"
	WAIT_SECS=10 wait_repl_exit
	assert_equal "$status" 130
}
