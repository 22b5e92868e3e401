# SPDX-License-Identifier: MIT
"""The known HTTP/2 attacks against a real swoop server (h2_server.cpp), each from several
connections at once: the attackers get the RFC's answer (GOAWAY or RST_STREAM with its code),
the server's memory and CPU stay bounded, and a client that behaves is served all along.

Measured from /proc: peak VmRSS (sampled every 5 ms) over the RSS before the attack, and the
server's CPU time (utime + stime) during it. The bounds are loose enough for ASan and TSan
builds and far below what the attacks cost a server without the limits (a rapid reset that
is not cut runs 40,000 handlers; a CONTINUATION flood that is not cut buffers 40 MB).

Usage: h2_attacks_test.py H2_SERVER (the swoop_h2_server binary)."""
import http.client
import os
import sys
import threading
import time
import unittest

from hpack.hpack import encode_integer
from hyperframe.frame import DataFrame, GoAwayFrame, HeadersFrame, RstStreamFrame

import h2wire
from h2wire import (CANCEL, CONTINUATION, DATA, END_HEADERS, END_STREAM, ENHANCE_YOUR_CALM,
                    HEADERS, INITIAL_WINDOW_SIZE, PING, PREFACE, PRIORITY, PROTOCOL_ERROR,
                    REFUSED_STREAM, SETTINGS, raw_frame, settings_payload)
from serverproc import ServerProcess

SERVER = None
ATTACKERS = 16       # connections per attack, each in its own thread
RSS_LIMIT_MB = 64    # peak RSS over the RSS before an attack
CPU_LIMIT_S = 8.0    # server CPU time for one attack (all its connections), sanitizers included
LATENCY_LIMIT_S = 3.0  # the longest wait of the well-behaved client's requests meanwhile
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def hstr(data):
    """An HPACK string literal without Huffman coding (RFC 7541 5.2)."""
    return bytes(encode_integer(len(data), 7)) + data


def lit(name, value):
    """A literal field line without indexing, new name (RFC 7541 6.2.2)."""
    return b"\x00" + hstr(name.encode()) + hstr(value.encode())


def request_block(c, path="/", method="GET"):
    """A request's field block of literals only: the dynamic table stays as the test made it."""
    return b"".join(lit(n, v) for n, v in ((":method", method), (":scheme", "http"),
                                             (":path", path), (":authority", c.authority)))


