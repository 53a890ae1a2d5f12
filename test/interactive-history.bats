#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The history file (design item 12): recalled across runs, private,
# bash's ignoreboth, 1000 lines, saved on every way out.

load helpers/common
load helpers/tmux

# HIST: the default history file of the target at $port (one per
# target, design item 21).
HIST() {
	echo "$T/state/sockline/history/tcp-$port"
}

# one_run LINE...: a session that types each LINE, then exit.  With
# same=1, the peer listens on the $port of the run before, so both runs
# have one target and one history file.
one_run() {
	serve ${same:+--port "$port"} recv-all:"$T/got"
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

@test "a line typed in one run is recalled with Up in the next" {
	opts=()
	one_run 'remember me'
	serve --port "$port" expect:'remember me\n' expect-eof
	repl_to_peer
	keys Up
	wait_pane "> remember me\$"
	keys Enter
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "the history file is made with mode 0600 in a directory made for it" {
	opts=()
	one_run 'a line'
	assert_equal "$(stat -c %a "$T/state/sockline")" 700
	assert_equal "$(stat -c %a "$(HIST)")" 600
	assert_equal "$(cat "$(HIST)")" "a line"
}

@test "lines typed with a leading space, repeated lines and exit are not kept" {
	opts=()
	one_run ' secret' same same other same
	run cat "$(HIST)"
	assert_output "$(printf 'same\nother\nsame')"
}

@test "--no-history neither reads nor writes the history file" {
	opts=()
	one_run 'old line'
	opts=(--no-history)
	same=1 one_run 'new line'
	assert_equal "$(cat "$(HIST)")" "old line"
	serve --port "$port" expect:'x\n' expect-eof
	repl_to_peer --no-history
	keys Up
	type_text x
	wait_pane '> x$'
	keys Enter
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "--history FILE is read and written instead of the default" {
	printf 'from the file\n' >"$T/hist"
	opts=(--history "$T/hist")
	serve expect:'from the file\n' expect-eof
	repl_to_peer "${opts[@]}"
	keys Up
	wait_pane '> from the file$'
	keys Enter
	line 'added'
	line exit
	wait_repl_exit
	assert_equal "$(cat "$T/hist")" "$(printf 'from the file\nadded')"
	[ ! -e "$(HIST)" ]
}

@test "the history file keeps the last 1000 lines" {
	opts=()
	one_run 'first'
	seq -f 'line %g' 1 1200 >"$(HIST)"
	same=1 one_run 'newest'
	assert_equal "$(wc -l <"$(HIST)")" 1000
	assert_equal "$(head -n 1 "$(HIST)")" "line 202"
	assert_equal "$(tail -n 1 "$(HIST)")" "newest"
}

@test "a history file that cannot be read is reported in one line and left alone" {
	mkdir "$T/not-a-file"
	opts=(--history "$T/not-a-file")
	serve expect:'still works\n' expect-eof
	repl_to_peer "${opts[@]}"
	assert pane_has "^sockline: cannot read the history file $T/not-a-file: Is a directory \\(this session's history is not saved\\)\$"
	line 'still works'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
	[ -d "$T/not-a-file" ]
}

@test "the history is saved when a signal ends the session" {
	serve recv-all:"$T/got"
	repl_to_peer
	line 'typed before the signal'
	wait_until grep -q 'typed before the signal' "$T/got" 2>/dev/null ||
		true
	kill -TERM "$repl_pid"
	wait_repl_exit
	assert_equal "$status" 143
	assert_equal "$(cat "$(HIST)")" "typed before the signal"
}

@test "two sessions at once both keep their lines" {
	# Two peers cannot share a port, so the two share one --history.
	serve recv-all:"$T/got1"
	srv1_pid=$srv_pid
	repl_to_peer --history "$T/shared"
	line 'from the first'
	# A second terminal, on the same state directory.
	serve recv-all:"$T/got2"
	PANE=2 repl_to_peer --history "$T/shared"
	PANE=2 line 'from the second'
	PANE=2 line exit
	PANE=2 wait_repl_exit
	line exit
	wait_repl_exit
	finish "$srv1_pid"
	run cat "$T/shared"
	assert_output "$(printf 'from the second\nfrom the first')"
}

@test "--history FILE in a missing directory gets it made, mode 0700" {
	opts=(--history "$T/made/for/it/hist")
	one_run 'kept'
	assert_equal "$(cat "$T/made/for/it/hist")" "kept"
	assert_equal "$(stat -c %a "$T/made")" 700
	assert_equal "$(stat -c %a "$T/made/for/it")" 700
	assert_equal "$(stat -c %a "$T/made/for/it/hist")" 600
}

@test "a history directory that cannot be made is reported in one line and the status stays 0" {
	# A read-only file system, so that it cannot be made even as root.
	unshare -rm true 2>/dev/null ||
		skip "unprivileged mount namespaces (unshare -rm) are unavailable here"
	mkdir "$T/ro"
	serve expect:'a line\n' expect-eof
	printf 'a line\n' >"$T/in"
	run --separate-stderr setsid -w unshare -rm bash -c '
		mount -t tmpfs -o ro none "$1" || exit 99
		"$2" --interactive --history "$1/sub/hist" 127.0.0.1 "$3" <"$4"' \
		in_ns "$T/ro" "$SOCKLINE" "$port" "$T/in"
	assert_success
	# Without a terminal the prompt and its notices are on stderr too.
	run grep 'history' <<<"$stderr"
	assert_output "sockline: cannot save the history file $T/ro/sub/hist: cannot make the directory $T/ro/sub: Read-only file system"
	finish "$srv_pid"
	assert_equal "$status" 0
}
