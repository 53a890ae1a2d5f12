#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Scoped link-local IPv6 (fe80::1%lo), in a network namespace of our own.

load helpers/common

@test "a scoped link-local address works for listening and connecting" {
	netns_or_skip
	run --separate-stderr in_netns '
		ip -6 addr add fe80::1/64 dev lo nodad || exit 97
		printf "scoped hello\n" | $SOCKLINE -v -l fe80::1%lo 0 --port-file $T/port >$T/l.out 2>$T/l.err &
		wait_file $T/port || exit 98
		printf "scoped reply\n" | timeout 10 $SOCKLINE fe80::1%lo $(cat $T/port)
		rc=$?
		wait
		cat $T/l.out
		exit $rc'
	assert_success
	assert_line --index 0 "scoped hello"
	assert_line --index 1 "scoped reply"
	run cat "$T/l.err"
	assert_line --regexp '^Listening on fe80::1%lo [0-9]+$'
	assert_line --regexp '^Connection received on fe80::1%lo [0-9]+$'
}

@test "a bad scope is a clear error with exit 1" {
	netns_or_skip
	run --separate-stderr in_netns '$SOCKLINE fe80::1%nosuchif 80 </dev/null'
	assert_failure 1
	assert_equal "$stderr" "sockline: fe80::1%nosuchif: no interface named nosuchif"
}
