# SPDX-License-Identifier: MIT
"""Bodies with real clients: curl on static files, SSE with curl -N and a socket, and big
downloads through a stream and through sendfile with the server's memory measured."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from serverproc import ServerProcess

BINARY = None
BIG = 1 << 30  # bytes of the big downloads (smaller under sanitizers: see CMakeLists.txt)


def memory_kb(pid):
    """VmRSS and VmHWM of a process, in kB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def curl(*args):
    return subprocess.run(["curl", "-sS", "--max-time", "120", *args], capture_output=True,
                          check=False)


class BodiesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="swoop-bodies-")
        cls.root = os.path.join(cls.base, "public")
        os.makedirs(cls.root)
        with open(os.path.join(cls.base, "secret.txt"), "w") as f:
            f.write("secret")
        cls.small = os.path.join(cls.root, "small.txt")
        with open(cls.small, "w") as f:
            f.write("hello from a file\n")
        cls.medium = os.path.join(cls.root, "medium.bin")
        with open(cls.medium, "wb") as f:
            f.write(os.urandom(3 * 1024 * 1024 + 17))
        cls.huge = os.path.join(cls.root, "huge.bin")
        with open(cls.huge, "wb") as f:
            f.truncate(BIG)  # sparse: the page cache serves zeros
        # Under ASan, freed blocks wait in a quarantine (256 MiB by default) that would count
        # as the server's memory: keep it small so VmHWM shows what the server holds.
        os.environ["ASAN_OPTIONS"] = ":".join(
            filter(None, [os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=8"]))
        cls.server = ServerProcess(BINARY, argv=[BINARY, cls.root])
        cls.url = f"http://127.0.0.1:{cls.server.port}"

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        shutil.rmtree(cls.base, ignore_errors=True)
        if code != 0:
            raise AssertionError("server exited with %d:\n%s" % (code, "".join(cls.server.log)))

    def test_curl_downloads_files_whole_and_in_ranges(self):
        out = os.path.join(self.base, "got.bin")
        r = curl("-o", out, "-w", "%{http_code} %{content_type}", self.url + "/static/medium.bin")
        self.assertEqual(r.stdout.decode(), "200 application/octet-stream")
        with open(out, "rb") as a, open(self.medium, "rb") as b:
            self.assertEqual(a.read(), b.read())
        r = curl("-r", "1000-1999", self.url + "/static/medium.bin")
        with open(self.medium, "rb") as b:
            b.seek(1000)
            self.assertEqual(r.stdout, b.read(1000))
        r = curl("-I", self.url + "/static/small.txt")
        self.assertIn(b"Content-Length: 18", r.stdout)
        self.assertIn(b"Content-Type: text/plain; charset=utf-8", r.stdout)
        # curl -z sends If-Modified-Since from the file's own date: 304.
        r = curl("-o", "/dev/null", "-w", "%{http_code}", "-z", self.small,
                 self.url + "/static/small.txt")
        self.assertEqual(r.stdout, b"304")
        # curl resumes a partial download with a Range request.
        part = os.path.join(self.base, "part.bin")
        with open(self.medium, "rb") as b, open(part, "wb") as p:
            p.write(b.read(12345))
        r = curl("-C", "-", "-o", part, self.url + "/static/medium.bin")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(part, "rb") as a, open(self.medium, "rb") as b:
            self.assertEqual(a.read(), b.read())
        for target in ("/static/../secret.txt", "/static/%2e%2e/secret.txt",
                       "/static/..%2fsecret.txt", "/static/%252e%252e/secret.txt"):
            r = curl("--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", self.url + target)
            self.assertEqual(r.stdout, b"404", target)

    def test_sse_with_curl_no_buffer(self):
        r = curl("-N", self.url + "/sse?count=3&ms=20")
        self.assertEqual(r.returncode, 0, r.stderr)
        text = r.stdout.decode()
        self.assertTrue(text.startswith(": welcome\n\n"), text)
        for i in range(3):
            self.assertIn(f"event: tick\nid: {i}\ndata: n={i}\ndata: second line\n\n", text)

    def test_sse_events_arrive_before_the_stream_ends(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"GET /sse?count=2&ms=1500 HTTP/1.1\r\nHost: x\r\n"
                      b"Accept: text/event-stream\r\n\r\n")
            got = b""
            start = time.monotonic()
            while b"data: n=0" not in got:
                data = s.recv(65536)
                self.assertTrue(data)
                got += data
            # The first event came while the handler still sleeps: nothing was buffered.
            self.assertLess(time.monotonic() - start, 1.2)
            self.assertIn(b"Content-Type: text/event-stream", got)
            self.assertIn(b"Transfer-Encoding: chunked", got)
            self.assertNotIn(b"\r\n0\r\n\r\n", got)

    def measure_download(self, path, expect):
        _, hwm_before = memory_kb(self.server.proc.pid)
        start = time.monotonic()
        r = curl("-o", "/dev/null", "-w", "%{http_code} %{size_download}", self.url + path)
        elapsed = time.monotonic() - start
        rss, hwm = memory_kb(self.server.proc.pid)
        self.assertEqual(r.stdout.decode(), f"200 {expect}", r.stderr)
        print(f"\n{path}: {expect} bytes in {elapsed:.1f}s; server VmHWM {hwm_before} -> "
              f"{hwm} kB, VmRSS after {rss} kB", file=sys.stderr)
        # Loosely bounded: the body never sits in the server's memory.
        self.assertLess(hwm - hwm_before, 64 * 1024)

    def test_big_download_through_a_stream_has_bounded_memory(self):
        self.measure_download(f"/stream?n={BIG}", BIG)

    def test_big_file_through_sendfile_has_bounded_memory(self):
        self.measure_download("/static/huge.bin", BIG)

    def test_big_streamed_upload_has_bounded_memory(self):
        block = bytes(range(256)) * 4096  # 1 MiB
        blocks = BIG // len(block)
        _, hwm_before = memory_kb(self.server.proc.pid)
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=60) as s:
            s.sendall(b"POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                      b"Content-Length: %d\r\n\r\n" % (blocks * len(block)))
            for _ in range(blocks):
                s.sendall(block)
            reply = b""
            while True:
                data = s.recv(65536)
                if not data:
                    break
                reply += data
        elapsed = time.monotonic() - start
        rss, hwm = memory_kb(self.server.proc.pid)
        expect_sum = blocks * 4096 * sum(range(256))
        self.assertTrue(reply.endswith(b"%d %d" % (blocks * len(block), expect_sum)), reply[-200:])
        print(f"\nupload: {blocks * len(block)} bytes in {elapsed:.1f}s; server VmHWM "
              f"{hwm_before} -> {hwm} kB, VmRSS after {rss} kB", file=sys.stderr)
        self.assertLess(hwm - hwm_before, 64 * 1024)

    def test_curl_upload_with_100_continue(self):
        r = curl("-T", self.medium, "-H", "Expect: 100-continue", self.url + "/upload")
        with open(self.medium, "rb") as f:
            data = f.read()
        self.assertEqual(r.stdout.decode(), f"{len(data)} {sum(data)}")


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    BIG = int(sys.argv.pop(1))
    unittest.main(verbosity=2)
