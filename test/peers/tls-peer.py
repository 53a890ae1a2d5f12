#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted TLS peer for sockline's tests, on python3's ssl module, so
that sockline's TLS is checked against an implementation that is not
its own.

    tls-peer.py [--listen | --connect HOST] [--port P] [--port-file F]
                [-4 | -6] [--unix PATH]
                [--cert F] [--key F] [--ca F] [--insecure] [--name NAME]
                [--client-ca F] [--alpn A,B] [--min V] [--max V]
                [--info F] [--record F] STEP...

It listens (or connects), takes one connection, does the handshake and
runs the steps in order.  It exits 0 when every step succeeded, 1 with a
one-line reason on stderr otherwise.

TLS is driven through memory BIOs, one TLS record at a time, so the peer
can do what ssl.SSLSocket cannot: send its close_notify and go on
reading (a TLS half-close), tell a close_notify from a bare TCP end,
and send a real fatal alert in the middle of a transfer.

Options:
  --cert, --key    the certificate (and key) this side presents
  --ca F           client: verify the server against F, checking --name
                   (default: the host) as DNS name or IP literal
  --insecure       client: no verification at all
  --name NAME      client: the server name sent as SNI and checked
  --client-ca F    server: require a client certificate signed by F
  --alpn A,B       protocols offered (client) or picked from, in order
                   of preference (server)
  --min, --max     1.2 or 1.3
  --info F         after the handshake: version=, cipher=, alpn=, sni=
                   (server: the name the client sent; empty for none),
                   peer_sha256= and peer_subject= (the other side's
                   certificate, if any); at the end: end=close_notify,
                   end=eof (a TCP end with no close_notify) or end=reset.
                   A failed handshake writes handshake_error=REASON.
  --record F       every byte received, appended; F exists (empty) from
                   the start, so "nothing was sent" can be checked

Steps:
  send:TEXT              send TEXT (C escapes: \\n \\r \\t \\0 \\\\ \\xHH)
  send-file:PATH         send the bytes of PATH
  expect:TEXT            receive exactly TEXT
  expect-file:PATH       receive exactly the bytes of PATH
  exchange-file:PATH     send PATH while receiving, expect the same bytes
                         back (for an echo server; no deadlock at any size)
  expect-close-notify    the next thing received is the peer's close_notify
  expect-end             the next thing is an end of any kind, no data
  recv-all:PATH          receive until the end, save to PATH
  slow-recv:PATH:N:MS    the same, pausing MS after every N bytes
  recv:N                 receive N bytes
  echo                   send back everything until the end, then
                         close_notify
  shutdown               send close_notify and keep reading (half-close)
  close                  close_notify (unless sent), then close the socket
  close-raw              close the socket with no close_notify
  reset                  close with SO_LINGER 0, so the other side sees RST
  alert                  send a fatal alert (bad_record_mac, made by feeding
                         our own TLS a forged record), then read and drop
                         raw bytes until the other side closes
  no-data-within:MS      fail if anything (data or an end) arrives within MS
  touch:PATH             create PATH (tells the test how far the peer got)
  wait-file:PATH         wait until PATH exists
  sleep:MS               pause (a behaviour of the peer, not a test wait)
