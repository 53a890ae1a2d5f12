#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Fault injection, large: transfers past 2^31 and 2^32 bytes, a thousand
# transfers of random sizes, and a storm of signals during a transfer.
# The python peers hash or compare every byte on both sides.

load helpers/common

@test "4.5 GiB each way at once arrive exactly, sha256 equal on both sides" {
	# 4.5 GiB crosses 2^31 and 2^32 in both directions.  sockline
	# splices between its pipes and the socket, so this takes seconds.
	run --separate-stderr timeout 300 bulk.py --size $((4608 << 20)) "$SOCKLINE"
	echo "$output$stderr" >&3
	assert_success
	assert_output --regexp '^4831838208 bytes each way in '
}

@test "4.5 GiB each way over a unix socket, through read and write, arrive exactly" {
	run --separate-stderr timeout 300 bulk.py --unix --stdio socket \
		--size $((4608 << 20)) "$SOCKLINE"
	echo "$output$stderr" >&3
	assert_success
}

@test "1,000 transfers of random sizes with NULs over TCP are all exact" {
	run --separate-stderr timeout 300 transfers.py --count 1000 --seed 7 "$SOCKLINE"
	echo "$output$stderr" >&3
	assert_success
	assert_output --regexp '^1000 transfers, [0-9]+ bytes, all exact'
}

@test "1,000 transfers of random sizes with NULs over a unix socket are all exact" {
	run --separate-stderr timeout 300 transfers.py --unix --count 1000 --seed 8 "$SOCKLINE"
	echo "$output$stderr" >&3
	assert_success
	assert_output --regexp '^1000 transfers, [0-9]+ bytes, all exact'
}

@test "a signal every millisecond during a 1 GiB transfer each way loses and garbles nothing" {
	# SIGCHLD has a handler, so each one ends sockline's wait with EINTR;
	# once through read and write (socket pairs), once through splice.
	run --separate-stderr timeout 300 bulk.py --storm --stdio socket \
		--size $((1024 << 20)) "$SOCKLINE"
	echo "$output$stderr" >&3
	assert_success
	assert_output --regexp ', [0-9]+ signals$'
	run --separate-stderr timeout 300 bulk.py --storm --stdio pipe \
		--size $((1024 << 20)) "$SOCKLINE"
	echo "$output$stderr" >&3
	assert_success
}
