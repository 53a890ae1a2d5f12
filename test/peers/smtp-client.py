#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake SMTP client for the chat script and replay tests.

    smtp-client.py PORT [--helo NAME] [--rcpt ADDR] [--sent FILE]
                   [--received FILE]

Connects to 127.0.0.1:PORT and sends one message the usual way: waits
for a 220 greeting, EHLO (reading the 250 lines up to "250 "), MAIL,
RCPT, DATA, the message and ".", QUIT, then reads until end of stream.
Each reply must have the code SMTP prescribes.  Every byte sent and
received is appended to the --sent and --received files.  Exits 0 when
the conversation went as it should, 1 with the first wrong reply on
stderr.
"""

import argparse
import socket
import sys

IO_TIMEOUT = 20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--helo", default="client.test")
    ap.add_argument("--rcpt", default="bob@mx.test")
    ap.add_argument("--sent")
    ap.add_argument("--received")
    a = ap.parse_args()

    conn = socket.create_connection(("127.0.0.1", a.port), IO_TIMEOUT)
    sent = open(a.sent, "ab") if a.sent else None
    received = open(a.received, "ab") if a.received else None
    rest = b""

    def recv():
        chunk = conn.recv(4096)
        if received:
            received.write(chunk)
            received.flush()
        return chunk

    def reply():
        nonlocal rest
        while b"\n" not in rest:
            chunk = recv()
            if not chunk:
                sys.exit("smtp-client: end of stream, wanted a reply")
            rest += chunk
        i = rest.index(b"\n") + 1
        got, rest = rest[:i], rest[i:]
        return got.rstrip(b"\r\n").decode("utf-8", "replace")

    def expect(code, text):
        # Multi-line replies: "250-..." lines, then "250 ...".
        while True:
            r = reply()
            if not r.startswith(code):
                sys.exit("smtp-client: after %r wanted %s, got %r" %
                         (text, code, r))
            if r[3:4] != "-":
                return

    def say(text, code):
        data = text.encode() + b"\r\n"
        conn.sendall(data)
        if sent:
            sent.write(data)
            sent.flush()
        expect(code, text)

    expect("220", "(greeting)")
    say("EHLO " + a.helo, "250")
    say("MAIL FROM:<alice@client.test>", "250")
    say("RCPT TO:<%s>" % a.rcpt, "250")
    say("DATA", "354")
    say("Subject: hello\r\n\r\nHi Bob.\r\n.", "250")
    say("QUIT", "221")
    while True:
        chunk = recv()
        if not chunk:
            break
        rest += chunk
    if rest:
        sys.exit("smtp-client: %r after 221" % rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
