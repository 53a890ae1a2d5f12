#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The prompt's TLS commands (design item 19), in tmux: /starttls puts
# TLS on the live connection now (the user has just seen the server
# agree), /starttls PROTO sends the protocol's upgrade command and waits
# for its go-ahead first; the prompt then says "tls".  /tls describes the
# session and /cert the peer's certificates, each field checked against
# what python's ssl (and the openssl command, for the pin) says.

load helpers/common
load helpers/tmux
load helpers/pki

setup_file() {
	make_pki
}

# stls_server PROTO [OPTION...]: the python STARTTLS server as srv.
stls_server() {
	rm -f "$T/srv.port"
	bg srv starttls-server.py "$@" --port-file "$T/srv.port" \
		--cert "$PKI/server.pem" --key "$PKI/server.key" \
		--info "$T/srv.info" --record "$T/srv.rec"
	port=$(port_of "$T/srv.port")
}

@test "/starttls after the server's '220 go ahead' upgrades the live session, and the prompt says tls" {
	stls_server smtp --ready '220 go ahead'
	repl -C --tls-ca "$PKI/ca.pem" localhost "$port"
	wait_pane '^220 mail.test ESMTP$'
	line 'EHLO [127.0.0.1]'
	wait_pane '^250 STARTTLS$'
	line STARTTLS
	wait_pane '^220 go ahead$'
	line /starttls
	wait_pane 'is now TLS'
	wait_pane '^hello over tls$'
	wait_pane "^localhost:$port tls> |^127\\.0\\.0\\.1:$port tls> "
	line 'secret line'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
	assert_equal "$(tr -d '\r' <"$T/srv.rec")" "secret line"
}

@test "/starttls smtp sends STARTTLS itself and upgrades on the 220" {
	stls_server smtp
	repl -C --tls-ca "$PKI/ca.pem" localhost "$port"
	wait_pane '^220 mail.test ESMTP$'
	line 'EHLO [127.0.0.1]'
	wait_pane '^250 STARTTLS$'
	line '/starttls smtp'
	wait_pane 'is now TLS'
	wait_pane '^hello over tls$'
	line 'after the upgrade'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
	assert_equal "$(tr -d '\r' <"$T/srv.rec")" "after the upgrade"
}

@test "/starttls smtp refused: the reply is shown and the session ends with exit 1" {
	stls_server smtp --refuse
	repl -C --tls-ca "$PKI/ca.pem" localhost "$port"
	wait_pane '^220 mail.test ESMTP$'
	line 'EHLO [127.0.0.1]'
	wait_pane '^250 STARTTLS$'
	line '/starttls smtp'
	wait_repl_exit
	assert_equal "$status" 1
	pane_has '454 4.7.0 TLS not available' || { pane >&2; fail "no reply shown"; }
	assert_terminal_restored
}

