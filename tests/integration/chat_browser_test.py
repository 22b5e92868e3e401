# SPDX-License-Identifier: MIT
"""The chat example in a real browser: headless Chromium (Debian's chromium, --headless
--no-sandbox) opens the page in two tabs, driven through the DevTools protocol with Python's
websockets client; a message typed in one tab must appear in the other."""
import asyncio
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import websockets

from serverproc import ServerProcess

EXAMPLES = None


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A headless Chromium with a DevTools port; pages are opened and driven over CDP."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="swoop-chromium-")
        self.proc = subprocess.Popen(
            [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        with open(port_file) as f:
            self.port = int(f.readline())

    def new_page(self, url):
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


class Page:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    async def evaluate(self, expression):
        self.next_id += 1
        await self.ws.send(json.dumps({"id": self.next_id, "method": "Runtime.evaluate",
                                       "params": {"expression": expression,
                                                  "returnByValue": True}}))
        while True:
            reply = json.loads(await self.ws.recv())
            if reply.get("id") == self.next_id:
                return reply["result"]["result"].get("value")

    async def wait_for(self, expression, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await self.evaluate(expression):
                return True
            await asyncio.sleep(0.1)
        return False


@unittest.skipIf(find_chromium() is None, "chromium is not installed (scripts/setup installs it)")
class ChatInBrowserTest(unittest.TestCase):
    def test_a_message_from_one_tab_arrives_in_the_other(self):
        server = ServerProcess(None, argv=[f"{EXAMPLES}/chat", "--port", "0", "--workers", "1"])
        browser = Browser()
        try:
            base = f"http://127.0.0.1:{server.port}/"
            ann_url = browser.new_page(base + "?name=ann")
            bob_url = browser.new_page(base + "?name=bob")

            async def go():
                async with websockets.connect(ann_url, max_size=None) as a, \
                        websockets.connect(bob_url, max_size=None) as b:
                    ann, bob = Page(a), Page(b)
                    opened = "document.body && document.body.dataset.state === 'open'"
                    self.assertTrue(await ann.wait_for(opened))
                    self.assertTrue(await bob.wait_for(opened))
                    # Both are in the room once the later one's arrival was announced to the
                    # earlier one (either may have connected first).
                    log = "document.getElementById('log').innerText"
                    deadline = time.monotonic() + 15
                    while not (await ann.evaluate(log + ".includes('bob joined')") or
                               await bob.evaluate(log + ".includes('ann joined')")):
                        if time.monotonic() > deadline:
                            self.fail("the two tabs never met: ann sees %r, bob sees %r" % (
                                await ann.evaluate(log), await bob.evaluate(log)))
                        await asyncio.sleep(0.1)
                    await ann.evaluate(
                        "document.getElementById('text').value = 'hello from ann';"
                        "document.getElementById('form').requestSubmit(); true")
                    self.assertTrue(await bob.wait_for(
                        "document.getElementById('log').innerText.includes('ann: hello from ann')"))
                    await bob.evaluate(
                        "document.getElementById('text').value = '<b>hi</b> ann';"
                        "document.getElementById('form').requestSubmit(); true")
                    self.assertTrue(await ann.wait_for(
                        "document.getElementById('log').innerText.includes('bob: <b>hi</b> ann')"))
            asyncio.run(asyncio.wait_for(go(), 60))
        finally:
            browser.close()
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    EXAMPLES = sys.argv.pop(1)
    unittest.main(verbosity=2)
