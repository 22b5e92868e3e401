# SPDX-License-Identifier: MIT
"""SIGTERM under load: in-flight responses arrive whole, idle connections close, exit code 0."""
import signal
import socket
import sys
import threading
import time
import unittest

import h11

from serverproc import ServerProcess

BINARY = None


def untaken(port):
    """What the server on 127.0.0.1:port has yet to take from its clients (/proc/net/tcp): the
    bytes they sent that it has not acknowledged or not read, and its accept backlogs."""
    address = f"0100007F:{port:04X}"
    count = 0
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            local, remote, _, queues = line.split()[1:5]
            sent, unread = (int(q, 16) for q in queues.split(":"))
            count += unread if local == address else sent if remote == address else 0
    return count


def read_responses(sock):
    """Reads until the server closes; returns the responses; h11 raises on a truncated one."""
    conn = h11.Connection(h11.CLIENT)
    responses = []
    sock.settimeout(15)
    while True:
        conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
        conn.send(h11.EndOfMessage())
        res, body = None, b""
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = sock.recv(65536)
                conn.receive_data(data)
                if not data and res is None and conn.their_state is h11.SEND_RESPONSE:
                    return responses  # closed between responses: fine
                continue
            if isinstance(event, h11.ConnectionClosed):
                return responses
            if isinstance(event, h11.Response):
                res = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                break
        responses.append((res, body))
        if conn.their_state is h11.MUST_CLOSE:
            return responses
        conn.start_next_cycle()


class ShutdownTest(unittest.TestCase):
    def test_sigterm_under_load(self):
        server = ServerProcess(BINARY, workers=2)
        busy, idle = [], []
        for i in range(24):
            s = socket.create_connection(("127.0.0.1", server.port))
            n = 1 + i % 3  # some clients pipeline requests that will still be unanswered
            s.sendall(b"".join(b"GET /slow?ms=400 HTTP/1.1\r\nHost: x\r\n\r\n" for _ in range(n)))
            busy.append(s)
        for _ in range(8):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n")
            idle.append(s)
        big = socket.create_connection(("127.0.0.1", server.port))
        big.sendall(b"GET /big?n=5000000 HTTP/1.1\r\nHost: x\r\n\r\n")
        # SIGTERM once every request was read: one the server never saw is not in flight.
        deadline = time.monotonic() + 15
        while untaken(server.port):
            self.assertLess(time.monotonic(), deadline, "the server did not read the requests")
            time.sleep(0.01)
        start = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)

        results, finished = {}, {}

        def collect(key, sock):
            try:
                results[key] = read_responses(sock)
            except Exception as e:  # noqa: BLE001 - reported below
                results[key] = e
            finally:
                finished[key] = time.monotonic() - start
                sock.close()

        threads = [threading.Thread(target=collect, args=(("busy", i), s)) for i, s in enumerate(busy)]
        threads += [threading.Thread(target=collect, args=(("idle", i), s)) for i, s in enumerate(idle)]
        threads.append(threading.Thread(target=collect, args=(("big", 0), big)))
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        clients_done = time.monotonic()
        code = server.proc.wait(timeout=30)
        log = "".join(server.log)
        self.assertEqual(code, 0, log)
        # The grace period is 5 s: exiting right after the clients finished reading shows that
        # nothing waited for the forced close.
        self.assertLess(time.monotonic() - clients_done, 1.5)
        # Every connection, busy or idle, is closed by the server well before the 5 s grace
        # period would force it.
        self.assertLess(max(finished.values()), 3, finished)
        for key, got in results.items():
            with self.subTest(key=key):
                self.assertNotIsInstance(got, Exception, f"{key}: {got!r}")
                self.assertGreaterEqual(len(got), 1, f"{key}: the in-flight request got no response")
                for res, body in got:
                    self.assertEqual(res.status_code, 200)
                if key[0] == "busy":
                    self.assertEqual(got[0][1], b"slow 400")
                if key[0] == "big":
                    self.assertEqual(len(got[0][1]), 5000000)
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)
