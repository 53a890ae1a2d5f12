#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --broker and --chat on a TLS listener (design items 19 and 22): each
# client's handshake is done before it joins, and what is relayed is the
# plaintext, re-encrypted for each of the others.  Python TLS clients.

load helpers/common

# tls_clients MODE PORT GO: two python TLS clients of a relay; once GO
# exists the second sends a line, and the first must get it as MODE
# relays it.  Started in the background as cl.
tls_clients() {
	cat >"$T/clients.py" <<'PY'
import os, socket, ssl, sys, time
mode, port, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def client():
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    return ctx.wrap_socket(s)
def line(t):
    got = b""
    while not got.endswith(b"\n"):
        d = t.recv(1)
        assert d, "end of stream after %r" % got
        got += d
    return got
a = client()
if mode == "chat":
    assert line(a) == b"<notice> you are user1\n"
b = client()
if mode == "chat":
    assert line(b) == b"<notice> you are user2; also here: user1\n"
    assert line(a).startswith(b"<notice> user2 joined from 127.0.0.1 ")
for _ in range(2000):
    if os.path.exists(go):
        break
    time.sleep(0.01)
b.sendall(b"secret \x1b\n")
want = b"<user2> secret \\x1b\n" if mode == "chat" else b"secret \x1b\n"
got = line(a)
assert got == want, got
print("ok")
PY
	bg cl python3 "$T/clients.py" "$@"
}

# joined N: the listener's -v has reported N finished handshakes (the
# client joins the session right after).
joined() {
	(($(grep -c ': TLS 1\.[23], ' "$T/sl.err") >= $1))
}

@test "a TLS broker relays the plaintext of one client to another" {
	bg sl "$SOCKLINE" -v -l --broker --tls --port-file "$T/port" 127.0.0.1 0
	port=$(port_of "$T/port")
	tls_clients broker "$port" "$T/go"
	wait_until joined 2
	touch "$T/go"
	finish "$cl_pid"
	cat "$T/cl.err" >&2
	assert_equal "$status" 0
	run cat "$T/cl.out"
	assert_output ok
}

@test "a TLS chat names, escapes and relays lines between TLS clients" {
	bg sl "$SOCKLINE" -v -l --chat --tls --port-file "$T/port" 127.0.0.1 0
	port=$(port_of "$T/port")
	tls_clients chat "$port" "$T/go"
	wait_until joined 2
	touch "$T/go"
	finish "$cl_pid"
	cat "$T/cl.err" >&2
	assert_equal "$status" 0
	run cat "$T/cl.out"
	assert_output ok
}
