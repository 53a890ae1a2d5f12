#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A service that answers one line per connection and then closes, as
many one-shot protocols do (finger, an HTTP/1.0 server, a health check).

    line-then-close.py --port-file F [--max N]

It listens on a free port of 127.0.0.1 (written to the port file) and,
for each of up to N connections (default 5) in turn, reads one line,
answers "got LINE on connection K" and closes.  Exit 0 after N
connections; 1 when none comes for IO_TIMEOUT seconds.
"""

IO_TIMEOUT = 20

import argparse
import os
import socket
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--max", type=int, default=5)
    a = ap.parse_args()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.settimeout(IO_TIMEOUT)
    for k in range(1, a.max + 1):
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            print("no connection %d within %d s" % (k, IO_TIMEOUT),
                  file=sys.stderr)
            sys.exit(1)
        conn.settimeout(IO_TIMEOUT)
        line = b""
        try:
            while not line.endswith(b"\n"):
                chunk = conn.recv(1)
                if not chunk:
                    break
                line += chunk
        except socket.timeout:
            pass
        if line:
            conn.sendall(b"got " + line.rstrip(b"\n") +
                         b" on connection %d\n" % k)
        conn.close()


if __name__ == "__main__":
    main()
