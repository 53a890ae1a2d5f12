#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many transfers of random sizes through sockline, each checked byte
for byte.

    transfers.py [--unix] [--count N] [--seed S] SOCKLINE

For each transfer the script picks two sizes from 0 B to 1 MiB (the
edges 0, 1, 65535, 65536, 65537 and 1 MiB come first), random bytes
with NULs among them, and how sockline is wired: its stdin a pipe
(splice), a regular file (sendfile) or a socket (read and write), its
stdout a pipe, a file or a socket, and sockline the client or (one time
in four) the listener.  It then sends one payload into sockline's stdin
and the other from the peer, both at once, and checks that each side
got exactly the other's bytes and that sockline exited 0.  The peer is
this script, over TCP on 127.0.0.1 or, with --unix, a unix socket.

Exits 0 with a one-line summary, or 1 with the first transfer that was
not exact, with its seed so that it can be run again alone.
"""

import argparse
import os
import random
import selectors
import socket
import subprocess
import sys
import tempfile
import time

MIB = 1 << 20
EDGES = [0, 1, 65535, 65536, 65537, MIB]
WAIT = 20


# The sockline of the transfer under way, killed if the transfer fails.
running = None


def fail(msg):
    sys.stderr.write("transfers: %s\n" % msg)
    if running is not None and running.poll() is None:
        running.kill()
        running.wait()
    sys.exit(1)


def payload(rng, pool, size):
    if size == 0:
        return b""
    off = rng.randrange(len(pool) - size + 1)
    b = bytearray(pool[off:off + size])
    b[rng.randrange(size)] = 0
    return bytes(b)


def wait_for(cond, what):
    deadline = time.monotonic() + WAIT
    while not cond():
        if time.monotonic() > deadline:
            fail("timed out waiting for %s" % what)
        time.sleep(0.002)


class Transfer:
    def __init__(self, a, tmp, rng, pool, n):
        self.a, self.tmp, self.n = a, tmp, n
        self.up_size = EDGES[n % len(EDGES)] if n < 2 * len(EDGES) else \
            rng.randint(0, MIB)
        self.down_size = EDGES[(n + 3) % len(EDGES)] \
            if n < 2 * len(EDGES) else rng.randint(0, MIB)
        self.up = payload(rng, pool, self.up_size)
        self.down = payload(rng, pool, self.down_size)
        self.stdin_kind = rng.choice(("pipe", "file", "socket"))
        self.stdout_kind = rng.choice(("pipe", "file", "socket"))
        self.listen = rng.random() < 0.25

    def describe(self):
        return ("transfer %d: %d bytes in, %d out, stdin %s, stdout %s, "
                "sockline %s" % (self.n, self.up_size, self.down_size,
                                 self.stdin_kind, self.stdout_kind,
                                 "listening" if self.listen else
                                 "connecting"))

    def stdin(self):
        if self.stdin_kind == "file":
            path = os.path.join(self.tmp, "in")
            with open(path, "wb") as f:
                f.write(self.up)
            return None, os.open(path, os.O_RDONLY)
        if self.stdin_kind == "socket":
            x, y = socket.socketpair()
            return x.detach(), y.detach()
        r, w = os.pipe()
        return w, r

    def stdout(self):
        if self.stdout_kind == "file":
            path = os.path.join(self.tmp, "out")
            return None, os.open(path, os.O_WRONLY | os.O_CREAT |
                                 os.O_TRUNC, 0o600)
        if self.stdout_kind == "socket":
            x, y = socket.socketpair()
            return x.detach(), y.detach()
        r, w = os.pipe()
        return r, w

    def connect_peer(self, srv, where):
        """The peer's end: accepted from sockline, or connected to it."""
        if not self.listen:
            srv.settimeout(WAIT)
            try:
                return srv.accept()[0]
            except socket.timeout:
                fail("%s: sockline did not connect" % self.describe())
        if self.a.unix:
            # The file exists from bind(2), a moment before listen(2):
            # a connect in between is refused, so refusals are retried.
            deadline = time.monotonic() + WAIT
            while True:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(where)
                    return s
                except (FileNotFoundError, ConnectionRefusedError):
                    s.close()
                    if time.monotonic() > deadline:
                        fail("%s: no listener at %s" % (self.describe(),
                                                        where))
                    time.sleep(0.002)
        wait_for(lambda: os.path.exists(where) and
                 os.path.getsize(where) > 0, "the port file")
        with open(where) as f:
            port = int(f.read())
        return socket.create_connection(("127.0.0.1", port), timeout=WAIT)

    def run(self, srv, srv_args):
        a = self.a
        if self.listen:
            if a.unix:
                where = os.path.join(self.tmp, "l")
                args = ["-l", "-U", where]
            else:
                where = os.path.join(self.tmp, "port")
                if os.path.exists(where):
                    os.unlink(where)
                args = ["-l", "127.0.0.1", "0", "--port-file", where]
        else:
            where, args = None, srv_args
        in_ours, in_theirs = self.stdin()
        out_ours, out_theirs = self.stdout()
        global running
        p = subprocess.Popen([a.sockline] + args, stdin=in_theirs,
                             stdout=out_theirs, stderr=subprocess.PIPE)
        running = p
        os.close(in_theirs)
        os.close(out_theirs)
        conn = self.connect_peer(srv, where)
        got_up, got_down = self.pump(conn, in_ours, out_ours)
        try:
            status = p.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            p.kill()
            fail("%s: sockline did not exit" % self.describe())
        err = p.stderr.read().decode(errors="replace").strip()
        p.stderr.close()
        if self.stdout_kind == "file":
            with open(os.path.join(self.tmp, "out"), "rb") as f:
                got_down = f.read()
        if status != 0:
            fail("%s: sockline exited %d: %s" % (self.describe(), status,
                                                 err))
        for what, want, got in (("stdin to peer", self.up, got_up),
                                ("peer to stdout", self.down, got_down)):
            if got != want:
                at = next((i for i in range(min(len(got), len(want)))
                           if got[i] != want[i]), min(len(got), len(want)))
                fail("%s: %s: sent %d bytes, got %d, first difference at "
                     "%d" % (self.describe(), what, len(want), len(got), at))

    def pump(self, conn, in_fd, out_fd):
        """Moves both payloads at once; returns what each side got."""
        sel = selectors.DefaultSelector()
        conn.setblocking(False)
        up_left = memoryview(self.up)
        down_left = memoryview(self.down)
        got_up, got_down = bytearray(), bytearray()
        if in_fd is not None:
            os.set_blocking(in_fd, False)
            sel.register(in_fd, selectors.EVENT_WRITE, "in")
        if out_fd is not None:
            os.set_blocking(out_fd, False)
            sel.register(out_fd, selectors.EVENT_READ, "out")
        sel.register(conn, selectors.EVENT_READ | selectors.EVENT_WRITE,
                     "conn")
        conn_events = selectors.EVENT_READ | selectors.EVENT_WRITE
        deadline = time.monotonic() + WAIT
        while sel.get_map():
            if time.monotonic() > deadline:
                fail("%s: stuck: %d of %d bytes at the peer, %d of %d on "
                     "stdout" % (self.describe(), len(got_up), len(self.up),
                                 len(got_down), len(self.down)))
            for key, ev in sel.select(timeout=1):
                if key.data == "in":
                    try:
                        n = os.write(in_fd, up_left[:65536]) \
                            if len(up_left) else 0
                    except BlockingIOError:
                        continue
                    up_left = up_left[n:]
                    if not len(up_left):
                        sel.unregister(in_fd)
                        os.close(in_fd)
                elif key.data == "out":
                    b = os.read(out_fd, 65536)
                    if b:
                        got_down += b
                    else:
                        sel.unregister(out_fd)
                        os.close(out_fd)
                else:
                    if ev & selectors.EVENT_WRITE:
                        if len(down_left):
                            try:
                                n = conn.send(down_left[:65536])
                                down_left = down_left[n:]
                            except BlockingIOError:
                                pass
                        if not len(down_left):
                            conn.shutdown(socket.SHUT_WR)
                            conn_events &= ~selectors.EVENT_WRITE
                    if ev & selectors.EVENT_READ:
                        b = conn.recv(65536)
                        if b:
                            got_up += b
                        else:
                            conn_events &= ~selectors.EVENT_READ
                    if conn_events:
                        sel.modify(conn, conn_events, "conn")
                    else:
                        sel.unregister(conn)
                        conn.close()
        sel.close()
        return bytes(got_up), bytes(got_down)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unix", action="store_true")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("sockline")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="transfers.")
    if a.unix:
        path = os.path.join(tmp, "s")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv_args = ["-U", path]
    else:
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.bind(("127.0.0.1", 0))
        srv_args = ["127.0.0.1", str(srv.getsockname()[1])]
    srv.listen(8)

    pool = random.Random(a.seed).randbytes(4 * MIB)
    start = time.monotonic()
    total = 0
    for n in range(a.first, a.first + a.count):
        # Each transfer has its own generator, so one can be run alone.
        t = Transfer(a, tmp, random.Random(a.seed * 1000003 + n), pool, n)
        t.run(srv, srv_args)
        total += t.up_size + t.down_size
    print("%d transfers, %d bytes, all exact, in %.1f s" %
          (a.count, total, time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
