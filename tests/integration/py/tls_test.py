# SPDX-License-Identifier: MIT
"""HTTPS and wss with real clients: curl, Python's ssl + h11, aiohttp and websockets, against
servers given a certificate made at test time (SWOOP_TLS_CERT_FILE / SWOOP_TLS_KEY_FILE)."""
import asyncio
import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

import h11

from serverproc import ServerProcess
from testcerts import make_certs

TEST_SERVER = WS_SERVER = BODIES_SERVER = None


def tls_env(crt, key, **extra):
    env = dict(os.environ, SWOOP_TLS_CERT_FILE=crt, SWOOP_TLS_KEY_FILE=key)
    env.update(extra)
    return env


def curl(*args):
    return subprocess.run(["curl", "-sS", "--max-time", "60", *args], capture_output=True,
                          check=False)


def h11_head(head):
    """Parses one response head with h11."""
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(head)
    return conn.next_event()


def read_until_closed(sock, timeout=10):
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, ssl.SSLError):
        pass
    return data


class TlsBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="swoop-tls-")
        cls.ca, cls.crt, cls.key = make_certs(cls.dir)
        cls.context = ssl.create_default_context(cafile=cls.ca)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def connect(self, port, alpn=None, host="localhost"):
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        ctx = ssl.create_default_context(cafile=self.ca)
        if alpn:
            ctx.set_alpn_protocols(alpn)
        return ctx.wrap_socket(raw, server_hostname=host)


