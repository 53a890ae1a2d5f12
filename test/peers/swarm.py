#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many concurrent clients against an echo server, each checking that it
gets back exactly its own bytes.

    swarm.py HOST PORT CLIENTS [ROUNDS] [INTERVAL_MS]

Every client connects, then for ROUNDS rounds sends one line of random
text (tagged with its number) and reads until that line came back,
pausing INTERVAL_MS between rounds.  Exits 0 if every client got exactly
its own lines, 1 with the first difference otherwise.
"""

import socket
import sys

import peerlib


def main():
    host, port, clients = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    interval = int(sys.argv[5]) / 1000.0 if len(sys.argv) > 5 else 0
    errors = []

    def connect(n):
        return socket.create_connection((host, port), timeout=30)

    def work(n, s):
        if not peerlib.echo_rounds(s, n, rounds, errors, interval):
            return
        s.shutdown(socket.SHUT_WR)
        if s.recv(1) != b"":
            errors.append("client %d: extra bytes after its lines" % n)

    peerlib.swarm(clients, connect, work, errors)
    if errors:
        sys.stderr.write("swarm: %d of %d clients failed; first: %s\n" %
                         (len(set(e.split(":")[0] for e in errors)),
                          clients, errors[0]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
