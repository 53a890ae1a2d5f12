#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# /bytes TEXT (design item 21, issue 16 item 6): TEXT with --reply's
# escapes (\r \n \t \xHH \\), no newline added, no -C translation, and
# over datagrams one datagram.  The python peers record what arrives.

load helpers/common
load helpers/tmux

@test "/bytes \\xff\\x00abc arrives as exactly those 5 bytes" {
	serve record:"$T/got"
	repl_to_peer
	line '/bytes \xff\x00abc'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
	assert_equal "$(od -An -tx1 "$T/got" | tr -s ' \n' ' ')" " ff 00 61 62 63 "
}

@test "/bytes keeps blanks, adds no newline, and a typed line follows it in order" {
	serve record:"$T/got"
	repl_to_peer
	line '/bytes  GET\t'
	line 'rest'
	line '/bytes \r\n\\'
	line exit
	wait_repl_exit
	finish "$srv_pid"
	# " GET<tab>" "rest\n" "\r\n\\"
	assert_equal "$(od -An -tx1 "$T/got" | tr -s ' \n' ' ')" " 20 47 45 54 09 72 65 73 74 0a 0d 0a 5c "
}

@test "/bytes is not changed by -C: a \\n stays a bare LF" {
	serve record:"$T/got"
	repl_to_peer -C
	line '/bytes a\nb'
	line exit
	wait_repl_exit
	finish "$srv_pid"
	assert_equal "$(od -An -tx1 "$T/got" | tr -s ' \n' ' ')" " 61 0a 62 "
}

@test "over UDP /bytes with a newline inside is one datagram" {
	bg srv peer.py --listen --udp --port-file "$T/port" expect:'one\ntwo'
	port=$(port_of "$T/port")
	repl -u 127.0.0.1 "$port"
	wait_pane "^127\\.0\\.0\\.1:$port> "
	line '/bytes one\ntwo'
	finish "$srv_pid"
	assert_equal "$status" 0
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "/bytes with a bad escape says so and sends nothing" {
	serve record:"$T/got"
	repl_to_peer
	line '/bytes \q'
	wait_pane '^sockline: /bytes: '
	line '/bytes'
	wait_pane '^sockline: /bytes needs the text to send$'
	line exit
	wait_repl_exit
	finish "$srv_pid"
	assert_equal "$(wc -c <"$T/got")" 0
}
