#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A listener that checks the PROXY protocol header a client sends first,
byte for byte, against haproxy's proxy-protocol.txt, with the standard
library only.

    proxy-listener.py [-6] --port-file F --version 1|2 --data TEXT

Listens on 127.0.0.1 (or ::1 with -6), port 0, writes the port to F,
takes one connection and reads it to its end.  The header must come
first and name the connection as this side sees it: the source is the
client's address and port (getpeername), the destination ours
(getsockname).  After the header must come exactly TEXT (C escapes \\n).
Exits 0 and prints the header (v1 as text, v2 in hex) when all is as
it should be, 1 with a one-line reason otherwise.
"""

import argparse
import os
import socket
import struct
import sys

V2_SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def fail(msg):
    print("proxy-listener: " + msg, file=sys.stderr)
    sys.exit(1)


def expected(version, family, src, dst):
    if version == 1:
        proto = "TCP4" if family == socket.AF_INET else "TCP6"
        return ("PROXY %s %s %s %d %d\r\n" % (proto, src[0], dst[0], src[1],
                                              dst[1])).encode()
    if family == socket.AF_INET:
        fam, addrs = 0x11, socket.inet_pton(family, src[0]) + \
            socket.inet_pton(family, dst[0])
    else:
        fam, addrs = 0x21, socket.inet_pton(family, src[0]) + \
            socket.inet_pton(family, dst[0])
    body = addrs + struct.pack("!HH", src[1], dst[1])
    # Version 2 (high nibble), command PROXY (low nibble 1).
    return V2_SIG + bytes([0x21, fam]) + struct.pack("!H", len(body)) + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-6", dest="v6", action="store_true")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--version", type=int, choices=(1, 2), required=True)
    ap.add_argument("--data", default="")
    a = ap.parse_args()
    family = socket.AF_INET6 if a.v6 else socket.AF_INET
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.bind(("::1" if a.v6 else "127.0.0.1", 0))
    ls.listen(1)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(tmp, a.port_file)
    ls.settimeout(20)
    conn, _ = ls.accept()
    conn.settimeout(20)
    got = b""
    while True:
        d = conn.recv(65536)
        if not d:
            break
        got += d
    want = expected(a.version, family, conn.getpeername()[:2],
                    conn.getsockname()[:2])
    if not got.startswith(want):
        fail("header %r, wanted %r" % (got[:len(want) + 16], want))
    rest = got[len(want):]
    data = a.data.encode().decode("unicode_escape").encode("latin-1")
    if rest != data:
        fail("after the header %r, wanted %r" % (rest[:80], data))
    print(want.decode() if a.version == 1 else want.hex(), end="" if
          a.version == 1 else "\n")


if __name__ == "__main__":
    main()
