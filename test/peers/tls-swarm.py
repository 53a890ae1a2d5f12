#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many concurrent TLS clients against an echo server, each verifying
the server and checking that it gets back exactly its own bytes; some
of them connect and never say a word.

    tls-swarm.py --ca F [--name NAME] [--silent K] [--rounds R]
                 HOST PORT CLIENTS

The K silent clients connect first and send nothing (not even a
ClientHello): a server that ran its handshakes one at a time, blocking,
would stall behind them.  Then the other CLIENTS-K clients connect, all
at once, verify the certificate against F for NAME (default HOST), and
for R rounds (default 5) send a line tagged with their number and read
until it came back.  Afterwards every silent client must still be
connected, unless 10 s have passed.  Exits 0 if all is well, 1 with the first
difference otherwise.
"""

import argparse
import socket
import ssl
import sys
import time

import peerlib


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ca", required=True)
    ap.add_argument("--name")
    ap.add_argument("--silent", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("clients", type=int)
    a = ap.parse_args()

    ctx = ssl.create_default_context(cafile=a.ca)
    silent = []
    start = time.monotonic()
    for _ in range(a.silent):
        silent.append(socket.create_connection((a.host, a.port), timeout=30))
    errors = []
    busy = a.clients - a.silent

    def connect(n):
        raw = socket.create_connection((a.host, a.port), timeout=30)
        return ctx.wrap_socket(raw, server_hostname=a.name or a.host,
                               do_handshake_on_connect=False)

    def work(n, s):
        s.do_handshake()
        peerlib.echo_rounds(s, n, a.rounds, errors)

    peerlib.swarm(busy, connect, work, errors)
    # A silent client the server has dropped reads end of stream (or a
    # reset) at once; one still waiting for its handshake times out.  A
    # server may drop it after its 10 s handshake limit, not before.
    early = time.monotonic() - start < 9
    for i, s in enumerate(silent):
        s.settimeout(0.05)
        try:
            if s.recv(1) == b"" and early:
                errors.append("silent client %d: closed by the server" % i)
        except socket.timeout:
            pass
        except OSError as e:
            errors.append("silent client %d: %s" % (i, e))
        s.close()
    if errors:
        sys.stderr.write("tls-swarm: %d problems; first: %s\n" %
                         (len(errors), errors[0]))
        return 1
    print("%d clients served, %d silent" % (busy, a.silent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
