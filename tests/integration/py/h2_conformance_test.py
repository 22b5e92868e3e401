# SPDX-License-Identifier: MIT
"""HTTP/2 conformance cases (RFC 9113, RFC 7541), organised like h2spec, on raw frames.

The server under test:
  h2_conformance_test.py BINARY        starts BINARY (swoop's test server) with serverproc.py;
  H2_HOST / H2_PORT [H2_TLS=1 H2_CAFILE=... H2_INSECURE=1] [H2_PEER=nghttpd]
                                       an already running server (configure() does the same).
Paths (env overrides): H2_PATH_SMALL "/" (200, small body), H2_PATH_BIG "/big" (200,
>= 100 000 bytes), H2_PATH_ECHO "/echo" (POST echoes the body; H2_ECHO=0 skips those cases),
H2_PATH_MISSING "/does-not-exist" (404).

Each case asserts the frames and error codes the RFC requires; where it allows a stream or a
connection error, both pass (as h2spec's VerifyStreamError). Case ids are in the test names:
test_6_9_1_... is h2spec's "6.9/1"; test_hpack_... are RFC 7541 cases. Cases in SWOOP_ONLY test
checks nghttp2 does not do by itself (swoop adds them); they are skipped when H2_PEER=nghttpd
unless H2_RUN_ALL=1.
"""
import os
import socket
import struct
import sys
import time
import unittest

from hpack.hpack import encode_integer
from hyperframe.frame import (DataFrame, GoAwayFrame, HeadersFrame,
                              PingFrame, PriorityFrame, PushPromiseFrame, RstStreamFrame,
                              SettingsFrame, WindowUpdateFrame)

import h2wire
from h2wire import (CANCEL, COMPRESSION_ERROR, ENHANCE_YOUR_CALM, FLOW_CONTROL_ERROR,
                    FRAME_SIZE_ERROR, NO_ERROR, PROTOCOL_ERROR, REFUSED_STREAM, STREAM_CLOSED,
                    raw_frame, settings_payload)
from h2wire import (ACK, CONTINUATION, DATA, END_HEADERS, END_STREAM, GOAWAY, HEADERS,
                    PADDED, PING, PRIORITY, PRIORITY_FLAG, RST_STREAM, SETTINGS,
                    WINDOW_UPDATE)
from h2wire import (ENABLE_PUSH, HEADER_TABLE_SIZE, INITIAL_WINDOW_SIZE, MAX_FRAME_SIZE)

TARGET = {"host": os.environ.get("H2_HOST", "127.0.0.1"),
          "port": int(os.environ["H2_PORT"]) if os.environ.get("H2_PORT") else None,
          "tls": os.environ.get("H2_TLS") == "1", "cafile": os.environ.get("H2_CAFILE"),
          "verify": os.environ.get("H2_INSECURE") != "1",
          "peer": os.environ.get("H2_PEER", "swoop")}
SMALL = os.environ.get("H2_PATH_SMALL", "/")
BIG = os.environ.get("H2_PATH_BIG", "/big")
ECHO = os.environ.get("H2_PATH_ECHO", "/echo")
HOLD = os.environ.get("H2_PATH_HOLD", "/upload?wait_ms=3000")  # a POST read only later
MISSING = os.environ.get("H2_PATH_MISSING", "/does-not-exist")
HAS_ECHO = os.environ.get("H2_ECHO", "1") != "0"
RUN_ALL = os.environ.get("H2_RUN_ALL") == "1"
TIMEOUT = float(os.environ.get("H2_TIMEOUT", "2"))
QUIET = 0.3   # how long "nothing arrives" is watched

# Checks nghttp2 1.52 leaves to the application (h2_study.md section 2.4): swoop's own.
SWOOP_ONLY = {
    "5.1.1.2",   # HEADERS on a lower, never-opened id: nghttp2 ignores it silently
    "10.5.1",    # header list past max_header_size: nghttp2 does not enforce it -> 431
    "10.5.2",    # decoded header list > 4x the limit: RST_STREAM ENHANCE_YOUR_CALM
    "10.5.3",    # CONTINUATION flood: nghttp2 fails fatally (-905) without GOAWAY
    "10.5.4",    # rapid reset: nghttp2's limiter answers INTERNAL_ERROR, not ENHANCE_YOUR_CALM
    "10.5.5",    # empty DATA flood: unlimited in nghttp2
    "10.5.6",    # PING flood while the peer reads: unlimited in nghttp2
    "3.5.5",     # HTTP/1.1 on the same port: swoop's protocol detection
    "6.9.2.3",   # INITIAL_WINDOW_SIZE overflowing a stream window: nghttp2 answers
                 # RST_STREAM(FLOW_CONTROL_ERROR); RFC 9113 6.9.2 requires a connection error
}


def configure(host, port, tls=False, cafile=None, verify=True, peer="swoop"):
    """Points the cases at a running server (for a runner that starts its own)."""
    TARGET.update(host=host, port=port, tls=tls, cafile=cafile, verify=verify, peer=peer)


def case_id(test_name):
    parts = test_name.split("_")[1:]
    prefix = ["hpack"] if parts[0] == "hpack" else []
    nums = [p for p in parts[len(prefix):]]
    ids = []
    for p in nums:
        if not p.isdigit():
            break
        ids.append(p)
    return ".".join(prefix + ids)


# ---- HPACK by hand: literals without indexing leave the dynamic table alone ----------------
def hint(value, prefix_bits, first=0):
    out = encode_integer(value, prefix_bits)
    out[0] |= first
    return bytes(out)


def hstr(data):
    return hint(len(data), 7) + data


def lit(name, value):
    """Literal field line without indexing, new name, no Huffman (RFC 7541 6.2.2)."""
    if isinstance(name, str):
        name = name.encode()
    if isinstance(value, str):
        value = value.encode()
    return b"\x00" + hstr(name) + hstr(value)


class H2Case(unittest.TestCase):
    """One fresh connection per case (self.connect); helpers for the common exchanges."""

    def setUp(self):
        cid = case_id(self._testMethodName)
        if cid in SWOOP_ONLY and TARGET["peer"] == "nghttpd" and not RUN_ALL:
            self.skipTest(f"{cid}: swoop's own check; nghttp2 alone does not do it")
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()

    def connect(self, settings=(), handshake=True):
        c = h2wire.H2Client(TARGET["host"], TARGET["port"], tls=TARGET["tls"],
                            cafile=TARGET["cafile"], verify=TARGET["verify"], timeout=TIMEOUT)
        self.clients.append(c)
        if handshake:
            c.handshake(settings)
        return c

    def fields_block(self, c, method="GET", path=SMALL, extra=(), pseudo=None):
        """A request block of literals; `pseudo` replaces the four pseudo-header fields."""
        if pseudo is None:
            pseudo = [(":method", method), (":scheme", c.scheme), (":path", path),
                      (":authority", c.authority)]
        return b"".join(lit(n, v) for n, v in [*pseudo, *extra])

    def send_fields(self, c, sid, fields, end_stream=True):
        flags = END_HEADERS | (END_STREAM if end_stream else 0)
        c.send(raw_frame(HEADERS, flags, sid, b"".join(lit(n, v) for n, v in fields)))

    def request_fields(self, c, method="GET", path=SMALL):
        return [(":method", method), (":scheme", c.scheme), (":path", path),
                (":authority", c.authority)]

    def check_response_fields(self, fields):
        names = [n for n, _ in fields]
        self.assertEqual(names[0], ":status", fields)
        self.assertEqual([n for n in names if n.startswith(":")], [":status"], fields)
        for n in names:
            self.assertEqual(n, n.lower(), fields)
        for n in ("connection", "keep-alive", "proxy-connection", "transfer-encoding",
                  "upgrade"):
            self.assertNotIn(n, names, f"connection-specific field in a response: {fields}")

    def get(self, c, sid, path=SMALL, status=200):
        c.request(sid, "GET", path)
        got_status, fields, body, _ = c.expect_response(sid)
        self.assertEqual(got_status, status, fields)
        self.check_response_fields(fields)
        return fields, body

    def assert_served(self, c, sid):
        _, body = self.get(c, sid)
        self.assertTrue(body)

    def open_post(self, c, sid, extra=()):
        """POST to ECHO without END_STREAM: the stream stays open (the server waits)."""
        c.request(sid, "POST", ECHO, extra, end_stream=False)

    def blocked_response(self, c, sid):
        """GET BIG on a connection whose INITIAL_WINDOW_SIZE is 0: the server has HEADERS out
        and the stream is half-closed (remote), its DATA blocked."""
        c.request(sid, "GET", BIG)
        c.wait_for(lambda f: isinstance(f, HeadersFrame) and f.stream_id == sid, "HEADERS")

    def need_echo(self):
        if not HAS_ECHO:
            self.skipTest("the peer cannot echo request bodies")

    def expect_no_frame_on(self, c, sid, seconds=QUIET, types=(DataFrame, HeadersFrame)):
        frames = c.read_for(seconds)
        bad = [h2wire.describe(f) for f in frames if isinstance(f, types) and f.stream_id == sid]
        self.assertEqual(bad, [], f"unexpected frames on stream {sid}")
        return frames


