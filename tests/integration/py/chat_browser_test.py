# SPDX-License-Identifier: MIT
"""The chat example in a real browser: headless Chromium (Debian's chromium, --headless
--no-sandbox) opens the page in two tabs, driven through the DevTools protocol with Python's
websockets client; a message typed in one tab must appear in the other. The server runs two
workers, so the tabs may sit on different ones: the room is a topic that spans them. Then the
same with each tab on its own instance, through its own nginx, the instances joined by a real
redis-server."""
import asyncio
import os
import sys
import time
import unittest

import websockets

from browser import Browser, Page, find_chromium
from deploy_test import Nginx
from pubsub_redis_test import RedisServer
from serverproc import ServerProcess

EXAMPLES = None


@unittest.skipIf(find_chromium() is None, "chromium is not installed (scripts/setup installs it)")
class ChatInBrowserTest(unittest.TestCase):
    def test_a_message_from_one_tab_arrives_in_the_other(self):
        server = ServerProcess(None, argv=[f"{EXAMPLES}/chat", "--port", "0", "--workers", "2"])
        try:
            base = f"http://127.0.0.1:{server.port}/"
            self.chat_between(base, base)
        finally:
            self.assertEqual(server.stop(), 0)

    def test_two_pages_through_nginx_on_two_instances(self):
        """Each page reaches its own instance through its own nginx (deploy/nginx.conf); the
        instances share the room through a real redis-server."""
        redis = RedisServer()
        env = dict(os.environ, SWOOP_PUBSUB_URL=f"redis://127.0.0.1:{redis.port}")
        servers = [ServerProcess(None, env=env, argv=[f"{EXAMPLES}/chat", "--port", "0",
                                                      "--workers", "2"]) for _ in range(2)]
        proxies = [Nginx([s.port, s.port]) for s in servers]
        try:
            self.chat_between(f"http://127.0.0.1:{proxies[0].port}/",
                              f"http://127.0.0.1:{proxies[1].port}/")
        finally:
            for p in proxies:
                p.stop()
            codes = [s.stop() for s in servers]
            redis.stop()
            self.assertEqual(codes, [0, 0])

    def chat_between(self, ann_base, bob_base):
        """ann opens ann_base, bob bob_base, both in room tea; each sees what the other says."""
        browser = Browser()
        try:
            ann_url = browser.new_page(ann_base + "?name=ann&room=tea")
            bob_url = browser.new_page(bob_base + "?name=bob&room=tea")

            async def go():
                async with websockets.connect(ann_url, max_size=None) as a, \
                        websockets.connect(bob_url, max_size=None) as b:
                    ann, bob = Page(a), Page(b)
                    opened = "document.body && document.body.dataset.state === 'open'"
                    self.assertTrue(await ann.wait_for(opened))
                    self.assertTrue(await bob.wait_for(opened))
                    log = "document.getElementById('log').innerText"
                    # Both are in the room once a message of one reached the other (either
                    # may have connected first; across instances, a room's first subscriber
                    # subscribes to Redis asynchronously): ann says hello until bob sees it.
                    deadline = time.monotonic() + 15
                    n = 0
                    while not await bob.evaluate(log + ".includes('ann: hello ')"):
                        if time.monotonic() > deadline:
                            self.fail("the two tabs never met: ann sees %r, bob sees %r" % (
                                await ann.evaluate(log), await bob.evaluate(log)))
                        await ann.evaluate(
                            f"document.getElementById('text').value = 'hello {n}';"
                            "document.getElementById('form').requestSubmit(); true")
                        n += 1
                        await asyncio.sleep(0.2)
                    await bob.evaluate(
                        "document.getElementById('text').value = '<b>hi</b> ann';"
                        "document.getElementById('form').requestSubmit(); true")
                    self.assertTrue(await ann.wait_for(
                        "document.getElementById('log').innerText.includes('bob: <b>hi</b> ann')"))
            asyncio.run(asyncio.wait_for(go(), 60))
        finally:
            browser.close()


if __name__ == "__main__":
    EXAMPLES = sys.argv.pop(1)
    unittest.main(verbosity=2)
