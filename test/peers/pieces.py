#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sends a file to a TCP server in small pieces, each its own segment.

    pieces.py HOST PORT FILE PIECE [CLIENTS]

Each of CLIENTS connections (default 1) sends the bytes of FILE, PIECE
bytes per send with TCP_NODELAY on, the clients taking turns piece by
piece; then all half-close and wait for the server to close.  Exits 0
once every byte is sent.
"""

import socket
import sys

host, port, path, piece = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    int(sys.argv[4])
clients = int(sys.argv[5]) if len(sys.argv) > 5 else 1
data = open(path, "rb").read()
socks = []
for _ in range(clients):
    s = socket.create_connection((host, port), timeout=20)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    socks.append(s)
for i in range(0, len(data), piece):
    for s in socks:
        s.sendall(data[i:i + piece])
for s in socks:
    s.shutdown(socket.SHUT_WR)
for s in socks:
    s.close()