# ============================================================================================
class Preface_3_5(H2Case):
    def test_3_5_1_valid_preface(self):
        """The server's first frame is SETTINGS (on stream 0), then the ACK of ours."""
        c = self.connect(handshake=False)
        c.send(h2wire.PREFACE + raw_frame(SETTINGS, 0, 0))
        first = c.read_frame()
        self.assertIsInstance(first, SettingsFrame)
        self.assertEqual(first.stream_id, 0)
        self.assertNotIn("ACK", first.flags)
        c.wait_for(lambda f: isinstance(f, SettingsFrame) and "ACK" in f.flags, "SETTINGS ACK")
        self.assert_served(c, 1)

    def test_3_5_2_invalid_preface(self):
        """Bad magic: connection error PROTOCOL_ERROR (RFC 9113 3.4: GOAWAY may be omitted)."""
        c = self.connect(handshake=False)
        c.send(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + raw_frame(SETTINGS, 0, 0))
        c.expect_goaway(PROTOCOL_ERROR, allow_close=True)

    def test_3_5_3_ping_before_settings(self):
        """The preface must be followed by SETTINGS: PING first is an invalid preface."""
        c = self.connect(handshake=False)
        c.send(h2wire.PREFACE + raw_frame(PING, 0, 0, b"12345678"))
        c.expect_goaway(PROTOCOL_ERROR, allow_close=True)

    def test_3_5_4_preface_split_over_writes(self):
        c = self.connect(handshake=False)
        data = h2wire.PREFACE + raw_frame(SETTINGS, 0, 0)
        for part in (data[:5], data[5:17], data[17:]):
            c.send(part)
            time.sleep(0.05)
        c.wait_for(lambda f: isinstance(f, SettingsFrame) and "ACK" in f.flags, "SETTINGS ACK")
        self.assert_served(c, 1)

    def test_3_5_5_http11_on_the_same_port(self):
        """swoop: HTTP/1.1 and prior-knowledge h2 share the port."""
        if TARGET["tls"]:
            self.skipTest("plain TCP only")
        s = socket.create_connection((TARGET["host"], TARGET["port"]), timeout=TIMEOUT)
        self.addCleanup(s.close)
        s.sendall(f"GET {SMALL} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 200"))

    def test_3_5_6_preface_settings_and_request_in_one_write(self):
        c = self.connect(handshake=False)
        c.send(h2wire.PREFACE + raw_frame(SETTINGS, 0, 0) +
               raw_frame(HEADERS, END_HEADERS | END_STREAM, 1, self.fields_block(c)))
        status, fields, body, _ = c.expect_response(1)
        self.assertEqual(status, 200)
        self.assertIsInstance(c.frames[0], SettingsFrame)


# ============================================================================================
class FrameFormat_4_1(H2Case):
    def test_4_1_1_unknown_frame_type(self):
        c = self.connect()
        c.send(raw_frame(0x20, 0, 0, b"hello") + raw_frame(0xff, 0xff, 0, b""))
        c.expect_alive()

    def test_4_1_2_undefined_flags_ignored(self):
        """PING with every undefined flag set is still a PING to answer."""
        c = self.connect()
        c.send(raw_frame(PING, 0xfe, 0, b"flags!!!"))
        f = c.wait_for(lambda f: isinstance(f, PingFrame), "PING ACK")
        self.assertIn("ACK", f.flags)
        self.assertEqual(f.opaque_data, b"flags!!!")

    def test_4_1_3_reserved_bit_ignored(self):
        c = self.connect()
        c.send(raw_frame(PING, 0, 0x80000000, b"reserved"))
        f = c.wait_for(lambda f: isinstance(f, PingFrame), "PING ACK")
        self.assertEqual(f.opaque_data, b"reserved")

    def test_4_1_4_reserved_bit_on_headers(self):
        """The reserved bit is not part of the stream id: HEADERS on 0x80000001 opens 1."""
        c = self.connect()
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 0x80000001, self.fields_block(c)))
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_4_1_5_undefined_flags_on_headers(self):
        c = self.connect()
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM | 0x02 | 0x10 | 0x40 | 0x80, 1,
                         self.fields_block(c)))
        self.assertEqual(c.expect_response(1)[0], 200)


class FrameSize_4_2(H2Case):
    def max_frame(self, c):
        return c.server_settings.get(MAX_FRAME_SIZE, 16384)

    def test_4_2_1_data_of_max_frame_size(self):
        """A DATA frame of exactly 2^14 octets must be accepted."""
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        c.data(1, b"x" * 16384, end_stream=True)
        status, _, body, _ = c.expect_response(1)
        self.assertEqual((status, body), (200, b"x" * 16384))

    def test_4_2_2_data_too_large(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(DATA, 0, 1, b"x" * (self.max_frame(c) + 1)))
        c.expect_stream_error(FRAME_SIZE_ERROR)

    def test_4_2_3_headers_too_large(self):
        """A frame carrying a field block: connection error."""
        c = self.connect()
        block = self.fields_block(c)
        pad = self.max_frame(c) + 1 - len(block) - len(lit("x-pad", "")) - 2
        block += lit("x-pad", "a" * pad)
        self.assertEqual(len(block), self.max_frame(c) + 1)
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 1, block))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_4_2_4_unknown_type_too_large_on_stream_0(self):
        c = self.connect()
        c.send(raw_frame(0x20, 0, 0, b"\0" * (self.max_frame(c) + 1)))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_4_2_5_respects_client_max_frame_size(self):
        """After our MAX_FRAME_SIZE=20000, no DATA frame is larger."""
        c = self.connect([(MAX_FRAME_SIZE, 20000), (INITIAL_WINDOW_SIZE, 1 << 20)])
        c.request(1, "GET", BIG)
        status, _, body, _ = c.expect_response(1)
        self.assertGreaterEqual(len(body), 100000)
        sizes = [len(f.data) for f in c.frames if isinstance(f, DataFrame)]
        self.assertLessEqual(max(sizes), 20000)

    def test_4_2_6_default_max_frame_size(self):
        c = self.connect([(INITIAL_WINDOW_SIZE, 1 << 20)])
        c.request(1, "GET", BIG)
        c.expect_response(1)
        self.assertLessEqual(max(len(f.data) for f in c.frames if isinstance(f, DataFrame)),
                             16384)

    def test_4_2_7_headers_too_small_for_priority(self):
        """HEADERS with PRIORITY but a 3-octet payload: too small -> FRAME_SIZE_ERROR (conn)."""
        c = self.connect()
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM | PRIORITY_FLAG, 1, b"\0\0\0"))
        c.expect_goaway(FRAME_SIZE_ERROR)


class HeaderCompression_4_3(H2Case):
    def test_4_3_1_invalid_header_block(self):
        """A literal whose value is cut off by the end of the block: COMPRESSION_ERROR."""
        c = self.connect()
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 1,
                         self.fields_block(c) + b"\x00\x05x-bad\x0aab"))
        c.expect_goaway(COMPRESSION_ERROR)

    def test_4_3_2_priority_inside_header_block(self):
        c = self.connect()
        block = self.fields_block(c)
        c.send(raw_frame(HEADERS, END_STREAM, 1, block[:10]) +
               PriorityFrame(1, depends_on=0, stream_weight=16).serialize() +
               raw_frame(CONTINUATION, END_HEADERS, 1, block[10:]))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_4_3_3_ping_inside_header_block(self):
        """A stream-0 frame interleaved in a field block: PROTOCOL_ERROR."""
        c = self.connect()
        block = self.fields_block(c)
        c.send(raw_frame(HEADERS, END_STREAM, 1, block[:10]) +
               raw_frame(PING, 0, 0, b"12345678") +
               raw_frame(CONTINUATION, END_HEADERS, 1, block[10:]))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_4_3_4_block_split_inside_a_literal(self):
        """Fragments are concatenated before decoding: a cut inside a string is fine."""
        c = self.connect()
        block = self.fields_block(c, extra=[("x-long", "v" * 100)])
        cut = len(block) - 50
        c.send(raw_frame(HEADERS, END_STREAM, 1, block[:cut]) +
               raw_frame(CONTINUATION, END_HEADERS, 1, block[cut:]))
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_4_3_5_dynamic_table_across_requests(self):
        """Entries our encoder indexed in request 1 are referenced by request 3."""
        c = self.connect()
        extra = [("x-custom", "some value"), ("user-agent", "h2wire")]
        for sid in (1, 3, 5):
            c.request(sid, "GET", SMALL, extra)
            self.assertEqual(c.expect_response(sid)[0], 200)

    def test_4_3_6_headers_discarded_still_decoded(self):
        """A stream refused for a bad field is still decoded: the next request using the
        dynamic table entries from that block must work."""
        c = self.connect()
        c.request(1, "GET", SMALL, [("x-indexed", "1"), ("connection", "close")])
        c.expect_stream_error(PROTOCOL_ERROR)
        if c.eof:
            return
        c.request(3, "GET", SMALL, [("x-indexed", "1")])
        self.assertEqual(c.expect_response(3)[0], 200)


