#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Over TLS everything above the connection sees the decrypted bytes
# (design item 19): -x, -o, --lockstep, responders and -e/-c programs,
# which also learn the session's TLS parameters from SOCKLINE_TLS_*.

load helpers/common
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

# listener ARGS...: `sockline -l 0 --tls ARGS` with a generated
# certificate in $T/ca.pem; sets $port.
listener() {
	bg srv "$SOCKLINE" -l 0 --tls --tls-cert-out "$T/ca.pem" \
		--port-file "$T/p" "$@"
	port=$(port_of "$T/p")
}

@test "-c on a TLS listener gets SOCKLINE_TLS_VERSION, _CIPHER and _ALPN as negotiated" {
	listener --tls-alpn h2,http/1.1 \
		-c 'printf "%s|%s|%s\n" "$SOCKLINE_TLS_VERSION" "$SOCKLINE_TLS_CIPHER" "$SOCKLINE_TLS_ALPN"'
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		--alpn http/1.1 --info "$T/c.info" recv-all:"$T/env"
	assert_success
	IFS='|' read -r version cipher alpn <"$T/env"
	[[ "$version" == *1.3* ]] || fail "SOCKLINE_TLS_VERSION=$version"
	assert_equal "$cipher" "$(sed -n 's/^cipher=//p' "$T/c.info")"
	assert_equal "$alpn" "http/1.1"
}

@test "-e on a TLS listener: SOCKLINE_TLS_VERSION says 1.2 to a TLS 1.2 client" {
	listener -e 'printenv SOCKLINE_TLS_VERSION'
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		--max 1.2 recv-all:"$T/env"
	assert_success
	[[ "$(cat "$T/env")" == *1.2* ]] || fail "SOCKLINE_TLS_VERSION=$(cat "$T/env")"
}

@test "a program behind a TLS listener without client certificates gets no SOCKLINE_TLS_PEER_ variables" {
	listener -c 'echo "${SOCKLINE_TLS_PEER_SUBJECT-none}|${SOCKLINE_TLS_PEER_SHA256-none}"'
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		recv-all:"$T/env"
	assert_success
	assert_equal "$(cat "$T/env")" "none|none"
}

@test "-e on a TLS listener reads and writes plaintext" {
	listener -e 'tr a-z A-Z'
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'plain to the program\n' shutdown expect:'PLAIN TO THE PROGRAM\n' \
		expect-end
	assert_success
}

@test "--lockstep over TLS prints one reply per line, in order" {
	tls_peer srv server expect:'one\n' send:'1\n' expect:'two\n' send:'2\n' \
		expect:'three\n' send:'3\n' wait-file:"$T/never"
	printf 'one\ntwo\nthree\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --lockstep --tls \
		--tls-ca "$PKI/ca.pem" 127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "$(printf '1\n2\n3')"
}

@test "--lockstep over TLS waits for each reply before sending the next line" {
	tls_peer srv server expect:'a\n' no-data-within:300 send:'A\n' \
		expect:'b\n' send:'B\n' wait-file:"$T/never"
	printf 'a\nb\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --lockstep --tls \
		--tls-ca "$PKI/ca.pem" 127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "$(printf 'A\nB')"
}

@test "--lockstep over TLS against sockline -l --tls --upper" {
	listener -k --upper
	printf 'x\ny\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --lockstep --tls \
		--tls-ca "$T/ca.pem" 127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "$(printf 'X\nY')"
}

@test "-x over TLS dumps the decrypted bytes" {
	tls_peer srv server send:'Hello, \x00\xff world, and some more bytes\n' \
		expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" -x --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" </dev/null
	assert_success
	assert_output "$(printf '%s\n' \
		'00000000  48 65 6c 6c 6f 2c 20 00  ff 20 77 6f 72 6c 64 2c  |Hello, .. world,|' \
		'00000010  20 61 6e 64 20 73 6f 6d  65 20 6d 6f 72 65 20 62  | and some more b|' \
		'00000020  79 74 65 73 0a                                    |ytes.|')"
}

@test "-x on a TLS listener dumps the client's decrypted bytes" {
	listener -x --echo
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'ABC\n' expect:'ABC\n' close
	assert_success
	finish "$srv_pid"
	run cat "$T/srv.out"
	assert_output --partial '41 42 43 0a'
	assert_output --partial '|ABC.|'
}

@test "-o logs both directions of a TLS session in plaintext" {
	tls_peer srv server expect:'hello\n' send:'HELLO\n' expect-close-notify close
	printf 'hello\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" -o "$T/log" --tls \
		--tls-ca "$PKI/ca.pem" 127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "HELLO"
	run cat "$T/log"
	assert_line --regexp ' > hello$'
	assert_line --regexp ' < HELLO$'
}

@test "-o on a TLS listener logs what the client sent and what --echo sent back" {
	listener -o "$T/log" --echo
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		send:'logged\n' expect:'logged\n' close
	assert_success
	finish "$srv_pid"
	run cat "$T/log"
	assert_line --regexp ' < logged$'
	assert_line --regexp ' > logged$'
}
