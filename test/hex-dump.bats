#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# -x outside the prompt: a hex dump on stdout, the same as at the prompt.

load helpers/common

@test "-x in a pipeline writes received bytes as a hex dump to stdout" {
	bg srv peer.py --listen --port-file "$T/port" \
		send:'Hello, \x00\xff world, and some more bytes\n' close
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 "$SOCKLINE" -x 127.0.0.1 "$port" </dev/null
	assert_success
	assert_output "$(printf '%s\n' \
		'00000000  48 65 6c 6c 6f 2c 20 00  ff 20 77 6f 72 6c 64 2c  |Hello, .. world,|' \
		'00000010  20 61 6e 64 20 73 6f 6d  65 20 6d 6f 72 65 20 62  | and some more b|' \
		'00000020  79 74 65 73 0a                                    |ytes.|')"
}
