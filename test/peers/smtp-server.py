#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake SMTP server for the chat script and replay tests.

    smtp-server.py --port-file F [--reject-rcpt ADDR] [--stall]
                   [--close-after-greeting] [--sent FILE] [--received FILE]

Listens on 127.0.0.1, port 0 (the port goes to F), takes one client and
holds the usual conversation: a 220 greeting, a three-line 250 to EHLO,
250 to MAIL and RCPT (550 to RCPT for ADDR), 354 to DATA, 250 after the
message's ".", 221 to QUIT, then closes.  --stall: after the greeting,
read commands but never answer; --close-after-greeting: close at once.
Every byte sent and received is appended to the --sent and --received
files, so a test can compare them with what the other side saw.
Exits 0 once the client said QUIT and was answered, 1 otherwise.
"""

import argparse
import os
import socket
import sys

IO_TIMEOUT = 20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--reject-rcpt")
    ap.add_argument("--stall", action="store_true")
    ap.add_argument("--close-after-greeting", action="store_true")
    ap.add_argument("--sent")
    ap.add_argument("--received")
    a = ap.parse_args()

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.settimeout(IO_TIMEOUT)
    conn, _ = srv.accept()
    conn.settimeout(IO_TIMEOUT)
    sent = open(a.sent, "ab") if a.sent else None
    received = open(a.received, "ab") if a.received else None

    def say(text):
        data = text.encode() + b"\r\n"
        conn.sendall(data)
        if sent:
            sent.write(data)
            sent.flush()

    rest = b""

    def line():
        nonlocal rest
        while b"\n" not in rest:
            chunk = conn.recv(4096)
            if not chunk:
                return None
            if received:
                received.write(chunk)
                received.flush()
            rest += chunk
        i = rest.index(b"\n") + 1
        got, rest = rest[:i], rest[i:]
        return got.rstrip(b"\r\n").decode("utf-8", "replace")

    say("220 mx.test ESMTP fake")
    if a.close_after_greeting:
        conn.close()
        return 1
    in_data = False
    while True:
        cmd = line()
        if cmd is None:
            return 1
        if a.stall:
            continue
        if in_data:
            if cmd == ".":
                in_data = False
                say("250 2.0.0 Ok: queued as 12345")
            continue
        verb = cmd.split(" ", 1)[0].upper()
        if verb == "EHLO":
            say("250-mx.test")
            say("250-SIZE 10240000")
            say("250 HELP")
        elif verb == "HELO":
            say("250 mx.test")
        elif verb == "MAIL":
            say("250 2.1.0 Ok")
        elif verb == "RCPT":
            addr = cmd.split(":", 1)[-1].strip()
            if a.reject_rcpt and a.reject_rcpt in addr:
                say("550 5.1.1 %s: Recipient address rejected" % addr)
            else:
                say("250 2.1.5 Ok")
        elif verb == "DATA":
            in_data = True
            say("354 End data with <CR><LF>.<CR><LF>")
        elif verb == "QUIT":
            say("221 2.0.0 Bye")
            conn.close()
            return 0
        else:
            say("500 5.5.2 Error: command not recognized")


if __name__ == "__main__":
    sys.exit(main())
