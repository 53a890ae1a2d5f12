#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A server that drips: one byte every 20 ms, and never a newline.

    drip.py PORT_FILE [TEXT]

Listens on 127.0.0.1 (any free port, written to PORT_FILE), takes one
client and sends it TEXT (default "220 slow greeting ") a byte at a
time, over and over, for at most 60 s or until the client goes.  It
stands for a server whose greeting never ends.
"""

import os
import socket
import sys
import time

port_file = sys.argv[1]
text = (sys.argv[2] if len(sys.argv) > 2 else "220 slow greeting ").encode()
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.getsockname()[1])
os.rename(port_file + ".tmp", port_file)
c, _ = srv.accept()
end = time.monotonic() + 60
try:
    while time.monotonic() < end:
        for b in text:
            c.sendall(bytes([b]))
            time.sleep(0.02)
except OSError:
    pass
