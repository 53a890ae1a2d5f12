#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Errors are one line on stderr with the "sockline: " prefix, and the exit
# status says what kind: 1 network or runtime, 2 usage (design.md 3-5).

load helpers/common

# Usage errors and the other invocations refused before any socket is
# opened are rows of bad-input.table, checked by bad-input.bats.

@test "the messages of bad ports say what is wrong" {
	run --separate-stderr "$SOCKLINE" 127.0.0.1 65536
	assert_failure 2
	assert_equal "$stderr" "sockline: port 65536: out of range (1-65535) (see 'sockline --help')"
	run --separate-stderr "$SOCKLINE" 127.0.0.1 nosuchservice
	assert_failure 2
	[[ "$stderr" == *"port nosuchservice: unknown service name"* ]]
	run --separate-stderr "$SOCKLINE" 127.0.0.1 ''
	assert_failure 2
	[[ "$stderr" == *"empty port"* ]]
}

@test "connection refused exits 1 within a second, naming host and port, with nothing on stdout" {
	# A port that is bound but not listening refuses every connection.
	bg holder peer.py --bind-only --port-file "$T/port"
	port=$(port_of "$T/port")
	start=$(now_us)
	run --separate-stderr timeout 5 "$SOCKLINE" 127.0.0.1 "$port" </dev/null
	elapsed_ms=$((($(now_us) - start) / 1000))
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "sockline: connect to 127.0.0.1 port $port (tcp) failed: Connection refused"
	((elapsed_ms < 1000))
}

@test "an unknown host exits 1 quickly inside a network namespace with no network" {
	netns_or_skip
	run --separate-stderr timeout 10 unshare -rn "$SOCKLINE" nosuchhost.invalid 80 </dev/null
	assert_failure 1
	assert_output ""
	[[ "$stderr" == "sockline: cannot resolve nosuchhost.invalid: "* ]]
}

@test "a port already in use exits 1 with Address already in use" {
	bg srv peer.py --listen --port-file "$T/port"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 5 "$SOCKLINE" -l 127.0.0.1 "$port" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: bind to 127.0.0.1 port $port (tcp) failed: Address already in use"
}

@test "-4 with an IPv6 literal exits 1 and names the conflict" {
	run --separate-stderr timeout 5 "$SOCKLINE" -4 ::1 80 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: ::1 is an IPv6 address, but -4 asks for IPv4 only"
}

@test "-6 with an IPv4 literal exits 1 and names the conflict" {
	run --separate-stderr timeout 5 "$SOCKLINE" -6 127.0.0.1 80 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: 127.0.0.1 is an IPv4 address, but -6 asks for IPv6 only"
}

@test "--help prints usage on stdout and exits 0; --version prints the version, copyright and licence" {
	run --separate-stderr "$SOCKLINE" --help
	assert_success
	assert_line --index 0 --regexp '^usage: sockline '
	assert_equal "$stderr" ""
	run --separate-stderr "$SOCKLINE" -h
	assert_success
	run --separate-stderr "$SOCKLINE" --version
	assert_success
	assert_equal "$stderr" ""
	# The GNU layout: version, copyright, licence, no warranty.
	version=$(sed -n 's/^#define SOCKLINE_VERSION[^"]*"\(.*\)"$/\1/p' \
		"$TOP/src/sockline.h")
	assert_output "sockline $version
Copyright (C) 2026 the sockline authors
License GPL-3.0-or-later <https://gnu.org/licenses/gpl.html>
This is free software: you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law."
	version_output=$output
	run --separate-stderr "$SOCKLINE" -V
	assert_success
	assert_output "$version_output"
}

@test "received data with stdout closed is an error (exit 1), never a silent loss" {
	bg srv peer.py --listen --port-file "$T/port" send:'data\n' close
	port=$(port_of "$T/port")
	# sh closes stdout: `run` would capture it through a pipe of its own.
	run --separate-stderr timeout 10 sh -c 'exec "$@" </dev/null >&-' sh \
		"$SOCKLINE" 127.0.0.1 "$port"
	assert_failure 1
	assert_equal "$stderr" "sockline: write to stdout failed: Bad file descriptor"
}

@test "with stdout closed, a session that receives nothing still exits 0" {
	bg srv peer.py --listen --port-file "$T/port" expect:'hi\n' expect-eof close
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 sh -c 'echo hi | exec "$@" >&-' sh \
		"$SOCKLINE" 127.0.0.1 "$port"
	assert_success
	assert_equal "$stderr" ""
}
