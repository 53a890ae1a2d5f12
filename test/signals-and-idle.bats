#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Signals end a session cleanly with 128+signal, and an idle session
# uses no CPU (design.md item 4).

load helpers/common

# Starts sockline connected to a peer that stays silent, stdin held open.
idle_session() {
	hold_open "$T/in"
	bg srv peer.py --listen --port-file "$T/port" wait-file:"$T/never"
	port=$(port_of "$T/port")
	bg_in sl "$T/in" "$SOCKLINE" -v 127.0.0.1 "$port"
	wait_line "$T/sl.err" '^Connection to '
}

@test "SIGTERM ends an idle connected session with 143 within half a second" {
	idle_session
	kill -TERM "$sl_pid"
	ended_within_ms "$sl_pid" 500
	finish "$sl_pid"
	assert_equal "$status" 143
}

@test "SIGINT ends a session with 130" {
	idle_session
	kill -INT "$sl_pid"
	finish "$sl_pid"
	assert_equal "$status" 130
}

@test "SIGHUP ends a session with 129" {
	idle_session
	kill -HUP "$sl_pid"
	finish "$sl_pid"
	assert_equal "$status" 129
}

@test "SIGTERM ends a listener still waiting for its client with 143" {
	bg sl "$SOCKLINE" -v -l 127.0.0.1 0
	listening_port sl >/dev/null
	kill -TERM "$sl_pid"
	finish "$sl_pid"
	assert_equal "$status" 143
}

@test "an idle session uses under 50 ms of CPU in 2 seconds" {
	idle_session
	t0=$(cpu_ticks "$sl_pid")
	sleep 2 # the measured window, not a wait for a condition
	t1=$(cpu_ticks "$sl_pid")
	ticks_per_sec=$(getconf CLK_TCK)
	used_ms=$(( (t1 - t0) * 1000 / ticks_per_sec ))
	echo "CPU used while idle for 2 s: ${used_ms} ms" >&3
	(( used_ms < 50 ))
}

# The session has used some CPU: it is in the middle of the transfer.
busy_for_a_while() {
	[ "$(cpu_ticks "$sl_pid")" -gt 5 ]
}

@test "SIGTERM stops a session that is busy every round, mid-transfer" {
	# /dev/zero is always ready, so the loop never waits: the signal must
	# still be seen.
	bg srv peer.py --listen --port-file "$T/port" recv-all:/dev/null
	port=$(port_of "$T/port")
	bg_in sl /dev/zero "$SOCKLINE" 127.0.0.1 "$port"
	wait_until busy_for_a_while
	kill -TERM "$sl_pid"
	finish "$sl_pid" 5
	assert_equal "$status" 143
}
