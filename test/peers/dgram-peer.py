#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A datagram peer for sockline's tests, standard library only.

    dgram-peer.py (--port-file F | --unix PATH) --record FILE [--upper]

Binds UDP on 127.0.0.1 (any free port, written to F) or a unix datagram
socket at PATH, and runs until killed.  Every datagram received is
appended to FILE as one line, its Python bytes repr (b'hi\\n'), so a
test can check where datagrams begin and end.  With --upper each one is
answered with itself upper-cased.
"""

import argparse
import os
import socket


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file")
    ap.add_argument("--unix")
    ap.add_argument("--record", required=True)
    ap.add_argument("--upper", action="store_true")
    a = ap.parse_args()

    if a.unix:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(a.unix)
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % sock.getsockname()[1])
        os.rename(tmp, a.port_file)
    while True:
        data, addr = sock.recvfrom(65536)
        with open(a.record, "a") as f:
            f.write(repr(data) + "\n")
        if a.upper and addr:
            sock.sendto(data.upper(), addr)


if __name__ == "__main__":
    main()
