#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Fault injection: signals at random moments of busy sessions, and a -k
# listener that runs out of file descriptors.

load helpers/common

@test "SIGINT, SIGTERM or SIGHUP at random moments, 100 rounds: exit 128+signal, no socket file or program left, the terminal restored" {
	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	# Seven kinds of session in turn: TCP client, unix stream listener,
	# -e and -c listeners, unix datagram client with -s, UDP listener,
	# and the prompt on a pty; each busy both ways when the signal comes.
	run --separate-stderr timeout 600 signal-rounds.py --rounds 100 --seed 5 "$SOCKLINE"
	echo "$output$stderr" >&3
	assert_success
	assert_output --regexp '^100 rounds in '
}

@test "a -k listener out of file descriptors serves the clients it has, pauses accepting, and recovers when they leave" {
	# 24 fds: the listener takes a handful, so about 18 clients fit.
	bg sl bash -c 'ulimit -n 24 && exec "$0" "$@"' "$SOCKLINE" -v -l -k \
		127.0.0.1 0 --echo --port-file "$T/port"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 120 many-clients.py --pid "$sl_pid" \
		--err "$T/sl.err" 127.0.0.1 "$port" 40
	echo "$output$stderr" >&3
	assert_success
	kill -0 "$sl_pid"
	run grep -c '^Cannot accept for now: Too many open files$' "$T/sl.err"
	((output >= 2))
}
