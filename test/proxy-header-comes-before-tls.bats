#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The PROXY header and TLS together (design items 19 and 22): the header
# comes first, in clear, then the TLS handshake, as haproxy sends them.
# Python peers on both sides: a client that sends a header and then
# speaks TLS, and a server that checks the header before its handshake.

load helpers/common
load helpers/pki

setup_file() {
	make_pki
}

@test "a TLS listener with --accept-proxy-protocol takes the header, then the handshake, and names the header's source" {
	bg sl "$SOCKLINE" -v -l -k --tls --accept-proxy-protocol --echo \
		--port-file "$T/port" 127.0.0.1 0
	port=$(port_of "$T/port")
	run python3 - "$port" <<'PY'
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(b"PROXY TCP4 10.1.2.3 127.0.0.1 4000 443\r\n")
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
t = ctx.wrap_socket(s)
t.sendall(b"over tls\n")
got = b""
while not got.endswith(b"\n"):
    d = t.recv(100)
    assert d, "end of stream"
    got += d
assert got == b"over tls\n", got
print("ok")
PY
	echo "$output"
	assert_success
	assert_output ok
	wait_line "$T/sl.err" '^Connection received on 10\.1\.2\.3 4000$'
}

@test "a TLS client with --proxy-protocol sends the header in clear before its ClientHello" {
	cat >"$T/server.py" <<'PY'
import os, socket, ssl, struct, sys
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % ls.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
ls.settimeout(20)
c, _ = ls.accept()
c.settimeout(20)
want = (b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c"
        + socket.inet_aton(c.getpeername()[0]) + socket.inet_aton("127.0.0.1")
        + struct.pack("!HH", c.getpeername()[1], ls.getsockname()[1]))
got = b""
while len(got) < len(want):
    d = c.recv(len(want) - len(got))
    assert d, "end of stream in the header"
    got += d
assert got == want, (got, want)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
t = ctx.wrap_socket(c, server_side=True)
data = b""
while True:
    d = t.recv(100)
    if not d:
        break
    data += d
assert data == b"secret\n", data
PY
	bg srv python3 "$T/server.py" "$T/port" "$PKI/server.pem" "$PKI/server.key"
	port=$(port_of "$T/port")
	printf 'secret\n' >"$T/in"
	run "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" --proxy-protocol v2 127.0.0.1 "$port" <"$T/in"
	assert_success
	finish "$srv_pid"
	cat "$T/srv.err" >&2
	assert_equal "$status" 0
}
