# SPDX-License-Identifier: MIT
# bench peer: websocket fan-out with Python's websockets (asyncio; uvloop when installed), one
# process, for bench/fanout_run. /sub: a subscriber (kept in a set until it closes; what it
# sends is ignored); /pub: every message received goes to all subscribers through
# websockets.broadcast(), text as text. No compression offered, no pings.
# Usage: python3 fanout_websockets.py PORT
import asyncio
import sys

import websockets

try:
    import uvloop
except ImportError:  # plain asyncio
    uvloop = None

subscribers = set()


async def handler(ws, path=None):  # websockets 10 passes the path; later versions do not
    path = path if path is not None else ws.path
    try:
        if path == "/sub":
            subscribers.add(ws)
            try:
                async for _ in ws:
                    pass
            finally:
                subscribers.discard(ws)
        elif path == "/pub":
            async for message in ws:
                websockets.broadcast(subscribers, message)
        else:
            await ws.close(1008, "unknown path")
    except websockets.ConnectionClosed:
        pass  # the client drops its connections without a close frame when it is done


async def main(port):
    async with websockets.serve(handler, "127.0.0.1", port, max_size=None, compression=None,
                                ping_interval=None, backlog=1024):
        print(f"listening on ws://127.0.0.1:{port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    if uvloop is not None:
        uvloop.install()
    asyncio.run(main(int(sys.argv[1])))
