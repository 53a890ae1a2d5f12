#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Clients that reset at once, against a -k listener running programs.

    reset-clients.py HOST PORT CLIENTS MAX

The listener is `sockline -l -k -m MAX -c CMD` where CMD prints
"ready PID" (its own PID) and then ignores SIGTERM.  CLIENTS clients
connect one after the other; each reads one line, and if it is
"ready PID" resets the connection (SO_LINGER 0) at once; a client the
listener turns away just sees the end of the stream.  After each ready
line, no more than MAX of the programs seen so far may be alive: a
program counts against -m until it has exited.  Then every program
seen must end (the listener kills what ignores SIGTERM), and one more
client must be served again.  Exits 0 with a summary on stdout, or 1
with the first thing that went wrong on stderr.
"""

import os
import socket
import struct
import sys
import time

WAIT = 20


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead, whoever has not collected it yet.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def one(host, port):
    """Returns the program's PID, or None when turned away."""
    s = socket.create_connection((host, port), timeout=WAIT)
    f = s.makefile("rb")
    line = f.readline()
    if not line:
        s.close()
        return None
    words = line.split()
    if len(words) != 2 or words[0] != b"ready":
        sys.exit("reset-clients.py: unexpected line %r" % line)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    return int(words[1])


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    clients, most = int(sys.argv[3]), int(sys.argv[4])
    seen, refused = [], 0
    for _ in range(clients):
        pid = one(host, port)
        if pid is None:
            refused += 1
            continue
        seen.append(pid)
        n = sum(alive(p) for p in seen)
        if n > most:
            sys.exit("reset-clients.py: %d programs alive under -m %d"
                     % (n, most))
    end = time.monotonic() + WAIT
    while any(alive(p) for p in seen):
        if time.monotonic() > end:
            sys.exit("reset-clients.py: programs still alive: %s"
                     % [p for p in seen if alive(p)])
        time.sleep(0.02)
    end = time.monotonic() + WAIT
    while True:
        pid = one(host, port)
        if pid is not None:
            break
        if time.monotonic() > end:
            sys.exit("reset-clients.py: never served again")
        time.sleep(0.02)
    print("started %d, turned away %d, then served again" %
          (len(seen), refused))


if __name__ == "__main__":
    main()
