#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A large transfer through sockline, both ways at once, checked with
SHA-256 on both sides.

    bulk.py [--size BYTES] [--stdio pipe|socket] [--storm] [--unix]
            SOCKLINE [-- OPTION...]

The script is sockline's peer (it listens on 127.0.0.1, or on a unix
socket with --unix) and its user (it writes sockline's stdin and reads
its stdout).  It runs `SOCKLINE OPTION... ADDRESS`, and then, at the
same time, writes BYTES to sockline's stdin and sends another BYTES from
the peer; the two streams differ, so a crossed wire shows.  Every side
hashes what it sent or received.  At the end of its input sockline
half-closes, the peer closes after sending, and sockline must exit 0.

--stdio pipe (the default) gives sockline pipes, which it moves with
splice(2); --stdio socket gives it socket pairs, which it reads and
writes.  --storm sends sockline SIGCHLD about every millisecond for the
whole transfer: a handled signal, so every wait it is in is interrupted
(EINTR), and the bytes must still be exact.

Exits 0 and prints one line (sizes, hashes, seconds) if all agree, else
1 with the first thing that did not.
"""

import argparse
import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BLOCK = 1 << 20


# sockline, killed if the transfer fails while it runs.
running = None


def fail(msg):
    sys.stderr.write("bulk: %s\n" % msg)
    if running is not None and running.poll() is None:
        running.kill()
        running.wait()
    sys.exit(1)


class Stream:
    """BYTES of pseudo-random data, the same for the same seed: a random
    block with its number in front, so no two blocks are alike."""

    def __init__(self, seed, size):
        self.block = bytearray(random.Random(seed).randbytes(BLOCK))
        self.size = size
        self.sha = hashlib.sha256()

    def blocks(self):
        left, n = self.size, 0
        view = memoryview(self.block)
        while left > 0:
            self.block[0:8] = n.to_bytes(8, "little")
            k = min(left, BLOCK)
            self.sha.update(view[:k])
            yield view[:k]
            left -= k
            n += 1


class Sink:
    """Counts and hashes what arrives."""

    def __init__(self):
        self.sha = hashlib.sha256()
        self.size = 0

    def take(self, b):
        self.sha.update(b)
        self.size += len(b)


def run(name, fn, errors):
    def wrapped():
        try:
            fn()
        except Exception as e:  # reported by the main thread
            errors.append("%s: %s" % (name, e))
    t = threading.Thread(target=wrapped, name=name, daemon=True)
    t.start()
    return t


def stdio_pair(kind, for_stdin):
    """Our end and sockline's end of one of its standard streams."""
    if kind == "socket":
        a, b = socket.socketpair()
        return a.detach(), b.detach()
    r, w = os.pipe()
    return (w, r) if for_stdin else (r, w)


def write_all(fd, view):
    while len(view) > 0:
        n = os.write(fd, view)
        view = view[n:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=64 << 20)
    ap.add_argument("--stdio", choices=("pipe", "socket"), default="pipe")
    ap.add_argument("--storm", action="store_true")
    ap.add_argument("--unix", action="store_true")
    ap.add_argument("sockline")
    ap.add_argument("options", nargs="*")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="bulk.")
    if a.unix:
        path = os.path.join(tmp, "s")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        where = ["-U", path]
    else:
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.bind(("127.0.0.1", 0))
        where = ["127.0.0.1", str(srv.getsockname()[1])]
    srv.listen(1)
    srv.settimeout(20)

    in_ours, in_theirs = stdio_pair(a.stdio, True)
    out_ours, out_theirs = stdio_pair(a.stdio, False)
    start = time.monotonic()
    global running
    p = subprocess.Popen([a.sockline] + a.options + where, stdin=in_theirs,
                         stdout=out_theirs, stderr=subprocess.PIPE)
    running = p
    os.close(in_theirs)
    os.close(out_theirs)
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        p.kill()
        fail("sockline did not connect: %s" % p.stderr.read().decode())
    srv.close()
    conn.settimeout(300)

    to_stdin = Stream(1, a.size)
    from_peer = Stream(2, a.size)
    at_peer = Sink()
    at_stdout = Sink()
    errors = []

    def feed_stdin():
        for b in to_stdin.blocks():
            write_all(in_ours, b)
        os.close(in_ours)

    def peer_send():
        for b in from_peer.blocks():
            conn.sendall(b)
        conn.shutdown(socket.SHUT_WR)

    def peer_recv():
        buf = bytearray(BLOCK)
        while True:
            n = conn.recv_into(buf)
            if n == 0:
                break
            at_peer.take(memoryview(buf)[:n])

    def read_stdout():
        while True:
            b = os.read(out_ours, BLOCK)
            if not b:
                break
            at_stdout.take(b)

    signals = 0
    threads = [run("stdin", feed_stdin, errors),
               run("peer-send", peer_send, errors),
               run("peer-recv", peer_recv, errors),
               run("stdout", read_stdout, errors)]
    # Our own threads must not see the storm's signals.
    while any(t.is_alive() for t in threads):
        if a.storm and p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGCHLD)
                signals += 1
            except ProcessLookupError:
                pass
            time.sleep(0.001)
        else:
            time.sleep(0.05)
        if time.monotonic() - start > 600:
            p.kill()
            fail("no end after 600 s: stdin %d, peer got %d, stdout %d" %
                 (a.size, at_peer.size, at_stdout.size))
    conn.close()
    os.close(out_ours)
    try:
        status = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("sockline did not exit after the transfer")
    secs = time.monotonic() - start
    err = p.stderr.read().decode(errors="replace")
    if errors:
        fail("; ".join(errors))
    if status != 0:
        fail("sockline exited %d: %s" % (status, err.strip()))
    if at_peer.size != a.size or at_peer.sha.digest() != to_stdin.sha.digest():
        fail("stdin to peer: sent %d bytes, sha256 %s; got %d, sha256 %s" %
             (a.size, to_stdin.sha.hexdigest(), at_peer.size,
              at_peer.sha.hexdigest()))
    if (at_stdout.size != a.size or
            at_stdout.sha.digest() != from_peer.sha.digest()):
        fail("peer to stdout: sent %d bytes, sha256 %s; got %d, sha256 %s" %
             (a.size, from_peer.sha.hexdigest(), at_stdout.size,
              at_stdout.sha.hexdigest()))
    if a.unix:
        os.unlink(path)
    os.rmdir(tmp)
    print("%d bytes each way in %.1f s, sha256 %s... and %s... on both "
          "sides%s" % (a.size, secs, to_stdin.sha.hexdigest()[:16],
                       from_peer.sha.hexdigest()[:16],
                       ", %d signals" % signals if a.storm else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
