#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A STARTTLS client for sockline's tests (python3's socket and ssl
modules): it plays one protocol's client side against a listener,
checks that the server's greeting and capabilities offer STARTTLS and
that it says go, does TLS verified against --ca for the name localhost,
then sends --send and expects exactly --expect back.

    starttls-client.py PROTO --port P --ca F [--send TEXT] [--expect TEXT]
                       [--transcript F]

PROTO: smtp imap pop3.  --transcript F: the plaintext lines received.
Exit 0 when all went as expected; 1 with the reason on stderr.
"""

import argparse
import socket
import ssl
import sys


def fail(why):
    sys.stderr.write("starttls-client: %s\n" % why)
    sys.exit(1)


class Lines:
    def __init__(self, sock, transcript):
        self.sock = sock
        self.buf = b""
        self.transcript = transcript

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                fail("the server closed the connection; had %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        self.transcript.append(line + b"\n")
        if not line.endswith(b"\r"):
            fail("a line without CRLF: %r" % line)
        return line[:-1].decode()


def smtp(s, r):
    if not r.line().startswith("220 "):
        fail("no 220 greeting")
    s.sendall(b"EHLO client.test\r\n")
    caps = []
    while True:
        line = r.line()
        if not line.startswith("250"):
            fail("EHLO: %r" % line)
        caps.append(line[4:])
        if line[3] == " ":
            break
    if "STARTTLS" not in caps:
        fail("STARTTLS not offered: %r" % caps)
    s.sendall(b"STARTTLS\r\n")
    if not r.line().startswith("220 "):
        fail("no 220 to STARTTLS")


def imap(s, r):
    if not r.line().startswith("* OK"):
        fail("no * OK greeting")
    s.sendall(b"t1 CAPABILITY\r\n")
    line = r.line()
    if not line.startswith("* CAPABILITY") or "STARTTLS" not in line.split():
        fail("CAPABILITY: %r" % line)
    if not r.line().startswith("t1 OK"):
        fail("no t1 OK")
    s.sendall(b"t2 STARTTLS\r\n")
    if not r.line().startswith("t2 OK"):
        fail("no t2 OK to STARTTLS")


def pop3(s, r):
    if not r.line().startswith("+OK"):
        fail("no +OK greeting")
    s.sendall(b"CAPA\r\n")
    if not r.line().startswith("+OK"):
        fail("CAPA refused")
    caps = []
    while True:
        line = r.line()
        if line == ".":
            break
        caps.append(line)
    if "STLS" not in caps:
        fail("STLS not offered: %r" % caps)
    s.sendall(b"STLS\r\n")
    if not r.line().startswith("+OK"):
        fail("STLS refused")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("proto", choices=["smtp", "imap", "pop3"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--send", default="ping\n")
    ap.add_argument("--expect", default="ping\n")
    ap.add_argument("--transcript")
    a = ap.parse_args()

    s = socket.create_connection(("127.0.0.1", a.port), timeout=10)
    transcript = []
    r = Lines(s, transcript)
    {"smtp": smtp, "imap": imap, "pop3": pop3}[a.proto](s, r)
    if r.buf:
        fail("bytes after the go-ahead: %r" % r.buf)
    if a.transcript:
        with open(a.transcript, "wb") as f:
            f.write(b"".join(transcript))
    ctx = ssl.create_default_context(cafile=a.ca)
    tls = ctx.wrap_socket(s, server_hostname="localhost")
    tls.sendall(a.send.encode())
    want = a.expect.encode()
    got = b""
    while len(got) < len(want):
        chunk = tls.recv(4096)
        if not chunk:
            break
        got += chunk
    if got != want:
        fail("expected %r, got %r" % (want, got))
    tls.close()


if __name__ == "__main__":
    main()
