# SPDX-License-Identifier: MIT
"""HTTP/2 with real clients against h2_server.cpp: curl (h2c with prior knowledge, h2 through
ALPN), nghttp, h2load, Python's h2 library, headless Chromium, and clients that misbehave.

Usage: h2_clients_test.py H2_SERVER (the swoop_h2_server binary)."""
import asyncio
import base64
import hashlib
import os
import random
import shutil
import socket
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
from types import SimpleNamespace

import h2.config
import h2.connection
import h2.errors
import h2.events
from hyperframe.frame import (DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              SettingsFrame, WindowUpdateFrame)

from browser import Browser, Page, find_chromium
import h2wire
from h2wire import NO_ERROR, PREFACE, PROTOCOL_ERROR
from serverproc import ServerProcess
from testcerts import make_certs

SERVER = PLAIN = TLS = None  # the binary; the h2c and the TLS server every class shares
WORK = CA = CRT = KEY = None  # the temp dir and the test certificates
STATIC = b"<!doctype html><title>static</title>\n" + bytes(range(256)) * 40
HELLO = b"Hello, HTTP/2!"
# A file of several 64 KiB pieces and a short last one (bytes that differ from piece to piece).
LARGE = random.Random(22).randbytes(5 * 65536 + 777)


def start(*args, **env):
    """An h2_server with arguments args and SWOOP_ variables env."""
    return ServerProcess(SERVER, argv=[SERVER, *args], env=dict(os.environ, **env))


def stop(server):
    """Stops server, failing with its log unless it exited with 0, and closes its pipes."""
    try:
        server.stop_checked()
    finally:
        server.proc.stdout.close()
        server.proc.stderr.close()


def run(*command, timeout=60):
    r = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    if r.returncode != 0:
        raise AssertionError(f"{command}: exit {r.returncode}: {r.stderr.decode()}")
    return r.stdout


def curl(url, *args):
    """curl -sS ARGS URL, trusting the test CA. The last response's http_version ("2", "1.1"),
    status, headers (lower-case names), body and size (body bytes received: with -I, curl
    writes the head as the body)."""
    out, head = os.path.join(WORK, "body"), os.path.join(WORK, "head")
    version, size = run("curl", "-sS", "--max-time", "60", "--cacert", CA, "-o", out, "-D", head,
                        "-w", "%{http_version} %{size_download}", *args, url).decode().split()
    with open(head, "rb") as f:
        lines = f.read().decode("latin-1").strip().split("\r\n\r\n")[-1].split("\r\n")
    with open(out, "rb") as f:
        body = f.read()
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return SimpleNamespace(version=version, status=int(lines[0].split()[1]), headers=headers,
                           body=body, size=int(size))


def read_until_closed(sock):
    sock.settimeout(10)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, ssl.SSLError):
        pass
    return data


def frames(data):
    """The HTTP/2 frames in data (hyperframe objects); data holds whole frames only."""
    out = []
    while data:
        frame, length = Frame.parse_frame_header(memoryview(data[:9]))
        frame.parse_body(memoryview(data[9:9 + length]))
        out.append(frame)
        data = data[9 + length:]
    return out


def numbers(count):
    return "".join(f"{i}\n" for i in range(1, count + 1)).encode()


def spki_hash(crt):
    """base64 SHA-256 of the certificate's public key, for --ignore-certificate-errors-spki-list."""
    pem = run("openssl", "x509", "-pubkey", "-noout", "-in", crt)
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pem,
                         capture_output=True, check=True).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