# ============================================================================================
class StreamStates_5_1(H2Case):
    def test_5_1_1_idle_data(self):
        c = self.connect()
        c.send(raw_frame(DATA, 0, 1, b"abc"))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_5_1_2_idle_rst_stream(self):
        c = self.connect()
        c.send(RstStreamFrame(1, error_code=CANCEL).serialize())
        c.expect_goaway(PROTOCOL_ERROR)

    def test_5_1_3_idle_window_update(self):
        c = self.connect()
        c.send(WindowUpdateFrame(1, window_increment=100).serialize())
        c.expect_goaway(PROTOCOL_ERROR)

    def test_5_1_4_idle_continuation(self):
        c = self.connect()
        c.send(raw_frame(CONTINUATION, END_HEADERS, 1, self.fields_block(c)))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_5_1_5_half_closed_remote_data(self):
        c = self.connect([(INITIAL_WINDOW_SIZE, 0)])
        self.blocked_response(c, 1)
        c.data(1, b"late")
        c.expect_stream_error(STREAM_CLOSED)

    def test_5_1_6_half_closed_remote_headers(self):
        c = self.connect([(INITIAL_WINDOW_SIZE, 0)])
        self.blocked_response(c, 1)
        self.send_fields(c, 1, [("x-trailer", "late")])
        c.expect_stream_error(STREAM_CLOSED)

    def test_5_1_7_half_closed_remote_continuation(self):
        c = self.connect([(INITIAL_WINDOW_SIZE, 0)])
        self.blocked_response(c, 1)
        c.send(raw_frame(CONTINUATION, END_HEADERS, 1, lit("x-a", "b")))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_5_1_8_closed_by_rst_data(self):
        """After our RST_STREAM the server received it: DATA is STREAM_CLOSED (6.1)."""
        c = self.connect()
        self.open_post(c, 1)
        c.send_frame(RstStreamFrame(1, error_code=CANCEL))
        c.data(1, b"late")
        c.expect_stream_error(STREAM_CLOSED)

    def test_5_1_9_closed_by_rst_headers(self):
        """HEADERS on a stream we reset reuses its id: connection error (5.1.1 / 5.1)."""
        c = self.connect()
        self.open_post(c, 1)
        c.send_frame(RstStreamFrame(1, error_code=CANCEL))
        self.send_fields(c, 1, self.request_fields(c))
        c.expect_goaway((STREAM_CLOSED, PROTOCOL_ERROR))

    def test_5_1_10_closed_by_rst_continuation(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send_frame(RstStreamFrame(1, error_code=CANCEL))
        c.send(raw_frame(CONTINUATION, END_HEADERS, 1, lit("x-a", "b")))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_5_1_11_closed_data(self):
        c = self.connect()
        self.get(c, 1)
        c.data(1, b"late")
        c.expect_stream_error(STREAM_CLOSED)

    def test_5_1_12_closed_headers(self):
        c = self.connect()
        self.get(c, 1)
        self.send_fields(c, 1, self.request_fields(c))
        c.expect_goaway((STREAM_CLOSED, PROTOCOL_ERROR))

    def test_5_1_13_closed_continuation(self):
        c = self.connect()
        self.get(c, 1)
        c.send(raw_frame(CONTINUATION, END_HEADERS, 1, lit("x-a", "b")))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_5_1_14_closed_priority_ignored(self):
        c = self.connect()
        self.get(c, 1)
        c.send_frame(PriorityFrame(1, depends_on=0, stream_weight=200))
        c.expect_alive()
        self.assert_served(c, 3)

    def test_5_1_15_half_closed_remote_window_update(self):
        c = self.connect([(INITIAL_WINDOW_SIZE, 0)])
        self.blocked_response(c, 1)
        c.send_frame(WindowUpdateFrame(1, window_increment=1 << 20))
        status, _, body, _ = c.expect_response(1)
        self.assertGreaterEqual(len(body), 100000)

    def test_5_1_16_half_closed_remote_rst_stream(self):
        """RST_STREAM is allowed in half-closed (remote): no DATA follows, the rest goes on."""
        c = self.connect([(INITIAL_WINDOW_SIZE, 0)])
        self.blocked_response(c, 1)
        c.send_frame(RstStreamFrame(1, error_code=CANCEL))
        self.expect_no_frame_on(c, 1, types=(DataFrame, HeadersFrame, RstStreamFrame))
        c.expect_alive()

    def test_5_1_17_open_then_data_end_stream(self):
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        c.data(1, b"abc")
        c.data(1, b"def", end_stream=True)
        self.assertEqual(c.expect_response(1)[2], b"abcdef")

    def test_5_1_18_closed_window_update_tolerated(self):
        """WINDOW_UPDATE right after the server's END_STREAM may cross it: not an error."""
        c = self.connect()
        self.get(c, 1)
        c.send_frame(WindowUpdateFrame(1, window_increment=1000))
        c.expect_alive()


class StreamIdentifiers_5_1_1(H2Case):
    def test_5_1_1_1_even_stream_id(self):
        c = self.connect()
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 2, self.fields_block(c)))
        g = c.expect_goaway(PROTOCOL_ERROR)
        self.assertEqual(g.last_stream_id, 0)

    def test_5_1_1_2_lower_never_opened_id(self):
        """HEADERS on 3 after 5: an unexpected stream identifier (3 was closed implicitly)."""
        c = self.connect()
        self.get(c, 5)
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 3, self.fields_block(c)))
        c.expect_goaway((PROTOCOL_ERROR, STREAM_CLOSED))

    def test_5_1_1_3_reused_id(self):
        c = self.connect()
        self.get(c, 1)
        self.get(c, 3)
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 1, self.fields_block(c)))
        c.expect_goaway((PROTOCOL_ERROR, STREAM_CLOSED))

    def test_5_1_1_4_max_stream_id(self):
        c = self.connect()
        self.assert_served(c, 2 ** 31 - 1)

    def test_5_1_1_5_skipped_ids(self):
        c = self.connect()
        self.assert_served(c, 1)
        self.assert_served(c, 9)
        self.assert_served(c, 101)


class StreamConcurrency_5_1_2(H2Case):
    def limit(self, c):
        limit = c.server_settings.get(h2wire.MAX_CONCURRENT_STREAMS)
        if limit is None or limit > 1000:
            self.skipTest(f"SETTINGS_MAX_CONCURRENT_STREAMS is {limit}")
        return limit

    def test_5_1_2_1_exceeding_the_limit(self):
        c = self.connect()
        n = self.limit(c)
        for i in range(n + 1):
            self.open_post(c, 1 + 2 * i)
        f = c.wait_for(lambda f: isinstance(f, (RstStreamFrame, GoAwayFrame)), "an error")
        self.assertIn(f.error_code, (PROTOCOL_ERROR, REFUSED_STREAM), h2wire.describe(f))
        if isinstance(f, RstStreamFrame):
            self.assertEqual(f.stream_id, 1 + 2 * n)
        else:
            c.expect_closed()

    def test_5_1_2_2_slot_freed_by_rst(self):
        c = self.connect()
        n = self.limit(c)
        for i in range(n):
            self.open_post(c, 1 + 2 * i)
        c.send_frame(RstStreamFrame(1, error_code=CANCEL))
        self.assert_served(c, 1 + 2 * n)

    def test_5_1_2_3_all_streams_up_to_the_limit(self):
        c = self.connect()
        n = self.limit(c)
        ids = [1 + 2 * i for i in range(n)]
        for sid in ids:
            c.request(sid, "GET", SMALL)
        got = c.expect_responses(ids)
        self.assertEqual({v[0] for v in got.values()}, {200})


