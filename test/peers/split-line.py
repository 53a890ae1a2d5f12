#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two clients of a -k listener, for the rule that lines of different
clients are never mixed inside a line unless one paused.

    split-line.py HOST PORT

Client a sends the first half of a line, client b a whole line, then a
the rest of its line.  The listener may show a partial line once its
client has paused for 50 ms, so an attempt counts only if a's two
halves went out well within that; a machine too loaded for that gets
another attempt (up to 20).  Prints the number of the attempt that
counts, or exits 1.
"""

import socket
import sys
import time

# Well inside the listener's 50 ms pause.
BUDGET = 0.035


def attempt(host, port, n):
    a = socket.create_connection((host, port), timeout=20)
    b = socket.create_connection((host, port), timeout=20)
    t0 = time.monotonic()
    a.sendall(b"first half %d " % n)
    # Give the listener a moment to read a's half before b's line, so
    # the two really overlap (pacing, not synchronisation: the check
    # below decides whether the attempt counts).
    time.sleep(0.01)
    b.sendall(b"whole line from b %d\n" % n)
    a.sendall(b"second half %d\n" % n)
    gap = time.monotonic() - t0
    a.close()
    b.close()
    return gap < BUDGET


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    for n in range(20):
        if attempt(host, port, n):
            print(n)
            return 0
    print("no attempt sent its halves within %d ms" % (BUDGET * 1000),
          file=sys.stderr)
    return 1


sys.exit(main())
