# SPDX-License-Identifier: MIT
"""Topics across instances through a real redis-server (each test starts its own): two
instances of the chat example (SWOOP_PUBSUB_URL, two workers each), and a real nginx running
deploy/nginx.conf in front of them.

- Clients on each instance, and one through nginx, receive each other's messages, in order.
- Redis stopped mid-run: each instance goes on delivering within itself and keeps serving;
  Redis started again: delivery across the instances resumes within seconds.
- A hostile "Redis" that answers with an endless reply: the instance drops that connection
  (again after each reconnect), keeps serving, and its memory stays bounded.

Usage: pubsub_redis_test.py EXAMPLES_DIR"""
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import websockets

from deploy_test import Nginx, accepts, free_port
from serverproc import ServerProcess

EXAMPLES = None
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
PAGE = os.sysconf("SC_PAGE_SIZE")


class RedisServer:
    """redis-server on a loopback port, without persistence."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="swoop-redis-")
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not accepts(self.port):
            assert self.proc.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not listen"
            time.sleep(0.02)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def chat(url, workers=2):
    env = dict(os.environ, SWOOP_PUBSUB_URL=url)
    # Under ASan, freed blocks wait in a quarantine (256 MiB by default) that would count as
    # resident memory: keep it small where memory is measured.
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""),
                                                 "quarantine_size_mb=8"]))
    return ServerProcess(None, argv=[f"{EXAMPLES}/chat", "--port", "0", "--workers",
                                     str(workers)], env=env)


def get_status(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as res:
        return res.status


async def join(port, name, room):
    return await websockets.connect(f"ws://127.0.0.1:{port}/ws?name={name}&room={room}",
                                    max_size=None)


async def wait_for_message(ws, wanted, timeout=10.0):
    """Reads until a message for which wanted(text) holds; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no matching message within %.0f s" % timeout)
        text = await asyncio.wait_for(ws.recv(), left)
        if wanted(text):
            return text


async def probe_until_met(sender, name, receivers, timeout=15.0):
    """sender says probe-N every 100 ms until every receiver heard one of them (a new
    subscriber's SUBSCRIBE reaches Redis asynchronously); returns the seconds it took."""
    start = time.monotonic()
    heard = [asyncio.ensure_future(wait_for_message(r, lambda t: t.startswith(f"{name}: probe-"),
                                                    timeout)) for r in receivers]
    n = 0
    while not all(h.done() for h in heard):
        assert time.monotonic() - start < timeout, "the instances never met through redis"
        await sender.send(f"probe-{n}")
        n += 1
        await asyncio.sleep(0.1)
    for h in heard:
        h.result()
    return time.monotonic() - start


