#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A unix datagram sender chooses its own name (a path or an abstract
# name), and that name is shown on stderr, in labels, by /peers and in
# the -o log: escaped as received data is, so no control byte, C1
# control (U+009B is a CSI to many terminals) or mark that reorders text
# (U+202E) gets through.

load helpers/common
load helpers/tmux

# The name: ESC, then U+009B (CSI) "2J", then U+202E (RIGHT-TO-LEFT
# OVERRIDE), then "evil".  And as sockline must show it.
NAME='@n\e[31m\xc2\x9b2J\xe2\x80\xaeevil'
SHOWN='@n\x1b[31m\xc2\x9b2J\xe2\x80\xaeevil'

# no_raw FILE: FILE holds none of ESC, the bytes of U+009B or U+202E.
no_raw() {
	! LC_ALL=C grep -q $'\e\|\xc2\x9b\|\xe2\x80\xae' "$1"
}

@test "a sender's chosen name reaches stderr and the -o log escaped" {
	bg sl "$SOCKLINE" -v -U -u -l "$T/s" -o "$T/log"
	wait_line "$T/sl.err" '^Listening on '
	run named-sender.py "$NAME$$" "$T/s" 'hello\n'
	assert_success
	wait_line "$T/sl.out" '^hello$'
	wait_line "$T/sl.err" '^Received '
	kill "$sl_pid"
	finish "$sl_pid"
	grep -F "Connection received on $SHOWN$$" "$T/sl.err"
	grep -F "[$SHOWN$$]" "$T/log"
	no_raw "$T/sl.err"
	no_raw "$T/log"
}

@test "a sender's chosen path with a C1 control is escaped in the label and in /peers" {
	repl -U -u -l "$T/s"
	wait_until test -S "$T/s"
	named-sender.py "$T/n\xc2\x9b2J\xe2\x80\xae\e[7m" "$T/s" 'one\n'
	named-sender.py '@plain' "$T/s" 'two\n'
	wait_pane 'two'
	line /peers
	wait_pane 'plain.*$'
	wait_until pane_has 'n.xc2.x9b2J.xe2.x80.xae.x1b\[7m.*one'
	pane >"$T/shown"
	grep -F "[1 $T/n\xc2\x9b2J\xe2\x80\xae\x1b[7m] one" "$T/shown"
	[ "$(grep -cF "$T/n\xc2\x9b2J\xe2\x80\xae\x1b[7m" "$T/shown")" -ge 2 ]
}
