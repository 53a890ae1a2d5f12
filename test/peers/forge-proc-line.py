#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Holds an abstract unix name that forges a /proc/net/unix line.

    forge-proc-line.py PATH READY

Binds an abstract unix socket whose name holds a newline followed by
what looks like a whole /proc/net/unix line for PATH, so that a reader
of that file who trusts its lines believes a socket is bound to PATH.
Touches READY once bound, then waits to be killed.
"""

import os
import signal
import socket
import sys

path, ready = sys.argv[1], sys.argv[2]
line = "0000000000000000: 00000002 00000000 00010000 0001 01 1 " + path
name = ("\0f%d\n" % os.getpid() + line).encode()
if len(name) > 107:
    sys.exit("forge-proc-line.py: %s is too long to forge" % path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(name)
with open("/proc/net/unix") as f:
    if ("\n" + line + "\n") not in f.read():
        sys.exit("forge-proc-line.py: the forged line is not listed")
with open(ready, "w") as f:
    f.write("bound\n")
signal.pause()
