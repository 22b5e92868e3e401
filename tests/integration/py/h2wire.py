# SPDX-License-Identifier: MIT
"""A raw-frame HTTP/2 client for conformance tests: hyperframe frames, hpack blocks, plain bytes.

The client does not run a state machine: it writes whatever it is given (valid or not) and reads
frames one by one (hyperframe objects; unknown types come back as ExtensionFrame), so tests can
assert the exact frames a server answers with. H2_TRACE=1 prints every frame read.
"""
import os
import socket
import ssl
import struct
import sys
import time

import hpack
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame,
                              PingFrame, PushPromiseFrame, RstStreamFrame, SettingsFrame,
                              WindowUpdateFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
TRACE = os.environ.get("H2_TRACE") == "1"   # print every frame read to stderr

# Error codes (RFC 9113 section 7).
NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR = 0x0, 0x1, 0x2, 0x3
SETTINGS_TIMEOUT, STREAM_CLOSED, FRAME_SIZE_ERROR, REFUSED_STREAM = 0x4, 0x5, 0x6, 0x7
CANCEL, COMPRESSION_ERROR, CONNECT_ERROR, ENHANCE_YOUR_CALM = 0x8, 0x9, 0xa, 0xb
CODE_NAMES = {0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR", 3: "FLOW_CONTROL_ERROR",
              4: "SETTINGS_TIMEOUT", 5: "STREAM_CLOSED", 6: "FRAME_SIZE_ERROR",
              7: "REFUSED_STREAM", 8: "CANCEL", 9: "COMPRESSION_ERROR", 10: "CONNECT_ERROR",
              11: "ENHANCE_YOUR_CALM", 12: "INADEQUATE_SECURITY", 13: "HTTP_1_1_REQUIRED"}

# Frame types and settings ids, for hand-built frames.
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE = 0x0, 0x1, 0x2, 0x3, 0x4, 0x5
PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0x6, 0x7, 0x8, 0x9
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20
FRAME_NAMES = {0: "DATA", 1: "HEADERS", 2: "PRIORITY", 3: "RST_STREAM", 4: "SETTINGS",
               5: "PUSH_PROMISE", 6: "PING", 7: "GOAWAY", 8: "WINDOW_UPDATE", 9: "CONTINUATION"}
HEADER_TABLE_SIZE, ENABLE_PUSH, MAX_CONCURRENT_STREAMS = 0x1, 0x2, 0x3
INITIAL_WINDOW_SIZE, MAX_FRAME_SIZE, MAX_HEADER_LIST_SIZE = 0x4, 0x5, 0x6


class Timeout(AssertionError):
    """No complete frame arrived in time."""


def codes(code):
    return code if isinstance(code, tuple) else (code,)


def code_name(code):
    if isinstance(code, tuple):
        return " or ".join(code_name(c) for c in code)
    return CODE_NAMES.get(code, hex(code))


def raw_frame(ftype, flags, stream_id, payload=b"", length=None):
    """A frame from its parts; `length` overrides the length field (to lie about the size)."""
    n = len(payload) if length is None else length
    return struct.pack(">I", n)[1:] + struct.pack(">BBI", ftype, flags, stream_id) + payload


def settings_payload(*pairs):
    return b"".join(struct.pack(">HI", k, v) for k, v in pairs)


def describe(frame):
    """A short line for assertion messages."""
    if frame is None:
        return "EOF"
    if isinstance(frame, GoAwayFrame):
        return (f"GOAWAY(last={frame.last_stream_id}, {code_name(frame.error_code)}, "
                f"{bytes(frame.additional_data)[:80]!r})")
    if isinstance(frame, RstStreamFrame):
        return f"RST_STREAM(stream={frame.stream_id}, {code_name(frame.error_code)})"
    name = FRAME_NAMES.get(frame.type, f"TYPE_{frame.type:#x}")
    extra = f" len={len(frame.data)}" if isinstance(frame, DataFrame) else ""
    return f"{name}(stream={frame.stream_id}, flags={sorted(frame.flags)}{extra})"