class AcrossInstancesTest(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer()
        url = f"redis://127.0.0.1:{self.redis.port}"
        self.a = chat(url)
        self.b = chat(url)
        self.nginx = Nginx([self.a.port, self.b.port])

    def tearDown(self):
        self.nginx.stop()
        codes = (self.a.stop(), self.b.stop())
        self.redis.stop()
        self.assertEqual(codes, (0, 0), "".join(self.a.log + self.b.log))

    def test_clients_on_each_instance_and_through_nginx_see_each_other(self):
        async def go():
            ann = await join(self.a.port, "ann", "tea")
            bob = await join(self.b.port, "bob", "tea")
            carl = await join(self.nginx.port, "carl", "tea")
            other_room = await join(self.b.port, "dan", "coffee")
            await probe_until_met(ann, "ann", [bob, carl])
            await probe_until_met(bob, "bob", [ann, carl])
            # One publisher's messages arrive in order on the other instance.
            for i in range(100):
                await ann.send(f"m{i}")
            for reader in (bob, carl):
                for i in range(100):
                    got = await wait_for_message(reader, lambda t: t.startswith("ann: m"))
                    self.assertEqual(got, f"ann: m{i}")
            await bob.send("hello ann")
            await wait_for_message(ann, lambda t: t == "bob: hello ann")
            # Rooms are topics: the other room heard none of it.
            await other_room.send("anyone?")
            self.assertEqual(await wait_for_message(other_room, lambda t: True), "* dan joined")
            self.assertEqual(await wait_for_message(other_room, lambda t: True), "dan: anyone?")
            for ws in (ann, bob, carl, other_room):
                await ws.close()
        asyncio.run(asyncio.wait_for(go(), 90))

    def test_redis_down_then_back(self):
        async def go():
            ann = await join(self.a.port, "ann", "tea")
            amy = await join(self.a.port, "amy", "tea")
            bob = await join(self.b.port, "bob", "tea")
            await probe_until_met(ann, "ann", [amy, bob])
            self.redis.stop()
            # Within an instance, delivery goes on.
            for i in range(20):
                await ann.send(f"down-{i}")
            for i in range(20):
                got = await wait_for_message(amy, lambda t: t.startswith("ann: down-"))
                self.assertEqual(got, f"ann: down-{i}")
            self.assertEqual(get_status(self.a.port), 200)
            self.assertEqual(get_status(self.b.port), 200)
            await asyncio.sleep(1.0)  # a few reconnect attempts fail meanwhile
            self.redis = RedisServer(self.redis.port)
            took = await probe_until_met(ann, "ann", [bob], timeout=20)
            print(f"delivery across instances resumed {took:.1f} s after redis restarted",
                  file=sys.stderr)
            self.assertLess(took, 10)
            await bob.send("back")
            await wait_for_message(ann, lambda t: t == "bob: back")
            for ws in (ann, amy, bob):
                await ws.close()
        asyncio.run(asyncio.wait_for(go(), 90))
        log = "".join(self.a.log)
        self.assertIn("pubsub: redis at 127.0.0.1", log)
        self.assertIn("is back", log)


class EndlessReply:
    """A fake Redis: answers every connection with the head of a 2 GB bulk string and then
    bytes without end, counting what it sent and the connections the client dropped."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.sent = 0
        self.dropped = 0
        self.stopping = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.flood, args=(conn,), daemon=True).start()

    def flood(self, conn):
        chunk = b"x" * 65536
        try:
            conn.sendall(b"$2000000000\r\n")
            while not self.stopping:
                conn.sendall(chunk)
                self.sent += len(chunk)
        except OSError:
            self.dropped += 1
        finally:
            conn.close()

    def stop(self):
        self.stopping = True
        self.sock.close()


class HostileRedisTest(unittest.TestCase):
    def test_an_endless_reply_is_cut_and_the_instance_keeps_serving(self):
        fake = EndlessReply()
        server = chat(f"redis://127.0.0.1:{fake.port}", workers=1)
        try:
            with open(f"/proc/{server.proc.pid}/statm") as f:
                before = int(f.read().split()[1]) * PAGE
            peak = before
            deadline = time.monotonic() + 30
            while fake.dropped < 4:
                self.assertLess(time.monotonic(), deadline,
                                f"only {fake.dropped} connections dropped, {fake.sent} bytes sent")
                with open(f"/proc/{server.proc.pid}/statm") as f:
                    peak = max(peak, int(f.read().split()[1]) * PAGE)
                time.sleep(0.005)
            self.assertEqual(get_status(server.port), 200)
            growth = (peak - before) / 2**20
            print(f"{fake.dropped} connections dropped after {fake.sent / 2**20:.0f} MiB; "
                  f"peak RSS growth {growth:.1f} MiB", file=sys.stderr)
            # Each connection holds at most 4 MiB of reply (and its buffer's doubling): ~21 MiB
            # measured under ASan, ~31 under TSan (shadow memory). Without the limit this grows
            # by every byte sent (2 GB per connection), and no connection is dropped.
            self.assertLess(growth, 64)
            self.assertIn("a reply over the size limit", "".join(server.log))
        finally:
            fake.stop()
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    EXAMPLES = sys.argv.pop(1)
    unittest.main(verbosity=2)
