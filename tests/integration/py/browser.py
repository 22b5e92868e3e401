# SPDX-License-Identifier: MIT
"""Headless Chromium for the browser tests (Debian's chromium, --headless --no-sandbox), driven
through the DevTools protocol (CDP) with Python's websockets client."""
import asyncio
import ctypes
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def die_with_parent():
    """In the child: SIGTERM when the test process dies (killed by a ctest timeout, say), so
    that no Chromium outlives its test."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Browser:
    """A headless Chromium with a DevTools port; pages are opened and driven over CDP.
    extra_args are more command-line switches (for example --host-resolver-rules)."""

    def __init__(self, extra_args=()):
        self.profile = tempfile.mkdtemp(prefix="swoop-chromium-")
        self.proc = subprocess.Popen(
            [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", *extra_args, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        with open(port_file) as f:
            self.port = int(f.readline())

    def new_page(self, url):
        """Opens a tab at url; returns the URL of its DevTools websocket."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("PUT", "/json/new?" + url)
        info = json.loads(conn.getresponse().read())
        conn.close()
        return info["webSocketDebuggerUrl"]

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class CdpError(Exception):
    pass


class Page:
    """One tab's DevTools connection. Events (from the domains enabled with send(), e.g.
    "Network.enable") that arrive while waiting for a reply are kept in self.events."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    async def send(self, method, params=None):
        """Calls a CDP method and returns its result; raises CdpError on a protocol error."""
        self.next_id += 1
        await self.ws.send(json.dumps({"id": self.next_id, "method": method,
                                       "params": params or {}}))
        while True:
            reply = json.loads(await self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply["result"]
            if "method" in reply:
                self.events.append(reply)

    async def evaluate(self, expression, check=False):
        """The value of a JavaScript expression (JSON-able); a thrown exception gives None,
        or raises CdpError when check is true."""
        result = await self.send("Runtime.evaluate",
                                 {"expression": expression, "returnByValue": True})
        if check and "exceptionDetails" in result:
            raise CdpError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await self.evaluate(expression):
                return True
            await asyncio.sleep(0.1)
        return False
