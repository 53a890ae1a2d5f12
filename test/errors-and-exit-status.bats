#!/usr/bin/env bats
# Errors are one line on stderr with the "sockline: " prefix, and the exit
# status says what kind: 1 network or runtime, 2 usage (design.md 3-5).

load helpers/common

# Invocations that are usage errors: each must exit 2, print nothing on
# stdout and one line on stderr, and never create a socket.
usage_errors=(
	"127.0.0.1 0"
	"127.0.0.1 65536"
	"127.0.0.1 abc"
	"-- 127.0.0.1 -1"
	"127.0.0.1 ''"
	"-l 99999"
	"--bogus 127.0.0.1 80"
	"-y 127.0.0.1 80"
	""
	"127.0.0.1"
	"127.0.0.1 80 extra"
	"-l"
	"-l -p 80 127.0.0.1 81"
	"-4 -6 127.0.0.1 80"
	"-n localhost 80"
	"-n 127.0.0.1 http"
	"-b 0 -l 8080"
	"-b abc -l 8080"
	"-q -1 127.0.0.1 80"
	"-q 99999999 127.0.0.1 80"
	"--port-file f 127.0.0.1 80"
	"-l -s 127.0.0.1 8080"
	"-p 0 127.0.0.1 80"
	"'' 80"
)

@test "every usage error exits 2 with one line on stderr and nothing on stdout" {
	for args in "${usage_errors[@]}"; do
		eval "set -- $args"
		run --separate-stderr timeout 5 "$SOCKLINE" "$@"
		[ "$status" -eq 2 ] || fail "exit $status for: sockline $args"
		[ -z "$output" ] || fail "stdout for: sockline $args: $output"
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] ||
			fail "not one line for: sockline $args: $stderr"
		[[ "$stderr" == "sockline: "* ]] || fail "no prefix: $stderr"
	done
}

@test "a usage error never opens a socket" {
	command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
	for args in "${usage_errors[@]}"; do
		eval "set -- $args"
		# (LeakSanitizer cannot run under ptrace, for the ASan build.)
		ASAN_OPTIONS=detect_leaks=0 run timeout 5 strace -f -qq \
			-e trace=socket,bind,connect -o "$T/trace" "$SOCKLINE" "$@"
		[ "$status" -eq 2 ] || fail "exit $status for: sockline $args"
		# glibc's service-name lookup probes nscd over a unix socket;
		# that is the C library's, not a socket of ours.
		run grep -E 'socket\(AF_INET|bind\(|connect\(' "$T/trace"
		run grep -v 'nscd/socket' <<<"$output"
		[ -z "$output" ] || fail "a socket was used for: sockline $args: $output"
	done
}

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

@test "--help prints usage on stdout and exits 0; --version prints the version" {
	run --separate-stderr "$SOCKLINE" --help
	assert_success
	assert_line --index 0 --regexp '^usage: sockline '
	assert_equal "$stderr" ""
	run --separate-stderr "$SOCKLINE" -h
	assert_success
	run --separate-stderr "$SOCKLINE" --version
	assert_success
	assert_output --regexp '^sockline [0-9]+\.[0-9]+\.[0-9]+$'
	run --separate-stderr "$SOCKLINE" -V
	assert_success
}
