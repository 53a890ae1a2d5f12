#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The files behind --tls-cert, --tls-key and --tls-ca (design item 19)
# are read when sockline starts, before any socket: a file that cannot
# serve is one line and exit 1, never a password prompt.  A certificate
# file may carry its chain, which the peer then receives, and -vv shows
# the chain a client verified.

load helpers/common
load helpers/pki
load helpers/tls

setup_file() {
	make_pki || return 1
	# An intermediate CA under ca, and a server certificate it signed:
	# the leaf alone does not lead a client to the root.
	pki_key inter &&
		pki_run openssl req -new -key "$PKI/inter.key" -out "$PKI/inter.csr" \
			-subj "/O=sockline tests/CN=sockline test intermediate" &&
		printf '%s\n' "[v3]" "basicConstraints = critical,CA:TRUE,pathlen:0" \
			"keyUsage = critical,keyCertSign" \
			"subjectKeyIdentifier = hash" \
			"authorityKeyIdentifier = keyid" >"$PKI/inter.ext" &&
		pki_run openssl x509 -req -in "$PKI/inter.csr" -days 30 \
			-CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
			-extfile "$PKI/inter.ext" -extensions v3 -out "$PKI/inter.pem" &&
		pki_leaf deep sockline-test-deep inter serverAuth "$PKI_SANS" ||
		return 1
	cat "$PKI/deep.pem" "$PKI/inter.pem" >"$PKI/deep-chain.pem"
	cp "$PKI/deep.key" "$PKI/deep-chain.key"
	pki_run openssl pkey -in "$PKI/server.key" -aes256 \
		-passout pass:secret -out "$PKI/encrypted.key"
}

# starts_not LISTENER_ARGS...: a listener with these arguments exits 1
# with one line, and writes no port file (so it never listened).
starts_not() {
	run --separate-stderr timeout 20 "$SOCKLINE" -l 0 --tls --echo \
		--port-file "$T/p" "$@" </dev/null
	assert_failure 1
	assert_output ""
	assert_one_line "$stderr"
	[ ! -e "$T/p" ] || fail "it listened: $(cat "$T/p")"
}

# listener NAME ARGS...: sockline -l 0 --tls ARGS as NAME; sets $port.
listener() {
	local name=$1
	shift
	bg "$name" "$SOCKLINE" -l 0 --tls --port-file "$T/$name.port" "$@"
	port=$(port_of "$T/$name.port")
}

@test "a --tls-cert that holds no key asks for --tls-key: exit 1, no socket" {
	starts_not --tls-cert "$PKI/server.pem"
	assert_regex "$stderr" "server\.pem: no private key in it; give --tls-key"
}

@test "an encrypted --tls-key is refused at start-up, without a password prompt" {
	starts_not --tls-cert "$PKI/server.pem" --tls-key "$PKI/encrypted.key"
	assert_regex "$stderr" "encrypted\.key: the key is encrypted"
}

@test "a --tls-cert that is not a PEM certificate: exit 1 naming the file" {
	printf 'not a certificate\n' >"$T/junk.pem"
	starts_not --tls-cert "$T/junk.pem" --tls-key "$PKI/server.key"
	assert_regex "$stderr" "^sockline: --tls-cert .*/junk\.pem: no PEM certificate in it\$"
}

@test "a --tls-ca file without certificates: exit 1 naming it, nothing sent" {
	tls_peer srv server recv-all:"$T/got"
	printf 'no certificates here\n' >"$T/junk.pem"
	printf 'secret\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$T/junk.pem" \
		127.0.0.1 "$port" <"$T/in"
	assert_failure 1
	assert_one_line "$stderr"
	assert_regex "$stderr" "^sockline: --tls-ca .*/junk\.pem: "
	kill "$srv_pid"
	assert_nothing_received srv
}

@test "a --tls-cert with its intermediate: a python client that trusts only the root verifies the listener" {
	listener srv --echo --tls-cert "$PKI/deep-chain.pem" --tls-key "$PKI/deep.key"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" \
		--ca "$PKI/ca.pem" send:'chained\n' expect:'chained\n' close
	assert_success
}

@test "the leaf alone, without its intermediate, does not verify: the chain file is what made it" {
	listener srv --echo --tls-cert "$PKI/deep.pem" --tls-key "$PKI/deep.key"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" \
		--ca "$PKI/ca.pem" send:'chained\n' expect:'chained\n' close
	assert_failure
}

@test "-vv shows the verified chain: leaf, intermediate and root, each with its fingerprint" {
	tls_peer srv deep-chain expect-close-notify close
	run --separate-stderr timeout 20 "$SOCKLINE" -vv --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" </dev/null
	assert_success
	printf '%s\n' "$stderr" >"$T/err"
	grep -E '^ +0: .*CN=sockline-test-deep.*, issuer .*CN=sockline test intermediate' "$T/err" ||
		fail "no leaf line: $stderr"
	grep -E '^ +1: .*CN=sockline test intermediate.*, issuer .*CN=sockline test CA' "$T/err" ||
		fail "no intermediate line: $stderr"
	grep -E '^ +2: .*CN=sockline test CA.*, issuer .*CN=sockline test CA' "$T/err" ||
		fail "no root line: $stderr"
	for c in deep inter ca; do
		file_has_fingerprint "$T/err" "$PKI/$c.pem" || fail "no fingerprint of $c: $stderr"
	done
}