def usage(pid):
    """(CPU seconds, RSS in MB) of process pid."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    with open(f"/proc/{pid}/statm") as f:
        rss_pages = int(f.read().split()[1])
    return (int(fields[11]) + int(fields[12])) / TICK, rss_pages * PAGE / 2**20


class Watch:
    """While an attack runs: samples the server's RSS, and has a well-behaved client GET / on
    its own keep-alive connection every 20 ms, recording each status and latency."""

    def __init__(self, server):
        self.server, self.stop = server, threading.Event()
        self.cpu0, self.rss0 = usage(server.proc.pid)
        self.peak, self.answers = self.rss0, []
        self.threads = [threading.Thread(target=f) for f in (self.sample, self.probe)]
        for t in self.threads:
            t.start()

    def sample(self):
        while not self.stop.wait(0.005):
            self.peak = max(self.peak, usage(self.server.proc.pid)[1])

    def probe(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        while not self.stop.wait(0.02):
            started = time.monotonic()
            try:
                conn.request("GET", "/")
                res = conn.getresponse()
                ok = res.status == 200 and res.read() == b"Hello, HTTP/2!"
            except OSError as e:
                ok = repr(e)
                conn.close()
            self.answers.append((ok, time.monotonic() - started))
        conn.close()

    def finish(self):
        """(CPU seconds, peak RSS growth in MB, answers) of the attack."""
        count, deadline = len(self.answers), time.monotonic() + 5
        while len(self.answers) < count + 3 and time.monotonic() < deadline:
            time.sleep(0.01)  # answers after the attack too
        self.stop.set()
        for t in self.threads:
            t.join()
        return usage(self.server.proc.pid)[0] - self.cpu0, self.peak - self.rss0, self.answers


class AttackCase(unittest.TestCase):
    def attack(self, one, connections=ATTACKERS, handshake=True):
        """Runs one(client, index) on that many fresh connections at once (after the
        handshake, unless told) and checks the bounds; returns the results of one()."""
        watch = Watch(SERVER)
        results, errors = [None] * connections, []

        def run(i):
            c = h2wire.H2Client("127.0.0.1", SERVER.port, timeout=10)
            try:
                if handshake:
                    c.handshake()
                results[i] = one(c, i)
            except BaseException as e:  # reported below, with the test's own failure
                errors.append(e)
            finally:
                c.close()
        threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cpu, rss, answers = watch.finish()
        print(f"\n  {self._testMethodName}: server CPU {cpu:.2f} s, peak RSS +{rss:.1f} MB, "
              f"{len(answers)} probes", file=sys.stderr)
        if errors:
            raise errors[0]
        self.assertLess(cpu, CPU_LIMIT_S)
        self.assertLess(rss, RSS_LIMIT_MB)
        self.assertGreaterEqual(len(answers), 3, "the probe went unanswered")
        self.assertEqual([ok for ok, _ in answers if ok is not True], [])
        self.assertLess(max(latency for _, latency in answers), LATENCY_LIMIT_S)
        return results

    def goaway(self, c, code):
        """The GOAWAY (with code) that ends c; the connection then closes."""
        frame = c.expect_goaway(code)
        self.assertIsNotNone(frame)
        return frame

    def test_rapid_reset(self):
        """CVE-2023-44487: HEADERS then RST_STREAM, 2,000 times per connection. The reset
        budget (100 at once, 10 a second) ends it with GOAWAY ENHANCE_YOUR_CALM after about a
        hundred streams, whose handlers never start (a stream reset in the read that opened
        it is not dispatched)."""
        def one(c, _):
            burst = b"".join(raw_frame(HEADERS, END_HEADERS | END_STREAM, sid,
                                       request_block(c, "/slow?ms=50")) +
                             RstStreamFrame(sid, error_code=CANCEL).serialize()
                             for sid in range(1, 4001, 2))
            c.send(burst)
            return self.goaway(c, ENHANCE_YOUR_CALM).last_stream_id
        for last in self.attack(one):
            self.assertLess(last, 2 * 200)  # streams processed before the GOAWAY

    def test_continuation_flood(self):
        """CVE-2024-27316 and kin: a header block that never ends, 10,000 CONTINUATION frames
        of 1 KiB field lines (10 MB per connection). Cut once the block passes max_header_size
        plus a frame, before it is decoded: GOAWAY ENHANCE_YOUR_CALM."""
        def one(c, _):
            fragment = lit("x-flood", "f" * 1000)
            c.send(raw_frame(HEADERS, END_STREAM, 1, request_block(c)))
            for _ in range(100):
                c.send(raw_frame(CONTINUATION, 0, 1, fragment) * 100)
                if c.send_failed:
                    break
            self.goaway(c, ENHANCE_YOUR_CALM)
        self.attack(one)

    def test_hpack_bomb(self):
        """A 4,000-byte table entry referenced 99 times per request (400 KB decoded from
        4 KB), 200 requests per connection: each stream is reset with ENHANCE_YOUR_CALM, and
        the resets spend the connection's reset budget."""
        def one(c, _):
            bomb = b"\x40" + hstr(b"x-bomb") + hstr(b"a" * 4000) + b"\xbe" * 99
            for sid in range(1, 401, 2):
                c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, sid,
                                 request_block(c) + bomb))
                if c.send_failed:
                    break
            frames = c.expect_closed()
            resets = [f for f in frames if isinstance(f, RstStreamFrame)]
            goaways = [f for f in frames if isinstance(f, GoAwayFrame)]
            self.assertTrue(resets)
            self.assertEqual({f.error_code for f in resets}, {ENHANCE_YOUR_CALM})
            self.assertEqual([f.error_code for f in goaways], [ENHANCE_YOUR_CALM])
            self.assertFalse([f for f in frames if isinstance(f, HeadersFrame)])
        self.attack(one)

    def test_control_frame_floods(self):
        """PING, SETTINGS, PRIORITY and empty DATA, 20,000 frames per connection without
        reading the answers: the control budget (100 at once, 10 a second) ends each with
        GOAWAY ENHANCE_YOUR_CALM before the server's own answers pile up."""
        floods = [raw_frame(PING, 0, 0, b"floodfld"), raw_frame(SETTINGS, 0, 0),
                  raw_frame(PRIORITY, 0, 3, b"\x00\x00\x00\x00\x10"), raw_frame(DATA, 0, 1)]

        def one(c, i):
            if floods[i % 4][3] == DATA:  # empty DATA needs an open stream
                c.send(raw_frame(HEADERS, END_HEADERS, 1, request_block(c, "/echo", "POST")))
            for _ in range(20):
                c.send(floods[i % 4] * 1000)
                if c.send_failed:
                    break
            self.goaway(c, ENHANCE_YOUR_CALM)
        self.attack(one)

    def test_a_client_that_never_opens_its_window(self):
        """Streamed responses (78 MB each) to a client whose stream windows are 0 and that
        never sends WINDOW_UPDATE, 8 streams on each of 8 connections: each writer waits with at
        most its 64 KiB high-water mark queued (4 MiB in all), and at response_timeout with
        no progress the stream is reset (RST_STREAM CANCEL) and its writer cancelled. (The
        writers fill their queues 8 bytes at a time: seconds of CPU under the sanitizers.)"""
        def one(c, _):
            c.send(raw_frame(SETTINGS, 0, 0, settings_payload((INITIAL_WINDOW_SIZE, 0))))
            sids = list(range(1, 17, 2))
            c.send(b"".join(raw_frame(HEADERS, END_HEADERS | END_STREAM, sid,
                                      request_block(c, "/numbers?count=10000000"))
                            for sid in sids))
            reset = {}
            c.wait_for(lambda f: isinstance(f, RstStreamFrame) and
                       reset.setdefault(f.stream_id, f.error_code) is not None and
                       len(reset) == len(sids), "every stream reset", timeout=15)
            heads = {f.stream_id for f in c.frames if isinstance(f, HeadersFrame)}
            self.assertEqual(heads, set(sids))  # HEADERS are not flow-controlled
            self.assertEqual(set(reset.values()), {CANCEL})
            return time.monotonic()
        started = time.monotonic()
        for ended in self.attack(one, connections=8):
            self.assertGreater(ended - started, 1.5)  # response_timeout is 2 s

    def test_too_many_streams(self):
        """300 streams at once against SETTINGS_MAX_CONCURRENT_STREAMS 128. Opened with the
        client's first bytes, before it could know the limit: the 172 beyond it are refused
        (RST_STREAM REFUSED_STREAM, safe to retry) and the 128 answered. Opened after the
        client acknowledged the limit: GOAWAY PROTOCOL_ERROR (nghttp2 makes the stream error
        of RFC 9113 5.1.2 a connection error, as 5.4.1 allows)."""
        def one(c, i):
            sids = list(range(1, 601, 2))
            heads = b"".join(raw_frame(HEADERS, END_HEADERS | END_STREAM, sid,
                                       request_block(c, "/slow?ms=300")) for sid in sids)
            if i % 2 == 1:
                c.handshake()
                c.send(heads)
                self.assertEqual(self.goaway(c, PROTOCOL_ERROR).last_stream_id, 255)
                return
            c.send(PREFACE + raw_frame(SETTINGS, 0, 0) + heads)
            refused, answered = set(), set()

            def seen(f):
                if isinstance(f, RstStreamFrame):
                    self.assertEqual(f.error_code, REFUSED_STREAM)
                    refused.add(f.stream_id)
                elif isinstance(f, DataFrame) and "END_STREAM" in f.flags:
                    answered.add(f.stream_id)
                return len(refused) + len(answered) == len(sids)
            c.wait_for(seen, "every stream answered or refused", timeout=20)
            self.assertEqual((len(answered), len(refused)), (128, 172))
            self.assertEqual(max(answered), 255)
        self.attack(one, connections=4, handshake=False)


def setUpModule():
    global SERVER
    # Under ASan, freed blocks wait in a quarantine (256 MiB by default) that would count as
    # the server's memory: keep it small so RSS shows what the server holds.
    env = dict(os.environ, SWOOP_RESPONSE_TIMEOUT="2")
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""),
                                                 "quarantine_size_mb=8"]))
    SERVER = ServerProcess(BINARY, argv=[BINARY], env=env)


def tearDownModule():
    SERVER.stop_checked()


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)
