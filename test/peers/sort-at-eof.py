#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A sort service for sockline's tests: it answers only at end of input,
like sort(1) over a socket, whois-like servers and test responders.

    sort-at-eof.py --port-file F [--record F]

It listens on a free port of 127.0.0.1 (written to the port file),
takes one connection, reads until the client's end of input (its
half-close), sends back the lines it got, sorted, and then keeps the
connection open (for IO_TIMEOUT at most), so that the client, not the
service, decides when the session ends.  --record gets every byte
received, written once the end of input has come.  Exit 0 when the end
of input came and the answer was sent; 1 with a reason otherwise.
"""

IO_TIMEOUT = 20

import argparse
import os
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--record")
    a = ap.parse_args()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.settimeout(IO_TIMEOUT)
    conn, _ = srv.accept()
    conn.settimeout(IO_TIMEOUT)
    got = b""
    try:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        print("no end of input within %d s" % IO_TIMEOUT, file=sys.stderr)
        sys.exit(1)
    if a.record:
        with open(a.record + ".tmp", "wb") as f:
            f.write(got)
        os.rename(a.record + ".tmp", a.record)
    conn.sendall(b"".join(l + b"\n" for l in sorted(got.splitlines())))
    # Open until the test is over: only the client may end the session.
    time.sleep(IO_TIMEOUT)


if __name__ == "__main__":
    main()
