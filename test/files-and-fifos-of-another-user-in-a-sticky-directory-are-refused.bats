#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Design item 15: in a sticky world-writable directory (/tmp), a file or
# FIFO that belongs to someone else (neither the caller nor the
# directory's owner) is never opened, whatever fs.protected_regular and
# protected_fifos say: the other user would read what sockline writes.
# Exit 1 with the path named; the file keeps what it held.  A FIFO is
# never waited on: with no reader it is an error, not a hang.

load helpers/common
load helpers/planted

@test "-o onto an existing file of another user: exit 1 naming it, and it keeps what it held" {
	sticky_dir
	plant_file log
	peer_up expect-closed
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -o "$D/log" 127.0.0.1 "$port" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write the session log $D/log: refusing to open a file owned by uid $OTHER_UID in the sticky world-writable directory $D"
	assert_equal "$(cat "$D/log")" "theirs"
}

@test "--port-file onto an existing file of another user: exit 1 before serving, and it keeps what it held" {
	sticky_dir
	plant_file port
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -l --port-file "$D/port" 127.0.0.1 0 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write port file $D/port: refusing to open a file owned by uid $OTHER_UID in the sticky world-writable directory $D"
	assert_equal "$(cat "$D/port")" "theirs"
	[ "$(stat -c %u "$D/port")" -eq "$OTHER_UID" ]
}

@test "--history onto an existing file of another user: exit 1 before the prompt, and it keeps what it held" {
	sticky_dir
	plant_file hist
	peer_up recv-all:"$T/got"
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" --interactive --history "$D/hist" \
		127.0.0.1 "$port" <<<'typed line'
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot read the history file $D/hist: refusing to open a file owned by uid $OTHER_UID in the sticky world-writable directory $D"
	assert_equal "$(cat "$D/hist")" "theirs"
	finish "$srv_pid"
	[ ! -s "$T/got" ]
}

@test "-o onto a FIFO of another user that has a reader: exit 1, and the reader gets nothing" {
	sticky_dir
	plant_fifo log
	# The other user's reader (opened read-write, so it never sees EOF).
	exec {fifo_fd}<>"$D/log"
	peer_up send:'secret reply\n' close
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -o "$D/log" 127.0.0.1 "$port" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write the session log $D/log: refusing to open a FIFO owned by uid $OTHER_UID in the sticky world-writable directory $D"
	# Nothing is waiting to be read: sockline has exited, so its writes
	# would all be there.
	if read -r -t 0 -u "$fifo_fd"; then
		fail "the other user's FIFO got data from sockline"
	fi
	exec {fifo_fd}<&-
}

@test "-o and --port-file onto a FIFO of another user with no reader: exit 1, no hang" {
	sticky_dir
	plant_fifo fifo
	peer_up expect-closed
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -o "$D/fifo" 127.0.0.1 "$port" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write the session log $D/fifo: refusing to open a FIFO owned by uid $OTHER_UID in the sticky world-writable directory $D"
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -l --port-file "$D/fifo" 127.0.0.1 0 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write port file $D/fifo: refusing to open a FIFO owned by uid $OTHER_UID in the sticky world-writable directory $D"
	[ -p "$D/fifo" ]
}

@test "--port-file onto a FIFO of another user that has a reader: exit 1, and the reader gets nothing" {
	sticky_dir
	plant_fifo port
	exec {fifo_fd}<>"$D/port"
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -l --port-file "$D/port" 127.0.0.1 0 </dev/null
	assert_failure 1
	if read -r -t 0 -u "$fifo_fd"; then
		fail "the other user's FIFO got data from sockline"
	fi
	exec {fifo_fd}<&-
}

@test "--history onto a FIFO of another user: exit 1, no hang" {
	sticky_dir
	plant_fifo hist
	peer_up recv-all:"$T/got"
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" --interactive --history "$D/hist" \
		127.0.0.1 "$port" <<<'typed line'
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot read the history file $D/hist: refusing to open a FIFO owned by uid $OTHER_UID in the sticky world-writable directory $D"
	[ -p "$D/hist" ]
}

@test "-o onto a FIFO of our own with no reader: exit 1 before connecting, not a hang" {
	mkfifo "$T/fifo"
	# A port that refuses connections: trying one would say so too.
	bg srv peer.py --bind-only --port-file "$T/port"
	port=$(port_of "$T/port")
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -o "$T/fifo" 127.0.0.1 "$port" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write the session log $T/fifo: a FIFO with no reader yet"
}

@test "-o onto a FIFO of our own with a reader streams the log into it" {
	mkfifo "$T/fifo"
	exec {fifo_fd}<>"$T/fifo"
	peer_up send:'hello\n' close
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -o "$T/fifo" 127.0.0.1 "$port" </dev/null
	assert_success
	assert_output hello
	read -r -t "$WAIT_SECS" -u "$fifo_fd" first
	[[ "$first" == "# sockline "* ]]
	exec {fifo_fd}<&-
}

@test "a directory at the port file's path is neither written into nor replaced: exit 1 before serving" {
	sticky_dir
	mkdir -m 777 "$D/port"
	chown "$OTHER_UID" "$D/port"
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -l --port-file "$D/port" 127.0.0.1 0 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write port file $D/port: Is a directory"
	[ -d "$D/port" ]
	run ls -A "$D/port"
	assert_output ""
	run ls -A "$D"
	assert_output "port"
}

@test "files of our own in a sticky directory are written as usual" {
	sticky_dir
	printf 'old\n' >"$D/log"
	printf 'old\n' >"$D/port"
	printf 'old line\n' >"$D/hist"
	peer_up send:'hello\n' close
	run timeout -k 2 10 "$SOCKLINE" -o "$D/log" 127.0.0.1 "$port" </dev/null
	assert_success
	grep -q '< hello$' "$D/log"
	bg sl "$SOCKLINE" -l --port-file "$D/port" 127.0.0.1 0
	wait_until grep -qvx old "$D/port"
	run timeout -k 2 10 "$SOCKLINE" 127.0.0.1 "$(cat "$D/port")" </dev/null
	assert_success
	peer_up recv-all:"$T/got"
	run timeout -k 2 10 "$SOCKLINE" --interactive --history "$D/hist" 127.0.0.1 "$port" <<<'new line'
	assert_success
	assert_equal "$(cat "$D/hist")" "$(printf 'old line\nnew line')"
}
