#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --starttls PROTO on a client (design item 19): against a python
# STARTTLS server for each protocol (peers/starttls-server.py), which
# checks the exact bytes the client sends in plain text, sockline runs
# the dialogue, verifies the certificate against the host operand, and
# then carries the session over TLS.  A server that does not offer
# STARTTLS, or refuses it, ends the run with exit 1 and its reply.

load helpers/common
load helpers/pki

setup_file() {
	make_pki
}

# stls_server NAME PROTO [OPTION...]: the python STARTTLS server.
stls_server() {
	local name=$1
	shift
	rm -f "$T/$name.port"
	bg "$name" starttls-server.py "$@" --port-file "$T/$name.port" \
		--cert "$PKI/server.pem" --key "$PKI/server.key" \
		--info "$T/$name.info" --record "$T/$name.rec"
	port=$(port_of "$T/$name.port")
}

# upgrade PROTO: the whole run, checked on both sides.
upgrade() {
	stls_server srv "$1"
	printf 'over tls\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --starttls "$1" \
		--tls-ca "$PKI/ca.pem" localhost "$port" <"$T/in"
	assert_success
	assert_output "hello over tls"
	finish "$srv_pid"
	[ "$status" -eq 0 ] || fail "the server failed: $(cat "$T/srv.err")"
	assert_equal "$(cat "$T/srv.rec")" "over tls"
	assert_equal "$(sed -n 's/^sni=//p' "$T/srv.info")" "localhost"
}

@test "smtp: greeting, EHLO with our address literal, STARTTLS, then a verified TLS session" {
	upgrade smtp
}

@test "lmtp: greeting, LHLO, STARTTLS, then TLS" {
	upgrade lmtp
}

@test "imap: greeting, a1 CAPABILITY, a2 STARTTLS, then TLS" {
	upgrade imap
}

@test "pop3: greeting, CAPA naming STLS, STLS, then TLS" {
	upgrade pop3
}

@test "ftp: greeting, FEAT naming AUTH TLS, AUTH TLS, then TLS" {
	upgrade ftp
}

@test "nntp: greeting, CAPABILITIES, STARTTLS and its 382, then TLS" {
	upgrade nntp
}

@test "sieve: the capability greeting, STARTTLS, OK, then TLS" {
	upgrade sieve
}

@test "xmpp: the stream header to the host, its features, starttls, proceed, then TLS" {
	upgrade xmpp
}

@test "postgres: the SSLRequest bytes, S, then TLS" {
	upgrade postgres
}

@test "ldap: the StartTLS extended request, resultCode 0, then TLS" {
	upgrade ldap
}

@test "the certificate is verified after STARTTLS: a wrong name fails with exit 1" {
	stls_server srv smtp
	run --separate-stderr timeout 20 "$SOCKLINE" --starttls smtp \
		--tls-ca "$PKI/ca.pem" --tls-name wrong.example 127.0.0.1 "$port" </dev/null
	assert_failure 1
	[[ "$stderr" == "sockline: STARTTLS (smtp) with "*"wrong.example"* ]] ||
		fail "unexpected message: $stderr"
}

@test "a server that refuses STARTTLS: exit 1 with its reply, escaped, in the message" {
	for proto in smtp imap pop3 ftp nntp sieve xmpp postgres ldap; do
		stls_server srv --refuse "$proto"
		run --separate-stderr timeout 20 "$SOCKLINE" --starttls "$proto" \
			--tls-ca "$PKI/ca.pem" localhost "$port" </dev/null
		[ "$status" -eq 1 ] || fail "$proto: status $status, $stderr"
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail "$proto: $stderr"
		[[ "$stderr" == "sockline: STARTTLS ($proto) with "*"refused STARTTLS"* ]] ||
			fail "$proto: $stderr"
		case $proto in
		smtp) [[ "$stderr" == *'454 4.7.0 TLS not available\r\n' ]] ;;
		imap) [[ "$stderr" == *'a2 NO not now\r\n' ]] ;;
		pop3) [[ "$stderr" == *'-ERR no TLS here\r\n' ]] ;;
		postgres) [[ "$stderr" == *': N' ]] ;;
		ldap) [[ "$stderr" == *'resultCode 2, '*'no TLS for you' ]] ;;
		*) true ;;
		esac || fail "$proto: the reply is not in: $stderr"
		finish "$srv_pid"
		[ "$status" -eq 0 ] || fail "$proto server: $(cat "$T/srv.err")"
	done
}

