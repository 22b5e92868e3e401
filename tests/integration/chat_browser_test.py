# SPDX-License-Identifier: MIT
"""The chat example in a real browser: headless Chromium (Debian's chromium, --headless
--no-sandbox) opens the page in two tabs, driven through the DevTools protocol with Python's
websockets client; a message typed in one tab must appear in the other."""
import asyncio
import sys
import time
import unittest

import websockets

from browser import Browser, Page, find_chromium
from serverproc import ServerProcess

EXAMPLES = None


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
