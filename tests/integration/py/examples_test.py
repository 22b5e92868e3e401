# SPDX-License-Identifier: MIT
"""Smoke tests of the bundled examples: start each on port 0, call it, stop it with SIGTERM."""
import http.client
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

from serverproc import ServerProcess
from testcerts import make_certs

EXAMPLES = None  # directory holding the example binaries


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return res, body


class HelloTest(unittest.TestCase):
    def test_plaintext_and_json(self):
        server = ServerProcess(None, argv=[f"{EXAMPLES}/hello", "--port", "0", "--workers", "2"])
        try:
            res, body = get(server.port, "/plaintext")
            self.assertEqual((res.status, body), (200, b"Hello, World!"))
            res, body = get(server.port, "/json")
            self.assertEqual(json.loads(body), {"message": "Hello, World!"})
            self.assertEqual(res.getheader("Content-Type"), "application/json")
        finally:
            self.assertEqual(server.stop(), 0)


class BlueprintsTest(unittest.TestCase):
    def test_api(self):
        server = ServerProcess(None, argv=[f"{EXAMPLES}/blueprints", "--port", "0"])
        try:
            res, body = get(server.port, "/v1/api/users/2")
            self.assertEqual(res.status, 200)
            self.assertEqual(json.loads(body), {"id": 2, "name": "user2"})
            self.assertEqual(res.getheader("Cache-Control"), "no-store")
            self.assertEqual(len(res.getheader("X-Request-ID")), 32)
            self.assertTrue(res.getheader("Server-Timing").startswith("app;dur="))
            res, body = get(server.port, "/v1/api/users/9")
            self.assertEqual(res.status, 404)
            self.assertEqual(json.loads(body), {"error": "no user 9", "path": "/v1/api/users/9"})
            res, body = get(server.port, "/v1/api/items/pear")
            self.assertEqual(json.loads(body), {"name": "pear", "price": 0.75, "tags": []})
            res, body = get(server.port, "/v1/api/items/kiwi")
            self.assertEqual(res.status, 404)
            self.assertEqual(json.loads(body)["error"], "no such item")
            res, body = get(server.port, "/health")
            self.assertEqual(json.loads(body), {"status": "ok"})
            self.assertIsNone(res.getheader("Cache-Control"))  # outside the group
        finally:
            self.assertEqual(server.stop(), 0)

    def test_api_document_and_docs_page(self):
        server = ServerProcess(None, argv=[f"{EXAMPLES}/blueprints", "--port", "0"])
        try:
            res, body = get(server.port, "/openapi.json")
            self.assertEqual(res.status, 200)
            self.assertEqual(res.getheader("Content-Type"), "application/json")
            doc = json.loads(body)
            self.assertEqual(doc["openapi"], "3.1.0")
            self.assertEqual(doc["info"]["title"], "blueprints example")
            self.assertEqual({path: sorted(item) for path, item in doc["paths"].items()}, {
                "/v1/api/users": ["get"], "/v1/api/users/{id}": ["get"],
                "/v1/api/items": ["post"], "/v1/api/items/{name}": ["get"],
                "/health": ["get"]})
            create = doc["paths"]["/v1/api/items"]["post"]
            self.assertEqual(create["operationId"], "items.create")
            self.assertEqual(create["tags"], ["items"])
            self.assertEqual(create["requestBody"]["content"]["application/json"]["schema"],
                             {"$ref": "#/components/schemas/Item"})
            self.assertEqual(sorted(create["responses"]), ["201", "409", "422"])
            item = doc["components"]["schemas"]["Item"]
            self.assertEqual(item["required"], ["name", "price"])
            self.assertEqual(item["properties"]["tags"]["maxItems"], 5)
            show = doc["paths"]["/v1/api/users/{id}"]["get"]
            self.assertEqual(show["parameters"][0]["schema"], {"type": "integer", "format": "int64"})
            self.assertEqual(show["responses"]["200"]["content"]["application/json"]["schema"],
                             {"$ref": "#/components/schemas/User"})
            res, body = get(server.port, "/docs")
            self.assertEqual(res.status, 200)
            self.assertIn(b"SwaggerUIBundle({url: \"/openapi.json\"", body)
        finally:
            self.assertEqual(server.stop(), 0)

    def test_typed_items(self):
        server = ServerProcess(None, argv=[f"{EXAMPLES}/blueprints", "--port", "0"])
        try:
            # The store is per worker: read the item back on the connection that created it.
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)

            def call(method, path, body=None, content_type="application/json"):
                headers = {"Content-Type": content_type} if body and content_type else {}
                conn.request(method, path, body=body, headers=headers)
                res = conn.getresponse()
                return res, res.read()

            kiwi = {"name": "kiwi", "price": 1.2, "tags": ["green", "fuzzy"]}
            res, body = call("POST", "/v1/api/items", json.dumps(kiwi))
            self.assertEqual(res.status, 201)
            self.assertEqual(res.getheader("Content-Type"), "application/json")
            self.assertEqual(json.loads(body), kiwi)
            res, body = call("GET", "/v1/api/items/kiwi")
            self.assertEqual((res.status, json.loads(body)), (200, kiwi))
            res, body = call("POST", "/v1/api/items", json.dumps({"name": "fig", "price": 2}))
            self.assertEqual((res.status, json.loads(body)),
                             (201, {"name": "fig", "price": 2, "tags": []}))  # tags optional
            res, body = call("POST", "/v1/api/items", json.dumps(kiwi))
            self.assertEqual(res.status, 409)

            bad = {"name": "Kiwi Fruit", "price": -1, "tags": ["a", "b", "c", "d", "e", "f"]}
            res, body = call("POST", "/v1/api/items", json.dumps(bad))
            self.assertEqual(res.status, 422)
            error = json.loads(body)["error"]
            self.assertEqual(error["status"], 422)
            self.assertEqual([e["path"] for e in error["context"]["errors"]],
                             ["name", "price", "tags"])
            self.assertEqual([e["kind"] for e in error["context"]["errors"]],
                             ["pattern", "range", "items"])
            res, body = call("POST", "/v1/api/items", json.dumps({"price": 1, "name": "x" * 41}))
            self.assertEqual(res.status, 422)
            self.assertEqual([e["kind"] for e in json.loads(body)["error"]["context"]["errors"]],
                             ["length"])

            res, body = call("POST", "/v1/api/items", '{"name": "fig",')
            self.assertEqual(res.status, 400)
            self.assertIn("malformed JSON", json.loads(body)["error"])
            res, body = call("POST", "/v1/api/items", json.dumps(kiwi),
                             "application/x-www-form-urlencoded")
            self.assertEqual(res.status, 415)
            res, body = call("POST", "/v1/api/items", json.dumps(kiwi), None)
            self.assertEqual(res.status, 415)
            conn.close()
        finally:
            self.assertEqual(server.stop(), 0)


