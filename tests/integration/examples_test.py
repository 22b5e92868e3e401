# SPDX-License-Identifier: MIT
"""Smoke tests of the bundled examples: start each on port 0, call it, stop it with SIGTERM."""
import http.client
import json
import sys
import unittest

from serverproc import ServerProcess

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
            self.assertEqual(json.loads(body), {"name": "pear", "price": 0.75})
            res, body = get(server.port, "/v1/api/items/kiwi")
            self.assertEqual(res.status, 404)
            self.assertEqual(json.loads(body)["error"], "no such item")
            res, body = get(server.port, "/health")
            self.assertEqual(json.loads(body), {"status": "ok"})
            self.assertIsNone(res.getheader("Cache-Control"))  # outside the group
        finally:
            self.assertEqual(server.stop(), 0)


class JsonHeadTest(unittest.TestCase):
    def test_heads_in_parallel(self):
        import socket
        import urllib.parse
        hello = ServerProcess(None, argv=[f"{EXAMPLES}/hello", "--port", "0"])
        head = ServerProcess(None, argv=[f"{EXAMPLES}/json_head", "--port", "0"])
        try:
            with socket.socket() as s:  # a port nothing listens on
                s.bind(("127.0.0.1", 0))
                closed = s.getsockname()[1]
            ok = f"http://127.0.0.1:{hello.port}/plaintext"
            refused = f"http://127.0.0.1:{closed}/"
            query = urllib.parse.urlencode([("url", ok), ("url", refused)])
            res, body = get(head.port, "/?" + query)
            self.assertEqual(res.status, 200)
            self.assertEqual(res.getheader("Access-Control-Allow-Origin"), "*")
            results = json.loads(body)
            self.assertEqual([r["url"] for r in results], [ok, refused])
            self.assertEqual(results[0]["status"], 200)
            self.assertEqual(results[0]["headers"]["Content-Length"], "13")
            self.assertTrue(results[0]["headers"]["Content-Type"].startswith("text/plain"))
            self.assertEqual(results[1]["error"], f"connect to 127.0.0.1:{closed}: connection refused")
            res, _ = get(head.port, "/")
            self.assertEqual(res.status, 400)
            res, _ = get(head.port, "/?url=ftp://127.0.0.1/")
            self.assertEqual(res.status, 400)
        finally:
            self.assertEqual(head.stop(), 0)
            self.assertEqual(hello.stop(), 0)


if __name__ == "__main__":
    EXAMPLES = sys.argv.pop(1)
    unittest.main(verbosity=2)