class Priority_5_3(H2Case):
    def self_dependency(self, c):
        """RFC 9113 keeps the frame fields but moved their semantics to RFC 7540, whose 5.3.1
        makes self-dependency a stream error PROTOCOL_ERROR. A server that opted out with
        SETTINGS_NO_RFC7540_PRIORITIES=1 (RFC 9218) ignores the signal instead."""
        return c.server_settings.get(0x9) == 1

    def test_5_3_1_1_headers_depends_on_itself(self):
        c = self.connect()
        c.send_frame(HeadersFrame(1, data=self.fields_block(c), depends_on=1, stream_weight=16,
                                  flags=["END_HEADERS", "END_STREAM", "PRIORITY"]))
        if self.self_dependency(c):
            self.assertEqual(c.expect_response(1)[0], 200)
        else:
            c.expect_stream_error(PROTOCOL_ERROR)

    def test_5_3_1_2_priority_depends_on_itself(self):
        c = self.connect()
        c.send_frame(PriorityFrame(1, depends_on=1, stream_weight=16))
        if self.self_dependency(c):
            c.expect_alive()
        else:
            c.expect_stream_error(PROTOCOL_ERROR)

    def test_5_3_2_priority_on_idle_then_headers(self):
        c = self.connect()
        c.send_frame(PriorityFrame(3, depends_on=0, stream_weight=100))
        self.assert_served(c, 3)

    def test_5_3_3_headers_with_priority(self):
        c = self.connect()
        c.send_frame(HeadersFrame(1, data=self.fields_block(c), depends_on=0, stream_weight=255,
                                  exclusive=True, flags=["END_HEADERS", "END_STREAM",
                                                         "PRIORITY"]))
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_5_3_4_dependency_on_unknown_stream(self):
        c = self.connect()
        c.send_frame(HeadersFrame(1, data=self.fields_block(c), depends_on=99, stream_weight=1,
                                  flags=["END_HEADERS", "END_STREAM", "PRIORITY"]))
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_5_3_5_priority_on_open_stream(self):
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        c.send_frame(PriorityFrame(1, depends_on=0, stream_weight=42))
        c.data(1, b"ok", end_stream=True)
        self.assertEqual(c.expect_response(1)[2], b"ok")


class ErrorHandling_5_4(H2Case):
    def test_5_4_1_1_connection_closed_after_goaway(self):
        c = self.connect()
        c.send(raw_frame(PING, 0, 0, b"1234567"))
        c.expect_goaway(FRAME_SIZE_ERROR)
        self.assertTrue(c.eof)

    def test_5_4_1_2_goaway_last_stream_id(self):
        """The GOAWAY of a connection error names the last stream the server processed."""
        c = self.connect()
        self.get(c, 1)
        self.open_post(c, 3)
        c.expect_alive()
        c.send(raw_frame(PING, 0, 1, b"12345678"))
        g = c.expect_goaway(PROTOCOL_ERROR)
        self.assertEqual(g.last_stream_id, 3)

    def test_5_4_2_1_stream_error_spares_other_streams(self):
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        self.send_fields(c, 3, self.request_fields(c) + [("X-Upper", "1")])
        c.expect_rst(3, PROTOCOL_ERROR)
        c.data(1, b"still here", end_stream=True)
        self.assertEqual(c.expect_response(1)[2], b"still here")

    def test_5_4_2_2_no_rst_in_answer_to_rst(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send_frame(RstStreamFrame(1, error_code=CANCEL))
        self.expect_no_frame_on(c, 1, types=(RstStreamFrame, DataFrame, HeadersFrame))

    def test_5_4_3_unknown_error_code_in_rst(self):
        """Unknown error codes trigger no special behaviour (RFC 9113 7)."""
        c = self.connect()
        self.open_post(c, 1)
        c.send_frame(RstStreamFrame(1, error_code=0xdead))
        c.expect_alive()
        self.assert_served(c, 3)

    def test_5_4_4_client_goaway_with_debug_data(self):
        """A client GOAWAY(NO_ERROR) with 10 KiB of debug data is no error: the server may
        answer PING or close, but never with an error code."""
        c = self.connect()
        self.get(c, 1)
        c.send_frame(GoAwayFrame(0, last_stream_id=0, error_code=NO_ERROR,
                                 additional_data=b"d" * 10240))
        c.ping(b"after-ga")
        frames = c.read_for(1.0)
        errors = [h2wire.describe(f) for f in frames
                  if isinstance(f, GoAwayFrame) and f.error_code != NO_ERROR]
        self.assertEqual(errors, [])
        acked = any(isinstance(f, PingFrame) and f.opaque_data == b"after-ga" for f in frames)
        self.assertTrue(acked or c.eof, [h2wire.describe(f) for f in frames])


class Extensions_5_5(H2Case):
    def test_5_5_1_unknown_frame_on_open_stream(self):
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(0x42, 0x5, 1, b"extension"))
        c.data(1, b"body", end_stream=True)
        self.assertEqual(c.expect_response(1)[2], b"body")

    def test_5_5_2_unknown_frame_inside_header_block(self):
        c = self.connect()
        block = self.fields_block(c)
        c.send(raw_frame(HEADERS, END_STREAM, 1, block[:10]) + raw_frame(0x42, 0, 1, b"x") +
               raw_frame(CONTINUATION, END_HEADERS, 1, block[10:]))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_5_5_3_unknown_frame_on_idle_stream(self):
        """State rules apply to defined frame types only (RFC 9113 5.1)."""
        c = self.connect()
        c.send(raw_frame(0x42, 0, 5, b"x"))
        self.assert_served(c, 5)

    def test_5_5_4_unknown_setting_and_error_code_in_goaway_ignored(self):
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload((0x4242, 7))))
        c.wait_for(lambda f: isinstance(f, SettingsFrame) and "ACK" in f.flags, "SETTINGS ACK")
        self.assert_served(c, 1)


# ============================================================================================
class Data_6_1(H2Case):
    def test_6_1_1_stream_0(self):
        c = self.connect()
        c.send(raw_frame(DATA, 0, 0, b"abc"))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_1_2_not_open(self):
        """DATA after our END_STREAM (half-closed remote or closed): STREAM_CLOSED."""
        c = self.connect()
        c.request(1, "GET", SMALL)
        c.data(1, b"abc")
        c.expect_stream_error(STREAM_CLOSED)

    def test_6_1_3_pad_length_too_large(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(DATA, PADDED, 1, b"\x06" + b"abcde"))   # 6 >= payload length 6
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_1_4_valid_padding(self):
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(DATA, PADDED, 1, b"\x04" + b"hello" + b"\0" * 4))
        c.send(raw_frame(DATA, PADDED | END_STREAM, 1, b"\x00" + b" world"))
        self.assertEqual(c.expect_response(1)[2], b"hello world")

    def test_6_1_5_padded_data_of_pad_length_only(self):
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(DATA, PADDED | END_STREAM, 1, b"\x00"))
        self.assertEqual(c.expect_response(1)[:3:2], (200, b""))

    def test_6_1_6_padding_counts_in_flow_control(self):
        """Ten padded 16 384-octet DATA frames carrying 16 128 data octets each: the stream
        credit the server gives back counts whole frames, padding included (6.1), so it is a
        multiple of 16 384. Crediting only data would give multiples of 16 128. Assumes the
        server returns credit once half its stream window (at most 262 144) is consumed."""
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        start = len(c.frames)
        payload = b"\xff" + b"p" * 16128 + b"\0" * 255
        frames = [raw_frame(DATA, PADDED, 1, payload)] * 9
        c.send(b"".join(frames) + raw_frame(DATA, PADDED | END_STREAM, 1, payload))
        status, _, body, _ = c.expect_response(1)
        self.assertEqual((status, len(body)), (200, 10 * 16128))
        got = c.frames[start:] + c.read_for(QUIET)
        credits = [f.window_increment for f in got
                   if isinstance(f, WindowUpdateFrame) and f.stream_id == 1]
        self.assertTrue(credits, "no stream credit given back")
        for credit in credits:
            self.assertEqual(credit % 16384, 0, credits)

    def test_6_1_7_zero_length_data_end_stream(self):
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        c.data(1, b"x")
        c.data(1, b"", end_stream=True)
        self.assertEqual(c.expect_response(1)[2], b"x")


class Headers_6_2(H2Case):
    def test_6_2_1_data_inside_header_block(self):
        c = self.connect()
        block = self.fields_block(c, "POST", ECHO)
        c.send(raw_frame(HEADERS, 0, 1, block[:10]) + raw_frame(DATA, 0, 1, b"x") +
               raw_frame(CONTINUATION, END_HEADERS, 1, block[10:]))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_2_2_headers_on_other_stream_inside_header_block(self):
        c = self.connect()
        block = self.fields_block(c)
        c.send(raw_frame(HEADERS, END_STREAM, 1, block[:10]) +
               raw_frame(HEADERS, END_HEADERS | END_STREAM, 3, block) +
               raw_frame(CONTINUATION, END_HEADERS, 1, block[10:]))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_2_3_stream_0(self):
        c = self.connect()
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 0, self.fields_block(c)))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_2_4_pad_length_too_large(self):
        c = self.connect()
        block = self.fields_block(c)
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM | PADDED, 1,
                         bytes([len(block) + 1]) + block))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_2_5_valid_padding(self):
        c = self.connect()
        block = self.fields_block(c)
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM | PADDED, 1,
                         b"\x10" + block + b"\0" * 16))
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_6_2_6_padding_and_priority(self):
        c = self.connect()
        block = self.fields_block(c)
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM | PADDED | PRIORITY_FLAG, 1,
                         b"\x03" + struct.pack(">IB", 0, 15) + block + b"\0\0\0"))
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_6_2_7_padded_without_pad_length(self):
        """PADDED on an empty payload: too small to hold Pad Length, a connection error
        (field-block frame, RFC 9113 4.2) of type FRAME_SIZE_ERROR, or PROTOCOL_ERROR as for
        padding exceeding the payload (6.2; 5.4 allows the generic code)."""
        c = self.connect()
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM | PADDED, 1, b""))
        c.expect_goaway((FRAME_SIZE_ERROR, PROTOCOL_ERROR))

    def test_6_2_8_end_stream_on_headers_then_continuation(self):
        """END_STREAM on HEADERS with the block completed by CONTINUATION (RFC 9113 6.2)."""
        c = self.connect()
        block = self.fields_block(c)
        c.send(raw_frame(HEADERS, END_STREAM, 1, block[:7]) +
               raw_frame(CONTINUATION, END_HEADERS, 1, block[7:]))
        self.assertEqual(c.expect_response(1)[0], 200)


