# SPDX-License-Identifier: MIT
"""Talks to a real swoop server with h11, a strict HTTP/1.1 client, and raw sockets."""
import json
import os
import socket
import subprocess
import sys
import unittest

import h11

from serverproc import ServerProcess

BINARY = None


def h11_exchange(port, requests, read_timeout=5.0):
    """Sends h11 requests (method, target, headers, body) on one connection, returns responses."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    conn = h11.Connection(h11.CLIENT)
    out = []
    try:
        for method, target, headers, body in requests:
            hdrs = [("Host", "127.0.0.1")] + headers
            if body is not None:
                hdrs.append(("Content-Length", str(len(body))))
            data = conn.send(h11.Request(method=method, target=target, headers=hdrs))
            if body is not None:
                data += conn.send(h11.Data(data=body))
            data += conn.send(h11.EndOfMessage())
            sock.sendall(data)
            response, chunks = None, []
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    conn.receive_data(sock.recv(65536))
                    continue
                if isinstance(event, h11.Response):
                    response = event
                elif isinstance(event, h11.Data):
                    chunks.append(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    break
            out.append((response, b"".join(chunks)))
            if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                break
            conn.start_next_cycle()
    finally:
        sock.close()
    return out


class H11Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess(BINARY)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if code != 0:
            raise AssertionError(f"server exited with {code}:\n{''.join(cls.server.log)}")

    def test_plaintext_is_valid_http11(self):
        [(res, body)] = h11_exchange(self.server.port, [("GET", "/plaintext", [], None)])
        self.assertEqual(res.status_code, 200)
        self.assertEqual(body, b"Hello, World!")
        headers = dict(res.headers)
        self.assertEqual(headers[b"content-type"], b"text/plain; charset=utf-8")
        self.assertIn(b"date", headers)

    def test_keep_alive_cycles(self):
        reqs = [("GET", "/plaintext", [], None), ("POST", "/echo", [], b"x" * 100000),
                ("GET", "/slow?ms=5", [], None), ("HEAD", "/plaintext", [], None),
                ("GET", "/big?n=3000000", [], None)]
        got = h11_exchange(self.server.port, reqs)
        self.assertEqual([r.status_code for r, _ in got], [200] * 5)
        self.assertEqual(got[1][1], b"x" * 100000)
        self.assertEqual(got[2][1], b"slow 5")
        self.assertEqual(got[3][1], b"")
        self.assertEqual(len(got[4][1]), 3000000)

    def test_errors_close_the_connection(self):
        [(res, _)] = h11_exchange(self.server.port, [("GET", "/nope", [], None)])
        self.assertEqual(res.status_code, 404)
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\n\r\n")  # no Host
        conn = h11.Connection(h11.CLIENT)
        conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
        conn.send(h11.EndOfMessage())
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        sock.close()
        conn.receive_data(data)
        conn.receive_data(b"")
        res = conn.next_event()
        self.assertEqual(res.status_code, 400)
        self.assertIn((b"connection", b"close"), list(res.headers))

    def test_pipelined_responses_arrive_in_order(self):
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        burst = b"".join(b"GET /slow?ms=%d HTTP/1.1\r\nHost: x\r\n\r\n" % (i % 3) for i in range(30))
        sock.sendall(burst + b"GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        conn = h11.Connection(h11.CLIENT)
        bodies = []
        for _ in range(31):
            conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
            conn.send(h11.EndOfMessage())
            body = b""
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    conn.receive_data(sock.recv(65536))
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    break
            bodies.append(body)
            if conn.their_state is not h11.MUST_CLOSE:
                conn.start_next_cycle()
        sock.close()
        self.assertEqual(bodies[:30], [b"slow %d" % (i % 3) for i in range(30)])
        self.assertEqual(bodies[30], b"Hello, World!")


class AccessLogTest(unittest.TestCase):
    def test_one_line_per_request_when_enabled(self):
        server = ServerProcess(BINARY, extra=["access-log"])
        try:
            h11_exchange(server.port, [("GET", "/plaintext?x=1", [], None),
                                       ("POST", "/echo", [], b"abc")])
        finally:
            self.assertEqual(server.stop(), 0)
        log = "".join(server.log)
        clf = r'127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] '
        self.assertRegex(log, clf + r'"GET /plaintext\?x=1 HTTP/1\.1" 200 13\n')
        self.assertRegex(log, clf + r'"POST /echo HTTP/1\.1" 200 3\n')

    def test_json_lines_chosen_by_the_environment(self):
        env = dict(os.environ, SWOOP_ACCESS_LOG="json")
        server = ServerProcess(BINARY, env=env)
        try:
            h11_exchange(server.port, [("GET", "/plaintext?x=%22", [], None)])
            with socket.create_connection(("127.0.0.1", server.port)) as s:
                s.sendall(b"\x01 / HTTP/1.1\r\n\r\n")
                s.recv(4096)
        finally:
            self.assertEqual(server.stop(), 0)
        records = [json.loads(line) for line in server.log if line.startswith("{")]
        self.assertEqual(len(records), 2, server.log)
        ok = records[0]
        self.assertEqual((ok["method"], ok["target"], ok["version"]),
                         ("GET", "/plaintext?x=%22", "HTTP/1.1"))
        self.assertEqual((ok["status"], ok["bytes"], ok["remote"]), (200, 13, "127.0.0.1"))
        self.assertIsInstance(ok["duration_ms"], int)
        self.assertEqual(records[1]["status"], 400)
        self.assertNotIn("method", records[1])
        self.assertIn("error", records[1])

    def test_a_malformed_value_stops_the_start(self):
        env = dict(os.environ, SWOOP_ACESS_LOG="json", SWOOP_REQUEST_TIMEOUT="soon")
        proc = subprocess.run([BINARY], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertNotIn("SWOOP_ACESS_LOG", proc.stderr)  # a typo is a warning, not the error
        self.assertIn("SWOOP_REQUEST_TIMEOUT='soon': expected a duration", proc.stderr)
        self.assertNotIn("listening", proc.stderr)

    def test_off_by_default(self):
        server = ServerProcess(BINARY)
        try:
            h11_exchange(server.port, [("GET", "/plaintext", [], None)])
        finally:
            self.assertEqual(server.stop(), 0)
        self.assertNotIn("/plaintext", "".join(server.log))


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)
