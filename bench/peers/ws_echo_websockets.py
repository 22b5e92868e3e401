# SPDX-License-Identifier: MIT
# bench peer: websocket echo with Python's websockets (asyncio; uvloop when installed), one
# process. Echoes text as text and binary as binary at /ws, no compression offered.
# Usage: python3 ws_echo_websockets.py PORT
import asyncio
import sys

import websockets

try:
    import uvloop
except ImportError:  # plain asyncio
    uvloop = None


async def echo(ws, path=None):  # websockets 10 passes the path; later versions do not
    async for message in ws:
        await ws.send(message)


async def main(port):
    async with websockets.serve(echo, "127.0.0.1", port, max_size=None, compression=None,
                                ping_interval=None):
        await asyncio.Future()


if __name__ == "__main__":
    if uvloop is not None:
        uvloop.install()
    asyncio.run(main(int(sys.argv[1])))