class H2Client:
    """One connection. Every read parses a whole frame; server SETTINGS are ACKed when read."""

    def __init__(self, host, port, tls=False, cafile=None, verify=True, timeout=2.0,
                 authority=None):
        self.timeout = timeout
        self.scheme = "https" if tls else "http"
        self.authority = authority or f"{host}:{port}"
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls:
            ctx = ssl.create_default_context(cafile=cafile)
            if not verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            ctx.set_alpn_protocols(["h2"])
            sock = ctx.wrap_socket(sock, server_hostname=host)
            assert sock.selected_alpn_protocol() == "h2", sock.selected_alpn_protocol()
        self.sock = sock
        self.buf = b""
        self.eof = False
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.decoder.max_header_list_size = 1 << 24
        self.server_settings = {}
        self.frames = []          # every frame read, for assertion messages
        self.send_failed = False
        self._block = None        # (first frame, fragments) of a header block being read

    # ---- writing -------------------------------------------------------------------------
    def send(self, data):
        """Writes bytes; a peer that already closed is not an error here (reads will show it)."""
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.send_failed = True

    def send_frame(self, *frames):
        self.send(b"".join(f.serialize() for f in frames))

    def handshake(self, settings=(), wait_ack=True):
        """Preface + our SETTINGS; reads until the server's SETTINGS (and our ACK, if asked)."""
        self.send(PREFACE + raw_frame(SETTINGS, 0, 0, settings_payload(*settings)))
        first = self.read_frame()
        assert isinstance(first, SettingsFrame) and "ACK" not in first.flags, \
            f"the server's first frame must be SETTINGS, got {describe(first)}"
        if wait_ack:
            self.wait_for(lambda f: isinstance(f, SettingsFrame) and "ACK" in f.flags,
                          "SETTINGS ACK")
        return self

    def block(self, headers):
        """An HPACK block for `headers` (list of pairs), with this connection's encoder."""
        return self.encoder.encode(headers)

    def request_headers(self, method="GET", path="/", extra_headers=()):
        return [(":method", method), (":scheme", self.scheme), (":path", path),
                (":authority", self.authority), *extra_headers]

    def request(self, stream_id, method="GET", path="/", extra_headers=(), end_stream=True):
        flags = ["END_HEADERS"] + (["END_STREAM"] if end_stream else [])
        block = self.block(self.request_headers(method, path, extra_headers))
        self.send_frame(HeadersFrame(stream_id, data=block, flags=flags))

    def headers(self, stream_id, headers, end_stream=True, end_headers=True):
        """HEADERS with an arbitrary field list (e.g. a malformed request, trailers)."""
        flags = (["END_HEADERS"] if end_headers else []) + (["END_STREAM"] if end_stream else [])
        self.send_frame(HeadersFrame(stream_id, data=self.block(headers), flags=flags))

    def data(self, stream_id, payload, end_stream=False):
        self.send_frame(DataFrame(stream_id, data=payload,
                                  flags=["END_STREAM"] if end_stream else []))

    def ping(self, payload=b"h2wire!!", ack=False):
        self.send_frame(PingFrame(0, opaque_data=payload, flags=["ACK"] if ack else []))

    # ---- reading -------------------------------------------------------------------------
    def _fill(self, n, deadline):
        """True once `n` bytes are buffered, False at EOF; Timeout past the deadline."""
        while len(self.buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout(f"timeout waiting for a frame; last frames read: "
                              f"{[describe(f) for f in self.frames[-8:]]}")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
                chunk = b""
            if not chunk:
                self.eof = True
                return False
            self.buf += chunk
        return True

    def read_frame(self, timeout=None):
        """The next frame (hyperframe object, ExtensionFrame for unknown types), None at EOF.

        Header blocks are decoded as they complete: the frame ending a block gets `.fields`
        (list of (name, value) str pairs), also set on the HEADERS frame that began it."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        if not self._fill(9, deadline):
            return None
        frame, length = Frame.parse_frame_header(memoryview(self.buf[:9]))
        if not self._fill(9 + length, deadline):
            return None
        body, self.buf = self.buf[9:9 + length], self.buf[9 + length:]
        frame.parse_body(memoryview(body))
        self.frames.append(frame)
        if TRACE:
            print(f"  <- {describe(frame)}", file=sys.stderr)
        if isinstance(frame, SettingsFrame) and "ACK" not in frame.flags:
            self.server_settings.update(frame.settings)
            self.send_frame(SettingsFrame(0, flags=["ACK"]))
        if isinstance(frame, (HeadersFrame, PushPromiseFrame)):
            self._block = (frame, [frame.data])
        elif isinstance(frame, ContinuationFrame) and self._block:
            self._block[1].append(frame.data)
        if isinstance(frame, (HeadersFrame, PushPromiseFrame, ContinuationFrame)) \
                and "END_HEADERS" in frame.flags and self._block:
            fields = self.decoder.decode(b"".join(self._block[1]))
            frame.fields = self._block[0].fields = fields
            frame.block_head = self._block[0]   # the HEADERS frame (its END_STREAM flag)
            self._block = None
        return frame

    def wait_for(self, predicate, what, timeout=None):
        """Reads frames until `predicate(frame)`; fails on EOF or timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            frame = self.read_frame(max(0.0, deadline - time.monotonic()))
            assert frame is not None, f"EOF while waiting for {what}; read: " \
                f"{[describe(f) for f in self.frames[-8:]]}"
            if predicate(frame):
                return frame

    # ---- expectations --------------------------------------------------------------------
    def expect_goaway(self, code, allow_close=False):
        """GOAWAY with `code` (frames before it are tolerated), then EOF. Returns the GOAWAY.

        allow_close: a plain close without GOAWAY passes too (RFC 9113 5.4.1 says SHOULD)."""
        seen = []
        while True:
            frame = self.read_frame()
            if frame is None:
                assert allow_close, f"EOF without GOAWAY({code_name(code)}); read: {seen}"
                return None
            seen.append(describe(frame))
            if isinstance(frame, GoAwayFrame):
                assert frame.error_code in codes(code), \
                    f"expected GOAWAY({code_name(code)}), got {seen}"
                self.expect_closed()
                return frame

    def read_for(self, seconds):
        """Every frame arriving within `seconds` (stops early at EOF); never fails."""
        deadline = time.monotonic() + seconds
        frames = []
        while True:
            try:
                frame = self.read_frame(max(0.0, deadline - time.monotonic()))
            except Timeout:
                return frames
            if frame is None:
                return frames
            frames.append(frame)

    def expect_closed(self):
        """Frames until EOF (tolerated); returns them. Fails if the server keeps it open."""
        frames = []
        while True:
            frame = self.read_frame()
            if frame is None:
                return frames
            frames.append(frame)

    def expect_rst(self, stream_id, code):
        """RST_STREAM(stream_id, code); a GOAWAY or EOF first fails (the error is per stream)."""
        seen = []
        while True:
            frame = self.read_frame()
            seen.append(describe(frame))
            assert frame is not None and not isinstance(frame, GoAwayFrame), \
                f"expected RST_STREAM({stream_id}, {code_name(code)}), got {seen}"
            if isinstance(frame, RstStreamFrame) and frame.stream_id == stream_id:
                assert frame.error_code in codes(code), \
                    f"expected RST_STREAM({stream_id}, {code_name(code)}), got {seen}"
                return frame

    def expect_stream_error(self, code):
        """RST_STREAM(code) or GOAWAY(code) then EOF, as h2spec's VerifyStreamError.

        Returns "stream" or "connection"."""
        seen = []
        while True:
            frame = self.read_frame()
            seen.append(describe(frame))
            assert frame is not None, f"expected a {code_name(code)} error, got {seen}"
            if isinstance(frame, (RstStreamFrame, GoAwayFrame)):
                assert frame.error_code in codes(code), \
                    f"expected a {code_name(code)} error, got {seen}"
                if isinstance(frame, GoAwayFrame):
                    self.expect_closed()
                    return "connection"
                return "stream"

    def expect_alive(self, payload=b"alive?!!"):
        """PING answered with the same payload (frames before the ACK are tolerated)."""
        self.ping(payload)
        seen = []
        while True:
            frame = self.read_frame()
            seen.append(describe(frame))
            assert frame is not None and not isinstance(frame, GoAwayFrame), \
                f"connection not alive: {seen}"
            if isinstance(frame, PingFrame) and "ACK" in frame.flags:
                assert frame.opaque_data == payload, f"PING ACK with {frame.opaque_data!r}"
                return

    def expect_responses(self, stream_ids, window_updates=True):
        """Collects HEADERS+DATA(+trailers) to END_STREAM on each stream.

        Returns {id: (status, fields, body, trailers)}. Received DATA is given back with
        WINDOW_UPDATE (connection and stream) unless window_updates is False."""
        pending = set(stream_ids)
        out = {sid: [None, None, b"", None] for sid in stream_ids}
        for f in self.frames:   # a final HEADERS read earlier (e.g. by wait_for) still counts
            if f.stream_id in out and isinstance(f, HeadersFrame) and hasattr(f, "fields"):
                status = dict(f.fields).get(":status", "")
                if out[f.stream_id][1] is None and not status.startswith("1"):
                    out[f.stream_id][:2] = [int(status), f.fields]
                    if "END_STREAM" in f.flags:
                        pending.discard(f.stream_id)
        while pending:
            frame = self.read_frame()
            assert frame is not None, f"EOF before END_STREAM on {sorted(pending)}: " \
                f"{[describe(f) for f in self.frames[-8:]]}"
            sid = frame.stream_id
            if isinstance(frame, GoAwayFrame) or (isinstance(frame, RstStreamFrame)
                                                  and sid in pending):
                raise AssertionError(f"{describe(frame)} while waiting for responses on "
                                     f"{sorted(pending)}")
            if sid not in pending:
                continue
            entry, end = out[sid], False
            if hasattr(frame, "block_head") and isinstance(frame.block_head, HeadersFrame):
                fields, end = frame.fields, "END_STREAM" in frame.block_head.flags
                status = dict(fields).get(":status", "")
                if entry[1] is None and status.startswith("1"):
                    pass  # informational response
                elif entry[1] is None:
                    entry[0], entry[1] = int(status), fields
                else:
                    entry[3] = fields
            elif isinstance(frame, DataFrame):
                end = "END_STREAM" in frame.flags
                assert entry[1] is not None, f"DATA before HEADERS on stream {sid}"
                entry[2] += bytes(frame.data)
                if window_updates and frame.flow_controlled_length:
                    n = frame.flow_controlled_length
                    ups = [WindowUpdateFrame(0, window_increment=n)]
                    if "END_STREAM" not in frame.flags:
                        ups.append(WindowUpdateFrame(sid, window_increment=n))
                    self.send_frame(*ups)
            if end:
                pending.discard(sid)
        return {sid: tuple(v) for sid, v in out.items()}

    def expect_response(self, stream_id, window_updates=True):
        """(status, fields, body, trailers) of one stream."""
        return self.expect_responses([stream_id], window_updates)[stream_id]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
