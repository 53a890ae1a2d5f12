#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# TLS options used wrongly are usage errors (design items 4 and 19):
# exit 2, one line on stderr, stdout empty, and no network socket opened
# (checked with strace where it is installed).

load helpers/common

# usage_error ARGS...: sockline ARGS must exit 2 with one "sockline: "
# line and nothing on stdout, without opening a network socket.
usage_error() {
	run --separate-stderr timeout 10 "$SOCKLINE" "$@" </dev/null
	assert_failure 2
	assert_output ""
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "not one line: $stderr"
	[[ "$stderr" == "sockline: "* ]] || fail "no prefix: $stderr"
	# Refused for the reason under test, not as an option it lacks.
	[[ ! "$stderr" =~ (unknown|unrecognized|invalid)\ option ]] || fail "$stderr"
	if command -v strace >/dev/null; then
		ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$T/trace" \
			-e trace=socket,bind,connect timeout 10 "$SOCKLINE" "$@" \
			</dev/null >/dev/null 2>&1 || true
		! grep -E 'socket\((AF_INET|AF_INET6|AF_UNIX)' "$T/trace" |
			grep -v nscd || fail "a socket was opened for: $*"
	fi
}

@test "--tls with -u (DTLS) is a usage error" {
	usage_error --tls -u 127.0.0.1 4433
	[[ "$stderr" =~ (-u|udp|UDP|DTLS|datagram) ]] || fail "$stderr"
}

@test "--tls with a unix datagram socket is a usage error" {
	usage_error --tls -u -U "$T/d"
	[[ "$stderr" =~ (-u|udp|UDP|DTLS|datagram) ]] || fail "$stderr"
}

@test "a --tls-pin that is not sha256:BASE64 of 32 bytes is a usage error" {
	usage_error --tls --tls-pin 'md5:AAAA' 127.0.0.1 4433
	[[ "$stderr" == *--tls-pin* ]] || fail "does not name the option: $stderr"
	usage_error --tls --tls-pin 'sha256:not base64!' 127.0.0.1 4433
	usage_error --tls --tls-pin 'sha256:AAAA' 127.0.0.1 4433
	usage_error --tls --tls-pin "$(printf 'sha256:%s' "$(head -c 32 /dev/zero | base64)")x" \
		127.0.0.1 4433
	usage_error --tls --tls-pin '' 127.0.0.1 4433
}

@test "--tls-min and --tls-max take only 1.2 and 1.3" {
	usage_error --tls --tls-min 1.1 127.0.0.1 4433
	[[ "$stderr" == *1.1* ]] || fail "does not name the value: $stderr"
	usage_error --tls --tls-max 1.0 127.0.0.1 4433
	usage_error --tls --tls-min 2 127.0.0.1 4433
	usage_error --tls --tls-min tls1.3 127.0.0.1 4433
}

@test "--tls-min above --tls-max is a usage error" {
	usage_error --tls --tls-min 1.3 --tls-max 1.2 127.0.0.1 4433
	[[ "$stderr" == *--tls-m* ]] || fail "does not name the options: $stderr"
}

@test "--tls-client-ca without -l is a usage error" {
	touch "$T/ca.pem"
	usage_error --tls --tls-client-ca "$T/ca.pem" 127.0.0.1 4433
	[[ "$stderr" == *--tls-client-ca* ]] || fail "does not name the option: $stderr"
}

@test "--tls -U without --tls-name, --tls-pin or --insecure is a usage error" {
	usage_error --tls -U "$T/s"
	[[ "$stderr" == *--tls-name* ]] || fail "does not name --tls-name: $stderr"
}

@test "-w stays a usage error on a plain listener" {
	usage_error -l -w 3 0
}

@test "-w is the handshake limit on a TLS listener, not a usage error" {
	bg srv "$SOCKLINE" -l 0 --tls -w 3 --echo --port-file "$T/p"
	port_of "$T/p" >/dev/null
	kill -0 "$srv_pid"
}
