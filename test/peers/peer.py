#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted socket peer for sockline's tests, written only with the
standard library so that sockline is checked against something that is
not itself (in the manner of OpenBSD's regress client-tcp/server-tcp).

    peer.py [--listen | --connect HOST] [--port P] [--port-file F]
            [-4 | -6] [--unix PATH] [--udp] STEP...

The peer listens (or connects), takes one connection and runs the steps
in order.  It exits 0 when every step succeeded, 1 with a one-line
reason on stderr otherwise, so a test can assert on what the peer saw.

With --udp (UDP, or unix datagram with --unix) each send is one
datagram and each expect receives exactly one datagram; a listening
peer answers whoever sent the last datagram.  A unix datagram client
binds an abstract name so that it can be answered.

Steps:
  send:TEXT            send TEXT (C escapes: \\n \\r \\t \\0 \\\\ \\xHH)
  send-file:PATH       send the bytes of PATH
  expect:TEXT          receive exactly TEXT (fails on anything else)
  expect-file:PATH     receive exactly the bytes of PATH
  expect-eof           the next read must see end of stream
  expect-closed        end of stream or a reset, and no data
  recv-all:PATH        receive until end of stream, save to PATH
  slow-recv:PATH:N:MS  like recv-all, N bytes per read, MS between reads
  count-reply          receive until end of stream, then send "<bytes>\\n"
  echo                 send back everything until end of stream
  upper                the same, upper-cased
  shutdown             half-close (SHUT_WR)
  close                close the connection
  reset                close with SO_LINGER 0, so the other side sees RST
  sleep:MS             pause (a behaviour of the peer, not a test wait)
  wait-file:PATH       wait until PATH exists
  record:PATH          append everything received until EOF to PATH
  recv:N               receive N bytes and discard them
  touch:PATH           create PATH (tells the test how far the peer got)
  no-eof-within:MS     fail if end of stream arrives within MS
  no-dgram-within:MS   (datagrams) fail if a datagram arrives within MS
  sender-file:PATH     (datagrams) write who sent the last datagram to PATH

Other modes:
  --bind-only          bind a TCP port without listening (connects to it
                       are refused), write the port file, wait to be killed
  --peer-file F        (with --listen) write the client's "host port" to F
  --full-backlog       listen with a backlog of 0 that a connection of its
                       own fills, accept nothing: a connect to it hangs
                       (the kernel drops its SYNs); wait to be killed
"""

import argparse
import os
import socket
import sys
import time

from peerlib import (IO_TIMEOUT, accept_one, common_step, connect_one,
                     endpoint_args, fail, recv_drop, recv_exact, reset,
                     unescape, unix_addr, write_atomic)


def recv_until_eof(sock, chunk=65536, delay=0.0):
    # Long transfers to slow readers legitimately take a while.
    sock.settimeout(120)
    data = bytearray()
    while True:
        b = sock.recv(chunk)
        if not b:
            return bytes(data)
        data += b
        if delay:
            time.sleep(delay)


class Dgram:
    """A datagram socket that answers whoever wrote last."""

    def __init__(self, sock, connected):
        self.sock = sock
        self.connected = connected
        self.last = None

    def send(self, data):
        if self.connected:
            self.sock.send(data)
        elif self.last is None:
            fail("nobody to send to: no datagram received yet")
        else:
            self.sock.sendto(data, self.last)

    def recv(self):
        data, addr = self.sock.recvfrom(65536)
        if not self.connected:
            self.last = addr
        return data


def fmt_addr(addr):
    if isinstance(addr, tuple):
        return "%s %d" % (addr[0], addr[1])
    if isinstance(addr, bytes):
        return "@" + addr[1:].decode("utf-8", "replace")
    return addr


def run_dgram_steps(d, steps):
    for step in steps:
        name, _, arg = step.partition(":")
        if name == "expect":
            want = unescape(arg)
            got = d.recv()
            if got != want:
                fail("expected datagram %r, got %r" % (want[:80], got[:80]))
        elif name == "recv-all":
            with open(arg, "wb") as f:
                f.write(d.recv())
        elif name == "no-dgram-within":
            d.sock.settimeout(int(arg) / 1000.0)
            try:
                got = d.recv()
                fail("unexpected datagram %r" % got[:64])
            except socket.timeout:
                pass
            d.sock.settimeout(IO_TIMEOUT)
        elif name == "sender-file":
            write_atomic(arg, fmt_addr(d.last) + "\n")
        elif not common_step(name, arg, d.send):
            fail("unknown datagram step %r" % step)


def run_steps(sock, steps):
    for step in steps:
        name, _, arg = step.partition(":")
        if name == "expect":
            want = unescape(arg)
            got = recv_exact(sock.recv, len(want))
            if got != want:
                fail("expected %r, got %r" % (want, got))
        elif name == "expect-file":
            with open(arg, "rb") as f:
                want = f.read()
            got = recv_exact(sock.recv, len(want))
            if got != want:
                at = next((i for i in range(min(len(got), len(want)))
                           if got[i] != want[i]), min(len(got), len(want)))
                fail("expected the %d bytes of %s, got %d differing at %d" %
                     (len(want), arg, len(got), at))
        elif name == "expect-closed":
            # End of stream, or a reset: how a refused client is closed
            # when it had already sent bytes nobody read.
            try:
                b = sock.recv(65536)
            except ConnectionResetError:
                b = b""
            if b:
                fail("expected the connection closed, got %r" % b[:64])
        elif name == "expect-eof":
            b = sock.recv(65536)
            if b:
                fail("expected end of stream, got %r" % b[:64])
        elif name == "recv-all":
            data = recv_until_eof(sock)
            with open(arg, "wb") as f:
                f.write(data)
        elif name == "slow-recv":
            path, n, ms = arg.split(":")
            data = recv_until_eof(sock, int(n), int(ms) / 1000.0)
            with open(path, "wb") as f:
                f.write(data)
        elif name == "record":
            data = recv_until_eof(sock)
            with open(arg, "ab") as f:
                f.write(data)
        elif name == "count-reply":
            data = recv_until_eof(sock)
            sock.sendall(b"%d\n" % len(data))
        elif name == "echo":
            while True:
                b = sock.recv(65536)
                if not b:
                    break
                sock.sendall(b)
            sock.shutdown(socket.SHUT_WR)
        elif name == "upper":
            while True:
                b = sock.recv(65536)
                if not b:
                    break
                sock.sendall(b.upper())
            sock.shutdown(socket.SHUT_WR)
        elif name == "shutdown":
            sock.shutdown(socket.SHUT_WR)
        elif name == "close":
            sock.close()
        elif name == "reset":
            reset(sock)
        elif name == "recv":
            left = recv_drop(sock.recv, int(arg))
            if left:
                fail("end of stream with %d bytes still expected" % left)
        elif name == "no-eof-within":
            sock.settimeout(int(arg) / 1000.0)
            try:
                b = sock.recv(65536)
                if not b:
                    fail("end of stream within %s ms" % arg)
                fail("unexpected data %r" % b[:64])
            except socket.timeout:
                pass
            sock.settimeout(IO_TIMEOUT)
        elif not common_step(name, arg, sock.sendall):
            fail("unknown step %r" % step)


def main():
    ap = argparse.ArgumentParser()
    endpoint_args(ap)
    ap.add_argument("--host")
    ap.add_argument("--bind-only", action="store_true")
    ap.add_argument("--full-backlog", action="store_true")
    ap.add_argument("--peer-file")
    ap.add_argument("--udp", action="store_true")
    ap.add_argument("steps", nargs="*")
    a = ap.parse_args()

    family = socket.AF_INET6 if a.v6 else socket.AF_INET
    if a.udp:
        return dgram_main(a, family)
    if a.unix:
        family = socket.AF_UNIX
    if a.bind_only:
        srv = socket.socket(family, socket.SOCK_STREAM)
        srv.bind((a.host or ("::1" if a.v6 else "127.0.0.1"), a.port))
        write_atomic(a.port_file, "%d\n" % srv.getsockname()[1])
        time.sleep(3600)
        return 0
    if a.full_backlog:
        host = a.host or ("::1" if a.v6 else "127.0.0.1")
        srv = socket.socket(family, socket.SOCK_STREAM)
        srv.bind((host, a.port))
        srv.listen(0)
        filler = socket.create_connection(srv.getsockname()[:2])
        write_atomic(a.port_file, "%d\n" % srv.getsockname()[1])
        time.sleep(3600)
        filler.close()
        return 0
    if a.listen:
        host = a.host or ("::1" if a.v6 else "127.0.0.1")
        sock, addr = accept_one(family, a.unix or (host, a.port),
                                a.port_file)
        if a.peer_file:
            write_atomic(a.peer_file, "%s %d\n" % (addr[0], addr[1]))
        sock.settimeout(IO_TIMEOUT)
    else:
        if not a.unix and not a.connect:
            fail("--listen or --connect HOST")
        try:
            sock = connect_one(a.connect, a.port, a.unix)
        except OSError as e:
            fail("connect: %s" % e)
        sock.settimeout(IO_TIMEOUT)
    try:
        run_steps(sock, a.steps)
    except socket.timeout:
        fail("nothing happened for %d s" % IO_TIMEOUT)
    except OSError as e:
        fail("%s" % e)
    return 0


def dgram_main(a, family):
    try:
        if a.unix:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            if a.listen:
                sock.bind(unix_addr(a.unix))
            else:
                sock.bind("\0sockline-test-peer-%d" % os.getpid())
                sock.connect(unix_addr(a.unix))
        else:
            sock = socket.socket(family, socket.SOCK_DGRAM)
            if a.listen:
                sock.bind((a.host or ("::1" if a.v6 else "127.0.0.1"),
                           a.port))
            else:
                sock.connect((a.connect, a.port))
    except OSError as e:
        fail("%s" % e)
    if a.port_file:
        write_atomic(a.port_file,
                     "%d\n" % (0 if a.unix else sock.getsockname()[1]))
    sock.settimeout(IO_TIMEOUT)
    try:
        run_dgram_steps(Dgram(sock, not a.listen), a.steps)
    except socket.timeout:
        fail("no datagram for %d s" % IO_TIMEOUT)
    except OSError as e:
        fail("%s" % e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
