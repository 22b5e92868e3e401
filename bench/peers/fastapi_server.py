# SPDX-License-Identifier: MIT
# bench peer: FastAPI on uvicorn, one process (one worker), uvloop and httptools when installed.
# Same endpoints as bench/bench_app.cpp. Usage: python3 fastapi_server.py PORT
import json
import sys

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

ROUTES = 200
MIDDLEWARE = 5

# No /docs, /redoc or /openapi.json routes: the app holds exactly the benchmark's 200 routes.
app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/plaintext")
async def plaintext():
    return PlainTextResponse("Hello, World!")


@app.get("/json")
async def json_handler():
    # Serialized per request by FastAPI's JSONResponse (json.dumps).
    return {"message": "Hello, World!"}


@app.post("/json-post")
async def json_post(request: Request):
    body = json.loads(await request.body())
    items = body["items"]
    total = sum(int(item["id"]) for item in items)
    answer = json.dumps({"count": len(items), "total": total}, separators=(",", ":"))
    return Response(answer, media_type="application/json")


# The middleware chain lives on a mounted sub-application so that it wraps /mw/ only.
mw = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


def add_counting_middleware(target):
    @target.middleware("http")
    async def middleware(request: Request, call_next):
        request.state.chain = getattr(request.state, "chain", 0) + 1
        return await call_next(request)


for _ in range(MIDDLEWARE):
    add_counting_middleware(mw)


@mw.get("/plaintext")
async def mw_plaintext(request: Request):
    return PlainTextResponse("Hello, World!", headers={"X-Middleware": str(request.state.chain)})


app.mount("/mw", mw)


def add_fillers(count):
    # The same shapes as bench_app.cpp's add_filler_routes.
    async def filler():
        return PlainTextResponse("filler")

    for i in range(count):
        if i % 2 == 0:
            pattern = "/static/page%d" % i
        else:
            pattern = ["/api/res%d/{id}", "/api/res%d/{id}/sub/{sub}",
                       "/api/res%d/{a}/x/{b}/y/{c}",
                       "/api/res%d/{a}/x/{b}/y/{c}/z/{d}"][i // 2 % 4] % i
        app.add_api_route(pattern, filler, methods=["GET"])


# The fillers go before the 4-parameter route: Starlette tries routes in order.
add_fillers(ROUTES - 5)


@app.get("/api/users/{user}/posts/{post}/comments/{comment}/likes/{like}")
async def four_params(user: int, post: int, comment: int, like: str):
    return PlainTextResponse("%d %d %d %s" % (user, post, comment, like))


if __name__ == "__main__":
    # A long keep-alive timeout (uvicorn's default is 5 s) so that bench/run's idle workload
    # can count its connections; aiohttp's default is 75 s.
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), workers=1, access_log=False,
                log_level="warning", backlog=1024, timeout_keep_alive=300)
