#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Clients of a relay (sockline --broker or --chat) that check what the
others relayed to them, written with the standard library only.

    relay-clients.py [--chat] [--clients N] [--bytes B] [--go FILE]
                     [--half-close] [--silent] HOST PORT

Connects N clients (default 3), one after another.  With --go, waits for
FILE to exist before any client sends (the test creates it once the
relay has said it took every client).  Then every client sends B bytes
and reads what the others send, all at once, and checks it:

  broker: client i sends bytes from its own range of 64 values only, in
  an order a seeded generator fixes, so a receiver takes the bytes of
  each sender back out of the mixed stream and compares them, in order,
  with what that sender sent;
  chat: client i sends numbered lines; a receiver checks that it gets
  "<userK> LINE" for every line of every other client, in order, and
  learns K from the "you are userK" notice it gets on joining.

--half-close: before the others send, the first client sends a short
message and half-closes; it must then see end of stream from the relay,
and the others must get its message as well as each other's bytes.
--silent: the last client never reads (a slow client); the others must
still get everything, and the silent one is not checked.

Exits 0 when every check passed, 1 with a one-line reason otherwise.
"""

import argparse
import os
import random
import re
import selectors
import socket
import sys
import time

TIMEOUT = 60


def fail(msg):
    print("relay-clients: " + msg, file=sys.stderr)
    sys.exit(1)


def broker_stream(i, n):
    table = bytes(64 * i + (v & 63) for v in range(256))
    return random.Random(1000 + i).randbytes(n).translate(table)


def chat_lines(i, n):
    """Lines of client i whose total is about n bytes."""
    lines, total, k = [], 0, 0
    while total < n:
        line = "c%d line %06d %s" % (i, k, "x" * (k % 50))
        lines.append(line)
        total += len(line) + 1
        k += 1
    return lines


def read_line(sock, buf):
    while b"\n" not in buf:
        d = sock.recv(4096)
        if not d:
            fail("end of stream before the welcome notice")
        buf += d
    line, _, rest = buf.partition(b"\n")
    return line, rest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chat", action="store_true")
    ap.add_argument("--clients", type=int, default=3)
    ap.add_argument("--bytes", type=int, default=100000)
    ap.add_argument("--go")
    ap.add_argument("--half-close", action="store_true")
    ap.add_argument("--silent", action="store_true")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    a = ap.parse_args()

    socks, ids, early = [], [], []
    for i in range(a.clients):
        s = socket.create_connection((a.host, a.port), timeout=TIMEOUT)
        uid, rest = None, b""
        if a.chat:
            line, rest = read_line(s, b"")
            m = re.match(rb"<notice> you are user(\d+)", line)
            if not m:
                fail("client %d: no welcome notice: %r" % (i, line))
            uid = int(m.group(1))
        socks.append(s)
        ids.append(uid)
        early.append(rest)
    if a.go:
        deadline = time.time() + TIMEOUT
        while not os.path.exists(a.go):
            if time.time() > deadline:
                fail("no go file")
            time.sleep(0.01)

    n = a.clients
    senders = list(range(n))
    if a.chat:
        lines = [chat_lines(i, a.bytes) for i in range(n)]
        out = [("".join(l + "\n" for l in lines[i])).encode() for i in range(n)]
    else:
        out = [broker_stream(i, a.bytes) for i in range(n)]
    got = [bytearray(early[i]) for i in range(n)]

    first_msg = b"from the first, then gone\n"
    if a.half_close:
        # The first client speaks once and half-closes; every other one
        # must hear it, and the relay must then close it, before the
        # others start.
        socks[0].sendall(first_msg)
        socks[0].shutdown(socket.SHUT_WR)
        mark = first_msg if not a.chat else (
            "<user%d> %s" % (ids[0], first_msg.decode())).encode()
        for i in range(1, n):
            while mark not in got[i]:
                d = socks[i].recv(65536)
                if not d:
                    fail("client %d: end of stream before the first "
                         "client's message" % i)
                got[i] += d
            head, _, tail = bytes(got[i]).partition(mark)
            if not a.chat and head:
                fail("client %d: %r before the first client's message"
                     % (i, head[:80]))
            got[i] = bytearray(tail)
        while True:
            d = socks[0].recv(65536)
            if not d:
                break
            if not a.chat:
                fail("the half-closed client got %r" % d[:80])
        senders = list(range(1, n))
        out[0] = b""

    sel = selectors.DefaultSelector()
    sent = [0] * n
    readers = [i for i in range(n) if not (a.silent and i == n - 1)
               and not (a.half_close and i == 0)]
    for i in range(n):
        socks[i].setblocking(False)
        ev = 0
        if i in readers:
            ev |= selectors.EVENT_READ
        if i in senders and out[i]:
            ev |= selectors.EVENT_WRITE
        if ev:
            sel.register(socks[i], ev, i)

    def expected_len(i):
        return sum(len(out[k]) for k in range(n) if k != i)

    def chat_done(i):
        want = 0
        for k in range(n):
            if k == i:
                continue
            want += len(lines[k]) if k in senders else 0
        return got[i].count(b"\n<user") + got[i].startswith(b"<user") >= want

    def done(i):
        if a.chat:
            return chat_done(i)
        return len(got[i]) >= expected_len(i)

    start = time.monotonic()
    deadline = time.time() + TIMEOUT
    while not all(done(i) for i in readers):
        if time.time() > deadline:
            fail("timed out; received %s" % [len(g) for g in got])
        for key, mask in sel.select(1):
            i = key.data
            s = socks[i]
            if mask & selectors.EVENT_READ:
                try:
                    d = s.recv(65536)
                except BlockingIOError:
                    d = None
                except ConnectionError as e:
                    fail("client %d: %s" % (i, e))
                if d == b"":
                    fail("client %d: end of stream too soon" % i)
                if d:
                    got[i] += d
            if mask & selectors.EVENT_WRITE and sent[i] < len(out[i]):
                try:
                    sent[i] += s.send(out[i][sent[i]:sent[i] + 65536])
                except BlockingIOError:
                    pass
                if sent[i] >= len(out[i]):
                    ev = selectors.EVENT_READ if i in readers else 0
                    if ev:
                        sel.modify(s, ev, i)
                    else:
                        sel.unregister(s)

    moved = time.monotonic() - start
    for i in readers:
        if a.chat:
            text = bytes(got[i]).decode()
            per = {}
            for line in text.split("\n"):
                m = re.match(r"<user(\d+)> (.*)$", line)
                if m:
                    per.setdefault(int(m.group(1)), []).append(m.group(2))
            for k in senders:
                if k == i:
                    continue
                if per.get(ids[k], []) != lines[k]:
                    fail("client %d: lines of user%d differ or are out of "
                         "order (%d of %d)" % (i, ids[k],
                                             len(per.get(ids[k], [])),
                                             len(lines[k])))
        else:
            g = bytes(got[i])
            for k in senders:
                if k == i:
                    continue
                # The bytes in k's range, by deleting every other one.
                others = bytes(v for v in range(256)
                               if not 64 * k <= v < 64 * (k + 1))
                mine = g.translate(None, others)
                if mine != out[k]:
                    fail("client %d: bytes of client %d differ (%d of %d)"
                         % (i, k, len(mine), len(out[k])))
            if len(g) != sum(len(out[k]) for k in senders if k != i):
                fail("client %d: %d bytes more than sent" % (i, len(g)))
    print("ok: %d clients, %s bytes received in %.2f s" %
          (n, [len(g) for g in got], moved))


if __name__ == "__main__":
    main()