@test "a server that does not offer STARTTLS: exit 1 naming what was missing, nothing sent after" {
	for proto in smtp imap pop3 nntp sieve xmpp; do
		stls_server srv --no-offer "$proto"
		run --separate-stderr timeout 20 "$SOCKLINE" --starttls "$proto" \
			--tls-ca "$PKI/ca.pem" localhost "$port" </dev/null
		[ "$status" -eq 1 ] || fail "$proto: status $status, $stderr"
		[[ "$stderr" == *"does not offer STARTTLS"* ]] || fail "$proto: $stderr"
		finish "$srv_pid"
		[ "$status" -eq 0 ] || fail "$proto server: $(cat "$T/srv.err")"
	done
}

@test "-v shows the plaintext dialogue line by line, and -o logs it with the TLS part" {
	stls_server srv smtp
	printf 'over tls\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" -v -o "$T/log" --starttls smtp \
		--tls-ca "$PKI/ca.pem" localhost "$port" <"$T/in"
	assert_success
	[[ "$stderr" == *"< 220 mail.test ESMTP"* ]] || fail "$stderr"
	[[ "$stderr" == *"> EHLO [127.0.0.1]"* ]] || fail "$stderr"
	[[ "$stderr" == *"> STARTTLS"* ]] || fail "$stderr"
	[[ "$stderr" == *"TLS 1.3"*"verified: "* ]] || fail "$stderr"
	finish "$srv_pid"
	grep -q '< 220 mail.test ESMTP' "$T/log" || fail "$(cat "$T/log")"
	grep -q '> EHLO \[127.0.0.1\]' "$T/log" || fail "$(cat "$T/log")"
	grep -q '< hello over tls' "$T/log" || fail "$(cat "$T/log")"
	grep -q '> over tls' "$T/log" || fail "$(cat "$T/log")"
}

@test "-vv after STARTTLS shows the verified chain and where the records are made" {
	stls_server srv pop3
	run --separate-stderr timeout 20 "$SOCKLINE" -vv --starttls pop3 \
		--tls-ca "$PKI/ca.pem" localhost "$port" </dev/null
	assert_success
	[[ "$stderr" == *"  records: "* ]] || fail "$stderr"
	[[ "$stderr" == *"  0: CN=sockline-test-server"*"issuer CN=sockline test CA"* ]] || fail "$stderr"
	[[ "$stderr" == *"  1: CN=sockline test CA"* ]] || fail "$stderr"
}

@test "--starttls with -u or -z is a usage error naming --starttls" {
	run --separate-stderr "$SOCKLINE" -u --starttls smtp 127.0.0.1 25
	assert_failure 2
	assert_equal "$stderr" "sockline: --starttls is for streams, not -u (see 'sockline --help')"
	run --separate-stderr "$SOCKLINE" -z --starttls smtp 127.0.0.1 25
	assert_failure 2
	assert_equal "$stderr" "sockline: -z only probes: not with --starttls (see 'sockline --help')"
}

@test "--starttls composes with -x: the TLS data is dumped in hex" {
	stls_server srv smtp
	printf 'over tls\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" -x --starttls smtp \
		--tls-ca "$PKI/ca.pem" localhost "$port" <"$T/in"
	assert_success
	[[ "$output" == *"68 65 6c 6c 6f"* ]] || fail "$output"
	finish "$srv_pid"
	assert_equal "$(cat "$T/srv.rec")" "over tls"
}

@test "--starttls composes with --lockstep: each line's reply comes over TLS" {
	stls_server srv --echo imap
	printf 'one\ntwo\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --lockstep -w 5 --starttls imap \
		--tls-ca "$PKI/ca.pem" localhost "$port" <"$T/in"
	assert_success
	assert_output "one
two"
	finish "$srv_pid"
	assert_equal "$(cat "$T/srv.rec")" "one
two"
}

@test "--starttls with an unknown protocol is a usage error, and -l takes only smtp, imap, pop3" {
	run --separate-stderr "$SOCKLINE" --starttls gopher 127.0.0.1 25
	assert_failure 2
	[[ "$stderr" == "sockline: --starttls gopher: not one of smtp,"* ]] || fail "$stderr"
	run --separate-stderr "$SOCKLINE" -l --starttls ldap 0
	assert_failure 2
	[[ "$stderr" == "sockline: -l --starttls plays smtp, imap or pop3, not ldap"* ]] || fail "$stderr"
}

@test "a silent server: the dialogue is bounded by -w" {
	exec 5<>/dev/null
	python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c, _ = s.accept(); c.recv(100); time.sleep(30)' "$T/silent.port" >/dev/null 2>&1 3>&- &
	echo $! >>"$T/pids"
	port=$(port_of "$T/silent.port")
	run --separate-stderr timeout 20 "$SOCKLINE" -w 1 --starttls smtp \
		--tls-ca "$PKI/ca.pem" localhost "$port" </dev/null
	assert_failure 1
	[[ "$stderr" == *"not done after 1.000 s"* ]] || fail "$stderr"
}
