#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Random interleaved traffic through sockline, checked byte for byte.

    exchange.py TRANSPORT SOCKLINE [SEED]

TRANSPORT is tcp, udp, unix or unixgram.  The script is sockline's peer
(it owns the listening socket) and also its user (it writes sockline's
stdin and reads its stdout).  It sends 1 KiB each way, then 128 chunks
of random sizes in random directions, each checked on arrival before the
next is sent, then ends the input and expects sockline to exit 0.
Exits 0 if every byte arrived exactly, 1 with the first difference.
"""

import os
import random
import socket
import subprocess
import sys
import tempfile


def fail(msg):
    sys.stderr.write("exchange: %s\n" % msg)
    sys.exit(1)


def read_exact(f, n):
    data = bytearray()
    while len(data) < n:
        b = os.read(f.fileno(), n - len(data))
        if not b:
            fail("sockline's stdout ended with %d of %d bytes" %
                 (len(data), n))
        data += b
    return bytes(data)


def main():
    transport, sockline = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = random.Random(seed)
    dgram = transport in ("udp", "unixgram")
    tmp = tempfile.mkdtemp()

    if transport in ("tcp", "udp"):
        srv = socket.socket(socket.AF_INET,
                            socket.SOCK_DGRAM if dgram else socket.SOCK_STREAM)
        srv.bind(("127.0.0.1", 0))
        args = ["-n", "127.0.0.1", str(srv.getsockname()[1])]
    else:
        path = os.path.join(tmp, "s")
        srv = socket.socket(socket.AF_UNIX,
                            socket.SOCK_DGRAM if dgram else socket.SOCK_STREAM)
        srv.bind(path)
        args = ["-U", path]
    if dgram:
        args = ["-u", "--no-split", "-q", "0.3"] + args
    else:
        srv.listen(1)
    srv.settimeout(20)

    p = subprocess.Popen([sockline] + args, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    conn = None if dgram else srv.accept()[0]
    conn and conn.settimeout(20)
    peer_addr = None

    def to_peer(chunk):
        nonlocal peer_addr
        p.stdin.write(chunk)
        p.stdin.flush()
        if dgram:
            got, peer_addr = srv.recvfrom(65536)
        else:
            got = bytearray()
            while len(got) < len(chunk):
                b = conn.recv(len(chunk) - len(got))
                if not b:
                    fail("the peer saw end of stream early")
                got += b
            got = bytes(got)
        if got != chunk:
            fail("to the peer: sent %d bytes %r..., got %d bytes %r..." %
                 (len(chunk), chunk[:16], len(got), got[:16]))

    def from_peer(chunk):
        if dgram:
            srv.sendto(chunk, peer_addr)
        else:
            conn.sendall(chunk)
        got = read_exact(p.stdout, len(chunk))
        if got != chunk:
            fail("from the peer: sent %r..., printed %r..." %
                 (chunk[:16], got[:16]))

    # A datagram peer learns sockline's address from its first datagram.
    to_peer(bytes(rng.getrandbits(8) for _ in range(1024)))
    from_peer(bytes(rng.getrandbits(8) for _ in range(1024)))
    # Writes of at most PIPE_BUF bytes reach sockline in one read, so each
    # is one datagram; streams take any size.
    top = 4096 if dgram else 60000
    for i in range(128):
        chunk = os.urandom(rng.randint(1, top))
        if rng.random() < 0.5:
            to_peer(chunk)
        else:
            from_peer(chunk)

    p.stdin.close()
    if conn is not None:
        if conn.recv(1) != b"":
            fail("expected end of stream after the input ended")
        conn.close()
    try:
        status = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("sockline did not exit after the exchange")
    rest = p.stdout.read()
    if rest:
        fail("extra bytes on stdout: %r" % rest[:32])
    if status != 0:
        fail("sockline exited %d: %s" % (status, p.stderr.read().decode()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
