#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Publish latency across two instances through Redis (issue 23): starts redis-server and two
instances of the chat example (SWOOP_PUBSUB_URL, one worker each), joins one room with a
publisher on instance A and a subscriber on each instance, and sends timestamped messages at a
steady rate. Prints p50/p99/max of publish-to-receive latency, for the subscriber on the same
instance (no Redis on the path) and the one on the other instance (through Redis).

The clients are one Python process (asyncio, the websockets package), so the figures include
its own scheduling; they are an upper bound of what swoop and Redis add.

Usage: bench/pubsub_latency.py CHAT_BINARY [--messages N] [--rate PER_SECOND]"""
import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time

import websockets


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, what):
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"{what} did not listen on {port}")
            time.sleep(0.02)


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(p / 100 * len(sorted_values)))]


async def measure(port_a, port_b, messages, rate):
    room = "latency"
    pub = await websockets.connect(f"ws://127.0.0.1:{port_a}/ws?name=pub&room={room}")
    near = await websockets.connect(f"ws://127.0.0.1:{port_a}/ws?name=near&room={room}")
    far = await websockets.connect(f"ws://127.0.0.1:{port_b}/ws?name=far&room={room}")
    # Wait until the far instance's SUBSCRIBE is in effect: probe until a probe arrives.
    while True:
        await pub.send("probe")
        try:
            while (await asyncio.wait_for(far.recv(), 0.2)) != "pub: probe":
                pass
            break
        except asyncio.TimeoutError:
            pass
    sent = {}
    got = {"near": {}, "far": {}}

    async def reader(name, ws):
        while len(got[name]) < messages:
            text = await ws.recv()
            if text.startswith("pub: m "):
                seq = int(text.split()[2])
                got[name][seq] = time.monotonic_ns()

    readers = [asyncio.ensure_future(reader("near", near)), asyncio.ensure_future(reader("far", far))]
    interval = 1.0 / rate
    start = time.monotonic()
    for seq in range(messages):
        delay = start + seq * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent[seq] = time.monotonic_ns()
        await pub.send(f"m {seq}")
    await asyncio.wait_for(asyncio.gather(*readers), 30)
    for ws in (pub, near, far):
        await ws.close()
    result = {}
    for name in ("near", "far"):
        lat = sorted((got[name][s] - sent[s]) / 1000 for s in range(messages))
        result[name] = (percentile(lat, 50), percentile(lat, 99), lat[-1])
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("chat")
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--rate", type=float, default=1000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="swoop-latency-")
    redis_port = free_port()
    procs = []
    try:
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                                  "--save", "", "--appendonly", "no", "--dir", tmp],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(redis)
        wait_listening(redis_port, redis, "redis-server")
        env = dict(os.environ, SWOOP_PUBSUB_URL=f"redis://127.0.0.1:{redis_port}")
        ports = []
        for _ in range(2):
            port = free_port()
            p = subprocess.Popen([args.chat, "--port", str(port), "--workers", "1"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(p)
            wait_listening(port, p, "chat")
            ports.append(port)
        r = asyncio.run(measure(ports[0], ports[1], args.messages, args.rate))
        print(f"| path | p50 us | p99 us | max us |  ({args.messages} messages at "
              f"{args.rate:.0f}/s)")
        print("|---|---:|---:|---:|")
        for name, label in (("near", "same instance"), ("far", "other instance, via Redis")):
            p50, p99, mx = r[name]
            print(f"| {label} | {p50:.0f} | {p99:.0f} | {mx:.0f} |")
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=20)


if __name__ == "__main__":
    main()
