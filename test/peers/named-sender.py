#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A unix datagram sender with a name of its own choosing.

    named-sender.py NAME PATH TEXT...

Binds NAME (C escapes \\xHH \\n \\e; a leading '@' makes it abstract)
and sends each TEXT (same escapes) as one datagram to PATH.  It stands
for a local user who names a socket to put bytes on a terminal.
"""

import sys


def unescape(text):
    raw = text.encode("utf-8", "surrogateescape")
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 92 and i + 1 < len(raw):
            n = chr(raw[i + 1])
            if n == "x":
                out.append(int(raw[i + 2:i + 4], 16))
                i += 4
                continue
            if n in "ne\\":
                out.append({"n": 10, "e": 27, "\\": 92}[n])
                i += 2
                continue
        out.append(raw[i])
        i += 1
    return bytes(out)


import os
import socket

name = unescape(sys.argv[1])
if name.startswith(b"@"):
    name = b"\0" + name[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(name)
for text in sys.argv[3:]:
    s.sendto(unescape(text), sys.argv[2])
if not name.startswith(b"\0"):
    os.unlink(name)