class Priority_6_3(H2Case):
    def test_6_3_1_stream_0(self):
        c = self.connect()
        c.send(raw_frame(PRIORITY, 0, 0, struct.pack(">IB", 1, 16)))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_3_2_length_4(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(PRIORITY, 0, 1, struct.pack(">I", 0)))
        c.expect_stream_error(FRAME_SIZE_ERROR)

    def test_6_3_3_length_6(self):
        c = self.connect()
        c.send(raw_frame(PRIORITY, 0, 3, struct.pack(">IBB", 0, 16, 0)))
        c.expect_stream_error(FRAME_SIZE_ERROR)

    def test_6_3_4_half_closed_remote(self):
        c = self.connect([(INITIAL_WINDOW_SIZE, 0)])
        self.blocked_response(c, 1)
        c.send_frame(PriorityFrame(1, depends_on=0, stream_weight=1))
        c.send_frame(WindowUpdateFrame(1, window_increment=1 << 20))
        self.assertGreaterEqual(len(c.expect_response(1)[2]), 100000)


class RstStream_6_4(H2Case):
    def test_6_4_1_stream_0(self):
        c = self.connect()
        c.send(raw_frame(RST_STREAM, 0, 0, struct.pack(">I", CANCEL)))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_4_2_idle_stream(self):
        c = self.connect()
        self.get(c, 1)
        c.send(raw_frame(RST_STREAM, 0, 5, struct.pack(">I", CANCEL)))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_4_3_length_3(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(RST_STREAM, 0, 1, b"\0\0\x08"))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_6_4_4_length_5(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(RST_STREAM, 0, 1, b"\0\0\0\x08\0"))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_6_4_5_cancel_stops_the_response(self):
        """After RST_STREAM(CANCEL) on a response in progress, no frame follows on it."""
        c = self.connect([(INITIAL_WINDOW_SIZE, 16)])
        c.request(1, "GET", BIG)
        c.wait_for(lambda f: isinstance(f, DataFrame) and f.stream_id == 1, "DATA")
        c.send_frame(RstStreamFrame(1, error_code=CANCEL))
        c.expect_alive()
        c.send_frame(WindowUpdateFrame(0, window_increment=1 << 20))
        self.expect_no_frame_on(c, 1, types=(DataFrame, HeadersFrame, RstStreamFrame))
        self.assert_served(c, 3)


class Settings_6_5(H2Case):
    def test_6_5_1_ack_with_payload(self):
        c = self.connect()
        c.send(raw_frame(SETTINGS, ACK, 0, settings_payload((ENABLE_PUSH, 0))))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_6_5_2_stream_1(self):
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 1, settings_payload((ENABLE_PUSH, 0))))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_5_3_length_not_multiple_of_6(self):
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 0, b"\0\x02\0\0\0"))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_6_5_4_empty_settings_acked(self):
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 0))
        c.wait_for(lambda f: isinstance(f, SettingsFrame) and "ACK" in f.flags, "SETTINGS ACK")

    def test_6_5_2_1_enable_push_2(self):
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload((ENABLE_PUSH, 2))))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_5_2_2_initial_window_size_too_large(self):
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload((INITIAL_WINDOW_SIZE, 2 ** 31))))
        c.expect_goaway(FLOW_CONTROL_ERROR)

    def test_6_5_2_3_max_frame_size_too_small(self):
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload((MAX_FRAME_SIZE, 16383))))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_5_2_4_max_frame_size_too_large(self):
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload((MAX_FRAME_SIZE, 2 ** 24))))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_5_2_5_unknown_setting(self):
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload((0xff, 1), (0xffff, 2 ** 32 - 1))))
        c.wait_for(lambda f: isinstance(f, SettingsFrame) and "ACK" in f.flags, "SETTINGS ACK")
        self.assert_served(c, 1)

    def test_6_5_2_6_limits_accepted(self):
        """The extreme legal values: MAX_FRAME_SIZE 2^24-1, window 2^31-1, push 0 and 1."""
        c = self.connect([(MAX_FRAME_SIZE, 2 ** 24 - 1), (INITIAL_WINDOW_SIZE, 2 ** 31 - 1),
                          (ENABLE_PUSH, 1), (ENABLE_PUSH, 0)])
        self.assert_served(c, 1)

    def test_6_5_2_7_no_rfc7540_priorities_2(self):
        """RFC 9218 2.1: a SETTINGS_NO_RFC7540_PRIORITIES value other than 0 or 1 is a
        connection error of type PROTOCOL_ERROR."""
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload((0x9, 2))))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_5_3_1_last_value_wins(self):
        """INITIAL_WINDOW_SIZE 100 then 1 in one frame: DATA comes 1 octet at a time."""
        c = self.connect([(INITIAL_WINDOW_SIZE, 100), (INITIAL_WINDOW_SIZE, 1)])
        c.request(1, "GET", SMALL)
        f = c.wait_for(lambda f: isinstance(f, DataFrame), "DATA")
        self.assertEqual(len(f.data), 1)

    def test_6_5_3_2_settings_acked_in_order(self):
        c = self.connect()
        c.send(b"".join(raw_frame(SETTINGS, 0, 0, settings_payload((MAX_FRAME_SIZE, v)))
                        for v in (16384, 20000, 30000)))
        for _ in range(3):
            c.wait_for(lambda f: isinstance(f, SettingsFrame) and "ACK" in f.flags, "ACK")
        self.assert_served(c, 1)

    def test_6_5_3_3_header_table_size_0(self):
        """Our decoder's table is 0: the server's first block starts with a size update to 0
        (RFC 9113 4.3.1, RFC 7541 4.2), and responses decode with an empty table."""
        c = self.connect([(HEADER_TABLE_SIZE, 0)])
        c.decoder.max_allowed_table_size = 0
        self.get(c, 1)
        first = next(f for f in c.frames if isinstance(f, HeadersFrame))
        block = bytes(first.data)
        self.assertEqual(block[0] & 0xe0, 0x20, f"no table size update first: {block[:8]!r}")
        self.assertEqual(block[0], 0x20, "the size update must be to 0")
        self.get(c, 3)
        self.assertEqual(c.decoder.header_table.maxsize, 0)


class PushPromise_6_6(H2Case):
    def test_6_6_1_client_push_promise(self):
        """A client cannot push: PUSH_PROMISE is a connection error PROTOCOL_ERROR (8.4)."""
        c = self.connect()
        self.open_post(c, 1)
        c.send_frame(PushPromiseFrame(1, promised_stream_id=2, data=self.fields_block(c),
                                      flags=["END_HEADERS"]))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_6_2_no_push_when_disabled(self):
        c = self.connect([(ENABLE_PUSH, 0)])
        self.get(c, 1)
        self.assertFalse(any(isinstance(f, PushPromiseFrame) for f in c.frames))


class Ping_6_7(H2Case):
    def test_6_7_1_ping_answered(self):
        c = self.connect()
        c.ping(b"\x00\x01\x02\x03\xfc\xfd\xfe\xff")
        f = c.wait_for(lambda f: isinstance(f, PingFrame), "PING ACK")
        self.assertIn("ACK", f.flags)
        self.assertEqual(f.opaque_data, b"\x00\x01\x02\x03\xfc\xfd\xfe\xff")
        self.assertEqual(f.stream_id, 0)

    def test_6_7_2_ping_ack_not_answered(self):
        c = self.connect()
        c.ping(b"unsolici", ack=True)
        c.ping(b"solicite")
        f = c.wait_for(lambda f: isinstance(f, PingFrame), "PING ACK")
        self.assertEqual(f.opaque_data, b"solicite")

    def test_6_7_3_stream_1(self):
        c = self.connect()
        c.send(raw_frame(PING, 0, 1, b"12345678"))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_7_4_length_7(self):
        c = self.connect()
        c.send(raw_frame(PING, 0, 0, b"1234567"))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_6_7_5_length_9(self):
        c = self.connect()
        c.send(raw_frame(PING, 0, 0, b"123456789"))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_6_7_6_ping_while_a_request_is_open(self):
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        c.expect_alive(b"midreqst")
        c.data(1, b"done", end_stream=True)
        self.assertEqual(c.expect_response(1)[2], b"done")