class StartFailureTest(unittest.TestCase):
    def test_a_bad_setting_or_a_taken_port_exits_1_with_the_reason(self):
        env = dict(os.environ, SWOOP_REQUEST_TIMEOUT="soon")
        proc = subprocess.run([f"{EXAMPLES}/hello", "--port", "0"], env=env, capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(proc.returncode, 1, proc.stderr)  # not an abort (134)
        self.assertIn("SWOOP_REQUEST_TIMEOUT='soon': expected a duration", proc.stderr)
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            proc = subprocess.run([f"{EXAMPLES}/hello", "--port", str(port)], capture_output=True,
                                  text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn(str(port), proc.stderr)


class _Upstream(http.server.BaseHTTPRequestHandler):
    """A loopback upstream for json_head: /redirect answers 301, /slow sleeps 1 s."""
    protocol_version = "HTTP/1.1"

    def do_HEAD(self):
        if self.path == "/slow":
            time.sleep(1)
        status = 301 if self.path == "/redirect" else 404 if self.path == "/missing" else 200
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/target")
        self.send_header("X-Multi", "a")
        self.send_header("x-multi", "b")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class JsonHeadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
        cls.upstream.daemon_threads = True
        cls.thread = threading.Thread(target=cls.upstream.serve_forever, daemon=True)
        cls.thread.start()
        cls.up = f"http://127.0.0.1:{cls.upstream.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.upstream.shutdown()
        cls.upstream.server_close()

    def start(self, *flags):
        server = ServerProcess(None, argv=[f"{EXAMPLES}/json_head", "--port", "0", *flags])
        self.addCleanup(lambda: self.assertEqual(server.stop(), 0))
        return server

    def heads(self, server, urls):
        query = urllib.parse.urlencode([("url", u) for u in urls])
        res, body = get(server.port, "/?" + query)
        return res, json.loads(body) if res.status == 200 else body

    def test_mixed_urls_in_order(self):
        hello = ServerProcess(None, argv=[f"{EXAMPLES}/hello", "--port", "0"])
        self.addCleanup(lambda: self.assertEqual(hello.stop(), 0))
        head = self.start("--allow-private", "--timeout-ms", "300")
        with socket.socket() as s:  # a port nothing listens on
            s.bind(("127.0.0.1", 0))
            closed = s.getsockname()[1]
        urls = [f"http://127.0.0.1:{hello.port}/plaintext", f"http://127.0.0.1:{hello.port}/nope",
                self.up + "/redirect", self.up + "/slow", f"http://127.0.0.1:{closed}/",
                "ftp://127.0.0.1/file", self.up + "/"]
        res, results = self.heads(head, urls)
        self.assertEqual(res.status, 200)
        self.assertEqual(res.getheader("Access-Control-Allow-Origin"), "*")
        self.assertEqual([r["url"] for r in results], urls)
        ok, missing, moved, slow, refused, ftp, multi = results
        self.assertEqual((ok["ok"], ok["status"]), (True, 200))
        self.assertEqual(list(ok), ["ok", "status", "headers", "url"])
        self.assertEqual(ok["headers"]["Content-Length"], "13")
        self.assertTrue(ok["headers"]["Content-Type"].startswith("text/plain"))
        self.assertEqual((missing["ok"], missing["status"]), (True, 404))
        self.assertEqual(moved["status"], 301)
        self.assertEqual(moved["headers"]["Location"], "/target")
        self.assertEqual(list(slow), ["ok", "error", "url"])
        self.assertFalse(slow["ok"])
        self.assertIn("timed out after 300 ms", slow["error"])
        self.assertFalse(refused["ok"])
        self.assertEqual(refused["error"], f"connect to 127.0.0.1:{closed}: connection refused")
        self.assertFalse(ftp["ok"])
        self.assertIn("only http:// and https://", ftp["error"])
        self.assertEqual(multi["headers"]["X-Multi"], "a, b")  # upstream case, joined

    def test_private_targets_refused_by_default(self):
        head = self.start()
        target = self.up + "/"
        res, results = self.heads(head, [target, "http://127.1:9/", "http://[::1]:9/"])
        self.assertEqual(res.status, 200)
        self.assertEqual(results[0], {"ok": False, "url": target,
                                      "error": "refused: 127.0.0.1 is a loopback address"})
        self.assertEqual(results[1]["error"],
                         "refused: 127.0.0.1 (from 127.1) is a loopback address")
        self.assertEqual(results[2]["error"], "refused: ::1 is a loopback address")

    def test_heads_run_concurrently(self):
        head = self.start("--allow-private")
        started = time.monotonic()
        res, results = self.heads(head, [self.up + "/slow"] * 10)
        elapsed = time.monotonic() - started
        self.assertEqual([r["status"] for r in results], [200] * 10)
        self.assertLess(elapsed, 3.0)

    def test_usage_page_and_limits(self):
        head = self.start("--allow-private")
        res, body = get(head.port, "/")
        self.assertEqual(res.status, 200)
        self.assertTrue(res.getheader("Content-Type").startswith("text/html"))
        self.assertIn(b"?url=", body)
        res, _ = self.heads(head, [self.up + "/"] * 11)
        self.assertEqual(res.status, 400)
        res, results = self.heads(head, [self.up + "/"] * 10)
        self.assertEqual(res.status, 200)
        self.assertEqual(len(results), 10)

    def test_https_upstream_verified_against_a_ca(self):
        """An HTTPS upstream whose certificate a test CA signed: trusted with --ca-file, and a
        clear TLS error without it (the system store does not know the CA)."""
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        d = tmp.name

        ca_crt, crt, key = make_certs(d)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(crt, key)
        upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
        upstream.daemon_threads = True
        upstream.socket = context.wrap_socket(upstream.socket, server_side=True)
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
        self.addCleanup(upstream.server_close)
        self.addCleanup(upstream.shutdown)
        port = upstream.server_address[1]
        urls = [f"https://127.0.0.1:{port}/", f"https://localhost:{port}/missing",
                f"http://127.0.0.1:{port}/"]

        trusting = self.start("--allow-private", "--ca-file", ca_crt)
        res, results = self.heads(trusting, urls)
        self.assertEqual(res.status, 200)
        self.assertEqual([(r["ok"], r.get("status")) for r in results[:2]],
                         [(True, 200), (True, 404)])
        self.assertEqual(results[0]["headers"]["X-Multi"], "a, b")
        self.assertFalse(results[2]["ok"])  # plain HTTP to a TLS port: a protocol error

        plain = self.start("--allow-private")
        res, results = self.heads(plain, urls[:1])
        self.assertFalse(results[0]["ok"])
        self.assertIn("certificate", results[0]["error"])


def post_json(port, path, value):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", path, body=json.dumps(value), headers={"Content-Type": "application/json"})
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return res, body


class Collector:
    """A tiny HTTP collector on 127.0.0.1 that records the JSON bodies POSTed to it."""

    def __init__(self, port=0, delay=0.0):
        import http.server
        import threading
        import time
        self.bodies = []
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(delay)
                with outer.cond:
                    outer.bodies.append(json.loads(body))
                    outer.cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/collect"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=15):
        with self.cond:
            self.cond.wait_for(lambda: len(self.bodies) >= count, timeout)
            return list(self.bodies)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class BackgroundTest(unittest.TestCase):
    def start(self, collector_url, *extra):
        return ServerProcess(None, argv=[f"{EXAMPLES}/background", "--port", "0", "--workers", "1",
                                         "--collector", collector_url, *extra])

    def test_job_is_fetched_and_reported(self):
        hello = ServerProcess(None, argv=[f"{EXAMPLES}/hello", "--port", "0"])
        collector = Collector()
        bg = self.start(collector.url)
        try:
            target = f"http://127.0.0.1:{hello.port}/plaintext"
            res, body = post_json(bg.port, "/", {"url": target})
            self.assertEqual(res.status, 202)
            self.assertEqual(json.loads(body), {"status": "dispatched"})
            self.assertEqual(collector.wait_for(1), [{"url": target, "status": 200, "length": 13}])
            res, _ = post_json(bg.port, "/", {"nourl": 1})
            self.assertEqual(res.status, 400)
            res, _ = post_json(bg.port, "/", {"url": "ftp://127.0.0.1/"})
            self.assertEqual(res.status, 400)
        finally:
            self.assertEqual(bg.stop(), 0)
            collector.stop()
            self.assertEqual(hello.stop(), 0)

    def test_reports_survive_a_collector_that_starts_late(self):
        import socket
        import time
        with socket.socket() as s:  # the collector's port, nothing listening yet
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        hello = ServerProcess(None, argv=[f"{EXAMPLES}/hello", "--port", "0"])
        bg = self.start(f"http://127.0.0.1:{port}/collect")
        collector = None
        try:
            target = f"http://127.0.0.1:{hello.port}/json"
            res, _ = post_json(bg.port, "/", {"url": target})
            self.assertEqual(res.status, 202)
            deadline = time.monotonic() + 15  # a few refused tries with backoff, as logged
            while "".join(bg.log).count("retrying") < 2:
                self.assertLess(time.monotonic(), deadline, "".join(bg.log))
                time.sleep(0.02)
            collector = Collector(port=port)
            self.assertEqual(collector.wait_for(1), [{"url": target, "status": 200, "length": 27}])
            self.assertIn("retrying", "".join(bg.log))
        finally:
            self.assertEqual(bg.stop(), 0)
            if collector:
                collector.stop()
            self.assertEqual(hello.stop(), 0)

    def test_full_queue_answers_503(self):
        hello = ServerProcess(None, argv=[f"{EXAMPLES}/hello", "--port", "0"])
        collector = Collector(delay=1.0)
        bg = self.start(collector.url, "--queue", "1")
        try:
            target = f"http://127.0.0.1:{hello.port}/plaintext"
            statuses = [post_json(bg.port, "/", {"url": target})[0].status for _ in range(5)]
            self.assertEqual(statuses[0], 202)
            self.assertIn(503, statuses)
            self.assertEqual(set(statuses), {202, 503})
        finally:
            self.assertEqual(bg.stop(), 0)
            collector.stop()
            self.assertEqual(hello.stop(), 0)


class EchoWsTest(unittest.TestCase):
    def test_text_and_binary_echo_on_two_workers(self):
        import asyncio
        import websockets
        server = ServerProcess(None, argv=[f"{EXAMPLES}/echo_ws", "--port", "0", "--workers", "2"])

        async def go():
            for _ in range(4):  # new connections land on either worker
                async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws",
                                              max_size=None) as ws:
                    await ws.send("héllo")
                    self.assertEqual(await ws.recv(), "héllo")
                    await ws.send(b"\x00\xff" * 40000)
                    self.assertEqual(await ws.recv(), b"\x00\xff" * 40000)
        try:
            asyncio.run(asyncio.wait_for(go(), 30))
            res, body = get(server.port, "/ws")
            self.assertEqual(res.status, 426)
        finally:
            self.assertEqual(server.stop(), 0)


class StaticTest(unittest.TestCase):
    def test_files_events_and_stream(self):
        server = ServerProcess(None, argv=[f"{EXAMPLES}/static", "--port", "0"])
        try:
            res, body = get(server.port, "/")
            self.assertEqual(res.status, 200)
            self.assertIn(b"EventSource", body)
            res, body = get(server.port, "/style.css")
            self.assertEqual(res.getheader("Content-Type"), "text/css; charset=utf-8")
            res, body = get(server.port, "/numbers?count=5")
            self.assertEqual(body, b"1\n2\n3\n4\n5\n")
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
                s.sendall(b"GET /clock HTTP/1.1\r\nHost: x\r\n\r\n")
                got = b""
                while b"event: tick\nid: 0\ndata: " not in got:
                    data = s.recv(4096)
                    self.assertTrue(data)
                    got += data
        finally:
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    EXAMPLES = sys.argv.pop(1)
    unittest.main(verbosity=2)
