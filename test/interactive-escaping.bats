#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# What received bytes look like at the prompt (design items 11 and 14):
# control bytes escaped, UTF-8 as text, --raw, hex dumps, timestamps.

load helpers/common
load helpers/tmux

@test "a clear-screen sequence from the peer appears escaped and does not clear the pane" {
	serve send:'before\n' wait-file:"$T/go" send:'\x1b[2J\x1b[Hafter\n' \
		expect-eof
	repl_to_peer
	wait_pane '^before$'
	touch "$T/go"
	wait_pane '^\\x1b\[2J\\x1b\[Hafter$'
	assert pane_has '^before$'
	assert pane_has '^sockline: connected to '
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a bell, a CR inside a line and a NUL are escaped, and CRLF line ends are not shown" {
	serve send:'a\ab\rc\0d\x7f\r\nnext line\r\n' expect-eof
	repl_to_peer
	wait_pane '^next line$'
	assert pane_has '^a\\ab\\rc\\0d\\x7f$'
	line exit
}

@test "a CR and a LF that arrive in two reads still end one line" {
	serve send:'split\r' sleep:200 send:'\nnext\n' expect-eof
	repl_to_peer
	wait_pane '^next$'
	assert pane_has '^split$'
	line exit
}

@test "UTF-8 shows as text and invalid bytes as \\xHH, even split across reads" {
	serve send:'café € 日本\n' send:'\xff\xc3(\xed\xa0\x80\n' \
		send:'\xe2\x82' sleep:200 send:'\xac split\n' \
		send:'\xe2\x80\xaebidi\n' expect-eof
	repl_to_peer
	wait_pane '^€ split$'
	assert pane_has '^café € 日本$'
	assert pane_has '^\\xff\\xc3\(\\xed\\xa0\\x80$'
	# A bidi override could disguise what follows it.
	assert pane_has '^\\xe2\\x80\\xaebidi$'
	line exit
}

@test "--raw shows control bytes as they are, and /raw turns it off and on" {
	serve send:'\x1b[1mbold\x1b[0m\n' expect:'x\n' \
		send:'\x1b[1mescaped\n' expect:'y\n' send:'\x1b[1mraw again\n' \
		expect-eof
	repl_to_peer --raw
	wait_pane '^bold$'
	line /raw
	wait_pane '^sockline: raw off'
	line x
	wait_pane '^\\x1b\[1mescaped$'
	line '/raw on'
	line y
	wait_pane '^raw again$'
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "-x shows received bytes as a hex dump with offsets and ASCII" {
	serve send:'Hello, \x1b world!\n' expect-eof
	repl_to_peer -x
	wait_pane '^00000000  48 65 6c 6c 6f 2c 20 1b  20 77 6f 72 6c 64 21 0a  \|Hello, \. world!\.\|$'
	line exit
}

@test "/hex turns the hex dump on and off, and offsets count the whole stream" {
	serve send:'ab\n' expect:'x\n' send:'cd\n' expect:'y\n' send:'ef\n' \
		expect-eof
	repl_to_peer
	wait_pane '^ab$'
	line /hex
	wait_pane '^sockline: hex dump on$'
	line x
	wait_pane '^00000003  63 64 0a {42}\|cd\.\|$'
	line '/hex off'
	line y
	wait_pane '^ef$'
	line '/hex maybe'
	wait_pane '^sockline: /hex takes on or off$'
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "--timestamps puts the time before each received line" {
	serve send:'one\ntwo\n' expect-eof
	repl_to_peer --timestamps
	wait_pane '^\[[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}\] two$'
	assert pane_has '^\[[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}\] one$'
	line exit
}

@test "a tab from the peer becomes spaces to the next tab stop" {
	serve send:'a\tb\n' expect-eof
	repl_to_peer
	wait_pane '^a       b$'
	line exit
}
