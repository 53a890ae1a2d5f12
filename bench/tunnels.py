#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Opens N SOCKS5 tunnels through a proxy to a target and holds them
idle, for the RSS-per-idle-tunnel figure of bench/proxy-run.

  tunnels.py PROXY_PORT TARGET_PORT N READY_FILE

Every tunnel is checked (one echoed byte through each), then READY_FILE
is written and the tunnels are held until the process is killed.
"""

import socket
import sys
import time


def tunnel(pport, tport):
    s = socket.create_connection(("127.0.0.1", pport))
    s.sendall(b"\x05\x01\x00")
    assert s.recv(2) == b"\x05\x00"
    s.sendall(b"\x05\x01\x00\x01\x7f\x00\x00\x01" + tport.to_bytes(2, "big"))
    r = b""
    while len(r) < 10:
        r += s.recv(10 - len(r))
    assert r[1] == 0, r
    s.sendall(b"x")
    assert s.recv(1) == b"x"
    return s


def main():
    pport, tport, n, ready = (int(sys.argv[1]), int(sys.argv[2]),
                              int(sys.argv[3]), sys.argv[4])
    held = [tunnel(pport, tport) for _ in range(n)]
    with open(ready, "w") as f:
        f.write("%d\n" % len(held))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
