# SPDX-License-Identifier: MIT
# bench peer: Python aiohttp, one process, one event loop (uvloop when installed).
# Same endpoints as bench/bench_app.cpp. Usage: python3 aiohttp_server.py PORT
import asyncio
import json
import sys

from aiohttp import web

try:
    import uvloop
except ImportError:  # plain asyncio
    uvloop = None

ROUTES = 200
MIDDLEWARE = 5


async def plaintext(request):
    return web.Response(text="Hello, World!", content_type="text/plain")


async def json_handler(request):
    body = json.dumps({"message": "Hello, World!"}, separators=(",", ":"))
    return web.Response(text=body, content_type="application/json")


async def four_params(request):
    m = request.match_info
    return web.Response(text="%d %d %d %s" % (int(m["user"]), int(m["post"]),
                                              int(m["comment"]), m["like"]),
                        content_type="text/plain")


async def json_post(request):
    body = json.loads(await request.read())
    items = body["items"]
    total = sum(int(item["id"]) for item in items)
    answer = json.dumps({"count": len(items), "total": total}, separators=(",", ":"))
    return web.Response(text=answer, content_type="application/json")


async def filler(request):
    return web.Response(text="filler", content_type="text/plain")


def counting_middleware():
    @web.middleware
    async def middleware(request, handler):
        request["chain"] = request.get("chain", 0) + 1
        return await handler(request)
    return middleware


async def mw_plaintext(request):
    return web.Response(text="Hello, World!", content_type="text/plain",
                        headers={"X-Middleware": str(request["chain"])})


def filler_patterns(count):
    # The same shapes as bench_app.cpp's add_filler_routes.
    for i in range(count):
        if i % 2 == 0:
            yield "/static/page%d" % i
        else:
            yield ["/api/res%d/{id:\\d+}",
                   "/api/res%d/{id:\\d+}/sub/{sub:\\d+}",
                   "/api/res%d/{a:\\d+}/x/{b:\\d+}/y/{c}",
                   "/api/res%d/{a:\\d+}/x/{b:\\d+}/y/{c:\\d+}/z/{d}"][i // 2 % 4] % i


def make_app():
    app = web.Application()
    app.router.add_get("/plaintext", plaintext)
    app.router.add_get("/json", json_handler)
    app.router.add_post("/json-post", json_post)
    mw = web.Application(middlewares=[counting_middleware() for _ in range(MIDDLEWARE)])
    mw.router.add_get("/plaintext", mw_plaintext)
    app.add_subapp("/mw", mw)
    # The fillers go before the 4-parameter route: aiohttp tries routes in order.
    for pattern in filler_patterns(ROUTES - 5):
        app.router.add_get(pattern, filler)
    app.router.add_get(
        "/api/users/{user:\\d+}/posts/{post:\\d+}/comments/{comment:\\d+}/likes/{like}",
        four_params)
    return app


if __name__ == "__main__":
    if uvloop is not None:
        uvloop.install()
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), access_log=None,
                print=None, backlog=1024)
