#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The -o log shows what a peer sent without letting it act on whoever
# reads the log: escaped "as at the prompt" (sockline(1), SESSION LOG).

load helpers/common

STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}'

@test "the -o log escapes a peer's text-reordering marks and C1 controls, as the prompt does" {
	# U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE, U+009B CSI.
	bg srv peer.py --listen --port-file "$T/port" \
		send:'a\xe2\x80\xaeb\xe2\x81\xa6c\xc2\x9bd\xc3\xa9\n' expect-eof
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 "$SOCKLINE" -o "$T/log" 127.0.0.1 "$port" </dev/null
	assert_success
	run cat "$T/log"
	assert_line --index 1 --regexp "^$STAMP < a\\\\xe2\\\\x80\\\\xaeb\\\\xe2\\\\x81\\\\xa6c\\\\xc2\\\\x9bd"$'\xc3\xa9'"\$"
}
