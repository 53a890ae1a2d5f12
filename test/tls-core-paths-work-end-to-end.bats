#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A smoke check of TLS's connection paths (design item 19): the test
# suite recipe with the listener's generated certificate, a pipe-fed
# transfer, -k handshakes that do not wait for a silent client, the
# user-space records when the kernel has no kTLS, programs' variables.
# The full contract is in the other tls-*.bats files, against python.

load helpers/common

# tls_listen NAME ARGS...: a TLS listener writing its certificate to
# $T/NAME.pem; sets $port.
tls_listen() {
	local name=$1
	shift
	bg "$name" "$SOCKLINE" -v -l 127.0.0.1 0 --tls \
	    --tls-cert-out "$T/$name.pem" --port-file "$T/$name.port" "$@"
	port=$(port_of "$T/$name.port")
}

@test "the README recipe: a client verifies the listener's generated certificate and gets its echo" {
	tls_listen sl --echo
	run --separate-stderr "$SOCKLINE" --tls --tls-ca "$T/sl.pem" \
	    127.0.0.1 "$port" <<<"hello over tls"
	assert_success
	assert_output "hello over tls"
	[ -z "$stderr" ]
}

@test "4 MiB of every byte value piped through a TLS client arrive whole at a TLS listener" {
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 16384)' >"$T/in"
	tls_listen sl --recv-only
	"$SOCKLINE" --tls --tls-ca "$T/sl.pem" 127.0.0.1 "$port" <"$T/in"
	finish "$sl_pid"
	cmp "$T/in" "$T/sl.out"
}

@test "a -k TLS listener serves clients while one never handshakes, and drops it after -w" {
	tls_listen sl -k --echo -w 2
	python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(30)' "$port" 3>&- &
	echo $! >>"$T/pids"
	wait_line "$T/sl.err" '^Connection received'
	for i in 1 2 3; do
		run "$SOCKLINE" --tls --tls-ca "$T/sl.pem" 127.0.0.1 "$port" <<<"client $i"
		assert_success
		assert_output "client $i"
	done
	# Served before the silent client's limit ran out.
	! grep -q 'handshake not done' "$T/sl.err"
	wait_line "$T/sl.err" 'Dropped 127\.0\.0\.1 [0-9]+: TLS handshake failed: handshake not done after 2\.000 s'
}

@test "-vv says the records are made in user space when the kernel has no kTLS, and the transfer works" {
	tls_listen sl --echo
	run --separate-stderr "$SOCKLINE" -vv --tls --tls-ca "$T/sl.pem" \
	    127.0.0.1 "$port" <<<"ping"
	assert_success
	assert_output "ping"
	if grep -qw '^tls' /proc/modules 2>/dev/null; then
		[[ "$stderr" == *"records: kTLS"* ]]
	else
		[[ "$stderr" == *"records: user space"* ]]
	fi
}

@test "an -e program behind a TLS listener sees plaintext and SOCKLINE_TLS_VERSION" {
	tls_listen sl -e 'sh -c "read l; echo \"$SOCKLINE_TLS_VERSION $l\""'
	run "$SOCKLINE" --tls --tls-ca "$T/sl.pem" 127.0.0.1 "$port" <<<"hi"
	assert_success
	assert_output --regexp '^TLSv1\.[23] hi$'
}

@test "--insecure connects to an unverifiable listener with exactly one warning line" {
	tls_listen sl --echo
	run --separate-stderr "$SOCKLINE" --tls --insecure 127.0.0.1 "$port" <<<"x"
	assert_success
	assert_output "x"
	[ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 1 ]
	[[ "$stderr" == "sockline: warning: --insecure"* ]]
}

@test "a client that cannot verify the listener exits 1 naming host and port, and sends nothing" {
	tls_listen sl --recv-only
	run --separate-stderr "$SOCKLINE" --tls 127.0.0.1 "$port" <<<"secret"
	assert_failure 1
	[[ "$stderr" == "sockline: TLS handshake with 127.0.0.1 port $port (tcp) failed: certificate verify failed"* ]]
	wait_line "$T/sl.err" 'TLS handshake with .* failed'
	finish "$sl_pid" || true
	! grep -q secret "$T/sl.out"
}

@test "without kTLS a pipe-fed TLS client never splices or sendfiles into its socket, and the bytes arrive" {
	command -v strace >/dev/null || skip "strace is not installed"
	grep -qw '^tls' /proc/modules 2>/dev/null && skip "this kernel has kTLS"
	head -c 1048576 /dev/urandom >"$T/in"
	tls_listen sl --recv-only
	# LeakSanitizer cannot run under ptrace (make check-asan).
	cat "$T/in" | ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	    strace -f -o "$T/trace" -e trace=splice,sendfile \
	    "$SOCKLINE" --tls --tls-ca "$T/sl.pem" 127.0.0.1 "$port"
	finish "$sl_pid"
	cmp "$T/in" "$T/sl.out"
	! grep -E '^[0-9]+ +(splice|sendfile)\(' "$T/trace"
	# The plain path does splice from the same kind of pipe: the check
	# above looks at the right calls.
	bg plain "$SOCKLINE" -l 127.0.0.1 0 --recv-only --port-file "$T/plain.port"
	cat "$T/in" | ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	    strace -f -o "$T/trace2" -e trace=splice,sendfile \
	    "$SOCKLINE" 127.0.0.1 "$(port_of "$T/plain.port")"
	finish "$plain_pid"
	grep -qE '^[0-9]+ +splice\(' "$T/trace2"
}

@test "a -k TLS listener holding 300 idle handshaken clients costs at most 64 KiB each" {
	tls_listen sl -k -m 1000 --echo
	before=$(rss_kb "$sl_pid")
	python3 -c '
import socket, ssl, sys, time
ca, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
held = []
for i in range(300):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                        server_hostname="127.0.0.1")
    s.sendall(b"line %d\n" % i)
    want = b"line %d\n" % i
    got = b""
    while len(got) < len(want):
        got += s.recv(100)
    assert got == want, got
    held.append(s)
open(ready, "w").write("held\n")
time.sleep(60)' "$T/sl.pem" "$port" "$T/ready" 3>&- &
	echo $! >>"$T/pids"
	wait_file "$T/ready"
	# The last echo is out; give the listener its round to go idle.
	wait_until test "$(grep -c 'Connection received' "$T/sl.err")" -ge 300
	after=$(rss_kb "$sl_pid")
	echo "RSS $before kB -> $after kB for 300 idle TLS clients" >&3
	[ $((after - before)) -le $((300 * 64)) ]
}
