# SPDX-License-Identifier: MIT
# Opens N keep-alive connections to a server, sends one GET on each and reads its answer, then
# holds them all open and idle until stdin closes or gives a line. Used by bench/run to measure
# the memory a server spends per idle connection.
#
# Usage: /usr/bin/python3 bench/idle_conns.py HOST PORT PATH N
# Prints "ready OPEN" once every connection has its answer (OPEN = connections that got one),
# then, after the line on stdin, "open OPEN" with how many the server still holds open.
import errno
import resource
import selectors
import socket
import sys
import time

BATCH = 500  # connections being set up at once (below the servers' listen backlog)


def main():
    host, port, path, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 100
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            sys.exit("idle_conns: RLIMIT_NOFILE hard limit %d is below %d" % (hard, want))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (path, host, port)).encode()
    selector = selectors.DefaultSelector()
    done = []
    failed = 0
    started = 0
    pending = {}
    deadline = time.monotonic() + 120
    while len(done) + failed < count:
        if time.monotonic() > deadline:
            sys.exit("idle_conns: timed out with %d of %d connections answered" % (len(done), count))
        while started < count and len(pending) < BATCH:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex((host, port))
            if err not in (0, errno.EINPROGRESS):
                s.close()
                failed += 1
            else:
                pending[s] = b""
                selector.register(s, selectors.EVENT_WRITE)
            started += 1
        for key, events in selector.select(timeout=1):
            s = key.fileobj
            if events & selectors.EVENT_WRITE:
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                    selector.unregister(s)
                    del pending[s]
                    s.close()
                    failed += 1
                    continue
                s.send(request)  # small enough for an empty send buffer
                selector.modify(s, selectors.EVENT_READ)
                continue
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                selector.unregister(s)
                del pending[s]
                s.close()
                failed += 1
                continue
            pending[s] += data
            head, sep, body = pending[s].partition(b"\r\n\r\n")
            if sep:
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(body) >= length:
                    selector.unregister(s)
                    del pending[s]
                    done.append(s)
    print("ready %d" % len(done), flush=True)
    sys.stdin.readline()
    still_open = 0
    for s in done:
        s.setblocking(False)
        try:
            still_open += 1 if s.recv(1) else 0  # unexpected bytes: count it as open
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
    print("open %d" % still_open, flush=True)


if __name__ == "__main__":
    main()
