#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# An -o log that cannot take what it is given: never a silent loss, and
# never exit 0 (design item 3).

load helpers/common

@test "an -o log that fills up mid-session: one message, the transfer goes on, exit 1" {
	python3 -c 'import sys; sys.stdout.write("".join("line %d\n" % i for i in range(5000)))' >"$T/lines"
	bg srv peer.py --listen --port-file "$T/port" send-file:"$T/lines" close
	port=$(port_of "$T/port")
	# A file size limit of 4 KiB; SIGXFSZ ignored, so writes fail (EFBIG).
	run --separate-stderr timeout 20 bash -c \
		'trap "" XFSZ; ulimit -f 4; exec "$0" -o "$1" 127.0.0.1 "$2" </dev/null' \
		"$SOCKLINE" "$T/log" "$port"
	assert_failure 1
	assert_equal "$stderr" "sockline: session log $T/log: File too large"
	cmp "$T/lines" <(printf '%s\n' "$output")
}

@test "an -o log on a device that takes nothing (/dev/full) fails before any connection" {
	bg srv peer.py --listen --port-file "$T/port" --peer-file "$T/connected"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 20 "$SOCKLINE" -o /dev/full 127.0.0.1 "$port" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write the session log /dev/full: No space left on device"
	# A connection would have been accepted (and noted) by now.
	kill -0 "$srv_pid"
	[ ! -e "$T/connected" ]
}
