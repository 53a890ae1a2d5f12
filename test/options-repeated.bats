#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# An option given twice: the last one counts, and the first one's memory
# is given back (LeakSanitizer, under `make check-asan`, says if not).

load helpers/common

@test "--reply given twice answers with the last text" {
	bg sl "$SOCKLINE" -l 127.0.0.1 0 --reply one --reply 'two\n' --port-file "$T/port"
	port=$(port_of "$T/port")
	run peer.py --connect 127.0.0.1 --port "$port" send:'x\n' expect:'two\n' close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
}

@test "-e given twice runs the last program" {
	bg sl "$SOCKLINE" -l 127.0.0.1 0 -e 'echo first' -e 'echo second' --port-file "$T/port"
	port=$(port_of "$T/port")
	run peer.py --connect 127.0.0.1 --port "$port" expect:'second\n' expect-eof
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
}
