#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --lockstep: -w bounds the whole wait for a reply, the greeting
# included, even when the server keeps it coming a byte at a time.

load helpers/common

@test "--lockstep -w 1 gives up on a greeting dripped a byte at a time: exit 1 with a message" {
	bg srv drip.py "$T/port"
	port=$(port_of "$T/port")
	start=$(now_us)
	run --separate-stderr timeout 15 bash -c 'printf "HELO me\n" | "$0" --lockstep -w 1 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	elapsed_ms=$((($(now_us) - start) / 1000))
	assert_failure 1
	assert_equal "$stderr" "sockline: the server's greeting had not ended after 1.000 s"
	# What came of the greeting is shown, and no line was sent into it.
	[[ "$output" == "220 slow"* ]]
	((elapsed_ms >= 1000))
}

@test "--lockstep -w 1 gives up on a greeting of lines that never pauses" {
	bg srv drip.py "$T/port" $'line\n'
	port=$(port_of "$T/port")
	run --separate-stderr timeout 15 bash -c 'printf "HELO me\n" | "$0" --lockstep -w 1 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_failure 1
	assert_equal "$stderr" "sockline: the server's greeting had not ended after 1.000 s"
	assert_line --index 0 line
}