class GoAway_6_8(H2Case):
    def test_6_8_1_stream_1(self):
        c = self.connect()
        c.send(raw_frame(GOAWAY, 0, 1, struct.pack(">II", 0, 0)))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_8_2_length_7(self):
        c = self.connect()
        c.send(raw_frame(GOAWAY, 0, 0, b"\0" * 7))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_6_8_3_client_goaway_lets_streams_finish(self):
        """Our GOAWAY limits server-initiated streams only: stream 1 completes."""
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        c.send_frame(GoAwayFrame(0, last_stream_id=0, error_code=NO_ERROR))
        c.data(1, b"finish me", end_stream=True)
        self.assertEqual(c.expect_response(1)[2], b"finish me")


class WindowUpdate_6_9(H2Case):
    def test_6_9_1_zero_increment_connection(self):
        c = self.connect()
        c.send(raw_frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0)))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_9_2_zero_increment_stream(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 0)))
        c.expect_stream_error(PROTOCOL_ERROR)

    def test_6_9_3_length_3(self):
        c = self.connect()
        c.send(raw_frame(WINDOW_UPDATE, 0, 0, b"\0\0\x01"))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_6_9_4_length_5(self):
        c = self.connect()
        c.send(raw_frame(WINDOW_UPDATE, 0, 0, b"\0\0\0\x01\0"))
        c.expect_goaway(FRAME_SIZE_ERROR)

    def test_6_9_5_reserved_bit_in_increment(self):
        """The reserved bit is ignored: 0x80000001 is an increment of 1."""
        c = self.connect()
        c.send(raw_frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0x80000001)))
        c.expect_alive()

    def test_6_9_1_1_initial_window_size_1(self):
        c = self.connect([(INITIAL_WINDOW_SIZE, 1)])
        c.request(1, "GET", SMALL)
        got = b""
        for _ in range(3):
            f = c.wait_for(lambda f: isinstance(f, DataFrame) and f.stream_id == 1, "DATA")
            self.assertEqual(len(f.data), 1)
            got += f.data
            c.send_frame(WindowUpdateFrame(1, window_increment=1))
        c.send_frame(WindowUpdateFrame(1, window_increment=1 << 20))
        rest = c.expect_response(1)[2]
        self.assertEqual(got + rest, self.get(self.connect(), 1)[1])

    def test_6_9_1_2_connection_window_overflow(self):
        c = self.connect()
        c.send_frame(WindowUpdateFrame(0, window_increment=2 ** 31 - 1))
        c.expect_goaway(FLOW_CONTROL_ERROR)

    def test_6_9_1_3_stream_window_overflow(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send_frame(WindowUpdateFrame(1, window_increment=2 ** 31 - 1))
        c.expect_stream_error(FLOW_CONTROL_ERROR)

    def test_6_9_1_4_window_0_blocks_data(self):
        c = self.connect([(INITIAL_WINDOW_SIZE, 0)])
        c.request(1, "GET", SMALL)
        c.wait_for(lambda f: isinstance(f, HeadersFrame) and f.stream_id == 1, "HEADERS")
        self.expect_no_frame_on(c, 1, types=(DataFrame,))
        c.send_frame(WindowUpdateFrame(1, window_increment=1 << 20))
        self.assertTrue(c.expect_response(1)[2])

    def test_6_9_1_5_connection_window_blocks_data(self):
        """Without connection-level WINDOW_UPDATE, exactly 65 535 octets arrive."""
        c = self.connect([(INITIAL_WINDOW_SIZE, 1 << 20)])
        c.request(1, "GET", BIG)
        got = 0
        while got < 65535:
            f = c.wait_for(lambda f: isinstance(f, DataFrame) and f.stream_id == 1, "DATA")
            got += len(f.data)
        self.assertEqual(got, 65535)
        self.expect_no_frame_on(c, 1, types=(DataFrame,))
        c.send_frame(WindowUpdateFrame(0, window_increment=1 << 20))
        self.assertGreaterEqual(got + len(c.expect_response(1)[2]), 100000)

    def test_6_9_1_6_data_beyond_stream_window(self):
        """DATA past the server's stream window: FLOW_CONTROL_ERROR. Needs a window the
        server has not refilled: a POST to HOLD, whose handler reads nothing for a while; a
        server that returns credit as data arrives (nghttp2's automatic WINDOW_UPDATE) cannot
        be overrun by one frame, and the case is skipped."""
        c = self.connect()
        window = c.server_settings.get(INITIAL_WINDOW_SIZE, 65535)
        conn_window = 65535 + sum(f.window_increment for f in c.frames
                                  if isinstance(f, WindowUpdateFrame) and f.stream_id == 0)
        max_frame = c.server_settings.get(MAX_FRAME_SIZE, 16384)
        c.request(1, "POST", HOLD, end_stream=False)
        for _ in range(64):
            avail = min(window, conn_window)
            if avail < max_frame:
                break
            c.data(1, b"w" * max_frame)
            window -= max_frame
            conn_window -= max_frame
            for f in c.read_for(0.05):
                if isinstance(f, WindowUpdateFrame):
                    if f.stream_id == 0:
                        conn_window += f.window_increment
                    elif f.stream_id == 1:
                        window += f.window_increment
        else:
            self.skipTest("the server refills its window as data arrives")
        if window > conn_window:
            self.skipTest("the connection window is the smaller one")
        c.data(1, b"w" * (window + 1))
        c.expect_stream_error(FLOW_CONTROL_ERROR)

    def test_6_9_2_1_initial_window_change_applies_to_open_streams(self):
        c = self.connect([(INITIAL_WINDOW_SIZE, 0)])
        self.blocked_response(c, 1)
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload((INITIAL_WINDOW_SIZE, 1))))
        f = c.wait_for(lambda f: isinstance(f, DataFrame) and f.stream_id == 1, "DATA")
        self.assertEqual(len(f.data), 1)

    def test_6_9_2_2_negative_window(self):
        """Window 5 used up, INITIAL_WINDOW_SIZE 3 makes it -2: +2 sends nothing, +1 sends 1."""
        c = self.connect([(INITIAL_WINDOW_SIZE, 5)])
        c.request(1, "GET", BIG)
        got = 0
        while got < 5:
            got += len(c.wait_for(lambda f: isinstance(f, DataFrame), "DATA").data)
        self.assertEqual(got, 5)
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload((INITIAL_WINDOW_SIZE, 3))))
        c.wait_for(lambda f: isinstance(f, SettingsFrame) and "ACK" in f.flags, "ACK")
        c.send_frame(WindowUpdateFrame(1, window_increment=2))
        self.expect_no_frame_on(c, 1, types=(DataFrame,))
        c.send_frame(WindowUpdateFrame(1, window_increment=1))
        f = c.wait_for(lambda f: isinstance(f, DataFrame), "DATA")
        self.assertEqual(len(f.data), 1)

    def test_6_9_2_3_settings_change_overflows_a_stream_window(self):
        """A window at 2^31-1 pushed past it by INITIAL_WINDOW_SIZE: conn FLOW_CONTROL_ERROR."""
        c = self.connect()
        self.open_post(c, 1)
        c.send_frame(WindowUpdateFrame(1, window_increment=2 ** 31 - 1 - 65535))
        c.expect_alive()
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload((INITIAL_WINDOW_SIZE, 65536))))
        c.expect_goaway(FLOW_CONTROL_ERROR)