"""

import argparse
import hashlib
import os
import select
import socket
import ssl
import struct
import sys
import time

from peerlib import (IO_TIMEOUT, accept_one, common_step, connect_one,
                     endpoint_args, fail, recv_drop, recv_exact, reset,
                     unescape, write_atomic)

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


class Info:
    """The key=value file a test reads to see what the peer saw."""

    def __init__(self, path):
        self.path = path
        self.items = {}

    def set(self, key, value):
        self.items[key] = value
        if self.path:
            write_atomic(self.path, "".join(
                "%s=%s\n" % kv for kv in self.items.items()))


class Tls:
    """One TLS connection over a socket, fed one record at a time."""

    def __init__(self, sock, ctx, server_side, name, record):
        self.sock = sock
        self.inc = ssl.MemoryBIO()
        self.out = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.inc, self.out, server_side=server_side,
                                server_hostname=name)
        self.end = None         # "close_notify", "eof" or "reset"
        self.record = record

    def flush(self):
        data = self.out.read()
        if data:
            self.sock.sendall(data)

    def raw_exact(self, n):
        data = bytearray()
        while len(data) < n:
            try:
                b = self.sock.recv(n - len(data))
            except ConnectionResetError:
                self.end = self.end or "reset"
                return bytes(data)
            if not b:
                return bytes(data)
            data += b
        return bytes(data)

    def fill(self):
        """Moves exactly one TLS record from the socket to OpenSSL, so
        nothing sits unread in the BIO when we send a close_notify."""
        head = self.raw_exact(5)
        body = b""
        if len(head) == 5:
            body = self.raw_exact(struct.unpack("!H", head[3:5])[0])
        self.inc.write(head + body)
        if len(head) < 5 or len(body) < struct.unpack("!H", head[3:5])[0]:
            self.inc.write_eof()

    def run(self, fn, *args):
        while True:
            try:
                r = fn(*args)
                self.flush()
                return r
            except ssl.SSLWantReadError:
                self.flush()
                self.fill()
            except ssl.SSLError:
                # The alert OpenSSL made for the failure goes out, as a
                # real server's would.
                try:
                    self.flush()
                except OSError:
                    pass
                raise

    def handshake(self):
        self.run(self.obj.do_handshake)

    def recv(self, n=65536):
        """Application bytes; b"" at the end, whose kind is in self.end."""
        if self.end:
            return b""
        try:
            b = self.run(self.obj.read, n)
        except ssl.SSLZeroReturnError:
            b = b""
        except ssl.SSLEOFError:
            self.end = self.end or "eof"
            return b""
        except ssl.SSLError as e:
            self.flush()
            fail("TLS error while reading: %s" % e)
        if not b:
            self.end = self.end or "close_notify"
            return b""
        if self.record:
            with open(self.record, "ab") as f:
                f.write(b)
        return b

    def send(self, data):
        view = memoryview(data)
        for i in range(0, len(view), 16384):
            self.obj.write(view[i:i + 16384])
            self.flush()

    def close_notify(self):
        try:
            self.obj.unwrap()
        except ssl.SSLWantReadError:
            pass        # sent; the peer's own has not come yet
        except ssl.SSLError:
            pass        # already sent
        self.flush()

    def exchange(self, want):
        """Sends want while reading, until want came back whole."""
        got = bytearray()
        pending = bytearray()
        sent = 0
        deadline = time.monotonic() + 120
        while len(got) < len(want):
            if time.monotonic() > deadline:
                fail("exchange: %d of %d bytes back after 120 s" %
                     (len(got), len(want)))
            if sent < len(want) and len(pending) < 65536:
                self.obj.write(want[sent:sent + 16384])
                sent = min(len(want), sent + 16384)
                pending += self.out.read()
            r, w, _ = select.select([self.sock],
                                    [self.sock] if pending else [], [], 1)
            if w:
                try:
                    n = self.sock.send(pending, socket.MSG_DONTWAIT)
                    del pending[:n]
                except BlockingIOError:
                    pass
            if r:
                self.fill()
                while True:
                    try:
                        b = self.obj.read(65536)
                    except ssl.SSLWantReadError:
                        break
                    except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                        fail("exchange: the end with %d of %d bytes back" %
                             (len(got), len(want)))
                    if not b:
                        fail("exchange: the end with %d of %d bytes back" %
                             (len(got), len(want)))
                    got += b
                pending += self.out.read()
        while pending:
            n = self.sock.send(pending)
            del pending[:n]
        if bytes(got) != want:
            at = next(i for i in range(len(want)) if got[i] != want[i])
            fail("exchange: %d bytes back differ at %d" % (len(want), at))

    def alert(self):
        """A forged application-data record makes our own TLS fail its
        integrity check and send a fatal bad_record_mac alert, encrypted
        as every alert after the handshake is."""
        self.inc.write(b"\x17\x03\x03\x00\x40" + os.urandom(64))
        try:
            self.obj.read(65536)
        except ssl.SSLError:
            pass
        data = self.out.read()
        if not data:
            fail("alert: our TLS made no alert to send")
        self.sock.sendall(data)
        # Closing now could reset the connection before the alert is
        # read; drop what comes until the other side closes instead.
        self.sock.settimeout(IO_TIMEOUT)
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            pass


def recv_until_end(t, path, n=0, ms=0):
    data = bytearray()
    since = 0
    while True:
        b = t.recv()
        if not b:
            break
        data += b
        since += len(b)
        if n and since >= n:
            since = 0
            time.sleep(ms / 1000.0)
    with open(path, "wb") as f:
        f.write(data)


def expect_bytes(t, want, what):
    got = recv_exact(t.recv, len(want))
    if got != want:
        fail("expected %s, got %d bytes %r (end: %s)" %
             (what, len(got), bytes(got[:64]), t.end))


def run_steps(t, steps):
    for step in steps:
        name, _, arg = step.partition(":")
        if name == "expect":
            want = unescape(arg)
            expect_bytes(t, want, repr(want))
        elif name == "expect-file":
            with open(arg, "rb") as f:
                want = f.read()
            expect_bytes(t, want, "the %d bytes of %s" % (len(want), arg))
        elif name == "exchange-file":
            with open(arg, "rb") as f:
                t.exchange(f.read())
        elif name == "expect-close-notify":
            b = t.recv()
            if b or t.end != "close_notify":
                fail("expected close_notify, got %r (end: %s)" %
                     (b[:64], t.end))
        elif name == "expect-end":
            b = t.recv()
            if b:
                fail("expected the end, got %r" % b[:64])
        elif name == "recv-all":
            recv_until_end(t, arg)
        elif name == "slow-recv":
            path, n, ms = arg.split(":")
            recv_until_end(t, path, int(n), int(ms))
        elif name == "recv":
            left = recv_drop(t.recv, int(arg))
            if left:
                fail("the end with %d bytes still expected" % left)
        elif name == "echo":
            while True:
                b = t.recv()
                if not b:
                    break
                t.send(b)
            t.close_notify()
        elif name == "shutdown":
            t.close_notify()
        elif name == "close":
            t.close_notify()
            t.sock.close()
        elif name == "close-raw":
            t.sock.close()
        elif name == "reset":
            reset(t.sock)
        elif name == "alert":
            t.alert()
        elif name == "no-data-within":
            if t.obj.pending() or select.select([t.sock], [], [],
                                                int(arg) / 1000.0)[0]:
                fail("something arrived within %s ms" % arg)
        elif not common_step(name, arg, t.send):
            fail("unknown step %r" % step)


def make_context(a):
    if a.listen:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if a.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(a.client_ca)
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if a.insecure or not a.ca:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        else:
            ctx.load_verify_locations(a.ca)
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    if a.alpn:
        ctx.set_alpn_protocols(a.alpn.split(","))
    if a.min:
        ctx.minimum_version = VERSIONS[a.min]
    if a.max:
        ctx.maximum_version = VERSIONS[a.max]
    return ctx


def main():
    ap = argparse.ArgumentParser()
    endpoint_args(ap)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--ca")
    ap.add_argument("--insecure", action="store_true")
    ap.add_argument("--name")
    ap.add_argument("--client-ca")
    ap.add_argument("--alpn")
    ap.add_argument("--min", choices=VERSIONS)
    ap.add_argument("--max", choices=VERSIONS)
    ap.add_argument("--info")
    ap.add_argument("--record")
    ap.add_argument("steps", nargs="*")
    a = ap.parse_args()

    info = Info(a.info)
    if a.record:
        open(a.record, "wb").close()
    ctx = make_context(a)
    if a.listen:
        info.items["sni"] = ""

        def sni(obj, name, c):
            info.items["sni"] = name or ""
        ctx.sni_callback = sni

    family = socket.AF_INET6 if a.v6 else socket.AF_INET
    if a.unix:
        family = socket.AF_UNIX
    try:
        if a.listen:
            sock, _ = accept_one(family, a.unix or (
                "::1" if a.v6 else "127.0.0.1", a.port), a.port_file)
            name = None
        else:
            sock = connect_one(a.connect, a.port, a.unix)
            name = a.name or (None if a.unix else a.connect)
            if a.insecure or not a.ca:
                name = a.name
    except OSError as e:
        fail("%s" % e)
    sock.settimeout(IO_TIMEOUT)
    t = Tls(sock, ctx, a.listen, name, a.record)
    try:
        t.handshake()
    except (ssl.SSLError, ssl.CertificateError, OSError) as e:
        reason = getattr(e, "verify_message", None) or \
            getattr(e, "reason", None) or str(e)
        info.set("handshake_error", reason)
        fail("handshake: %s" % e)
    o = t.obj
    info.items["version"] = o.version()
    info.items["cipher"] = o.cipher()[0]
    info.items["alpn"] = o.selected_alpn_protocol() or ""
    der = o.getpeercert(binary_form=True)
    if der:
        info.items["peer_sha256"] = hashlib.sha256(der).hexdigest()
        pc = o.getpeercert() or {}
        info.items["peer_subject"] = ",".join(
            "%s=%s" % kv for rdn in pc.get("subject", ()) for kv in rdn)
    info.set("handshake", "ok")
    try:
        run_steps(t, a.steps)
    except socket.timeout:
        fail("nothing happened for %d s" % IO_TIMEOUT)
    except OSError as e:
        fail("%s" % e)
    finally:
        if t.end:
            info.set("end", t.end)
    return 0


if __name__ == "__main__":
    sys.exit(main())
