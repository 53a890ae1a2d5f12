# SPDX-License-Identifier: GPL-3.0-or-later
"""What the scripted peers share (peer.py and tls-peer.py, swarm.py and
tls-swarm.py): standard library only, imported from the peers' own
directory, which python puts first on the path of a script it runs.

The failure messages start with the running peer's name ("peer: ...",
"tls-peer: ..."), taken from the script's file name.
"""

import os
import random
import socket
import struct
import sys
import threading
import time

# No step waits forever: a wrong expectation fails the test, not hangs it.
IO_TIMEOUT = 20

PROG = os.path.basename(sys.argv[0] or "peer").rsplit(".py", 1)[0]


def fail(msg):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.exit(1)


def unescape(text):
    """Decodes the C escapes a step's TEXT may hold into bytes."""
    out = bytearray()
    i = 0
    raw = text.encode("utf-8", "surrogateescape")
    simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("0"): 0,
              ord("\\"): 92, ord("a"): 7, ord("e"): 27}
    while i < len(raw):
        c = raw[i]
        if c == 92 and i + 1 < len(raw):
            n = raw[i + 1]
            if n in simple:
                out.append(simple[n])
                i += 2
                continue
            if n == ord("x") and i + 3 < len(raw) + 1:
                out.append(int(raw[i + 2:i + 4], 16))
                i += 4
                continue
        out.append(c)
        i += 1
    return bytes(out)


def write_atomic(path, text):
    """A file the test polls for appears whole or not at all."""
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def unix_addr(path):
    """'@name' is an abstract socket, as in sockline."""
    return "\0" + path[1:] if path.startswith("@") else path


def endpoint_args(ap):
    """The options that say where a peer listens or connects."""
    ap.add_argument("--listen", action="store_true")
    ap.add_argument("--connect")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("-4", dest="v4", action="store_true")
    ap.add_argument("-6", dest="v6", action="store_true")
    ap.add_argument("--unix")


def accept_one(family, where, port_file):
    """Listens on where (host and port, or a unix path), says the port in
    port_file (0 for a unix socket) and returns the one connection, and
    its address, that comes within 30 s."""
    srv = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_UNIX:
        srv.bind(unix_addr(where))
    else:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(where)
    srv.listen(16)
    if port_file:
        write_atomic(port_file, "%d\n" % (
            0 if family == socket.AF_UNIX else srv.getsockname()[1]))
    srv.settimeout(30)
    try:
        sock, addr = srv.accept()
    except socket.timeout:
        fail("nobody connected within 30 s")
    srv.close()
    return sock, addr


def connect_one(host, port, unix=None):
    """A stream connection to a unix path, or to host and port (OSError
    if it cannot be made)."""
    if unix:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(unix_addr(unix))
        return sock
    return socket.create_connection((host, port), timeout=10)


def recv_exact(recv, n):
    """n bytes from recv(size), fewer only if the stream ends first."""
    got = bytearray()
    while len(got) < n:
        b = recv(min(n - len(got), 65536))
        if not b:
            break
        got += b
    return bytes(got)


def recv_drop(recv, n):
    """Receives n bytes and drops them; how many were still to come when
    the stream ended (0: none)."""
    while n > 0:
        b = recv(min(n, 65536))
        if not b:
            break
        n -= len(b)
    return n


def reset(sock):
    """Closes with SO_LINGER 0, so the other side sees RST."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


def common_step(name, arg, send):
    """The steps every peer has the same: send:TEXT and send-file:PATH
    (through send(bytes)), touch:PATH, sleep:MS and wait-file:PATH.
    False for any other step."""
    if name == "send":
        send(unescape(arg))
    elif name == "send-file":
        with open(arg, "rb") as f:
            send(f.read())
    elif name == "touch":
        open(arg, "a").close()
    elif name == "sleep":
        time.sleep(int(arg) / 1000.0)
    elif name == "wait-file":
        deadline = time.monotonic() + IO_TIMEOUT
        while not os.path.exists(arg):
            if time.monotonic() > deadline:
                fail("timed out waiting for %s" % arg)
            time.sleep(0.01)
    else:
        return False
    return True


def echo_rounds(s, n, rounds, errors, interval=0):
    """A swarm client's rounds against an echo server: a line of random
    text tagged with n, read back whole before the next, interval seconds
    apart.  False, with the reason in errors, at the first difference."""
    rng = random.Random(n)
    for r in range(rounds):
        text = "%d:%d:%s\n" % (n, r, "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
            for _ in range(rng.randint(1, 200))))
        want = text.encode()
        s.sendall(want)
        got = recv_exact(s.recv, len(want))
        if len(got) < len(want):
            errors.append("client %d: end of stream in round %d" % (n, r))
            return False
        if got != want:
            errors.append("client %d round %d: sent %r, got %r" %
                          (n, r, want[:40], got[:40]))
            return False
        if interval:
            time.sleep(interval)
    return True


def swarm(clients, connect, work, errors):
    """Runs clients threads: each connects (connect(n) returns the socket),
    then, once every one of them has, all run work(n, socket) at once,
    so that they really are there together.  Failures go to errors as
    "client N: ..."; each socket is closed at the end."""
    ready = threading.Semaphore(0)
    go = threading.Event()

    def client(n):
        try:
            s = connect(n)
        except OSError as e:
            errors.append("client %d: connect: %s" % (n, e))
            ready.release()
            return
        ready.release()
        go.wait()
        try:
            work(n, s)
        except OSError as e:
            errors.append("client %d: %s" % (n, e))
        finally:
            s.close()

    threads = [threading.Thread(target=client, args=(i,))
               for i in range(clients)]
    for t in threads:
        t.start()
    for _ in threads:
        ready.acquire()
    go.set()
    for t in threads:
        t.join()