class Continuation_6_10(H2Case):
    def split(self, c, n):
        block = self.fields_block(c)
        step = -(-len(block) // n)
        return [block[i:i + step] for i in range(0, len(block), step)]

    def test_6_10_1_headers_and_continuations(self):
        c = self.connect()
        parts = self.split(c, 3)
        c.send(raw_frame(HEADERS, END_STREAM, 1, parts[0]) +
               raw_frame(CONTINUATION, 0, 1, parts[1]) +
               raw_frame(CONTINUATION, END_HEADERS, 1, parts[2]))
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_6_10_2_continuation_then_other_frame(self):
        c = self.connect()
        parts = self.split(c, 3)
        c.send(raw_frame(HEADERS, END_STREAM, 1, parts[0]) +
               raw_frame(CONTINUATION, 0, 1, parts[1]) + raw_frame(DATA, 0, 1, b"x"))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_10_3_stream_0(self):
        c = self.connect()
        parts = self.split(c, 2)
        c.send(raw_frame(HEADERS, END_STREAM, 1, parts[0]) +
               raw_frame(CONTINUATION, END_HEADERS, 0, parts[1]))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_10_4_after_headers_with_end_headers(self):
        c = self.connect()
        c.send(raw_frame(HEADERS, END_HEADERS, 1, self.fields_block(c, "POST", ECHO)) +
               raw_frame(CONTINUATION, END_HEADERS, 1, lit("x-a", "b")))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_10_5_after_continuation_with_end_headers(self):
        c = self.connect()
        parts = self.split(c, 2)
        c.send(raw_frame(HEADERS, 0, 1, parts[0]) +
               raw_frame(CONTINUATION, END_HEADERS, 1, parts[1]) +
               raw_frame(CONTINUATION, END_HEADERS, 1, lit("x-a", "b")))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_10_6_after_data(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(DATA, 0, 1, b"x") + raw_frame(CONTINUATION, END_HEADERS, 1,
                                                       lit("x-a", "b")))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_10_7_on_another_stream(self):
        c = self.connect()
        parts = self.split(c, 2)
        c.send(raw_frame(HEADERS, END_STREAM, 1, parts[0]) +
               raw_frame(CONTINUATION, END_HEADERS, 3, parts[1]))
        c.expect_goaway(PROTOCOL_ERROR)

    def test_6_10_8_empty_continuations(self):
        """A few empty CONTINUATION frames are legal (below any flood limit)."""
        c = self.connect()
        block = self.fields_block(c)
        c.send(raw_frame(HEADERS, END_STREAM, 1, block) +
               b"".join(raw_frame(CONTINUATION, 0, 1) for _ in range(3)) +
               raw_frame(CONTINUATION, END_HEADERS, 1))
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_6_10_9_continuation_with_end_stream_flag_ignored(self):
        """END_STREAM is not a CONTINUATION flag: ignored, the stream stays open for DATA."""
        self.need_echo()
        c = self.connect()
        block = self.fields_block(c, "POST", ECHO)
        c.send(raw_frame(HEADERS, 0, 1, block[:10]) +
               raw_frame(CONTINUATION, END_HEADERS | END_STREAM, 1, block[10:]))
        c.data(1, b"body", end_stream=True)
        self.assertEqual(c.expect_response(1)[2], b"body")


# ============================================================================================
class MessageFraming_8_1(H2Case):
    def test_8_1_1_get(self):
        c = self.connect()
        fields, body = self.get(c, 1)
        d = dict(fields)
        if "content-length" in d:
            self.assertEqual(int(d["content-length"]), len(body))
        self.assertIn("date", d)

    def test_8_1_2_head(self):
        c = self.connect()
        c.request(1, "HEAD", SMALL)
        status, fields, body, _ = c.expect_response(1)
        self.assertEqual((status, body), (200, b""))
        self.check_response_fields(fields)

    def test_8_1_3_post_in_three_data_frames(self):
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1, [("content-length", "9")])
        for i, part in enumerate((b"abc", b"def", b"ghi")):
            c.data(1, part, end_stream=i == 2)
        status, _, body, _ = c.expect_response(1)
        self.assertEqual((status, body), (200, b"abcdefghi"))

    def test_8_1_4_trailers(self):
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1, [("te", "trailers")])
        c.data(1, b"body")
        self.send_fields(c, 1, [("x-checksum", "abc")], end_stream=True)
        self.assertEqual(c.expect_response(1)[2], b"body")

    def test_8_1_5_second_headers_without_end_stream(self):
        c = self.connect()
        self.open_post(c, 1)
        c.data(1, b"x")
        self.send_fields(c, 1, [("x-trailer", "1")], end_stream=False)
        c.expect_stream_error(PROTOCOL_ERROR)

    def test_8_1_6_not_found(self):
        c = self.connect()
        self.get(c, 1, MISSING, status=404)
        self.assert_served(c, 3)

    def test_8_1_7_big_body(self):
        c = self.connect()
        fields, body = self.get(c, 1, BIG)
        self.assertGreaterEqual(len(body), 100000)
        d = dict(fields)
        if "content-length" in d:
            self.assertEqual(int(d["content-length"]), len(body))

    def test_8_1_8_body_after_trailers(self):
        """DATA after the trailer HEADERS (END_STREAM): STREAM_CLOSED."""
        c = self.connect()
        self.open_post(c, 1)
        self.send_fields(c, 1, [("x-trailer", "1")], end_stream=True)
        c.data(1, b"late")
        c.expect_stream_error(STREAM_CLOSED)

    def test_8_1_1_1_content_length_too_large(self):
        c = self.connect()
        self.open_post(c, 1, [("content-length", "10")])
        c.data(1, b"12345", end_stream=True)
        c.expect_stream_error(PROTOCOL_ERROR)

    def test_8_1_1_2_content_length_too_small_over_two_frames(self):
        c = self.connect()
        self.open_post(c, 1, [("content-length", "6")])
        c.data(1, b"12345")
        c.data(1, b"67890", end_stream=True)
        c.expect_stream_error(PROTOCOL_ERROR)

    def test_8_1_1_3_content_length_with_no_data(self):
        c = self.connect()
        c.request(1, "POST", ECHO, [("content-length", "4")], end_stream=True)
        c.expect_stream_error(PROTOCOL_ERROR)


class Fields_8_2(H2Case):
    def malformed(self, extra):
        c = self.connect()
        self.send_fields(c, 1, self.request_fields(c) + list(extra))
        c.expect_stream_error(PROTOCOL_ERROR)
        if not c.eof:
            self.assert_served(c, 3)

    def test_8_2_1_1_uppercase_name(self):
        self.malformed([("X-Upper", "v")])

    def test_8_2_1_2_space_in_name(self):
        self.malformed([("x upper", "v")])

    def test_8_2_1_3_colon_in_regular_name(self):
        self.malformed([("x:y", "v")])

    def test_8_2_1_4_non_ascii_name(self):
        self.malformed([(b"x-\xc3\xa9", b"v")])

    def test_8_2_1_5_del_in_name(self):
        self.malformed([(b"x-\x7f", b"v")])

    def test_8_2_1_6_cr_in_value(self):
        self.malformed([("x-v", "a\rb")])

    def test_8_2_1_7_lf_in_value(self):
        self.malformed([("x-v", "a\nb")])

    def test_8_2_1_8_nul_in_value(self):
        self.malformed([("x-v", "a\0b")])

    def test_8_2_1_9_leading_space_in_value(self):
        self.malformed([("x-v", " ab")])

    def test_8_2_1_10_trailing_space_in_value(self):
        self.malformed([("x-v", "ab ")])

    def test_8_2_1_11_leading_tab_in_value(self):
        self.malformed([("x-v", "\tab")])

    def test_8_2_1_12_trailing_tab_in_value(self):
        self.malformed([("x-v", "ab\t")])

    def test_8_2_1_13_inner_space_and_tab_in_value_ok(self):
        c = self.connect()
        self.send_fields(c, 1, self.request_fields(c) + [("x-v", "a b\tc"), ("x-e", "")])
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_8_2_2_1_connection(self):
        self.malformed([("connection", "keep-alive")])

    def test_8_2_2_2_keep_alive(self):
        self.malformed([("keep-alive", "timeout=5")])

    def test_8_2_2_3_proxy_connection(self):
        self.malformed([("proxy-connection", "keep-alive")])

    def test_8_2_2_4_transfer_encoding(self):
        self.malformed([("transfer-encoding", "chunked")])

    def test_8_2_2_5_upgrade(self):
        self.malformed([("upgrade", "websocket")])

    def test_8_2_2_6_te_other_than_trailers(self):
        self.malformed([("te", "gzip")])

    def test_8_2_2_7_te_trailers_accepted(self):
        c = self.connect()
        self.send_fields(c, 1, self.request_fields(c) + [("te", "trailers")])
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_8_2_3_1_split_cookies_accepted(self):
        c = self.connect()
        self.send_fields(c, 1, self.request_fields(c) + [("cookie", "a=b"), ("cookie", "c=d")])
        self.assertEqual(c.expect_response(1)[0], 200)


