#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""SIGINT, SIGTERM and SIGHUP at random moments of transfers, round
after round.

    signal-rounds.py [--rounds N] [--seed S] [--only KIND] SOCKLINE

Each round sets up one kind of session, waits until bytes are moving
both ways, lets a random moment (0 to 150 ms) pass, sends a random one of
the three signals, and then checks what sockline must guarantee:

  - it exits 128+signal, by itself (not killed by the signal);
  - no socket file it made is left behind;
  - no program it started (-e, -c) is left running;
  - at the prompt, the terminal's settings are as they were before.

The kinds, in turn: a TCP client; a unix stream listener; a -e
listener; a -c listener; a unix datagram client bound with -s; a UDP
listener; the prompt on a terminal (a pty of this script's), connected
to a peer that keeps talking while keys are typed.

Exits 0 with a one-line summary, or 1 naming the round (and its seed)
that broke a rule.
"""

import argparse
import os
import pty
import random
import signal
import socket
import subprocess
import sys
import tempfile
import termios
import threading
import time

WAIT = 20
KINDS = ("tcp-client", "unix-listener", "exec", "sh-exec", "unix-dgram-s",
         "udp-listener", "prompt")
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Failed(Exception):
    pass


def wait_for(cond, what, secs=WAIT):
    deadline = time.monotonic() + secs
    while not cond():
        if time.monotonic() > deadline:
            raise Failed("timed out waiting for %s" % what)
        time.sleep(0.002)


def quietly(fn):
    """Runs fn in a thread; the errors of a session that is being killed
    (broken pipes, resets) are expected and ignored."""
    def body():
        try:
            fn()
        except (OSError, ValueError):
            pass
    t = threading.Thread(target=body, daemon=True)
    t.start()
    return t


class Round:
    def __init__(self, a, n, kind, rng, tmp):
        self.a, self.n, self.kind, self.rng = a, n, kind, rng
        self.tmp = tempfile.mkdtemp(dir=tmp, prefix="r%d." % n)
        self.stop = False
        self.moved = 0          # bytes the peer received from sockline
        self.closers = []
        self.files = []         # paths that must be gone at the end
        self.pidfile = os.path.join(self.tmp, "child.pid")
        self.term = None
        self.master = None

    def close(self, failed):
        self.stop = True
        # After a failed round nothing of ours may be left running.  (After
        # a good one the program is known gone: its PID is not ours now.)
        p = getattr(self, "p", None)
        if p is not None and p.poll() is None:
            p.kill()
            p.wait()
        if failed and os.path.exists(self.pidfile):
            try:
                with open(self.pidfile) as f:
                    os.kill(int(f.read()), signal.SIGKILL)
            except (ValueError, ProcessLookupError):
                pass
        for c in self.closers:
            try:
                c()
            except OSError:
                pass

    def chunk(self):
        return self.rng.randbytes(self.rng.randint(1, 8192))

    # Sockline's stdin and stdout as pipes, kept busy.
    def spawn_piped(self, args):
        p = subprocess.Popen([self.a.sockline] + args, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.p = p
        self.closers += [p.stdin.close, p.stdout.close, p.stderr.close]

        def feed():
            while not self.stop:
                p.stdin.write(self.chunk() + b"\n")
                p.stdin.flush()
                time.sleep(0.001)

        def drain():
            while not self.stop and p.stdout.read1(65536):
                pass
        quietly(feed)
        quietly(drain)
        return p

    def stream_peer(self, s):
        """A peer that keeps sending and reading."""
        self.closers.append(s.close)

        def send():
            while not self.stop:
                s.sendall(self.chunk())
                time.sleep(0.001)

        def recv():
            while not self.stop:
                b = s.recv(65536)
                if not b:
                    return
                self.moved += len(b)
        quietly(send)
        quietly(recv)

    def dgram_peer(self, s, addr=None):
        self.closers.append(s.close)
        state = {"to": addr}

        def send():
            while not self.stop:
                if state["to"] is not None:
                    s.sendto(self.chunk()[:1000], state["to"])
                time.sleep(0.002)

        def recv():
            while not self.stop:
                b, frm = s.recvfrom(65536)
                if state["to"] is None and frm:
                    state["to"] = frm
                self.moved += len(b)
        quietly(send)
        quietly(recv)

    def listener(self, family=socket.AF_INET, path=None):
        srv = socket.socket(family, socket.SOCK_STREAM)
        srv.bind(path or ("127.0.0.1", 0))
        srv.listen(1)
        srv.settimeout(WAIT)
        self.closers.append(srv.close)
        return srv

    def connect_port_file(self, pf):
        wait_for(lambda: os.path.exists(pf) and os.path.getsize(pf) > 0,
                 "the port file")
        with open(pf) as f:
            port = int(f.read())
        return socket.create_connection(("127.0.0.1", port), timeout=WAIT)

    def start(self):
        k = self.kind
        if k == "tcp-client":
            srv = self.listener()
            p = self.spawn_piped(["127.0.0.1", str(srv.getsockname()[1])])
            self.stream_peer(srv.accept()[0])
        elif k == "unix-listener":
            path = os.path.join(self.tmp, "l.sock")
            self.files.append(path)
            p = self.spawn_piped(["-l", "-U", path])
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

            def connected():
                try:
                    s.connect(path)
                    return True
                except (FileNotFoundError, ConnectionRefusedError):
                    return False
            wait_for(connected, "the unix listener")
            self.stream_peer(s)
        elif k in ("exec", "sh-exec"):
            pf = os.path.join(self.tmp, "port")
            cmd = "echo $$ >%s; exec cat" % self.pidfile
            prog = ["-e", "sh -c '%s'" % cmd] if k == "exec" else ["-c", cmd]
            p = self.spawn_piped(["-l", "-k", "127.0.0.1", "0",
                                  "--port-file", pf] + prog)
            self.stream_peer(self.connect_port_file(pf))
            wait_for(lambda: os.path.exists(self.pidfile) and
                     os.path.getsize(self.pidfile) > 0, "the program")
        elif k == "unix-dgram-s":
            path = os.path.join(self.tmp, "server.sock")
            me = os.path.join(self.tmp, "client.sock")
            self.files.append(me)
            srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            srv.bind(path)
            p = self.spawn_piped(["-U", "-u", "-s", me, path])
            self.dgram_peer(srv)
        elif k == "udp-listener":
            pf = os.path.join(self.tmp, "port")
            p = self.spawn_piped(["-l", "-u", "127.0.0.1", "0",
                                  "--port-file", pf])
            wait_for(lambda: os.path.exists(pf) and os.path.getsize(pf) > 0,
                     "the port file")
            with open(pf) as f:
                port = int(f.read())
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.dgram_peer(s, ("127.0.0.1", port))
        else:
            p = self.start_prompt()
        self.p = p
        return p

    def start_prompt(self):
        srv = self.listener()
        master, slave = pty.openpty()
        self.master = master
        self.closers.append(lambda: os.close(master))
        self.term = termios.tcgetattr(slave)
        env = dict(os.environ, TERM="xterm", INPUTRC="/dev/null",
                   XDG_STATE_HOME=self.tmp, LC_ALL="C.UTF-8")
        # setsid -c: the pty becomes sockline's controlling terminal, so
        # its /dev/tty is this pty and never the terminal running us.
        p = subprocess.Popen(["setsid", "-c", self.a.sockline, "127.0.0.1",
                              str(srv.getsockname()[1])], stdin=slave,
                             stdout=slave, stderr=slave, env=env)
        self.p = p
        os.close(slave)
        self.stream_peer(srv.accept()[0])

        def screen():
            while not self.stop and os.read(master, 65536):
                pass

        def keys():
            while not self.stop:
                os.write(master, self.rng.choice((b"hello", b"x" * 50,
                                                  b"\r", b"\x7f", b"\x01")))
                time.sleep(0.003)
        quietly(screen)
        quietly(keys)
        return p

    def check(self):
        sig = self.rng.choice(SIGNALS)
        p = self.start()
        # Bytes must be moving before the moment is chosen.
        wait_for(lambda: self.moved > 0 or p.poll() is not None,
                 "bytes from sockline")
        if p.poll() is not None:
            raise Failed("sockline ended by itself, status %d: %s" %
                         (p.returncode, p.stderr.read().decode()
                          if p.stderr else ""))
        time.sleep(self.rng.uniform(0, 0.15))
        p.send_signal(sig)
        try:
            status = p.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            p.kill()
            raise Failed("no exit within %d s of %s" % (WAIT, sig.name))
        if status != 128 + sig:
            raise Failed("%s: exit status %d, not %d" %
                         (sig.name, status, 128 + sig))
        for f in self.files:
            if os.path.lexists(f):
                raise Failed("%s: %s was left behind" % (sig.name, f))
        if os.path.exists(self.pidfile):
            with open(self.pidfile) as f:
                pid = int(f.read())
            try:
                os.kill(pid, 0)
                raise Failed("%s: program %d still runs" % (sig.name, pid))
            except ProcessLookupError:
                pass
        if self.term is not None:
            # The pty keeps its settings after sockline is gone.
            now = termios.tcgetattr(self.master)
            if now != self.term:
                raise Failed("%s: terminal settings changed: %r -> %r" %
                             (sig.name, self.term, now))
        return sig


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=KINDS)
    ap.add_argument("sockline")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="signal-rounds.")
    seen = {}
    start = time.monotonic()
    for n in range(a.rounds):
        kind = a.only or KINDS[n % len(KINDS)]
        r = Round(a, n, kind, random.Random(a.seed * 1000003 + n), tmp)
        try:
            sig = r.check()
        except Failed as e:
            r.close(True)
            sys.stderr.write("signal-rounds: round %d (%s, seed %d): %s\n" %
                             (n, kind, a.seed, e))
            return 1
        r.close(False)
        seen[sig.name] = seen.get(sig.name, 0) + 1
    print("%d rounds in %.1f s, each exit 128+signal and clean (%s)" %
          (a.rounds, time.monotonic() - start,
           ", ".join("%s %d" % kv for kv in sorted(seen.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
