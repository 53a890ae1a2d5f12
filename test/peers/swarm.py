#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many concurrent clients against an echo server, each checking that it
gets back exactly its own bytes.

    swarm.py HOST PORT CLIENTS [ROUNDS] [INTERVAL_MS]

Every client connects, then for ROUNDS rounds sends one line of random
text (tagged with its number) and reads until that line came back,
pausing INTERVAL_MS between rounds.  Exits 0 if every client got exactly
its own lines, 1 with the first difference otherwise.
"""

import random
import socket
import sys
import threading
import time


def client(host, port, n, rounds, interval, errors, ready, go):
    try:
        s = socket.create_connection((host, port), timeout=30)
    except OSError as e:
        errors.append("client %d: connect: %s" % (n, e))
        ready.release()
        return
    ready.release()
    go.wait()
    rng = random.Random(n)
    try:
        for r in range(rounds):
            text = "%d:%d:%s\n" % (n, r, "".join(
                rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                for _ in range(rng.randint(1, 200))))
            want = text.encode()
            s.sendall(want)
            got = b""
            while len(got) < len(want):
                b = s.recv(len(want) - len(got))
                if not b:
                    errors.append("client %d: end of stream in round %d" %
                                  (n, r))
                    return
                got += b
            if got != want:
                errors.append("client %d round %d: sent %r, got %r" %
                              (n, r, want[:40], got[:40]))
                return
            if interval:
                time.sleep(interval)
        s.shutdown(socket.SHUT_WR)
        if s.recv(1) != b"":
            errors.append("client %d: extra bytes after its lines" % n)
    except OSError as e:
        errors.append("client %d: %s" % (n, e))
    finally:
        s.close()


def main():
    host, port, clients = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    interval = int(sys.argv[5]) / 1000.0 if len(sys.argv) > 5 else 0
    errors = []
    ready = threading.Semaphore(0)
    go = threading.Event()
    threads = [threading.Thread(target=client, args=(host, port, i, rounds,
                                interval, errors, ready, go))
               for i in range(clients)]
    for t in threads:
        t.start()
    # All connected first, so that they really are there at once.
    for _ in threads:
        ready.acquire()
    go.set()
    for t in threads:
        t.join()
    if errors:
        sys.stderr.write("swarm: %d of %d clients failed; first: %s\n" %
                         (len(set(e.split(":")[0] for e in errors)),
                          clients, errors[0]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