class HttpsTest(TlsBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ServerProcess(TEST_SERVER, env=tls_env(cls.crt, cls.key,
                                                            SWOOP_KEEP_ALIVE_TIMEOUT="1"))
        cls.port = cls.server.port
        cls.url = f"https://localhost:{cls.port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop_checked()
        super().tearDownClass()

    def test_log_names_https(self):
        self.assertTrue(any("listening on https://" in line for line in self.server.log))

    def test_curl_http11_verifies_and_keeps_the_connection(self):
        r = curl("-v", "--http1.1", "--cacert", self.ca, f"{self.url}/plaintext",
                 f"{self.url}/scheme")
        err = r.stderr.decode(errors="replace")
        self.assertEqual(r.returncode, 0, err)
        self.assertEqual(r.stdout, b"Hello, World!https")
        self.assertRegex(err, r"ALPN[:,] server accepted (to use )?http/1\.1")
        self.assertRegex(err, r"SSL certificate verify ok")
        self.assertIn("Re-using existing connection", err)

    def test_curl_refuses_without_the_ca(self):
        r = curl(f"{self.url}/plaintext")
        self.assertEqual(r.returncode, 60)  # peer certificate cannot be authenticated

    def test_curl_post_a_megabyte(self):
        body = os.urandom(1 << 20)
        path = os.path.join(self.dir, "body.bin")
        with open(path, "wb") as f:
            f.write(body)
        r = curl("--cacert", self.ca, "--data-binary", f"@{path}",
                 "-H", "Content-Type: application/octet-stream", f"{self.url}/echo")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(hashlib.sha256(r.stdout).digest(), hashlib.sha256(body).digest())

    def test_python_alpn_prefers_h2_whatever_the_order(self):
        for offer in (["h2", "http/1.1"], ["http/1.1", "h2"], ["h2"]):
            with self.connect(self.port, alpn=offer) as s:
                self.assertEqual(s.selected_alpn_protocol(), "h2", offer)
        with self.connect(self.port, alpn=["spdy/3", "h2c"]) as s:  # neither: no ALPN answer
            self.assertIsNone(s.selected_alpn_protocol())

    def test_python_alpn_and_100_pipelined_requests(self):
        with self.connect(self.port, alpn=["http/1.1"]) as s:
            self.assertEqual(s.selected_alpn_protocol(), "http/1.1")
            s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n" * 100)
            data, bodies = b"", []
            while len(bodies) < 100:
                chunk = s.recv(65536)
                self.assertTrue(chunk, "server closed early")
                data += chunk
                while (end := data.find(b"\r\n\r\n")) >= 0:
                    head = h11_head(data[:end + 4])
                    self.assertEqual(head.status_code, 200)
                    length = int(dict(head.headers)[b"content-length"])
                    if len(data) < end + 4 + length:
                        break
                    bodies.append(data[end + 4:end + 4 + length])
                    data = data[end + 4 + length:]
            self.assertEqual(bodies, [b"Hello, World!"] * 100)

    def test_pipelined_flood_is_answered_in_order(self):
        # 20,000 requests in one burst: responses pass the server's output mark many times,
        # so decrypted input must wait in the TLS session and resume when output drains.
        import select
        n = 20000
        out = b"".join(b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n" for _ in range(n))
        with self.connect(self.port) as s:
            s.setblocking(False)
            sent, received, deadline = 0, b"", time.monotonic() + 60
            while received.count(b"Hello, World!") < n:
                self.assertLess(time.monotonic(), deadline, f"stalled after {len(received)} bytes")
                readable, writable, _ = select.select([s], [s] if sent < len(out) else [], [], 1)
                if writable:
                    try:
                        sent += s.send(out[sent:sent + 65536])
                    except ssl.SSLWantWriteError:
                        pass
                if readable or s.pending():
                    try:
                        chunk = s.recv(1 << 20)
                        self.assertTrue(chunk, "server closed early")
                        received += chunk
                    except ssl.SSLWantReadError:
                        pass
            self.assertEqual(received.count(b"HTTP/1.1 200 OK"), n)

    def test_big_response_in_many_records(self):
        with self.connect(self.port) as s:
            s.sendall(b"GET /big?n=5000000 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            data = read_until_closed(s)
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertIn(b"200 OK", head)
        self.assertEqual(len(body), 5000000)

    def test_aiohttp_concurrent_requests(self):
        import aiohttp

        async def main():
            conn = aiohttp.TCPConnector(ssl=self.context, limit=20)
            async with aiohttp.ClientSession(connector=conn) as session:
                async def one(i):
                    async with session.post(f"{self.url}/echo", data=f"n={i}".encode()) as r:
                        return r.status, await r.read()
                return await asyncio.gather(*(one(i) for i in range(200)))

        results = asyncio.run(main())
        self.assertEqual(results, [(200, f"n={i}".encode()) for i in range(200)])

    def test_plain_http_to_the_tls_port_is_told_to_use_https(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
            data = read_until_closed(s)
        self.assertTrue(data.startswith(b"HTTP/1.1 400 "), data)
        self.assertIn(b"https://", data)
        self.assertIn(b"Connection: close", data)

    def test_garbage_resets_and_silence_do_not_hurt_the_server(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"\x16\x03\x01\x00\x05" + os.urandom(64))  # a broken handshake record
            self.assertEqual(read_until_closed(s).find(b"HTTP/"), -1)
        for _ in range(20):  # half a ClientHello, then gone
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
                s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        for _ in range(20):  # established, a partial request, then a reset
            s = self.connect(self.port)
            s.sendall(b"GET /plaintext HTTP/1.1\r\nHo")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
        # A client that connects and never says hello is closed by the keep-alive timeout (1 s).
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            start = time.monotonic()
            self.assertEqual(read_until_closed(s), b"")
            self.assertLess(time.monotonic() - start, 5)
        r = curl("--cacert", self.ca, f"{self.url}/plaintext")
        self.assertEqual(r.stdout, b"Hello, World!")

    def test_clean_close_notify_from_the_client(self):
        s = self.connect(self.port)
        s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.assertIn(b"Hello, World!", s.recv(65536))
        raw = s.unwrap()  # sends close_notify and waits for the server's
        self.assertEqual(raw.recv(100), b"")
        raw.close()

    def test_connection_close_ends_with_close_notify(self):
        s = self.connect(self.port)
        s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = b""
        s.settimeout(10)
        while chunk := s.recv(65536):  # b"" only after the server's close_notify
            data += chunk
        self.assertTrue(data.endswith(b"Hello, World!"))
        s.close()


class BodiesOverTlsTest(TlsBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = os.path.join(cls.dir, "public")
        os.makedirs(cls.root)
        cls.file = os.path.join(cls.root, "medium.bin")
        with open(cls.file, "wb") as f:
            f.write(os.urandom(3 * 1024 * 1024 + 17))
        cls.server = ServerProcess(BODIES_SERVER, argv=[BODIES_SERVER, cls.root],
                                   env=tls_env(cls.crt, cls.key))
        cls.url = f"https://localhost:{cls.server.port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop_checked()
        super().tearDownClass()

    def test_static_file_without_sendfile(self):
        r = curl("--cacert", self.ca, f"{self.url}/static/medium.bin")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.file, "rb") as f:
            expected = f.read()
        self.assertEqual(hashlib.sha256(r.stdout).digest(), hashlib.sha256(expected).digest())
        r = curl("--http1.1", "--cacert", self.ca, "-r", "1000-1999,5-9", "-D", "-",
                 f"{self.url}/static/medium.bin")
        self.assertIn(b"206 Partial Content", r.stdout)
        self.assertIn(expected[1000:2000], r.stdout)
        self.assertIn(expected[5:10], r.stdout)

    def test_streamed_download_and_upload(self):
        r = curl("--cacert", self.ca, "-o", "/dev/null", "-w", "%{size_download}",
                 f"{self.url}/stream?n=20000000")
        self.assertEqual(r.stdout, b"20000000", r.stderr)
        body = os.urandom(8 * 1024 * 1024)
        path = os.path.join(self.dir, "upload.bin")
        with open(path, "wb") as f:
            f.write(body)
        r = curl("--cacert", self.ca, "-T", path, "-H", "Transfer-Encoding: chunked",
                 f"{self.url}/upload")
        self.assertEqual(r.stdout.decode(), f"{len(body)} {sum(body)}", r.stderr)

    def test_server_sent_events(self):
        r = curl("-N", "--cacert", self.ca, f"{self.url}/sse?count=3&ms=10")
        self.assertEqual(r.returncode, 0, r.stderr)
        text = r.stdout.decode()
        self.assertIn(": welcome", text)
        self.assertEqual(text.count("event: tick"), 3)


class WssTest(TlsBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ServerProcess(WS_SERVER, env=tls_env(cls.crt, cls.key))
        cls.uri = f"wss://localhost:{cls.server.port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop_checked()
        super().tearDownClass()

    def test_echo_text_binary_large_and_compressed(self):
        import websockets

        async def main():
            async with websockets.connect(f"{self.uri}/echo", ssl=self.context,
                                          max_size=None) as ws:
                await ws.send("héllo")
                self.assertEqual(await ws.recv(), "héllo")
                blob = os.urandom(1 << 20)
                await ws.send(blob)
                self.assertEqual(await ws.recv(), blob)
                for i in range(100):
                    await ws.send(f"m{i}")
                self.assertEqual([await ws.recv() for _ in range(100)],
                                 [f"m{i}" for i in range(100)])
            self.assertEqual(ws.close_code, 1000)
            async with websockets.connect(f"{self.uri}/deflate", ssl=self.context) as ws:
                self.assertIn("permessage-deflate",
                              ws.response_headers.get("Sec-WebSocket-Extensions", ""))
                text = "compressible " * 10000
                await ws.send(text)
                self.assertEqual(await ws.recv(), text)

        asyncio.run(main())

    def test_plain_ws_to_the_wss_port_fails(self):
        import websockets

        async def main():
            # The TLS port answers plain HTTP with a plain 400 saying so, then closes.
            with self.assertRaises(websockets.exceptions.InvalidStatusCode) as refused:
                async with websockets.connect(f"ws://localhost:{self.server.port}/echo",
                                              open_timeout=5):
                    pass
            self.assertEqual(refused.exception.status_code, 400)

        asyncio.run(main())


if __name__ == "__main__":
    TEST_SERVER, WS_SERVER, BODIES_SERVER = sys.argv[1:4]
    del sys.argv[1:4]
    unittest.main(verbosity=2)
