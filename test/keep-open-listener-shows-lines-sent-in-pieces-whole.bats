#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A -k listener holds a client's partial line until its newline comes
# (or it pauses, or it reaches 64 KiB): lines that arrive a few bytes at
# a time come out exactly as sent.  The held line is not scanned again
# on every read (bench/partial-lines measures that), so this checks
# that nothing was lost, doubled or reordered on the way.

load helpers/common

@test "lines sent 7 bytes at a time, newlines anywhere in a piece, come out exactly as sent" {
	python3 -c '
import sys
with open(sys.argv[1], "wb") as f:
    for i in range(3000):
        f.write(b"line %d " % i + b"x" * (i % 97) + b"\n")' "$T/in"
	bg sl "$SOCKLINE" -l -k 127.0.0.1 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	run pieces.py 127.0.0.1 "$port" "$T/in" 7
	assert_success
	wait_until test "$(stat -c %s "$T/sl.out")" -ge "$(stat -c %s "$T/in")"
	cmp "$T/in" "$T/sl.out"
}

@test "a line longer than 64 KiB sent in pieces comes out whole, the part after its newline too" {
	python3 -c '
import sys
with open(sys.argv[1], "wb") as f:
    f.write(b"a" * 200000 + b"\nend of it\nno newline")' "$T/in"
	bg sl "$SOCKLINE" -l -k 127.0.0.1 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	run pieces.py 127.0.0.1 "$port" "$T/in" 333
	assert_success
	wait_until test "$(stat -c %s "$T/sl.out")" -ge "$(stat -c %s "$T/in")"
	cmp "$T/in" "$T/sl.out"
}