@test "/tls and /cert: every field agrees with python's ssl and openssl" {
	stls_server smtp --alpn smtp
	repl --starttls smtp --tls-alpn smtp --tls-ca "$PKI/ca.pem" localhost "$port"
	wait_pane '^hello over tls$'
	wait_pane "tls> "
	line /tls
	wait_pane '^  kTLS '
	version=$(sed -n 's/^version=//p' "$T/srv.info")
	cipher=$(sed -n 's/^cipher=//p' "$T/srv.info")
	pane_has "^  version +$version\$" || { pane >&2; fail "version $version"; }
	pane_has "^  cipher +$cipher " || { pane >&2; fail "cipher $cipher"; }
	pane_has "^  ALPN +smtp\$" || { pane >&2; fail "ALPN"; }
	pane_has "^  SNI +localhost\$" || { pane >&2; fail "SNI"; }
	pane_has "^  resumed +no\$" || { pane >&2; fail "resumed"; }
	pane_has "^  peer +verified for localhost\$" || { pane >&2; fail "verification"; }
	line /cert
	wait_pane '^  pin '
	python3 - "$PKI/server.pem" >"$T/expect" <<'PY'
import hashlib, ssl, sys
d = ssl._ssl._test_decode_cert(sys.argv[1])
name = lambda rdns: ",".join("%s=%s" % (
    {"commonName": "CN", "organizationName": "O"}[k], v)
    for rdn in reversed(rdns) for k, v in rdn)
print("subject=" + name(d["subject"]))
print("issuer=" + name(d["issuer"]))
import ipaddress
print("sans=" + ", ".join("DNS:" + v if k == "DNS" else
                           "IP:" + ipaddress.ip_address(v.strip()).compressed
                           for k, v in d["subjectAltName"]))
der = ssl.PEM_cert_to_DER_cert(open(sys.argv[1]).read())
h = hashlib.sha256(der).hexdigest().upper()
print("sha256=" + ":".join(h[i:i + 2] for i in range(0, 64, 2)))
PY
	pin=$(openssl x509 -in "$PKI/server.pem" -pubkey -noout |
		openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
	subject=$(sed -n 's/^subject=//p' "$T/expect")
	issuer=$(sed -n 's/^issuer=//p' "$T/expect")
	sans=$(sed -n 's/^sans=//p' "$T/expect")
	sha=$(sed -n 's/^sha256=//p' "$T/expect")
	pane >"$T/screen"
	grep -qF "  subject      $subject" "$T/screen" || fail "subject $subject: $(cat "$T/screen")"
	grep -qF "  issuer       $issuer" "$T/screen" || fail "issuer $issuer"
	grep -qF "  SANs         $sans" "$T/screen" || fail "SANs $sans: $(cat "$T/screen")"
	grep -qF "  SHA-256      $sha" "$T/screen" || fail "SHA-256 $sha"
	grep -qF "  pin          sha256:$pin" "$T/screen" || fail "pin $pin"
	grep -qE "^  key +EC P-256 \(256 bits\)$" "$T/screen" || fail "key"
	grep -qE "^  signature +ecdsa-with-SHA256$" "$T/screen" || fail "signature"
	grep -qE "^  valid +.* \(expires in (29|30) days\)$" "$T/screen" || fail "validity"
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "/tls on a plain connection says so, and names /starttls" {
	serve send:'hi\n' expect-eof
	repl_to_peer
	line /tls
	wait_pane 'sockline: /tls: the connection is not TLS \(/starttls upgrades it\)'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "a listener's /starttls takes the server's role with its certificate" {
	repl -l 127.0.0.1 0 --port-file "$T/lport" --tls-cert "$PKI/server.pem" \
		--tls-key "$PKI/server.key"
	lport=$(port_of "$T/lport")
	# The client starts its handshake once the test has seen the
	# listener take the server's role (a file, not a pause).
	bg cli python3 -c '
import os, socket, ssl, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"STARTTLS\r\n")
got = b""
while not got.endswith(b"\n"):
    got += s.recv(1)
if got != b"go\n":
    sys.exit("no go: %r" % got)
deadline = time.time() + 20
while not os.path.exists(sys.argv[3]) and time.time() < deadline:
    time.sleep(0.02)
ctx = ssl.create_default_context(cafile=sys.argv[2])
t = ctx.wrap_socket(s, server_hostname="localhost")
t.sendall(b"from the client over tls\n")
print(t.recv(100).decode().strip())' "$lport" "$PKI/ca.pem" "$T/ready"
	wait_pane '^STARTTLS'
	line go
	line /starttls
	wait_pane 'TLS handshake\.\.\.'
	: >"$T/ready"
	wait_pane '^from the client over tls$' || { cat "$T/cli.err" >&2; false; }
	wait_pane 'tls> '
	line 'to the client over tls'
	finish "$cli_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/cli.out")" "to the client over tls"
	line exit
	wait_repl_exit
}

@test "-k: /to N then /starttls upgrades that client only; the other stays plain" {
	repl -l -k 127.0.0.1 0 --port-file "$T/lport" --tls-cert "$PKI/server.pem" \
		--tls-key "$PKI/server.key"
	lport=$(port_of "$T/lport")
	bg plain python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"plain one\n")
f = s.makefile("rb")
print(f.readline().decode().strip())' "$lport"
	wait_pane 'plain one$'
	bg cli python3 -c '
import os, socket, ssl, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"STARTTLS\n")
deadline = time.time() + 20
while not os.path.exists(sys.argv[3]) and time.time() < deadline:
    time.sleep(0.02)
ctx = ssl.create_default_context(cafile=sys.argv[2])
t = ctx.wrap_socket(s, server_hostname="localhost")
t.sendall(b"second over tls\n")
print(t.recv(100).decode().strip())' "$lport" "$PKI/ca.pem" "$T/ready"
	wait_pane 'STARTTLS$'
	line '/to 2'
	line /starttls
	wait_pane 'TLS handshake\.\.\.'
	: >"$T/ready"
	wait_pane 'second over tls$' || { cat "$T/cli.err" >&2; false; }
	line 'only to two'
	finish "$cli_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/cli.out")" "only to two"
	line '/to 1'
	line /tls
	wait_pane '/tls: the connection is not TLS'
	line 'to one in plain text'
	finish "$plain_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/plain.out")" "to one in plain text"
	line exit
	wait_repl_exit
}
