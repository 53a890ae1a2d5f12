#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# History per target (design item 21): Up and Ctrl-R at one service's
# prompt bring back what was typed to that service, not to another.
# The file is $XDG_STATE_HOME/sockline/history/PROTO-PORT, or for a unix
# socket its file name; --history FILE stays one file for all.

load helpers/common
load helpers/tmux

# typed_to PORT LINE...: a session with a peer on PORT (0: any) that
# types each LINE, then exit; sets $port.
typed_to() {
	local p=$1
	shift
	serve --port "$p" recv-all:"$T/got"
	repl_to_peer "${opts[@]}"
	for l in "$@"; do
		line "$l"
	done
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	repl_again
}

# recalls PORT TEXT: at a new prompt for PORT (0: any), Up shows TEXT.
recalls() {
	serve --port "$1" recv-all:"$T/got"
	repl_to_peer "${opts[@]}"
	keys Up
	wait_pane "^127\\.0\\.0\\.1:$port> $2\$"
	keys C-c
	line exit
	wait_repl_exit
	finish "$srv_pid"
	repl_again
}

@test "two targets keep separate histories and Up brings back the right one" {
	opts=()
	typed_to 0 'SET key value'
	redis=$port
	typed_to 0 'EHLO example.org'
	smtp=$port
	recalls "$redis" 'SET key value'
	recalls "$smtp" 'EHLO example.org'
	assert_equal "$(cat "$T/state/sockline/history/tcp-$redis")" 'SET key value'
	assert_equal "$(cat "$T/state/sockline/history/tcp-$smtp")" 'EHLO example.org'
}

@test "Ctrl-R at one target's prompt finds only that target's lines" {
	opts=()
	typed_to 0 'GET counter'
	redis=$port
	typed_to 0 'MAIL FROM:<a@example.org>'
	serve --port "$redis" recv-all:"$T/got"
	repl_to_peer
	keys C-r
	type_text 'M'
	# "GET counter" has an M nowhere; the SMTP line would match.
	wait_pane "failed reverse-i-search\\).M'"
	keys C-g C-c
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "each target's history file is made 0600 in directories made 0700" {
	opts=()
	typed_to 0 'a line'
	assert_equal "$(stat -c %a "$T/state/sockline")" 700
	assert_equal "$(stat -c %a "$T/state/sockline/history")" 700
	assert_equal "$(stat -c %a "$T/state/sockline/history/tcp-$port")" 600
}

@test "a unix socket's history is named by the socket's file name" {
	mkdir "$T/a" "$T/b"
	rm -f "$T/port"
	bg srv peer.py --listen --unix "$T/a/svc.sock" --port-file "$T/port" \
		recv-all:"$T/got"
	wait_file "$T/port"
	repl -U "$T/a/svc.sock"
	wait_pane '> $'
	line 'said to a'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	repl_again
	assert_equal "$(cat "$T/state/sockline/history/svc.sock")" 'said to a'
	# Another socket of the same name is the same service, elsewhere.
	rm -f "$T/port"
	bg srv peer.py --listen --unix "$T/b/svc.sock" --port-file "$T/port" \
		recv-all:"$T/got"
	wait_file "$T/port"
	repl -U "$T/b/svc.sock"
	wait_pane '> $'
	keys Up
	wait_pane '> said to a$'
	keys C-c
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "an old single history file is moved to history.old and recalled until a target has its own" {
	mkdir -p "$T/state/sockline"
	printf 'from the old file\n' >"$T/state/sockline/history"
	opts=()
	serve recv-all:"$T/got"
	repl_to_peer
	keys Up
	wait_pane '> from the old file$'
	keys C-c
	line 'new line'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	assert_equal "$(cat "$T/state/sockline/history.old")" 'from the old file'
	assert_equal "$(cat "$T/state/sockline/history/tcp-$port")" 'new line'
	[ -d "$T/state/sockline/history" ]
}

@test "--history FILE is one file for every target" {
	opts=(--history "$T/one")
	typed_to 0 'to the first'
	typed_to 0 'to the second'
	recalls 0 'to the second'
	assert_equal "$(cat "$T/one")" "$(printf 'to the first\nto the second')"
	[ ! -e "$T/state/sockline/history" ]
}
