#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""More clients than an echo listener has file descriptors for.

    many-clients.py --pid PID --err FILE HOST PORT CLIENTS

PID is a `sockline -v -l -k --echo` run with a low `ulimit -n`, and
FILE its stderr.  CLIENTS connections are opened at once: the kernel
queues them all, but sockline can only accept as many as it has fds for.
Every client sends a line.  Then:

  1. sockline runs out of fds ("Cannot accept for now" on its stderr),
     some clients are served and the others wait;
  2. while it is out, it pauses accepting (100 ms each time, so about
     ten notes a second, and almost no CPU in a quiet second), and the
     served clients still get every line echoed, round after round;
  3. once the served clients leave, the waiting ones are accepted and
     served in turn, until every client has had its line back.

Exits 0 with a summary, or 1 with the first thing that went wrong.
"""

import argparse
import os
import selectors
import socket
import sys
import time

WAIT = 20
NOTE = b"Cannot accept for now"


def fail(msg):
    sys.stderr.write("many-clients: %s\n" % msg)
    sys.exit(1)


def notes(path):
    with open(path, "rb") as f:
        return f.read().count(NOTE)


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


class Client:
    def __init__(self, n, host, port):
        self.n = n
        self.line = b"client %d says hello\n" % n
        self.s = socket.create_connection((host, port), timeout=WAIT)
        self.s.setblocking(False)
        self.got = b""
        self.s.sendall(self.line)

    def echoed(self):
        return self.got == self.line


def collect(sel, until, secs):
    """Reads what arrives until until() holds (or secs pass)."""
    deadline = time.monotonic() + secs
    while not until() and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.05):
            c = key.data
            try:
                b = c.s.recv(4096)
            except BlockingIOError:
                continue
            if not b:
                fail("client %d: closed by sockline" % c.n)
            c.got += b
            if len(c.got) > len(c.line) or not c.line.startswith(c.got):
                fail("client %d: sent %r, got %r" % (c.n, c.line, c.got))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--err", required=True)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("clients", type=int)
    a = ap.parse_args()

    clients = [Client(n, a.host, a.port) for n in range(a.clients)]
    sel = selectors.DefaultSelector()
    for c in clients:
        sel.register(c.s, selectors.EVENT_READ, c)

    # 1. Out of fds: some served, the rest waiting.
    collect(sel, lambda: notes(a.err) > 0, WAIT)
    if notes(a.err) == 0:
        fail("sockline never ran out of file descriptors")
    # Whatever could be served by now has been, a second later.
    collect(sel, lambda: False, 1)
    served = [c for c in clients if c.echoed()]
    waiting = [c for c in clients if not c.echoed()]
    if not served or not waiting:
        fail("%d served and %d waiting: the fd limit did not bite" %
             (len(served), len(waiting)))

    # 2. A quiet second at the limit: a note per pause, and next to no
    # CPU; then a second of the served clients still being served.
    n0, t0, start = notes(a.err), cpu_ticks(a.pid), time.monotonic()
    collect(sel, lambda: False, 1)
    secs = time.monotonic() - start
    pauses = notes(a.err) - n0
    ticks = cpu_ticks(a.pid) - t0
    if not 2 <= pauses / secs <= 20:
        fail("%.1f pauses a second at the limit; 100 ms each makes about "
             "10" % (pauses / secs))
    if ticks > 10:
        fail("%d CPU ticks in a quiet second at the limit" % ticks)
    start = time.monotonic()
    rounds = 0
    while time.monotonic() - start < 1:
        for c in served:
            c.got = b""
            c.s.sendall(c.line)
        collect(sel, lambda: all(c.echoed() for c in served), WAIT)
        for c in served:
            if not c.echoed():
                fail("client %d was not served while at the limit" % c.n)
        rounds += 1
    if any(c.echoed() for c in waiting):
        fail("a client beyond the limit was served")

    # 3. The served ones leave; then everyone else is served in turn,
    # each leaving once it has its line back.
    for c in served:
        sel.unregister(c.s)
        c.s.close()
    left = list(waiting)
    deadline = time.monotonic() + WAIT
    while left:
        if time.monotonic() > deadline:
            fail("%d clients were never served after the others left" %
                 len(left))
        collect(sel, lambda: any(c.echoed() for c in left), 1)
        for c in [c for c in left if c.echoed()]:
            sel.unregister(c.s)
            c.s.close()
            left.remove(c)
    print("%d clients: %d served at the limit (%d pauses and %d CPU ticks "
          "in a quiet second, then %d rounds in a busy one), %d more once "
          "they left" % (len(clients), len(served), pauses, ticks, rounds,
                         len(waiting)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
