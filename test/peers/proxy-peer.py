#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A SOCKS4/4a/5 or HTTP CONNECT proxy for sockline's tests (stdlib only).

It records the exact handshake bytes each client sent (one line per
message, hex) in --record FILE, so a test checks what sockline sent, and
can be told to refuse each way.  A tunnel it opens relays both ways and
passes a half-close on in each direction.

  proxy-peer.py --kind socks5|socks4|http --port-file FILE --record FILE
      [-6] [--port P] [--auth USER:PASS] [--refuse CODE] [--garbage]
      [--close] [--silent] [--gate FILE] [--tls CERT KEY]

--refuse CODE: SOCKS5 reply code, SOCKS4 code (91-93) or HTTP status line
("403 Forbidden"); --garbage: answer with bytes of no protocol; --close:
close after the request, without answering; --silent: never answer.
--gate FILE: answer a request (once recorded) only when FILE exists, for
at most 30 s, so a test can act while a client waits for the tunnel.
--port P: listen on P rather than a free port (a proxy started again).
"""

import argparse
import base64
import os
import socket
import ssl
import sys
import threading
import time

lock = threading.Lock()


def record(path, tag, data):
    with lock, open(path, "a") as f:
        f.write("%s %s\n" % (tag, data.hex()))


def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("closed after %d of %d bytes" % (len(b), n))
        b += c
    return b


def read_until(s, end):
    b = b""
    while not b.endswith(end):
        c = s.recv(1)
        if not c:
            raise EOFError("closed mid-request")
        b += c
    return b


def pump(src, dst):
    try:
        while True:
            d = src.recv(65536)
            if not d:
                break
            dst.sendall(d)
    except OSError:
        pass
    try:
        if isinstance(dst, ssl.SSLSocket):
            dst.unwrap()
        else:
            dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def relay(c, t):
    a = threading.Thread(target=pump, args=(c, t))
    a.start()
    pump(t, c)
    a.join()
    c.close()
    t.close()


def gate(a):
    """Holds the answer to a request until --gate's file exists."""
    if a.gate is None:
        return
    for _ in range(3000):
        if os.path.exists(a.gate):
            return
        time.sleep(0.01)
    raise EOFError("gate %s never opened" % a.gate)


def misbehave(c, a, garbage=None):
    """Before the answer: --gate, then --garbage (where the scheme has
    one here), --close or --silent.  True when one of them was taken."""
    gate(a)
    if a.garbage and garbage is not None:
        c.sendall(garbage)
        return True
    if a.close:
        return True
    if a.silent:
        c.recv(1)
        return True
    return False


def dial(host, port):
    try:
        return socket.create_connection((host, port), timeout=10)
    except OSError:
        return None


def socks5(c, a):
    hello = read_exact(c, 2)
    hello += read_exact(c, hello[1])
    record(a.record, "hello", hello)
    if a.garbage:
        c.sendall(b"HTTP/1.0 400 Bad\r\n\r\n")
        return
    methods = hello[2:]
    want = 2 if a.auth else 0
    if a.refuse == "method" or want not in methods:
        c.sendall(b"\x05\xff")
        return
    c.sendall(bytes([5, want]))
    if want == 2:
        h = read_exact(c, 2)
        user = read_exact(c, h[1])
        plen = read_exact(c, 1)
        pw = read_exact(c, plen[0])
        msg = h + user + plen + pw
        record(a.record, "auth", msg)
        if (user + b":" + pw).decode("latin-1") != a.auth:
            c.sendall(b"\x01\x01")
            return
        c.sendall(b"\x01\x00")
    req = read_exact(c, 4)
    if req[3] == 1:
        addr = read_exact(c, 4)
        host = socket.inet_ntop(socket.AF_INET, addr)
    elif req[3] == 4:
        addr = read_exact(c, 16)
        host = socket.inet_ntop(socket.AF_INET6, addr)
    elif req[3] == 3:
        n = read_exact(c, 1)
        addr = n + read_exact(c, n[0])
        host = addr[1:].decode()
    else:
        return
    port = read_exact(c, 2)
    record(a.record, "request", req + addr + port)
    if misbehave(c, a):
        return
    if a.refuse is not None:
        c.sendall(bytes([5, int(a.refuse), 0, 1, 0, 0, 0, 0, 0, 0]))
        return
    t = dial(host, int.from_bytes(port, "big"))
    if t is None:
        c.sendall(bytes([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]))
        return
    # A bound address of the other type, to check the parser's lengths.
    c.sendall(bytes([5, 0, 0, 4]) + bytes(16) + b"\x12\x34")
    relay(c, t)