class H2Client:
    """Python's h2 state machine over a plain socket. Per stream: status, body, and interim
    (the 1xx statuses); ended and reset list the streams the server ended or reset, in order,
    reset_codes their error codes. Received data is acknowledged (WINDOW_UPDATE) while ack is
    true."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        self.sock.sendall(self.conn.data_to_send())
        self.authority = f"127.0.0.1:{port}"
        self.status, self.body, self.ended, self.reset = {}, {}, [], []
        self.interim, self.reset_codes, self.settings_seen = {}, {}, False
        self.ack = True
        self.pump(lambda: self.settings_seen)  # the server's windows apply from here

    def request(self, path, method="GET", fields=(), end_stream=True):
        sid = self.conn.get_next_available_stream_id()
        self.conn.send_headers(sid, [(":method", method), (":path", path), (":scheme", "http"),
                                     (":authority", self.authority), *fields],
                               end_stream=end_stream)
        self.sock.sendall(self.conn.data_to_send())
        self.body[sid], self.interim[sid] = b"", []
        return sid

    def send(self, sid, size):
        """Sends up to size body bytes on stream sid, as many as the windows allow; returns
        how many."""
        sent = 0
        while sent < size:
            n = min(size - sent, self.conn.local_flow_control_window(sid),
                    self.conn.max_outbound_frame_size)
            if n == 0:
                break
            self.conn.send_data(sid, b"u" * n)
            sent += n
        self.sock.sendall(self.conn.data_to_send())
        return sent

    def upload(self, sid, size):
        """Sends size body bytes on stream sid, then ends it, waiting for window as needed."""
        while size > 0:
            size -= self.send(sid, size)
            if size > 0:
                self.pump(lambda: self.conn.local_flow_control_window(sid) > 0)
        self.conn.end_stream(sid)
        self.sock.sendall(self.conn.data_to_send())

    def settle(self, seconds):
        """Handles whatever arrives for that long."""
        deadline = time.monotonic() + seconds
        self.pump(lambda: time.monotonic() >= deadline, seconds + 5)

    def pump(self, done, timeout=10):
        """Reads and handles events until done() is true."""
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            assert left > 0, "no answer in time"
            self.sock.settimeout(min(left, 0.05))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            finally:
                self.sock.settimeout(10)
            assert data, "the server closed the connection"
            for e in self.conn.receive_data(data):
                if isinstance(e, h2.events.RemoteSettingsChanged):
                    self.settings_seen = True
                elif isinstance(e, h2.events.InformationalResponseReceived):
                    self.interim[e.stream_id].append(dict(e.headers)[b":status"])
                elif isinstance(e, h2.events.ResponseReceived):
                    self.status[e.stream_id] = dict(e.headers)[b":status"]
                elif isinstance(e, h2.events.DataReceived):
                    self.body[e.stream_id] += e.data
                    if self.ack:
                        self.conn.acknowledge_received_data(e.flow_controlled_length,
                                                            e.stream_id)
                elif isinstance(e, h2.events.StreamEnded):
                    self.ended.append(e.stream_id)
                elif isinstance(e, h2.events.StreamReset):
                    self.reset.append(e.stream_id)
                    self.reset_codes[e.stream_id] = e.error_code
            self.sock.sendall(self.conn.data_to_send())

    def get(self, path):
        sid = self.request(path)
        self.pump(lambda: sid in self.ended)
        return self.status[sid], self.body[sid]


def setUpModule():
    global WORK, CA, CRT, KEY, PLAIN, TLS
    WORK = tempfile.mkdtemp(prefix="swoop-h2-clients-")
    CA, CRT, KEY = make_certs(WORK)
    os.makedirs(os.path.join(WORK, "public"))
    with open(os.path.join(WORK, "public", "page.html"), "wb") as f:
        f.write(STATIC)
    with open(os.path.join(WORK, "public", "large.bin"), "wb") as f:
        f.write(LARGE)
    static = ("static", os.path.join(WORK, "public"))
    PLAIN, TLS = start(*static), start("tls", CRT, KEY, *static)


def tearDownModule():
    stop(PLAIN)
    stop(TLS)
    shutil.rmtree(WORK, ignore_errors=True)


class CurlCases:
    """The same requests over h2c and h2; subclasses set host, base, opts and secure."""

    def get(self, path, *args):
        return curl(self.base + path, *self.opts, *args)

    def test_hello_and_json_from_the_pseudo_headers(self):
        r = self.get("/")
        self.assertEqual((r.version, r.status, r.body), ("2", 200, HELLO))
        r = self.get("/json", "-H", "cookie: a=1", "-H", "cookie: b=2")
        self.assertEqual(r.version, "2")
        self.assertEqual(r.body.decode(), '{"version":20,"path":"/json","host":"%s","cookie":'
                         '"a=1; b=2","secure":%s}' % (self.host, str(self.secure).lower()))

    def test_big_and_streamed_bodies(self):
        r = self.get("/big?n=3000000")
        self.assertEqual((r.status, r.headers["content-length"]), (200, "3000000"))
        self.assertEqual(r.body, b"b" * 3000000)
        r = self.get("/numbers?count=5000")
        self.assertEqual((r.version, r.status, r.body), ("2", 200, numbers(5000)))
        self.assertNotIn("content-length", r.headers)
        r = self.get("/numbers?count=5000&sized=1")
        self.assertEqual((r.status, r.body), (200, numbers(5000)))
        self.assertEqual(r.headers["content-length"], str(len(numbers(5000))))

    def test_a_file_of_many_pieces_whole_and_in_ranges(self):
        r = self.get("/static/large.bin")
        self.assertEqual((r.version, r.status, r.headers["content-length"]),
                         ("2", 200, str(len(LARGE))))
        self.assertEqual(hashlib.sha256(r.body).digest(), hashlib.sha256(LARGE).digest())
        r = self.get("/static/large.bin", "-r", "100000-200000")
        self.assertEqual((r.status, r.body), (206, LARGE[100000:200001]))
        r = self.get("/static/large.bin", "-r", "1000-70000,200000-330000")
        self.assertEqual(r.status, 206)
        self.assertIn("multipart/byteranges", r.headers["content-type"])
        self.assertIn(LARGE[1000:70001], r.body)
        self.assertIn(LARGE[200000:330001], r.body)

    def test_server_sent_events(self):
        r = self.get("/events?count=3", "-N")
        self.assertEqual((r.version, r.status), ("2", 200))
        self.assertEqual(r.headers["content-type"], "text/event-stream; charset=utf-8")
        self.assertNotIn("content-length", r.headers)
        self.assertEqual(r.body, b"".join(b"event: tick\nid: %d\ndata: %d\n\n" % (i, i)
                                          for i in range(3)))

    def test_post_echo_and_streamed_upload(self):
        body = os.urandom(3 * 1024 * 1024)  # past the 256 KiB stream window: flow control
        path = os.path.join(WORK, "upload.bin")
        with open(path, "wb") as f:
            f.write(body)
        r = self.get("/echo", "--data-binary", f"@{path}")
        self.assertEqual((r.version, r.status, len(r.body)), ("2", 200, len(body)))
        self.assertEqual(hashlib.sha256(r.body).digest(), hashlib.sha256(body).digest())
        r = self.get("/upload", "--data-binary", f"@{path}")
        self.assertEqual((r.version, r.status, r.body), ("2", 200, b"%d bytes\n" % len(body)))

    def test_static_file_get_and_head(self):
        r = self.get("/static/page.html")
        self.assertEqual((r.version, r.status, r.body), ("2", 200, STATIC))
        self.assertEqual(r.headers["content-type"], "text/html; charset=utf-8")
        r = self.get("/static/page.html", "-I")
        self.assertEqual((r.version, r.status, r.size), ("2", 200, 0))
        self.assertEqual(r.headers["content-length"], str(len(STATIC)))

    def test_missing_path_and_websocket_route(self):
        r = self.get("/does-not-exist")
        self.assertEqual((r.version, r.status, r.body), ("2", 404, b"Not Found"))
        # No extended CONNECT (RFC 8441): a websocket route over HTTP/2 asks for an upgrade.
        r = self.get("/ws")
        self.assertEqual((r.version, r.status), ("2", 426))
        self.assertEqual(r.body, b"this resource is a websocket: upgrade required")
        self.assertEqual(self.get("/").body, HELLO)


class CurlCleartextTest(CurlCases, unittest.TestCase):
    secure = False

    @classmethod
    def setUpClass(cls):
        cls.host = f"127.0.0.1:{PLAIN.port}"
        cls.base, cls.opts = f"http://{cls.host}", ("--http2-prior-knowledge",)

    def test_http11_on_the_same_port(self):
        r = curl(self.base + "/json")
        self.assertEqual((r.version, r.status), ("1.1", 200))
        self.assertIn(b'"version":11', r.body)


class CurlTlsTest(CurlCases, unittest.TestCase):
    secure = True

    @classmethod
    def setUpClass(cls):
        cls.host = f"localhost:{TLS.port}"
        cls.base, cls.opts = f"https://{cls.host}", ("--http2",)

    def test_http11_through_alpn_and_with_http2_off(self):
        r = curl(self.base + "/", "--http1.1")
        self.assertEqual((r.version, r.body), ("1.1", HELLO))
        off = start("tls", CRT, KEY, SWOOP_HTTP2="off")
        try:
            r = curl(f"https://localhost:{off.port}/json", "--http2")
            self.assertEqual((r.version, r.status), ("1.1", 200))
            self.assertIn(b'"version":11', r.body)
        finally:
            stop(off)


class NghttpTest(unittest.TestCase):
    def test_no_connection_specific_fields(self):
        plain = f"http://127.0.0.1:{PLAIN.port}"
        for url, status in ((f"{plain}/", "200"), (f"{plain}/numbers?count=10", "200"),
                            (f"{plain}/events?count=1", "200"), (f"{plain}/nope", "404"),
                            (f"https://localhost:{TLS.port}/json", "200")):
            with self.subTest(url=url):
                out = run("nghttp", "-nv", url).decode()
                # "[  0.003] recv (stream_id=13) server: swoop"
                fields = [tuple(line.split(") ", 1)[1].split(": ", 1))
                          for line in out.splitlines() if "] recv (stream_id=" in line]
                names = [name for name, _ in fields]
                self.assertEqual(fields[0], (":status", status))
                self.assertIn(("server", "swoop"), fields)
                self.assertEqual(names.count("date"), 1)
                self.assertEqual({"connection", "keep-alive", "transfer-encoding", "upgrade",
                                  "proxy-connection"} & set(names), set())

    def test_tiny_windows_still_get_the_whole_body(self):
        # 2^16-1 bytes of window for the stream and for the connection: the server must wait
        # for WINDOW_UPDATEs all along the megabyte (RFC 9113 6.9), a file's pieces too.
        url = f"http://127.0.0.1:{PLAIN.port}/big?n=1048576"
        self.assertEqual(run("nghttp", "-w", "16", "-W", "16", url), b"b" * 1048576)
        url = f"http://127.0.0.1:{PLAIN.port}/static/large.bin"
        self.assertEqual(run("nghttp", "-w", "16", "-W", "16", url), LARGE)


class H2loadTest(unittest.TestCase):
    def load(self, url):
        out = run("h2load", "-n", "20000", "-c", "8", "-m", "16", url, timeout=90).decode()
        self.assertIn("requests: 20000 total, 20000 started, 20000 done, 20000 succeeded, "
                      "0 failed, 0 errored, 0 timeout", out)
        self.assertIn("status codes: 20000 2xx, 0 3xx, 0 4xx, 0 5xx", out)

    def test_cleartext(self):
        self.load(f"http://127.0.0.1:{PLAIN.port}/")

    def test_tls(self):
        self.load(f"https://localhost:{TLS.port}/")

    def test_files_on_many_streams(self):
        # h2load checks only the status: the bytes are checked by the curl and nghttp cases.
        for base in (f"http://127.0.0.1:{PLAIN.port}", f"https://localhost:{TLS.port}"):
            out = run("h2load", "-n", "400", "-c", "4", "-m", "8", base + "/static/large.bin",
                      timeout=90).decode()
            self.assertIn("requests: 400 total, 400 started, 400 done, 400 succeeded", out)
            self.assertIn("status codes: 400 2xx, 0 3xx, 0 4xx, 0 5xx", out)


class H2LibraryTest(unittest.TestCase):
    def test_concurrent_streams_get_their_own_answers(self):
        client = H2Client(PLAIN.port)
        started = time.monotonic()
        slow = [client.request(f"/slow?ms={ms}") for ms in (300, 250, 200)]
        fast = [client.request("/") for _ in range(3)]
        client.pump(lambda: len(client.ended) == 6)
        elapsed = time.monotonic() - started
        self.assertEqual([client.body[sid] for sid in slow + fast],
                         [b"slow 300", b"slow 250", b"slow 200", HELLO, HELLO, HELLO])
        self.assertEqual({client.status[sid] for sid in slow + fast}, {b"200"})
        # No head-of-line blocking: the quick answers first; the slow ones sleep side by side
        # (0.3 s; 0.75 s one after another), in an order a loaded machine may change.
        self.assertEqual((sorted(client.ended[:3]), sorted(client.ended[3:])), (fast, slow))
        self.assertLess(elapsed, 0.75)
        client.sock.close()

    def test_cancel_reaches_the_handler_and_the_connection_lives_on(self):
        client = H2Client(PLAIN.port)
        before = int(client.get("/cancelled")[1])
        sid = client.request("/slow?ms=5000")
        # Frames are handled in order: once this is answered, the slow handler is asleep.
        self.assertEqual(int(client.get("/cancelled")[1]), before)
        client.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
        client.sock.sendall(client.conn.data_to_send())
        deadline = time.monotonic() + 3
        while int(client.get("/cancelled")[1]) != before + 1:
            self.assertLess(time.monotonic(), deadline, "the handler never saw Cancelled")
            time.sleep(0.05)
        self.assertEqual((sid in client.ended, client.reset), (False, []))
        self.assertEqual(client.get("/"), (b"200", HELLO))
        client.sock.close()

    def test_a_file_reset_halfway_and_the_connection_lives_on(self):
        # The server sends a file from its read buffer: streams reset while their bytes wait
        # for window (the client's connection window is spent, not acknowledged) must not
        # touch it afterwards (ASan watches).
        client = H2Client(PLAIN.port)
        client.ack = False
        sids = [client.request("/static/large.bin") for _ in range(4)]
        client.pump(lambda: sum(len(client.body[sid]) for sid in sids) >= 65535)
        client.settle(0.2)
        self.assertEqual(client.ended, [])
        for sid in sids:
            client.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
        client.conn.increment_flow_control_window(65535)
        client.ack = True
        client.sock.sendall(client.conn.data_to_send())
        self.assertEqual(client.get("/"), (b"200", HELLO))
        self.assertEqual(client.get("/static/large.bin"), (b"200", LARGE))
        client.sock.close()


class StreamedUploadTest(unittest.TestCase):
    """A stream_body route over HTTP/2: the handler reads as the body arrives, and the client
    gets window only for what it read (RFC 9113 5.2)."""

    def setUp(self):
        self.client = H2Client(PLAIN.port)
        self.addCleanup(self.client.sock.close)

    def test_a_handler_that_does_not_read_closes_the_window(self):
        c = self.client
        sid = c.request("/upload?wait_ms=1500", "POST", end_stream=False)
        self.assertEqual(c.send(sid, 4 << 20), 256 * 1024)  # the server's stream window
        c.settle(0.3)  # the handler sleeps: nothing it did not read is credited
        self.assertEqual(c.conn.local_flow_control_window(sid), 0)
        c.upload(sid, (4 << 20) - 256 * 1024)  # it reads: the window opens as it goes
        c.pump(lambda: sid in c.ended)
        self.assertEqual((c.status[sid], c.body[sid]), (b"200", b"4194304 bytes\n"))

    def test_expect_100_continue(self):
        c = self.client
        sid = c.request("/upload", "POST", [("expect", "100-continue")], end_stream=False)
        c.pump(lambda: c.interim[sid])
        self.assertEqual(c.interim[sid], [b"100"])
        c.upload(sid, 1000)
        c.pump(lambda: sid in c.ended)
        self.assertEqual((c.status[sid], c.body[sid]), (b"200", b"1000 bytes\n"))
        # Any other expectation cannot be met (RFC 9110 10.1.1); on a request without a body
        # there is nothing to continue, so no 100 either.
        sid = c.request("/upload", "POST", [("expect", "something-else")])
        c.pump(lambda: sid in c.ended)
        self.assertEqual((c.status[sid], c.interim[sid]), (b"417", []))
        sid = c.request("/echo", "POST", [("expect", "100-continue")])
        c.pump(lambda: sid in c.ended)
        self.assertEqual((c.status[sid], c.interim[sid]), (b"200", []))
        # A body refused by its declared length gets the refusal, never a 100 first.
        sid = c.request("/echo", "POST", [("expect", "100-continue"),
                                          ("content-length", "1000000000")], end_stream=False)
        c.pump(lambda: sid in c.ended)
        self.assertEqual((c.status[sid], c.interim[sid]), (b"413", []))

    def test_an_early_answer_stops_the_upload_without_error(self):
        c = self.client
        # Twelve uploads answered after 64 KiB, each sent 200,000 bytes: had the bytes of the
        # abandoned bodies not been credited, the 1 MiB connection window would have shut.
        for _ in range(12):
            sid = c.request("/upload?stop=65536", "POST", end_stream=False)
            self.assertEqual(c.send(sid, 200000), 200000)
            c.pump(lambda: sid in c.reset)
            self.assertIn(sid, c.ended)  # the whole answer, then RST_STREAM (RFC 9113 8.1)
            self.assertEqual(c.reset_codes[sid], h2.errors.ErrorCodes.NO_ERROR)
            self.assertEqual(c.status[sid], b"200")
            self.assertGreaterEqual(int(c.body[sid].split()[0]), 65536)
        sid = c.request("/upload", "POST", end_stream=False)
        c.upload(sid, 2 << 20)
        c.pump(lambda: sid in c.ended)
        self.assertEqual(c.body[sid], b"2097152 bytes\n")

    def test_a_reset_upload_cancels_its_handler(self):
        c = self.client
        before = int(c.get("/cancelled")[1])
        sid = c.request("/upload", "POST", end_stream=False)
        c.send(sid, 1000)
        c.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
        c.sock.sendall(c.conn.data_to_send())
        deadline = time.monotonic() + 3
        while int(c.get("/cancelled")[1]) != before + 1:
            self.assertLess(time.monotonic(), deadline, "the handler never saw Cancelled")
            time.sleep(0.05)


class GracefulShutdownTest(unittest.TestCase):
    """SIGTERM over HTTP/2 (RFC 9113 6.8): a GOAWAY notice with the highest stream id and a
    PING; once the PING comes back, the last GOAWAY with the last stream id processed; the
    streams up to it finish, later ones are ignored, then the connection closes."""

    def connect(self, server):
        client = h2wire.H2Client("127.0.0.1", server.port, timeout=5).handshake()
        self.addCleanup(client.close)
        return client

    @staticmethod
    def next_frame(client, kind):
        """The next frame of that kind (others are kept in client.frames)."""
        return client.wait_for(lambda f: isinstance(f, kind), kind.__name__)

    def notice(self, client):
        """The shutdown notice: GOAWAY(2^31-1) and a PING (which nghttp2 sends first)."""
        notice = self.next_frame(client, GoAwayFrame)
        self.assertEqual((notice.last_stream_id, notice.error_code), (2**31 - 1, NO_ERROR))
        pings = [f for f in client.frames if isinstance(f, PingFrame) and "ACK" not in f.flags]
        self.assertEqual(len(pings), 1)
        return pings[0]

    @staticmethod
    def answers(client):
        """{stream: (status, body)} of everything until the server closes the connection."""
        out = {}
        for f in client.frames + client.expect_closed():
            if isinstance(f, HeadersFrame) and hasattr(f, "fields"):
                out[f.stream_id] = (dict(f.fields)[":status"], b"")
            elif isinstance(f, DataFrame):
                out[f.stream_id] = (out[f.stream_id][0], out[f.stream_id][1] + bytes(f.data))
        return out

    def test_sigterm_notice_round_trip_then_last_goaway(self):
        server = start()
        c = self.connect(server)
        c.request(1, path="/slow?ms=1000")
        c.expect_alive()  # frames are handled in order: stream 1's handler sleeps now
        server.proc.send_signal(signal.SIGTERM)
        ping = self.notice(c)
        c.request(3, path="/")  # on its way before the client saw the notice: still served
        c.ping(ping.opaque_data, ack=True)
        last = self.next_frame(c, GoAwayFrame)
        self.assertEqual((last.last_stream_id, last.error_code), (3, NO_ERROR))
        c.request(5, path="/")  # after the last GOAWAY: ignored
        self.assertEqual(self.answers(c), {1: ("200", b"slow 1000"), 3: ("200", HELLO)})
        self.assertEqual(server.proc.wait(timeout=10), 0)
        stop(server)

    def test_a_client_that_never_answers_the_ping_gets_the_last_goaway_anyway(self):
        server = start()
        c = self.connect(server)
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        self.notice(c)
        last = self.next_frame(c, GoAwayFrame)  # about a second later
        self.assertEqual((last.last_stream_id, last.error_code), (0, NO_ERROR))
        self.assertLess(time.monotonic() - started, 5)
        c.expect_closed()
        self.assertEqual(server.proc.wait(timeout=10), 0)
        stop(server)

    def test_the_drain_sends_the_notice_and_keeps_serving(self):
        server = start(SWOOP_DRAIN_DELAY="1")
        c = self.connect(server)
        server.proc.send_signal(signal.SIGTERM)
        c.ping(self.notice(c).opaque_data, ack=True)
        c.request(1, path="/")  # served during the drain, as over HTTP/1.1
        self.assertEqual(c.expect_response(1)[0], 200)
        last = c.wait_for(lambda f: isinstance(f, GoAwayFrame), "the last GOAWAY", timeout=5)
        self.assertEqual((last.last_stream_id, last.error_code), (1, NO_ERROR))
        c.expect_closed()
        self.assertEqual(server.proc.wait(timeout=10), 0)
        stop(server)


class ConnectionCapTest(unittest.TestCase):
    def test_an_idle_h2_connection_makes_room_with_a_goaway(self):
        server = start(SWOOP_MAX_CONNECTIONS="2")
        try:
            first = h2wire.H2Client("127.0.0.1", server.port, timeout=5).handshake()
            time.sleep(0.05)  # first is the longest idle
            second = h2wire.H2Client("127.0.0.1", server.port, timeout=5).handshake()
            second.request(1, path="/slow?ms=1500")  # busy: never evicted
            r = curl(f"http://127.0.0.1:{server.port}/")  # a third client, over HTTP/1.1
            self.assertEqual((r.status, r.body), (200, HELLO))
            goaway = first.wait_for(lambda f: isinstance(f, GoAwayFrame), "GOAWAY")
            self.assertEqual((goaway.last_stream_id, goaway.error_code), (0, NO_ERROR))
            first.expect_closed()
            self.assertEqual(second.expect_response(1)[2], b"slow 1500")
            first.close()
            second.close()
        finally:
            stop(server)


class AccessLogTest(unittest.TestCase):
    def test_h2_requests_are_logged_as_http_2_0(self):
        server = start("access-log")
        try:
            base = f"http://127.0.0.1:{server.port}"
            self.assertEqual(curl(base + "/", "--http2-prior-knowledge").version, "2")
            self.assertEqual(curl(base + "/does-not-exist").version, "1.1")
        finally:
            stop(server)  # the log is complete once the process is gone
        lines = [line for line in server.log if '"GET ' in line]
        self.assertEqual(len(lines), 2, server.log)
        self.assertRegex(lines[0], r'^127\.0\.0\.1 - - \[[^]]+\] "GET / HTTP/2\.0" 200 14$')
        self.assertRegex(lines[1], r'"GET /does-not-exist HTTP/1\.1" 404 9$')


@unittest.skipIf(find_chromium() is None, "chromium is not installed (scripts/setup installs it)")
class ChromiumTest(unittest.TestCase):
    def test_page_and_fetch_over_h2(self):
        import websockets
        browser = Browser([f"--ignore-certificate-errors-spki-list={spki_hash(CRT)}"])
        try:
            url = f"https://127.0.0.1:{TLS.port}/"
            ws_url = browser.new_page(url)

            async def go():
                async with websockets.connect(ws_url, max_size=None) as ws:
                    page = Page(ws)
                    self.assertTrue(await page.wait_for(  # the tab starts at about:blank
                        f"location.href === '{url}' && document.readyState === 'complete'"))
                    self.assertEqual(await page.evaluate("document.body.innerText", check=True),
                                     HELLO.decode())
                    protocol = "performance.getEntriesByType('navigation')[0].nextHopProtocol"
                    self.assertEqual(await page.evaluate(protocol, check=True), "h2")
                    answer = await page.send("Runtime.evaluate", {
                        "expression": "fetch('/json').then(r => r.json())",
                        "awaitPromise": True, "returnByValue": True})
                    self.assertEqual(answer["result"]["value"]["version"], 20)
                    self.assertIs(answer["result"]["value"]["secure"], True)
            asyncio.run(asyncio.wait_for(go(), 60))
        finally:
            browser.close()


class BadClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.plain = start(SWOOP_KEEP_ALIVE_TIMEOUT="1", SWOOP_REQUEST_TIMEOUT="1")
        cls.tls = start("tls", CRT, KEY, SWOOP_KEEP_ALIVE_TIMEOUT="1")

    @classmethod
    def tearDownClass(cls):
        stop(cls.plain)
        stop(cls.tls)

    def still_serves(self):
        r = curl(f"http://127.0.0.1:{self.plain.port}/", "--http2-prior-knowledge")
        self.assertEqual((r.version, r.body), ("2", HELLO))

    def test_garbage_after_the_preface_gets_goaway_protocol_error(self):
        with socket.create_connection(("127.0.0.1", self.plain.port), timeout=10) as s:
            s.sendall(PREFACE + b"this is not a frame at all\r\n" * 4)
            data = read_until_closed(s)
        # RFC 9113 3.4: the preface ends with a SETTINGS frame; anything else is a connection
        # error of type PROTOCOL_ERROR.
        settings, goaway = frames(data)
        self.assertIsInstance(settings, SettingsFrame)
        self.assertIsInstance(goaway, GoAwayFrame)
        self.assertEqual((goaway.last_stream_id, goaway.error_code, goaway.additional_data),
                         (0, PROTOCOL_ERROR, b"SETTINGS expected"))
        self.still_serves()

    def test_an_upload_that_stops_gets_408(self):
        client = H2Client(self.plain.port)
        started = time.monotonic()
        sid = client.request("/upload", "POST", end_stream=False)
        client.send(sid, 1000)  # then nothing: request_timeout (1 s) counts from the last bytes
        client.pump(lambda: sid in client.ended)
        self.assertEqual(client.status[sid], b"408")
        self.assertGreater(time.monotonic() - started, 0.5)
        client.sock.close()
        self.still_serves()

    def test_half_a_preface_is_closed_by_the_keep_alive_timeout(self):
        context = ssl.create_default_context(cafile=CA)
        context.set_alpn_protocols(["h2"])
        for port, tls in ((self.plain.port, False), (self.tls.port, True)):
            with self.subTest(tls=tls):
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                if tls:
                    s = context.wrap_socket(s, server_hostname="localhost")
                    self.assertEqual(s.selected_alpn_protocol(), "h2")
                s.sendall(PREFACE[:12])
                started = time.monotonic()
                received = read_until_closed(s)
                elapsed = time.monotonic() - started
                s.close()
                if tls:  # the session greets at once and says goodbye at the timeout
                    got = frames(received)
                    self.assertEqual([type(f) for f in got],
                                     [SettingsFrame, WindowUpdateFrame, GoAwayFrame])
                    self.assertEqual((got[2].last_stream_id, got[2].error_code), (0, NO_ERROR))
                else:  # protocol detection answers nothing before a whole preface
                    self.assertEqual(received, b"")
                self.assertGreater(elapsed, 0.5)
                self.assertLess(elapsed, 5)  # the timeout is 1 s (the default 5 s)
        self.still_serves()


if __name__ == "__main__":
    SERVER = sys.argv.pop(1)
    unittest.main(verbosity=2)
