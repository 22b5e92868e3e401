# SPDX-License-Identifier: MIT
"""The docs page of App::openapi in a real browser: openapi_server serves Swagger UI from npm's
swagger-ui-dist (installed into the build tree, no CDN), headless Chromium renders it, driven
through the DevTools protocol: every operation of /openapi.json is listed once under its tag,
and "try it out" on GET /items/{id} shows the server's real 200 and 404. The page may fetch
nothing but 127.0.0.1, and may log no errors.
Usage: openapi_browser_test.py OPENAPI_SERVER WORK_DIR. Exits 77 (skipped) only when node, npm
or chromium is absent."""
import asyncio
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import unittest
import urllib.parse

import websockets

from browser import Browser, Page, find_chromium
from serverproc import ServerProcess

SERVER = None
WORK = None
RENDER_TIMEOUT = 60  # Swagger UI's first render: 1.8 MB of JavaScript from a sanitized server
STEP_TIMEOUT = 30  # one click's effect, a request and its rendered answer included
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
UNKNOWN_ID = 987654321

# Helpers installed in the page: find operations, type like a user, read the live response.
HELPERS = r"""
window.swoopTest = {
  operations() {
    return [...document.querySelectorAll('.opblock-tag-section')].flatMap(section => {
      const tag = section.querySelector('.opblock-tag').dataset.tag;
      return [...section.querySelectorAll('.opblock')].map(o => [
        tag, o.querySelector('.opblock-summary-method').innerText.trim(),
        o.querySelector('.opblock-summary [data-path]').dataset.path,
        o.classList.contains('opblock-deprecated')]);
    });
  },
  op(method, path) {
    return [...document.querySelectorAll('.opblock')].find(o =>
      o.querySelector('.opblock-summary-method').innerText.trim() === method &&
      o.querySelector('.opblock-summary [data-path]').dataset.path === path);
  },
  click(op, selector) {
    const button = op.querySelector(selector);
    if (!button) throw new Error('no ' + selector);
    button.click();
    return true;
  },
  // React keeps its own copy of an input's value: set it with the native setter, announce it
  // with a bubbling 'input' event, and press Enter, which makes Swagger UI's debounced input
  // pass the value on at once.
  type(input, text) {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, text);
    input.dispatchEvent(new Event('input', {bubbles: true}));
    input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
    return true;
  },
  live(op) {
    const row = op.querySelector('.live-responses-table tbody tr.response');
    const url = op.querySelector('.request-url pre');
    if (!row || !url) return null;
    const body = row.querySelector('.highlight-code pre');
    return {status: row.querySelector('.response-col_status').innerText.trim(),
            body: body ? body.innerText : null, url: url.innerText.trim()};
  },
};
true
"""


def request(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.getheader("Content-Type"), data


def install_swagger_ui(work):
    """npm's swagger-ui-dist@5 in WORK_DIR/node_modules (installed once); its directory."""
    package = os.path.join(work, "node_modules", "swagger-ui-dist")
    if not os.path.exists(os.path.join(package, "swagger-ui-bundle.js")) or \
            not os.path.exists(os.path.join(package, "package.json")):
        os.makedirs(work, exist_ok=True)
        manifest = os.path.join(work, "package.json")  # keeps npm from looking further up
        if not os.path.exists(manifest):
            with open(manifest, "w") as f:
                f.write('{"private": true}\n')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent",
                        "swagger-ui-dist@5"], cwd=work, check=True, timeout=240,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return package


def expected_operations(document):
    """(tag, METHOD, path, deprecated) for each operation, as Swagger UI lists them."""
    out = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                for tag in op.get("tags") or ["default"]:
                    out.append([tag, method.upper(), path, bool(op.get("deprecated"))])
    return sorted(out)