def socks4(c, a):
    req = read_exact(c, 8)
    user = read_until(c, b"\0")
    req += user
    host = socket.inet_ntop(socket.AF_INET, req[4:8])
    if req[4:7] == b"\0\0\0" and req[7] != 0:
        name = read_until(c, b"\0")
        req += name
        host = name[:-1].decode()
    record(a.record, "request", req)
    if misbehave(c, a, b"\x05\x00\x00\x00\x00\x00\x00\x00"):
        return
    if a.auth and user[:-1].decode() != a.auth:
        c.sendall(b"\0\x5d" + bytes(6))
        return
    if a.refuse is not None:
        c.sendall(bytes([0, int(a.refuse)]) + bytes(6))
        return
    t = dial(host, int.from_bytes(req[2:4], "big"))
    if t is None:
        c.sendall(b"\0\x5b" + bytes(6))
        return
    c.sendall(b"\0\x5a" + bytes(6))
    relay(c, t)


def http(c, a):
    req = read_until(c, b"\r\n\r\n")
    record(a.record, "request", req)
    if misbehave(c, a, b"\x00\x01garbage\r\n\r\n"):
        return
    lines = req.decode("latin-1").split("\r\n")
    if a.auth:
        want = "Proxy-Authorization: Basic " + base64.b64encode(
            a.auth.encode("latin-1")).decode()
        if want not in lines:
            c.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                      b"Proxy-Authenticate: Basic realm=\"t\"\r\n"
                      b"Content-Length: 0\r\n\r\n")
            return
    if a.refuse is not None:
        c.sendall(b"HTTP/1.1 " + a.refuse.encode() +
                  b"\r\nContent-Length: 0\r\n\r\n")
        return
    target = lines[0].split(" ")[1]
    host, _, port = target.rpartition(":")
    t = dial(host.strip("[]"), int(port))
    if t is None:
        c.sendall(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
        return
    c.sendall(b"HTTP/1.1 200 Connection established\r\n"
              b"Via: proxy-peer\r\n\r\n")
    relay(c, t)


def serve(c, a, tls):
    try:
        if tls is not None:
            c = tls.wrap_socket(c, server_side=True)
        {"socks5": socks5, "socks4": socks4, "http": http}[a.kind](c, a)
    except (OSError, EOFError, ssl.SSLError) as e:
        with lock:
            print("proxy-peer:", e, file=sys.stderr, flush=True)
    finally:
        try:
            c.close()
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kind", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--record", required=True)
    p.add_argument("-6", dest="v6", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--refuse")
    p.add_argument("--garbage", action="store_true")
    p.add_argument("--close", action="store_true")
    p.add_argument("--silent", action="store_true")
    p.add_argument("--tls", nargs=2)
    p.add_argument("--gate")
    p.add_argument("--port", type=int, default=0)
    a = p.parse_args()
    tls = None
    if a.tls:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(a.tls[0], a.tls[1])
    fam = socket.AF_INET6 if a.v6 else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::1" if a.v6 else "127.0.0.1", a.port))
    s.listen(16)
    open(a.record, "w").close()
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, a, tls), daemon=True).start()


if __name__ == "__main__":
    main()
