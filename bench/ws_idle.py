#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Opens N idle websocket connections to a running server and reports its resident memory
per connection (the growth of the server's VmRSS divided by N).

Usage: bench/ws_idle.py PID PORT [N] [PATH]    e.g. with examples/echo_ws on port 9001
"""
import socket
import sys
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main():
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    path = sys.argv[4] if len(sys.argv) > 4 else "/ws"
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n").encode()
    time.sleep(0.5)
    before = rss_kib(pid)
    socks = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(request)
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                raise RuntimeError(f"connection {i} closed during the handshake")
            got += chunk
        if not got.startswith(b"HTTP/1.1 101 "):
            raise RuntimeError(f"connection {i}: {got[:40]!r}")
        socks.append(s)
    time.sleep(1.0)
    after = rss_kib(pid)
    print(f"{n} idle websocket connections: server RSS {before} KiB -> {after} KiB, "
          f"{(after - before) * 1024 / n:.0f} bytes per connection")
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
