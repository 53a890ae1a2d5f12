#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The same random interleaved exchange over every transport: 1 KiB each
# way, then 128 chunks of random sizes in random directions, every byte
# checked on both sides (test/peers/exchange.py).

load helpers/common

@test "random interleaved traffic over TCP arrives exactly both ways" {
	for seed in 1 2 3; do
		run exchange.py tcp "$SOCKLINE" "$seed"
		assert_success
	done
}

@test "random interleaved traffic over UDP arrives exactly both ways" {
	for seed in 1 2 3; do
		run exchange.py udp "$SOCKLINE" "$seed"
		assert_success
	done
}

@test "random interleaved traffic over a unix stream socket arrives exactly both ways" {
	for seed in 1 2 3; do
		run exchange.py unix "$SOCKLINE" "$seed"
		assert_success
	done
}

@test "random interleaved traffic over a unix datagram socket arrives exactly both ways" {
	for seed in 1 2 3; do
		run exchange.py unixgram "$SOCKLINE" "$seed"
		assert_success
	done
}
