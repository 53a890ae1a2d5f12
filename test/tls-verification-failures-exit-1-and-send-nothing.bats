#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Every failed verification of a TLS server (design item 19): exit 1, one
# line with OpenSSL's reason, the name checked, the leaf's subject and its
# SHA-256 fingerprint, and the options that get past it; and not one byte
# of the input reaches the peer (the python peer records what it got).

load helpers/common
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

# server CERT [OPTION...]: a python TLS server presenting CERT that
# records what it receives; sets $port.
server() {
	local cert=$1
	shift
	tls_peer srv "$cert" "$@" recv-all:"$T/got"
}

# refused CERT REASON NAME SOCKLINE_ARGS...: sockline, with "secret" on
# its stdin, against the server presenting CERT, must exit 1 with one
# line naming REASON (a regex), NAME, CERT's subject and fingerprint and
# a way past, and the server must have received nothing.
refused() {
	local cert=$1 reason=$2 name=$3 cn
	shift 3
	printf 'secret\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls "$@" <"$T/in"
	assert_failure 1
	assert_output ""
	assert_one_line "$stderr"
	[[ "$stderr" =~ $reason ]] || fail "no reason /$reason/ in: $stderr"
	[[ "$stderr" == *"$name"* ]] || fail "no name $name in: $stderr"
	cn=$(openssl x509 -in "$PKI/$cert.pem" -noout -subject -nameopt multiline |
		sed -n 's/^ *commonName *= *//p')
	[[ "$stderr" == *"$cn"* ]] || fail "no subject $cn in: $stderr"
	assert_has_fingerprint "$stderr" "$PKI/$cert.pem"
	[[ "$stderr" =~ --(insecure|tls-ca|tls-pin|tls-name) ]] ||
		fail "no option that gets past it in: $stderr"
	finish "$srv_pid"
	assert_nothing_received srv
}

@test "a certificate from a CA the system store does not know: exit 1, nothing sent" {
	server server
	refused server 'unable to get local issuer certificate' 127.0.0.1 \
		127.0.0.1 "$port"
}

@test "a certificate for another name, checked against an IP literal: exit 1, nothing sent" {
	server wrongname
	refused wrongname 'IP address mismatch' 127.0.0.1 \
		--tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
}

@test "a certificate for another name, checked against --tls-name: exit 1, nothing sent" {
	server wrongname
	refused wrongname 'hostname mismatch' test.sockline.invalid \
		--tls-ca "$PKI/ca.pem" --tls-name test.sockline.invalid 127.0.0.1 "$port"
}

@test "a certificate for another name over a unix socket: exit 1, nothing sent" {
	server wrongname --unix "$T/s"
	refused wrongname 'hostname mismatch' localhost \
		--tls-ca "$PKI/ca.pem" --tls-name localhost -U "$T/s"
}

@test "an expired certificate: exit 1, nothing sent" {
	server expired
	refused expired 'certificate has expired' 127.0.0.1 \
		--tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
}

@test "a self-signed certificate: exit 1, nothing sent" {
	server selfsigned
	refused selfsigned 'self.signed certificate' 127.0.0.1 \
		--tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
}

@test "a pin of another key: exit 1, nothing sent, though the CA and name are right" {
	server server
	refused server '[Pp]in' 127.0.0.1 \
		--tls-ca "$PKI/ca.pem" --tls-pin "$(pin_of "$PKI/ca.pem")" 127.0.0.1 "$port"
}

@test "a CA that is not the issuer's, given with --tls-ca: exit 1, nothing sent" {
	server server
	refused server 'unable to get local issuer certificate' 127.0.0.1 \
		--tls-ca "$PKI/ca2.pem" 127.0.0.1 "$port"
}

@test "a failed verification exits at once while stdin stays open" {
	# Nothing waits for input before verifying: stdin that never ends
	# must not keep a refused connection alive.
	hold_open "$T/fifo"
	tls_peer srv expired recv-all:"$T/got"
	bg_in sl "$T/fifo" "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
	finish "$sl_pid"
	assert_equal "$status" 1
	grep -q 'certificate has expired' "$T/sl.err"
	finish "$srv_pid"
	assert_nothing_received srv
}
