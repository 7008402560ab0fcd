#!/usr/bin/env python3
"""A hostile classmate against `facteur serve`, attack by attack, while an
honest student keeps connecting: prints the server's RSS and the honest
student's greeting latency (median and p95) under each attack.

Every attack is bounded in count and time and targets 127.0.0.1 only.
Usage: scripts/attacks.py [path/to/facteur]   (default target/release/facteur)
"""

import os
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/facteur"


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("cannot measure the server's memory")


def start(extra):
    p = subprocess.Popen(
        [BIN, "serve", "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--students", "30"] + extra,
        stderr=subprocess.PIPE, text=True)
    ports = {}
    for line in p.stderr:
        if " listening on " in line:
            kind = line.split(" listening")[0]
            ports[kind] = int(line.rsplit(":", 1)[1])
        elif "ready" in line:
            break
    threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()
    return p, ports["SMTP facteur.lab"], ports["POP3 facteur.lab"]


def conn(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return s, s.makefile("rb")


def cmd(s, f, line, multi=False):
    s.sendall(line.encode() + b"\r\n")
    out = f.readline()
    while multi and out[3:4] == b"-":
        out = f.readline()
    return out


def send_mail(port, to, body):
    s, f = conn(port)
    f.readline()
    cmd(s, f, "EHLO lab", multi=True)
    cmd(s, f, "MAIL FROM:<fred@free.fr>")
    cmd(s, f, f"RCPT TO:<{to}>")
    cmd(s, f, "DATA")
    s.sendall(body + b"\r\n.\r\n")
    r = f.readline()
    s.close()
    return r


def big(n_mib):
    line = b"x" * 998
    return b"Subject: big\r\n\r\n" + b"\r\n".join([line] * (1050 * n_mib))


def honest(port, n=40):
    lat = []
    for _ in range(n):
        t = time.monotonic()
        try:
            s, f = conn(port, timeout=5)
            f.readline()
            lat.append((time.monotonic() - t) * 1000)
            s.close()
        except OSError:
            lat.append(5000.0)
        time.sleep(0.02)
    lat.sort()
    return statistics.median(lat), lat[int(len(lat) * 0.95) - 1]


def report(name, pid, port, attack):
    before = rss_kb(pid)
    t = threading.Thread(target=attack, daemon=True)
    t.start()
    time.sleep(0.3)
    p50, p95 = honest(port)
    peak = rss_kb(pid)
    t.join(timeout=30)
    print(f"{name:<44} RSS {before/1024:7.1f} → {peak/1024:7.1f} MiB   greeting p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")


def pipelined_retr(pop3):
    def attack():
        s, f = conn(pop3)
        f.readline()
        cmd(s, f, "USER marc")
        cmd(s, f, "PASS marcpass")
        s.sendall(b"RETR 1\r\n" * 2000)
        time.sleep(3)  # reads nothing: the server must not build 2,000 replies
        s.close()
    return attack


def list_amplification(smtp):
    return lambda: send_mail(smtp, "classe@free.fr", big(9))


def quota_flood(smtp):
    return lambda: [send_mail(smtp, "marc@wanadoo.fr", big(9)) for _ in range(8)]


def silent_reader(pop3):
    def attack():
        s, f = conn(pop3)
        f.readline()
        cmd(s, f, "USER marc")
        cmd(s, f, "PASS marcpass")
        s.sendall(b"RETR 1\r\n" * 50)
        time.sleep(4)
        s.close()
    return attack


def stalled_handshakes(smtp):
    def attack():
        held = []
        for _ in range(20):
            s, f = conn(smtp)
            f.readline()
            cmd(s, f, "EHLO lab", multi=True)
            cmd(s, f, "STARTTLS")
            held.append(s)
        time.sleep(4)
    return attack


def parallel_guessing(smtp):
    def one():
        try:
            s, f = conn(smtp)
            f.readline()
            cmd(s, f, "EHLO lab", multi=True)
            cmd(s, f, "AUTH PLAIN AGZyZWQAd3Jvbmc=")
            s.close()
        except OSError:
            pass
    def attack():
        ts = [threading.Thread(target=one) for _ in range(150)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=30)
    return attack


def main():
    p, smtp, pop3 = start(["--timeout", "2", "--handshake-timeout", "2"])
    try:
        send_mail(smtp, "marc@wanadoo.fr", big(1))
        report("(no attack)", p.pid, smtp, lambda: None)
        report("pipelined RETR ×2000 of a 1 MiB message", p.pid, smtp, pipelined_retr(pop3))
        report("9 MiB to a list of 30", p.pid, smtp, list_amplification(smtp))
        report("8 × 9 MiB to one mailbox (quota)", p.pid, smtp, quota_flood(smtp))
        report("a POP3 client that stops reading", p.pid, smtp, silent_reader(pop3))
        report("20 stalled TLS handshakes", p.pid, smtp, stalled_handshakes(smtp))
        report("150 parallel password guesses", p.pid, smtp, parallel_guessing(smtp))
    finally:
        p.terminate()
        p.wait(timeout=10)


if __name__ == "__main__":
    main()
