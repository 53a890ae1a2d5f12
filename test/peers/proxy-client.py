#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A client of a SOCKS5 or HTTP CONNECT proxy, for testing sockline's
--proxy-server with something that is not sockline (stdlib only).

  proxy-client.py --kind socks5|http --port P [--proxy-host H]
      [--auth USER:PASS] [--atyp name|v4|v6] [--refused CODE]
      TARGET_HOST TARGET_PORT STEP...

It opens a tunnel to TARGET through the proxy, checks the proxy's
answer, then runs the steps through the tunnel:

  send:TEXT    send TEXT (\\n, \\r, \\t, \\xHH escapes)
  expect:TEXT  receive exactly TEXT
  shutdown     half-close our side
  expect-eof   the next read sees the end of stream
  hold         keep the tunnel open until the proxy closes it

--refused CODE: the proxy must refuse, with this SOCKS5 reply code
(255 for "no acceptable method", 1001 for a failed RFC 1929 check) or
HTTP status; then there are no steps.  The special step "stall" sends
half a greeting and waits for the proxy to drop us (a client that never
finishes its handshake).  Exit 0 when all went as said, 1 with a reason.
"""

import argparse
import base64
import codecs
import socket
import sys


def fail(msg):
    print("proxy-client: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            fail("the proxy closed after %d of %d bytes" % (len(b), n))
        b += c
    return b


def socks5(s, a):
    offer = b"\x02" if a.auth else b"\x00"
    s.sendall(b"\x05\x01" + offer)
    m = read_exact(s, 2)
    if m[1] == 0xff:
        return 255
    if m != b"\x05" + offer:
        fail("method answer %r" % m)
    if a.auth:
        u, _, p = a.auth.partition(":")
        s.sendall(bytes([1, len(u)]) + u.encode() + bytes([len(p)]) +
                  p.encode())
        r = read_exact(s, 2)
        if r[1] != 0:
            return 1001
    if a.atyp == "v4":
        dst = b"\x01" + socket.inet_pton(socket.AF_INET, a.host)
    elif a.atyp == "v6":
        dst = b"\x04" + socket.inet_pton(socket.AF_INET6, a.host)
    else:
        dst = b"\x03" + bytes([len(a.host)]) + a.host.encode()
    s.sendall(b"\x05\x01\x00" + dst + a.port.to_bytes(2, "big"))
    r = read_exact(s, 4)
    n = {1: 4, 4: 16}.get(r[3])
    if n is None:
        fail("reply address type %d" % r[3])
    read_exact(s, n + 2)
    return r[1]


def http(s, a):
    host = "[%s]" % a.host if ":" in a.host else a.host
    req = "CONNECT %s:%d HTTP/1.1\r\nHost: %s:%d\r\n" % (host, a.port,
                                                         host, a.port)
    if a.auth:
        req += "Proxy-Authorization: Basic %s\r\n" % base64.b64encode(
            a.auth.encode()).decode()
    s.sendall((req + "\r\n").encode())
    b = b""
    while not b.endswith(b"\r\n\r\n"):
        c = s.recv(1)
        if not c:
            fail("the proxy closed mid-answer: %r" % b)
        b += c
    status = int(b.split(b" ")[1])
    return 0 if status == 200 else status


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kind", required=True)
    p.add_argument("--port", dest="pport", type=int, required=True)
    p.add_argument("--proxy-host", default="127.0.0.1")
    p.add_argument("--auth")
    p.add_argument("--atyp", default="name")
    p.add_argument("--refused", type=int)
    p.add_argument("host")
    p.add_argument("port_", metavar="port", type=int)
    p.add_argument("steps", nargs="*")
    a = p.parse_args()
    a.port = a.port_
    s = socket.create_connection((a.proxy_host, a.pport),
                                 timeout=30)
    if a.steps[:1] == ["stall"]:
        s.sendall(b"\x05" if a.kind == "socks5" else b"CONNECT loc")
        try:
            if s.recv(1) != b"":
                fail("the proxy answered half a greeting")
        except ConnectionResetError:
            pass
        return
    code = (socks5 if a.kind == "socks5" else http)(s, a)
    if a.refused is not None:
        if code != a.refused:
            fail("answer %d, not the refusal %d" % (code, a.refused))
        return
    if code != 0:
        fail("the proxy refused: %d" % code)
    for step in a.steps:
        kind, _, arg = step.partition(":")
        data = codecs.escape_decode(arg.encode())[0]
        if kind == "send":
            s.sendall(data)
        elif kind == "expect":
            got = read_exact(s, len(data))
            if got != data:
                fail("expected %r, got %r" % (data, got))
        elif kind == "shutdown":
            s.shutdown(socket.SHUT_WR)
        elif kind == "expect-eof":
            got = s.recv(1)
            if got:
                fail("expected the end, got %r" % got)
        elif kind == "hold":
            while s.recv(65536):
                pass
        else:
            fail("no step " + step)


if __name__ == "__main__":
    main()
