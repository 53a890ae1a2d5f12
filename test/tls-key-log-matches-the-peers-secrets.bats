#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --tls-keylog FILE and SSLKEYLOGFILE (design item 19): NSS key log
# lines, appended, in a file created with mode 0600.  The reference is
# the python server's own key log (SSLContext.keylog_filename): every
# secret sockline logs is the one the server derived for the same
# client random, which is what lets Wireshark decrypt the capture.

load helpers/common
load helpers/pki
load helpers/planted

setup_file() {
	make_pki
}

# server [OPTION...]: the python STARTTLS server (smtp), logging keys to
# $T/ref.log.
server() {
	rm -f "$T/srv.port"
	bg srv starttls-server.py smtp --port-file "$T/srv.port" \
		--cert "$PKI/server.pem" --key "$PKI/server.key" \
		--keylog "$T/ref.log" --record "$T/srv.rec" "$@"
	port=$(port_of "$T/srv.port")
}

# secrets FILE: the key log's lines without comments, sorted.
secrets() {
	grep -v '^#' "$1" | sort
}

@test "TLS 1.3: each logged secret is the server's for the same client random, and the file is 0600" {
	server
	run --separate-stderr timeout 20 "$SOCKLINE" --starttls smtp --tls-ca "$PKI/ca.pem" \
		--tls-keylog "$T/keys.log" localhost "$port" </dev/null
	assert_success
	finish "$srv_pid"
	[ -s "$T/keys.log" ] || fail "no key log written"
	assert_equal "$(stat -c %a "$T/keys.log")" 600
	grep -q '^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]\{64\} [0-9a-f]*$' "$T/keys.log" ||
		fail "$(cat "$T/keys.log")"
	assert_equal "$(secrets "$T/keys.log")" "$(secrets "$T/ref.log")"
	# One client random for the one handshake, the one python saw.
	assert_equal "$(grep -v '^#' "$T/keys.log" | cut -d' ' -f2 | sort -u | wc -l)" 1
}

@test "TLS 1.2: a CLIENT_RANDOM line with the master secret python derived" {
	server
	run --separate-stderr timeout 20 "$SOCKLINE" --starttls smtp --tls-ca "$PKI/ca.pem" \
		--tls-max 1.2 --tls-keylog "$T/keys.log" localhost "$port" </dev/null
	assert_success
	finish "$srv_pid"
	grep -q '^CLIENT_RANDOM [0-9a-f]\{64\} [0-9a-f]\{96\}$' "$T/keys.log" ||
		fail "$(cat "$T/keys.log")"
	assert_equal "$(secrets "$T/keys.log")" "$(secrets "$T/ref.log")"
}

@test "SSLKEYLOGFILE is honoured and appended to, keeping what was there" {
	printf 'earlier line\n' >"$T/env.log"
	server
	SSLKEYLOGFILE="$T/env.log" run --separate-stderr timeout 20 "$SOCKLINE" \
		--starttls smtp --tls-ca "$PKI/ca.pem" localhost "$port" </dev/null
	assert_success
	finish "$srv_pid"
	assert_equal "$(head -n 1 "$T/env.log")" "earlier line"
	assert_equal "$(sed 1d "$T/env.log" | sort)" "$(secrets "$T/ref.log")"
}

@test "a key log that cannot be written: --tls-keylog is exit 1 before any connection" {
	server
	run --separate-stderr timeout 20 "$SOCKLINE" --starttls smtp --tls-ca "$PKI/ca.pem" \
		--tls-keylog "$T/no/such/dir/keys.log" localhost "$port" </dev/null
	assert_failure 1
	[[ "$stderr" == "sockline: cannot write key log $T/no/such/dir/keys.log"* ]] || fail "$stderr"
}

@test "a listener logs its keys too" {
	bg srv "$SOCKLINE" -l 127.0.0.1 0 --tls --echo --tls-cert-out "$T/cert.pem" \
		--tls-keylog "$T/keys.log" --port-file "$T/srv.port"
	port=$(port_of "$T/srv.port")
	run timeout 20 python3 -c '
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.keylog_filename = sys.argv[3]
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                    server_hostname="localhost")
s.sendall(b"x\n"); s.recv(10); s.close()' "$port" "$T/cert.pem" "$T/ref.log"
	assert_success
	finish "$srv_pid"
	assert_equal "$(secrets "$T/keys.log")" "$(secrets "$T/ref.log")"
	assert_equal "$(stat -c %a "$T/keys.log")" 600
}

@test "a key log through a link another user planted in a sticky directory is refused, its target untouched" {
	sticky_dir
	plant_link keys "$T/precious"
	server
	run --separate-stderr timeout 20 "$SOCKLINE" --starttls smtp --tls-ca "$PKI/ca.pem" \
		--tls-keylog "$D/keys" localhost "$port" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write key log $D/keys: refusing to follow a symbolic link owned by uid $OTHER_UID in the sticky world-writable directory $D"
	assert_precious
}

@test "a key log file another user owns in a sticky directory is not appended to" {
	sticky_dir
	plant_file keys
	server
	SSLKEYLOGFILE="$D/keys" run --separate-stderr timeout 20 "$SOCKLINE" \
		--starttls smtp --tls-ca "$PKI/ca.pem" localhost "$port" </dev/null
	assert_success
	[[ "$stderr" == "sockline: SSLKEYLOGFILE: cannot write key log $D/keys: "* ]] || fail "$stderr"
	assert_equal "$(cat "$D/keys")" "theirs"
}
