#!/usr/bin/env python3
"""Per-line latency added by `facteur proxy`: NOOP round trips on one SMTP
connection, direct to a server and through the proxy in front of it,
interleaved in rounds so that both see the same machine. Prints the
round-trip percentiles of each and what the proxy adds (p50, p99), in ms.

Usage: proxy_latency.py DIRECT_PORT PROXY_PORT [ROUNDS] [LINES_PER_ROUND]
"""
import socket
import sys
import time


def session(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")
    f.readline()  # greeting
    s.sendall(b"EHLO lat\r\n")
    while f.readline()[3:4] == b"-":
        pass
    return s, f


def round_trips(s, f, n):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        s.sendall(b"NOOP\r\n")
        f.readline()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def main():
    direct, proxy = int(sys.argv[1]), int(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    per = int(sys.argv[4]) if len(sys.argv) > 4 else 500
    d, p = session(direct), session(proxy)
    # Warm up both paths.
    round_trips(*d, 200)
    round_trips(*p, 200)
    dl, pl = [], []
    for _ in range(rounds):
        dl += round_trips(*d, per)
        pl += round_trips(*p, per)
    for name, v in (("direct", dl), ("proxy", pl)):
        print(f"{name}: p50 {pct(v, 50):.3f} ms, p99 {pct(v, 99):.3f} ms ({len(v)} round trips)")
    print(
        f"added by the proxy: p50 {pct(pl, 50) - pct(dl, 50):.3f} ms, "
        f"p99 {pct(pl, 99) - pct(dl, 99):.3f} ms"
    )


if __name__ == "__main__":
    main()