class ControlData_8_3(H2Case):
    def malformed(self, fields):
        c = self.connect()
        self.send_fields(c, 1, fields)
        c.expect_stream_error(PROTOCOL_ERROR)
        if not c.eof:
            self.assert_served(c, 3)

    def req(self, skip=(), **replace):
        fields = [(":method", "GET"), (":scheme", "https" if TARGET["tls"] else "http"),
                  (":path", SMALL), (":authority", f"{TARGET['host']}:{TARGET['port']}")]
        out = []
        for n, v in fields:
            key = n[1:]
            if key in skip:
                continue
            out.append((n, replace.get(key, v)))
        return out

    def test_8_3_1_unknown_pseudo_header(self):
        self.malformed(self.req() + [(":foo", "bar")])

    def test_8_3_2_response_pseudo_in_request(self):
        self.malformed(self.req() + [(":status", "200")])

    def test_8_3_3_pseudo_after_regular_field(self):
        fields = self.req()
        self.malformed(fields[:2] + [("x-regular", "1")] + fields[2:])

    def test_8_3_4_pseudo_in_trailers(self):
        c = self.connect()
        self.open_post(c, 1)
        c.data(1, b"x")
        self.send_fields(c, 1, [(":path", "/x")], end_stream=True)
        c.expect_stream_error(PROTOCOL_ERROR)

    def test_8_3_5_duplicate_path(self):
        f = self.req()
        self.malformed(f[:3] + [(":path", SMALL)] + f[3:])

    def test_8_3_6_duplicate_method(self):
        self.malformed([(":method", "GET")] + self.req())

    def test_8_3_7_duplicate_scheme(self):
        f = self.req()
        self.malformed(f[:2] + [f[1]] + f[2:])

    def test_8_3_1_1_empty_path(self):
        self.malformed(self.req(path=""))

    def test_8_3_1_2_missing_method(self):
        self.malformed(self.req(skip=("method",)))

    def test_8_3_1_3_missing_scheme(self):
        self.malformed(self.req(skip=("scheme",)))

    def test_8_3_1_4_missing_path(self):
        self.malformed(self.req(skip=("path",)))

    def test_8_3_1_5_path_not_absolute(self):
        """:path carries the absolute-path production (or '*' for OPTIONS)."""
        self.malformed(self.req(path="index.html"))

    def test_8_3_1_6_options_asterisk(self):
        c = self.connect()
        self.send_fields(c, 1, self.req(method="OPTIONS", path="*"))
        status, fields, _, _ = c.expect_response(1)
        self.check_response_fields(fields)

    def test_8_3_1_7_missing_authority_ok(self):
        """:authority is optional (e.g. a Host field instead)."""
        c = self.connect()
        self.send_fields(c, 1, self.req(skip=("authority",)) + [("host", c.authority)])
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_8_3_1_8_connect_with_path_and_scheme(self):
        """RFC 9113 8.5: :scheme and :path MUST be omitted from CONNECT."""
        self.malformed(self.req(method="CONNECT"))

    def test_8_3_1_9_connect_without_authority(self):
        self.malformed([(":method", "CONNECT")])


# ============================================================================================
class Hpack(H2Case):
    """RFC 7541 decoding errors: each is a connection error COMPRESSION_ERROR (RFC 9113 4.3)."""

    def send_block(self, c, block):
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 1, block))

    def bad(self, suffix=b"", prefix=b""):
        c = self.connect()
        self.send_block(c, prefix + self.fields_block(c) + suffix)
        c.expect_goaway(COMPRESSION_ERROR)

    def test_hpack_2_3_3_1_index_past_the_table(self):
        self.bad(b"\xc6")                             # indexed 70, dynamic table empty

    def test_hpack_2_3_3_2_name_index_past_the_table(self):
        self.bad(b"\x0f\x2f" + hstr(b"v"))            # literal, name index 62

    def test_hpack_4_2_1_size_update_after_a_field(self):
        self.bad(b"\x20")

    def test_hpack_4_2_2_size_updates_at_start_are_fine(self):
        c = self.connect()
        self.send_block(c, b"\x20" + hint(4096, 5, 0x20) + self.fields_block(c))
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_hpack_5_1_1_integer_overflow(self):
        self.bad(b"\xff" + b"\xff" * 9 + b"\x01")

    def test_hpack_5_1_2_truncated_integer(self):
        self.bad(b"\xff\x80")

    def test_hpack_5_2_1_huffman_padding_over_7_bits(self):
        self.bad(b"\x00" + hstr(b"x-a") + b"\x82\x1f\xff")    # 'a' then 11 bits of 1s

    def test_hpack_5_2_2_huffman_padding_with_zeros(self):
        self.bad(b"\x00" + hstr(b"x-a") + b"\x81\x18")        # 'a' padded with 000

    def test_hpack_5_2_3_huffman_eos(self):
        self.bad(b"\x00" + hstr(b"x-a") + b"\x84\xff\xff\xff\xff")

    def test_hpack_5_2_4_string_past_the_block(self):
        self.bad(b"\x00" + hstr(b"x-a") + b"\x7f\x10abc")     # length 143, 3 octets left

    def test_hpack_5_2_5_truncated_literal(self):
        self.bad(b"\x00")

    def test_hpack_5_2_6_huffman_literal_accepted(self):
        c = self.connect()
        c.request(1, "GET", SMALL, [("x-huffman", "www.example.com")])  # hpack: Huffman on
        self.assertEqual(c.expect_response(1)[0], 200)

    def test_hpack_6_1_1_index_0(self):
        self.bad(b"\x80")

    def test_hpack_6_3_1_size_update_above_setting(self):
        self.bad(prefix=hint(4097, 5, 0x20))

    def test_hpack_6_3_2_size_update_in_second_block_of_stream(self):
        """A size update at the start of a later block (trailers) is legal."""
        self.need_echo()
        c = self.connect()
        self.open_post(c, 1)
        c.data(1, b"t")
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 1,
                         hint(4096, 5, 0x20) + lit("x-trailer", "1")))
        self.assertEqual(c.expect_response(1)[2], b"t")

    def test_hpack_6_3_3_size_update_at_continuation_start_after_fields(self):
        """The block is one unit: a size update opening a CONTINUATION follows fields."""
        c = self.connect()
        c.send(raw_frame(HEADERS, END_STREAM, 1, self.fields_block(c)) +
               raw_frame(CONTINUATION, END_HEADERS, 1, b"\x20"))
        c.expect_goaway(COMPRESSION_ERROR)


# ============================================================================================
class DenialOfService_10_5(H2Case):
    """Limits. RFC 9113 10.5 lets a server choose them; these are swoop's (h2_study.md 2.4)."""

    def test_10_5_1_header_list_over_the_limit(self):
        """One 4 000-octet entry referenced 8 times (~32 KB decoded, > max_header_size):
        431, as HTTP/1.1 answers the same request."""
        c = self.connect()
        block = (self.fields_block(c) + b"\x40" + hstr(b"x-bomb") + hstr(b"a" * 4000) +
                 b"\xbe" * 7)
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 1, block))
        self.assertEqual(c.expect_response(1)[0], 431)
        c.expect_alive()

    def test_10_5_2_hpack_bomb(self):
        """100 references (400 KB decoded from a 4 KB block): RST_STREAM ENHANCE_YOUR_CALM."""
        c = self.connect()
        block = (self.fields_block(c) + b"\x40" + hstr(b"x-bomb") + hstr(b"a" * 4000) +
                 b"\xbe" * 99)
        c.send(raw_frame(HEADERS, END_HEADERS | END_STREAM, 1, block))
        c.expect_stream_error(ENHANCE_YOUR_CALM)

    def test_10_5_3_continuation_flood(self):
        c = self.connect()
        c.send(raw_frame(HEADERS, END_STREAM, 1, self.fields_block(c)) +
               raw_frame(CONTINUATION, 0, 1) * 10000)
        c.expect_goaway(ENHANCE_YOUR_CALM)

    def test_10_5_4_rapid_reset(self):
        c = self.connect()
        burst = []
        for i in range(2000):
            sid = 1 + 2 * i
            burst.append(raw_frame(HEADERS, END_HEADERS | END_STREAM, sid,
                                   self.fields_block(c)))
            burst.append(RstStreamFrame(sid, error_code=CANCEL).serialize())
        c.send(b"".join(burst))
        c.expect_goaway(ENHANCE_YOUR_CALM)

    def test_10_5_5_empty_data_flood(self):
        c = self.connect()
        self.open_post(c, 1)
        c.send(raw_frame(DATA, 0, 1) * 10000)
        c.expect_goaway(ENHANCE_YOUR_CALM)

    def test_10_5_6_ping_flood_while_reading(self):
        c = self.connect()
        for _ in range(40):
            c.send(raw_frame(PING, 0, 0, b"floodfld") * 500)
            got = c.read_for(0.01)
            goaway = [f for f in got if isinstance(f, GoAwayFrame)]
            if goaway or c.eof:
                self.assertTrue(goaway, "closed without GOAWAY")
                self.assertEqual(goaway[0].error_code, ENHANCE_YOUR_CALM)
                return
        c.expect_goaway(ENHANCE_YOUR_CALM)

    def test_10_5_7_too_many_settings(self):
        """33 entries in one SETTINGS frame: ENHANCE_YOUR_CALM (nghttp2's max_settings)."""
        c = self.connect()
        c.send(raw_frame(SETTINGS, 0, 0, settings_payload(*[(ENABLE_PUSH, 0)] * 33)))
        c.expect_goaway(ENHANCE_YOUR_CALM)


def load_tests(loader, tests, pattern):
    ids = [case_id(t._testMethodName) for suite in tests for t in suite]
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes, f"duplicate case ids: {sorted(dupes)}"
    return tests


if __name__ == "__main__":
    server = None
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        from serverproc import ServerProcess
        server = ServerProcess(sys.argv.pop(1))
        configure("127.0.0.1", server.port, peer="swoop")
    if TARGET["port"] is None:
        sys.exit("usage: h2_conformance_test.py BINARY, or H2_PORT=... (see the docstring)")
    try:
        unittest.main(verbosity=2)
    finally:
        if server is not None:
            server.stop_checked()
