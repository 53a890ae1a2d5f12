#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Design item 15: files that may hold what was typed (-o logs, the
# history) are made with mode 0600; a port file with 0644 less the umask.
# A file replaced whole (port file, history) goes through a random
# temporary name in its directory and a rename: nothing is left behind,
# and the old file is never rewritten in place.

load helpers/common
load helpers/planted

# port_file_mode UMASK: the mode of a port file a listener makes under
# UMASK.
port_file_mode() {
	bg sl bash -c 'umask "$1"; exec "$0" -l --port-file "$2" 127.0.0.1 0' \
		"$SOCKLINE" "$1" "$T/port.$1"
	port=$(port_of "$T/port.$1")
	run timeout -k 2 10 "$SOCKLINE" 127.0.0.1 "$port" </dev/null
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	stat -c %a "$T/port.$1"
}

@test "a port file is made with mode 0644 less the umask" {
	assert_equal "$(port_file_mode 022)" 644
	assert_equal "$(port_file_mode 027)" 640
	assert_equal "$(port_file_mode 077)" 600
}

@test "a port file replacing an old one of mode 0600 gets 0644 less the umask" {
	printf '1\n' >"$T/port.022"
	chmod 600 "$T/port.022"
	assert_equal "$(port_file_mode 022)" 644
}

@test "an -o log is made with mode 0600, even with umask 000" {
	peer_up send:'hello\n' close
	run --separate-stderr timeout -k 2 10 bash -c \
		'umask 000; exec "$0" -o "$1" 127.0.0.1 "$2" </dev/null' \
		"$SOCKLINE" "$T/log" "$port"
	assert_success
	assert_equal "$(stat -c %a "$T/log")" 600
}

@test "the history file is written with mode 0600, even over an old one others could read" {
	printf 'old line\n' >"$T/hist"
	chmod 644 "$T/hist"
	peer_up recv-all:"$T/got"
	run timeout -k 2 10 bash -c \
		'umask 000; exec "$0" --interactive --history "$1" 127.0.0.1 "$2"' \
		"$SOCKLINE" "$T/hist" "$port" <<<'new line'
	assert_success
	assert_equal "$(stat -c %a "$T/hist")" 600
	assert_equal "$(cat "$T/hist")" "$(printf 'old line\nnew line')"
}

@test "the history file is replaced whole through a rename, never rewritten in place" {
	seq -f 'old %g' 1 1000 >"$T/hist"
	# A second name for the old file: it must still hold the old lines.
	ln "$T/hist" "$T/hist.before"
	peer_up recv-all:"$T/got"
	run timeout -k 2 10 "$SOCKLINE" --interactive --history "$T/hist" \
		127.0.0.1 "$port" <<<'new line'
	assert_success
	cmp <(seq -f 'old %g' 1 1000) "$T/hist.before"
	assert_equal "$(head -n 1 "$T/hist")" "old 2"
	assert_equal "$(tail -n 1 "$T/hist")" "new line"
}

@test "no temporary file is left beside the port file or the history file" {
	mkdir "$T/d"
	seq -f 'old %g' 1 1000 >"$T/d/hist"
	printf '1\n' >"$T/d/port"
	bg sl "$SOCKLINE" -l --port-file "$T/d/port" 127.0.0.1 0
	wait_until grep -qvx 1 "$T/d/port"
	run timeout -k 2 10 "$SOCKLINE" --interactive --history "$T/d/hist" \
		127.0.0.1 "$(cat "$T/d/port")" <<<'new line'
	assert_success
	finish "$sl_pid"
	run ls -A "$T/d"
	assert_output "$(printf 'hist\nport')"
}
