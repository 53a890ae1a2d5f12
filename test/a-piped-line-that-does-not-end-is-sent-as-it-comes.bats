#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --interactive with input from a pipe: a line that does not end is not
# held whole.  Past 64 KiB what has come goes to the peer as it is, the
# rest follows, the line end last, so the peer gets the same bytes a
# shorter line would give and memory stays bounded.  A line that long
# is data, never a command; a leading backslash goes, as it would.

load helpers/common

# as_many N CHAR: N times CHAR, no newline.
as_many() {
	head -c "$1" /dev/zero | tr '\0' "$2"
}

@test "the start of a line that has not ended reaches the peer before the rest is written" {
	as_many 65536 a >"$T/part1"
	{ as_many 84464 a; printf '\n'; } >"$T/part2"
	serve_args=(expect-file:"$T/part1" touch:"$T/first"
	    expect-file:"$T/part2" expect-eof)
	bg srv peer.py --listen --port-file "$T/port" "${serve_args[@]}"
	port=$(port_of "$T/port")
	mkfifo "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" --interactive 127.0.0.1 "$port"
	exec 5>"$T/in"
	as_many 100000 a >&5
	# The line has not ended: only its first 64 KiB can have gone.
	wait_until test -e "$T/first"
	{ as_many 50000 a; printf '\n'; } >&5
	exec 5>&-
	finish "$srv_pid"
	assert_equal "$status" 0
	finish "$sl_pid"
	assert_equal "$status" 0
}

@test "a line of more than 64 KiB from a pipe is data: a leading / is sent, a leading backslash goes, and exit still quits" {
	{ printf /; as_many 70000 b; printf '\n'; } >"$T/slash"
	{ as_many 70000 c; printf '\n'; } >"$T/plain"
	{
		cat "$T/slash"
		printf '\\'
		cat "$T/plain"
		printf 'exit\nnot sent\n'
	} >"$T/input"
	bg srv peer.py --listen --port-file "$T/port" \
	    expect-file:"$T/slash" expect-file:"$T/plain" expect-eof
	port=$(port_of "$T/port")
	bg_in sl "$T/input" "$SOCKLINE" --interactive 127.0.0.1 "$port"
	finish "$srv_pid"
	assert_equal "$status" 0
	finish "$sl_pid"
	assert_equal "$status" 0
}