class SwaggerUiTest(unittest.TestCase):
    def test_the_docs_page_lists_the_api_and_tries_it_out(self):
        package = install_swagger_ui(WORK)
        started = time.monotonic()
        server = ServerProcess(None, argv=[SERVER, package])
        # Any host but 127.0.0.1 is unknown to the browser: a CDN request fails fast (and is
        # still seen as Network.requestWillBeSent, which the test checks).
        browser = Browser(["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                           "--disable-background-networking"])
        try:
            self.check_served_files(server.port, package)
            status, _, data = request(server.port, "GET", "/openapi.json")
            self.assertEqual(status, 200)
            document = json.loads(data)
            status, _, data = request(server.port, "POST", "/items", json.dumps(
                {"slug": "browser-test-lamp", "price": 12.5, "tags": [{"name": "desk"}]}))
            self.assertEqual(status, 201, data)
            item = json.loads(data)
            asyncio.run(asyncio.wait_for(
                self.drive(browser.new_page("about:blank"), server.port, document, item), 240))
        finally:
            browser.close()
            try:
                server.stop_checked()
            finally:
                server.proc.stdout.close()
                server.proc.stderr.close()
        print(f"\nopenapi_browser: {time.monotonic() - started:.1f}s with server and browser",
              file=sys.stderr)

    def check_served_files(self, port, package):
        status, content_type, page = request(port, "GET", "/docs")
        self.assertEqual(status, 200)
        self.assertTrue(content_type.startswith("text/html"), content_type)
        page = page.decode()
        self.assertIn('src="/docs/assets/swagger-ui-bundle.js"', page)
        self.assertIn('href="/docs/assets/swagger-ui.css"', page)
        self.assertNotIn("cdn.", page)
        for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
            status, _, served = request(port, "GET", "/docs/assets/" + name)
            self.assertEqual(status, 200, name)
            with open(os.path.join(package, name), "rb") as f:
                self.assertTrue(served == f.read(), f"/docs/assets/{name} differs from npm's")

    async def drive(self, ws_url, port, document, item):
        async with websockets.connect(ws_url, max_size=None) as ws:
            page = Page(ws)
            for domain in ("Runtime", "Log", "Network"):
                await page.send(domain + ".enable")
            origin = f"http://127.0.0.1:{port}"
            await page.send("Page.navigate", {"url": origin + "/docs"})
            await self.wait(page, "document.querySelectorAll('.opblock').length >= %d"
                            % len(expected_operations(document)), "Swagger UI rendered",
                            RENDER_TIMEOUT)
            await page.evaluate(HELPERS, check=True)
            await self.check_rendered(page, document)
            # Opening an operation makes Swagger UI resolve its schemas ($refs, the recursive
            # Node, the Payment variant): a broken one would show in .errors-wrapper.
            await page.evaluate("document.querySelectorAll('.opblock:not(.is-open) "
                                ".opblock-summary-control').forEach(b => b.click()); true")
            await self.wait(page, "[...document.querySelectorAll('.opblock')].every(o => "
                                  "o.querySelector('.opblock-body .responses-table'))",
                            "every operation opened")
            await self.try_out(page, item["id"], 200, item)
            await self.try_out(page, UNKNOWN_ID, 404, None)
            await self.check_events(page, port)
            # Deliberately last: nothing above made Swagger UI show errors about the document.
            self.assertIsNone(await page.evaluate(
                "(document.querySelector('.errors-wrapper') || {}).innerText"))

    async def wait(self, page, expression, what, timeout=STEP_TIMEOUT):
        if not await page.wait_for(f"!!({expression})", timeout):
            shown = await page.evaluate("document.body.innerText.slice(0, 3000)")
            self.fail(f"no {what} within {timeout}s; the page shows:\n{shown}")

    async def check_rendered(self, page, document):
        info = document["info"]
        self.assertEqual((info["title"], info["version"]), ("Shop", "1.4.0"))
        self.assertEqual(await page.evaluate("document.title"), "Shop")
        title = await page.evaluate("document.querySelector('.info .title').innerText")
        self.assertTrue(title.startswith("Shop"), title)
        self.assertEqual(await page.evaluate(
            "document.querySelector('.info .title .version').innerText.trim()"), "1.4.0")
        expected = expected_operations(document)
        self.assertEqual(sorted(await page.evaluate("swoopTest.operations()")), expected)
        tags = await page.evaluate(
            "[...document.querySelectorAll('.opblock-tag')].map(t => t.dataset.tag)")
        self.assertEqual(sorted(tags), sorted({op[0] for op in expected}))
        for tag in ("items", "payments", "parameters", "admin", "health"):
            self.assertIn(tag, tags)
        self.assertIn(["admin", "GET", "/v2/admin/stats", True], expected)

    async def try_out(self, page, item_id, status, item):
        """GET /items/{id} through Swagger UI's "try it out": the rendered answer must be the
        server's (status, and for 200 the item itself; for 404 swoop's error text)."""
        op = "swoopTest.op('GET', '/items/{id}')"
        await self.wait(page, op, "GET /items/{id} operation")
        if not await page.evaluate(f"{op}.classList.contains('is-open')"):
            await page.evaluate(f"swoopTest.click({op}, '.opblock-summary-control')", check=True)
        await self.wait(page, f"{op}.querySelector('.try-out__btn')", "Try it out button")
        if await page.evaluate(f"!!{op}.querySelector('.try-out__btn:not(.cancel)')"):
            await page.evaluate(f"swoopTest.click({op}, '.try-out__btn')", check=True)
        await self.wait(page, f"{op}.querySelector('button.execute')", "Execute button")
        if await page.evaluate(f"!!{op}.querySelector('.btn-clear')"):  # the previous answer
            await page.evaluate(f"swoopTest.click({op}, '.btn-clear')", check=True)
            await self.wait(page, f"!swoopTest.live({op})", "cleared response")
        field = f"{op}.querySelector('tr[data-param-name=\"id\"][data-param-in=\"path\"] input')"
        await self.wait(page, field, "input for the id")
        await page.evaluate(f"swoopTest.type({field}, '{item_id}')", check=True)
        # Swagger UI has the value (not just the DOM) before Execute is clicked.
        await self.wait(page, "ui.specSelectors.parameterValues(['/items/{id}', 'get'])"
                              f".get('path.id') === '{item_id}'", "typed id in Swagger UI")
        await page.evaluate(f"swoopTest.click({op}, 'button.execute')", check=True)
        url = f"/items/{item_id}"
        await self.wait(page, f"swoopTest.live({op}) && swoopTest.live({op}).url.endsWith("
                              f"'{url}') && swoopTest.live({op}).body !== null",
                        f"rendered response to GET {url}")
        live = await page.evaluate(f"swoopTest.live({op})")
        self.assertEqual(live["status"], str(status), live)
        if item is not None:
            self.assertEqual(json.loads(live["body"]), item)
        else:  # swoop's text answer: Swagger UI asks for */*, and the 404 documents no body
            self.assertEqual(live["body"].strip(), f"no item {item_id}", live)

    async def check_events(self, page, port):
        await page.evaluate("true")  # collects the events that arrived since the last call
        origin = f"http://127.0.0.1:{port}"
        # The page's only 404: the unknown item (the favicon comes from the assets).
        expected_404 = {f"{origin}/items/{UNKNOWN_ID}"}
        requested, failed, errors, warnings = [], [], [], []
        for event in page.events:
            method, params = event["method"], event["params"]
            if method == "Network.requestWillBeSent":
                requested.append(params["request"]["url"])
            elif method == "Network.loadingFailed":
                failed.append(params)
            elif method == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"])
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert",
                                                                             "warning"):
                text = " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
                (warnings if params["type"] == "warning" else errors).append(text)
            elif method == "Log.entryAdded":
                entry = params["entry"]
                if entry["level"] == "error" and not (
                        entry["source"] == "network" and entry.get("url") in expected_404):
                    errors.append(entry)
                elif entry["level"] == "warning":
                    warnings.append(entry)
        resources = await page.evaluate(
            "performance.getEntriesByType('resource').map(e => e.name)")
        for url in requested + resources:
            parsed = urllib.parse.urlsplit(url)
            if parsed.scheme != "data":
                self.assertEqual((parsed.scheme, parsed.netloc), ("http", f"127.0.0.1:{port}"),
                                 f"the page fetched {url}")
        for name in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css",
                     "/openapi.json"):
            self.assertIn(origin + name, requested)
        self.assertEqual(failed, [])
        self.assertEqual(errors, [], "errors in the page's console")
        for warning in warnings:
            print("console warning:", warning, file=sys.stderr)


if __name__ == "__main__":
    SERVER, WORK = sys.argv.pop(1), sys.argv.pop(1)
    missing = [name for name in ("node", "npm") if shutil.which(name) is None]
    if find_chromium() is None:
        missing.append("chromium")
    if missing:
        print(" and ".join(missing), "missing (scripts/setup installs them): skipped")
        sys.exit(77)
    unittest.main(verbosity=2)
