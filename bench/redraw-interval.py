#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/redraw-interval.py SOCKLINE PORT SECONDS

Runs SOCKLINE 127.0.0.1 PORT on a pseudo-terminal of its own (120x30)
while the peer on PORT floods it, types a line (not Enter), and reads
the terminal's output as fast as it comes for SECONDS.  A moment where
the output stops for at least 5 ms with the prompt and the typed line
last on the screen is one where a person (or tmux) sees them.  Prints
the longest and the median time in ms between the starts of two such
moments, and how many there were.  The child is killed at the end.
"""

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

QUIET = 0.005
TYPED = b"typed during the flood"


def main():
    prog, port, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(prog, [prog, "127.0.0.1", port])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    tail = b""
    typed = False
    seen = []
    visible = False
    start = time.monotonic()
    end = start + secs
    while True:
        now = time.monotonic()
        if now >= end:
            break
        r, _, _ = select.select([fd], [], [], QUIET)
        if not r:
            if typed and not visible and tail.endswith(b"> " + TYPED):
                seen.append(time.monotonic() - QUIET)
                visible = True
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        visible = False
        tail = (tail + data)[-256:]
        if not typed and b"flood " in data:
            os.write(fd, TYPED)
            typed = True
            first = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    if not typed:
        print("no flood seen")
        return 1
    marks = [first] + seen + [end]
    gaps = sorted((b - a) * 1000 for a, b in zip(marks, marks[1:]))
    print("%.0f %.0f %d" % (gaps[-1], gaps[len(gaps) // 2], len(seen)))
    if os.environ.get("GAPS"):
        print(" ".join("%.0f" % g for g in gaps[-8:]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
