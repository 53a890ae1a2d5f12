#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A peer that floods: it listens on 127.0.0.1 (or a unix path), takes
one connection and sends lines of text as fast as the other side takes
them, without ever reading.

    flood.py --port-file F [--unix PATH [--connect]] [--bytes N]
             [--record PATH]

With --bytes N it sends N bytes then closes; without, it never stops
(until killed or the other side goes).  The port (or "ready" with
--unix) is written to F once listening, through a rename so that a
reader never sees half of it.  With --connect it connects to the unix
listener at PATH instead (trying until it is there), and writes
"connected" to F.  With --record, what it receives meanwhile is
appended to PATH as it comes.
"""

import argparse
import os
import socket
import sys
import threading
import time

# No wait is endless: a listener that never comes fails the peer.
IO_TIMEOUT = 20


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--unix")
    ap.add_argument("--bytes", type=int, default=0)
    ap.add_argument("--connect", action="store_true")
    ap.add_argument("--record")
    args = ap.parse_args()
    global RECORD
    RECORD = args.record

    if args.connect:
        conn = connect_unix(args.unix)
        write_atomic(args.port_file, "connected\n")
        return flood(conn, args.bytes)
    if args.unix:
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(args.unix)
        ls.listen(1)
        write_atomic(args.port_file, "ready\n")
    else:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        write_atomic(args.port_file, "%d\n" % ls.getsockname()[1])
    conn, _ = ls.accept()
    ls.close()
    return flood(conn, args.bytes)


def connect_unix(path):
    deadline = time.monotonic() + IO_TIMEOUT
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                sys.exit("flood.py: nobody listens on %s" % path)
            time.sleep(0.02)


RECORD = None


def record(conn, path):
    with open(path, "ab", buffering=0) as f:
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            f.write(data)


def flood(conn, nbytes):
    """Sends nbytes (0: without end) of numbered lines."""
    if RECORD:
        threading.Thread(target=record, args=(conn, RECORD),
                         daemon=True).start()
    # 64 rows of 80 characters: something a terminal has to draw.
    block = b"".join(b"flood %08d %s\n" % (i, b"x" * 64) for i in range(64))
    left = nbytes
    try:
        while nbytes == 0 or left > 0:
            chunk = block if nbytes == 0 else block[:left]
            conn.sendall(chunk)
            left -= len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        return 0
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
