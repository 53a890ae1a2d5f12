#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A STARTTLS server for sockline's tests, on python3's socket and ssl
modules: it plays one protocol's plaintext dialogue, checks that the
client sent exactly the bytes a client of that protocol must send, then
does TLS on the same socket.

    starttls-server.py PROTO --port-file F --cert F --key F
                       [--refuse | --no-offer] [--ready TEXT]
                       [--info F] [--record F] [--keylog F] [--alpn A,B]

PROTO: smtp lmtp imap pop3 ftp nntp sieve xmpp postgres ldap.
--refuse     answer the upgrade command with the protocol's "no"
--no-offer   leave STARTTLS out of the capabilities (then wait for the
             client to leave)
--ready TEXT the go-ahead line instead of the usual one (smtp and lmtp)
--info F     after the handshake: version=, cipher=, sni=, alpn=,
             resumed=, and client_random= is not knowable here, so the
             key log (--keylog, python's own) is the reference
--record F   every byte received after TLS, until the client's end
After TLS the server sends "hello over tls\\n", records what it gets
until the end, and closes with close_notify.  Exit 0 when all went as
expected; 1 with the reason on stderr.
"""

import argparse
import socket
import ssl
import sys

XMPP_HEADER = (b"<?xml version='1.0'?><stream:stream to='localhost' "
               b"xmlns='jabber:client' "
               b"xmlns:stream='http://etherx.jabber.org/streams' "
               b"version='1.0'>")
XMPP_STARTTLS = b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
PG_SSLREQUEST = b"\x00\x00\x00\x08\x04\xd2\x16\x2f"
LDAP_STARTTLS = (b"\x30\x1d\x02\x01\x01\x77\x18\x80\x16"
                 b"1.3.6.1.4.1.1466.20037")
LDAP_OK = b"\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00"
LDAP_NO = (b"\x30\x1a\x02\x01\x01\x78\x15\x0a\x01\x02\x04\x00\x04\x0e"
           b"no TLS for you")


def script(proto, hello, offer, refuse, ready):
    """The dialogue: a list of ("send", bytes) and ("expect", bytes)."""
    if proto in ("smtp", "lmtp"):
        verb = b"EHLO" if proto == "smtp" else b"LHLO"
        caps = b"250-mail.test\r\n250-SIZE 1000\r\n"
        caps += b"250 STARTTLS\r\n" if offer else b"250 8BITMIME\r\n"
        go = (b"454 4.7.0 TLS not available\r\n" if refuse else
              (ready or b"220 2.0.0 Ready to start TLS") + b"\r\n")
        return [("send", b"220 mail.test ESMTP\r\n"),
                ("expect", verb + b" " + hello + b"\r\n"),
                ("send", caps), ("expect", b"STARTTLS\r\n"), ("send", go)]
    if proto == "imap":
        caps = b"* CAPABILITY IMAP4rev1 " + (b"STARTTLS" if offer else
                                            b"AUTH=PLAIN")
        go = b"a2 NO not now\r\n" if refuse else b"a2 OK Begin TLS\r\n"
        return [("send", b"* OK IMAP4rev1 ready\r\n"),
                ("expect", b"a1 CAPABILITY\r\n"),
                ("send", caps + b"\r\na1 OK done\r\n"),
                ("expect", b"a2 STARTTLS\r\n"), ("send", go)]
    if proto == "pop3":
        caps = b"+OK\r\nUSER\r\n" + (b"STLS\r\n" if offer else b"") + b".\r\n"
        go = b"-ERR no TLS here\r\n" if refuse else b"+OK Begin TLS\r\n"
        return [("send", b"+OK POP3 ready\r\n"), ("expect", b"CAPA\r\n"),
                ("send", caps), ("expect", b"STLS\r\n"), ("send", go)]
    if proto == "ftp":
        feat = (b"211-Features:\r\n" + (b" AUTH TLS\r\n" if offer else b"") +
                b" PBSZ\r\n211 End\r\n")
        go = b"534 refused\r\n" if refuse else b"234 AUTH TLS ok\r\n"
        return [("send", b"220 FTP ready\r\n"), ("expect", b"FEAT\r\n"),
                ("send", feat), ("expect", b"AUTH TLS\r\n"), ("send", go)]
    if proto == "nntp":
        caps = (b"101 Capability list:\r\nVERSION 2\r\n" +
                (b"STARTTLS\r\n" if offer else b"") + b".\r\n")
        go = (b"580 Can not initiate TLS negotiation\r\n" if refuse else
              b"382 Continue with TLS negotiation\r\n")
        return [("send", b"200 news ready\r\n"),
                ("expect", b"CAPABILITIES\r\n"), ("send", caps),
                ("expect", b"STARTTLS\r\n"), ("send", go)]
    if proto == "sieve":
        caps = (b'"IMPLEMENTATION" "test"\r\n"SIEVE" "fileinto"\r\n' +
                (b'"STARTTLS"\r\n' if offer else b"") + b'OK "ready"\r\n')
        go = b'NO "not now"\r\n' if refuse else b'OK "begin TLS"\r\n'
        return [("send", caps), ("expect", b"STARTTLS\r\n"), ("send", go)]
    if proto == "xmpp":
        feats = (b"<?xml version='1.0'?><stream:stream from='localhost' "
                 b"id='s1' xmlns='jabber:client' "
                 b"xmlns:stream='http://etherx.jabber.org/streams' "
                 b"version='1.0'><stream:features>" +
                 (b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                  b"<required/></starttls>" if offer else
                  b"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                  b"<mechanism>PLAIN</mechanism></mechanisms>") +
                 b"</stream:features>")
        go = (b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
              b"</stream:stream>" if refuse else
              b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        return [("expect", XMPP_HEADER), ("send", feats),
                ("expect", XMPP_STARTTLS), ("send", go)]
    if proto == "postgres":
        return [("expect", PG_SSLREQUEST), ("send", b"N" if refuse else b"S")]
    if proto == "ldap":
        return [("expect", LDAP_STARTTLS),
                ("send", LDAP_NO if refuse else LDAP_OK)]
    raise SystemExit("unknown protocol " + proto)


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def fail(why):
    sys.stderr.write("starttls-server: %s\n" % why)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("proto")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--refuse", action="store_true")
    ap.add_argument("--no-offer", action="store_true")
    ap.add_argument("--ready")
    ap.add_argument("--info")
    ap.add_argument("--record")
    ap.add_argument("--keylog")
    ap.add_argument("--alpn")
    ap.add_argument("--echo", action="store_true",
                    help="after TLS: no hello, echo each line back")
    a = ap.parse_args()

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.settimeout(20)
    conn, addr = srv.accept()
    conn.settimeout(60)
    hello = ("[%s]" % addr[0]).encode()
    ready = a.ready.encode() if a.ready else None
    steps = script(a.proto, hello, not a.no_offer, a.refuse, ready)
    if a.no_offer:
        # Up to the capabilities; the client must not ask for more.
        steps = steps[:-2]
    for i, (kind, data) in enumerate(steps):
        if kind == "send":
            conn.sendall(data)
            continue
        got = recv_exact(conn, len(data))
        if got != data:
            fail("step %d: expected %r, got %r" % (i, data, got))
    if a.refuse or a.no_offer:
        # The client must now give up and leave.
        rest = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            rest += chunk
        if rest:
            fail("the client went on after a no: %r" % rest)
        return
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    if a.keylog:
        ctx.keylog_filename = a.keylog
    if a.alpn:
        ctx.set_alpn_protocols(a.alpn.split(","))
    sni = []
    ctx.sni_callback = lambda s, name, c: sni.append(name or "")
    tls = ctx.wrap_socket(conn, server_side=True)
    if a.info:
        with open(a.info, "w") as f:
            f.write("version=%s\ncipher=%s\nsni=%s\nalpn=%s\n" % (
                tls.version(), tls.cipher()[0], sni[0] if sni else "",
                tls.selected_alpn_protocol() or ""))
    if not a.echo:
        tls.sendall(b"hello over tls\n")
    got = b""
    while True:
        try:
            chunk = tls.recv(4096)
        except ssl.SSLEOFError:
            break
        if not chunk:
            break
        got += chunk
        if a.echo:
            tls.sendall(chunk)
    if a.record:
        with open(a.record, "wb") as f:
            f.write(got)
    try:
        tls.unwrap()
    except (ssl.SSLError, OSError):
        pass
    tls.close()


if __name__ == "__main__":
    main()
