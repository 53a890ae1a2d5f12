#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Large unix datagrams, for the rule that they arrive whole.

    big-dgram.py send PATH SIZE
    big-dgram.py serve PATH SIZE READY

send: one datagram of SIZE bytes to the unix datagram socket at PATH.
serve: binds PATH, touches READY (writes "ready"), and answers every
datagram it gets with one of SIZE bytes, until killed.

The bytes are a repeating pattern (0, 1, ..., 250), so a test can tell
a whole datagram from a cut one with cmp.  SO_SNDBUF is raised as far
as it goes without privilege, since the kernel refuses a unix datagram
larger than the sender's send buffer.  `pattern SIZE` writes the
same bytes to stdout.
"""

import socket
import sys


def pattern(size):
    unit = bytes(range(251))
    return (unit * (size // len(unit) + 1))[:size]


def sock():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
    return s


def main():
    mode = sys.argv[1]
    if mode == "pattern":
        sys.stdout.buffer.write(pattern(int(sys.argv[2])))
        return
    path, size = sys.argv[2], int(sys.argv[3])
    if mode == "send":
        s = sock()
        s.sendto(pattern(size), path)
        return
    s = sock()
    s.bind(path)
    with open(sys.argv[4], "w") as f:
        f.write("ready\n")
    while True:
        _, addr = s.recvfrom(1 << 16)
        if addr:
            s.sendto(pattern(size), addr)


if __name__ == "__main__":
    main()
