# SPDX-License-Identifier: MIT
"""The websocket server driven by an independent client: Python's websockets (Debian's
python3-websockets, asyncio API), against tests/integration/ws_test_server."""
import asyncio
import http.client
import signal
import sys
import unittest

import websockets
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatusCode

from serverproc import ServerProcess

BINARY = None


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


class WebSocketTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess(BINARY)
        cls.url = f"ws://127.0.0.1:{cls.server.port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop_checked()

    def test_echo_text_and_binary_of_many_sizes(self):
        async def go():
            async with websockets.connect(self.url + "/echo", max_size=None) as ws:
                for n in (0, 1, 125, 126, 65535, 65536, 1 << 20):
                    text = "é" * (n // 2)
                    await ws.send(text)
                    self.assertEqual(await ws.recv(), text)
                    data = bytes(i % 251 for i in range(n))
                    await ws.send(data)
                    self.assertEqual(await ws.recv(), data)
        run(go())

    def test_fragmented_messages_are_joined(self):
        async def go():
            async with websockets.connect(self.url + "/echo") as ws:
                await ws.send(["frag", "men", "ted ", "κόσμε"])
                self.assertEqual(await ws.recv(), "fragmented κόσμε")
                await ws.send([b"\x00\x01", b"", b"\x02"])
                self.assertEqual(await ws.recv(), b"\x00\x01\x02")
        run(go())

    def test_ping_gets_pong(self):
        async def go():
            async with websockets.connect(self.url + "/echo") as ws:
                waiter = await ws.ping(b"are you there")
                await asyncio.wait_for(waiter, 5)
        run(go())

    def test_subprotocol_is_chosen_in_server_order(self):
        async def go():
            async with websockets.connect(self.url + "/protos", origin="http://good.example",
                                          subprotocols=["chat.v1", "chat.v2"]) as ws:
                self.assertEqual(ws.subprotocol, "chat.v2")
                self.assertEqual(await ws.recv(), "chat.v2")
            async with websockets.connect(self.url + "/protos",
                                          origin="http://good.example") as ws:
                self.assertIsNone(ws.subprotocol)
                self.assertEqual(await ws.recv(), "(none)")
        run(go())

    def test_refused_origin_and_middleware(self):
        async def go():
            with self.assertRaises(InvalidStatusCode) as e:
                async with websockets.connect(self.url + "/protos", origin="http://evil.example"):
                    pass
            self.assertEqual(e.exception.status_code, 403)
            with self.assertRaises(InvalidStatusCode) as e:
                async with websockets.connect(self.url + "/echo", extra_headers={"X-Deny": "1"}):
                    pass
            self.assertEqual(e.exception.status_code, 401)
        run(go())

    def test_blueprint_route_with_its_middleware(self):
        async def go():
            async with websockets.connect(self.url + "/bp/echo/lobby?token=secret") as ws:
                await ws.send("hi")
                self.assertEqual(await ws.recv(), "lobby:hi")
            with self.assertRaises(InvalidStatusCode) as e:
                async with websockets.connect(self.url + "/bp/echo/lobby?token=wrong"):
                    pass
            self.assertEqual(e.exception.status_code, 403)
        run(go())

    def test_plain_get_gets_426(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        conn.request("GET", "/echo")
        res = conn.getresponse()
        res.read()
        self.assertEqual(res.status, 426)
        self.assertEqual(res.getheader("Upgrade"), "websocket")
        conn.close()

    def test_server_close_code_reason_and_request_data(self):
        async def go():
            async with websockets.connect(self.url + "/close/4321?q=hello",
                                          extra_headers={"X-Test": "hdr"}) as ws:
                self.assertEqual(await ws.recv(), "4321|hello|hdr")
                with self.assertRaises(ConnectionClosed):
                    await ws.recv()
                self.assertEqual(ws.close_code, 4321)
                self.assertEqual(ws.close_reason, "closing")
        run(go())

    def test_client_close_code_is_echoed(self):
        async def go():
            ws = await websockets.connect(self.url + "/echo")
            await ws.close(4001, "client done")
            self.assertEqual(ws.close_code, 4001)
            await asyncio.wait_for(ws.wait_closed(), 5)
        run(go())

    def test_message_over_limit_closes_with_1009(self):
        async def go():
            async with websockets.connect(self.url + "/small") as ws:
                await ws.send("a" * 1000)
                self.assertEqual(await ws.recv(), "a" * 1000)
                await ws.send("a" * 1001)
                with self.assertRaises(ConnectionClosedError):
                    await ws.recv()
                self.assertEqual(ws.close_code, 1009)
        run(go())

    def test_fragments_over_limit_close_with_1009(self):
        async def go():
            async with websockets.connect(self.url + "/small") as ws:
                await ws.send([b"a" * 600, b"a" * 600])
                with self.assertRaises(ConnectionClosedError):
                    await ws.recv()
                self.assertEqual(ws.close_code, 1009)
        run(go())

    def test_server_pings_keep_an_answering_client_alive(self):
        async def go():
            # The client sends no pings itself; it answers the server's (automatically).
            async with websockets.connect(self.url + "/pings", ping_interval=None) as ws:
                await asyncio.sleep(1.8)  # longer than the idle timeout (1 s)
                await ws.send("still here")
                self.assertEqual(await ws.recv(), "still here")
        run(go())

    def test_compression_offer_is_declined_cleanly(self):
        async def go():
            async with websockets.connect(self.url + "/echo", compression="deflate") as ws:
                self.assertEqual(ws.extensions, [])
                await ws.send("x" * 10000)
                self.assertEqual(await ws.recv(), "x" * 10000)
        run(go())

    def test_many_concurrent_clients(self):
        async def client(i):
            async with websockets.connect(self.url + "/echo") as ws:
                for j in range(20):
                    await ws.send(f"{i}:{j}")
                    self.assertEqual(await ws.recv(), f"{i}:{j}")
        async def go():
            await asyncio.gather(*(client(i) for i in range(100)))
        run(go())


class CompressionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess(BINARY)
        cls.url = f"ws://127.0.0.1:{cls.server.port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop_checked()

    def echo_many(self, ws):
        async def go():
            for i in range(20):
                text = f"message {i} " + "compressible text " * (i * 50)
                await ws.send(text)
                self.assertEqual(await ws.recv(), text)
                data = bytes((j * i) % 256 for j in range(i * 1000))
                await ws.send(data)
                self.assertEqual(await ws.recv(), data)
        return go()

    def test_negotiated_with_context_takeover(self):
        async def go():
            async with websockets.connect(self.url + "/deflate", compression="deflate",
                                          max_size=None) as ws:
                self.assertEqual(len(ws.extensions), 1)
                ext = ws.extensions[0]
                self.assertEqual(ext.name, "permessage-deflate")
                self.assertFalse(ext.remote_no_context_takeover)
                await self.echo_many(ws)
        run(go())

    def test_server_asks_for_no_context_takeover(self):
        async def go():
            async with websockets.connect(self.url + "/deflate_nct", compression="deflate") as ws:
                ext = ws.extensions[0]
                self.assertTrue(ext.remote_no_context_takeover)  # server_no_context_takeover
                self.assertTrue(ext.local_no_context_takeover)   # client_no_context_takeover
                await self.echo_many(ws)
        run(go())

    def test_client_parameters_are_honoured(self):
        from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
        async def go():
            factory = ClientPerMessageDeflateFactory(
                server_no_context_takeover=True, client_no_context_takeover=True,
                server_max_window_bits=10, client_max_window_bits=9)
            async with websockets.connect(self.url + "/deflate", extensions=[factory],
                                          compression=None) as ws:
                ext = ws.extensions[0]
                self.assertTrue(ext.remote_no_context_takeover)
                self.assertTrue(ext.local_no_context_takeover)
                self.assertEqual(ext.remote_max_window_bits, 10)
                await self.echo_many(ws)
        run(go())

    def test_window_bits_8_offer_is_declined(self):
        from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
        async def go():
            factory = ClientPerMessageDeflateFactory(server_max_window_bits=8)
            async with websockets.connect(self.url + "/deflate", extensions=[factory],
                                          compression=None) as ws:
                self.assertEqual(ws.extensions, [])
                await ws.send("plain")
                self.assertEqual(await ws.recv(), "plain")
        run(go())

    def test_decompression_bomb_closes_with_1009(self):
        async def go():
            async with websockets.connect(self.url + "/deflate", compression="deflate",
                                          max_size=None) as ws:
                await ws.send(b"\0" * (64 * 1024 * 1024))  # about 64 KB on the wire
                with self.assertRaises(ConnectionClosedError):
                    await ws.recv()
                self.assertEqual(ws.close_code, 1009)
        run(go())


class ShutdownTest(unittest.TestCase):
    def test_shutdown_closes_sessions_with_1001(self):
        server = ServerProcess(BINARY)
        url = f"ws://127.0.0.1:{server.port}/echo"

        async def go():
            async with websockets.connect(url) as ws:
                await ws.send("hi")
                self.assertEqual(await ws.recv(), "hi")
                server.proc.send_signal(signal.SIGTERM)
                with self.assertRaises(ConnectionClosed):
                    await ws.recv()
                self.assertEqual(ws.close_code, 1001)
        try:
            run(go())
            self.assertEqual(server.proc.wait(timeout=20), 0)
        finally:
            server.stop()


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)
