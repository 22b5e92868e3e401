// SPDX-License-Identifier: MIT
// The websocket server driven by Node's `ws` client (an independent implementation), against
// tests/integration/ws_test_server. Each check is a small async function; all run in order.
"use strict";
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const WebSocket = require("ws");

function startServer(binary) {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, ["1"], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    proc.stderr.on("data", (chunk) => {
      log += chunk;
      const m = /listening on http:\/\/[^ ]*:(\d+)/.exec(log);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.on("exit", () => reject(new Error("server exited:\n" + log)));
  });
}

function open(url, options = {}, protocols = undefined) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    const messages = [];
    const waiters = [];
    ws.on("message", (data, isBinary) => {
      const m = { data, isBinary };
      if (waiters.length) waiters.shift()(m);
      else messages.push(m);
    });
    ws.next = () =>
      new Promise((res) => (messages.length ? res(messages.shift()) : waiters.push(res)));
    ws.closed = new Promise((res) => ws.on("close", (code, reason) => res({ code, reason: String(reason) })));
    ws.on("open", () => resolve(ws));
    ws.on("unexpected-response", (req, res) => reject(Object.assign(new Error("status"), { status: res.statusCode })));
    ws.on("error", reject);
  });
}

async function main() {
  const { proc, port } = await startServer(process.argv[2]);
  const base = `ws://127.0.0.1:${port}`;
  const checks = {
    async echo_text_and_binary() {
      const ws = await open(base + "/echo", { perMessageDeflate: false });
      for (const n of [0, 1, 125, 126, 65535, 65536, 1 << 20]) {
        const text = "ü".repeat(n >> 1);
        ws.send(text);
        const m = await ws.next();
        assert.equal(m.isBinary, false);
        assert.equal(m.data.toString(), text);
        const bin = Buffer.alloc(n, 7);
        ws.send(bin);
        const b = await ws.next();
        assert.equal(b.isBinary, true);
        assert.ok(b.data.equals(bin));
      }
      ws.close(1000);
      assert.equal((await ws.closed).code, 1000);
    },
    async fragments() {
      const ws = await open(base + "/echo", { perMessageDeflate: false });
      ws.send("frag", { fin: false });
      ws.send("ment", { fin: false });
      ws.send("ed", { fin: true });
      assert.equal((await ws.next()).data.toString(), "fragmented");
      ws.close();
      await ws.closed;
    },
    async ping_pong() {
      const ws = await open(base + "/echo");
      const pong = new Promise((res) => ws.on("pong", res));
      ws.ping("hello");
      assert.equal(String(await pong), "hello");
      ws.close();
      await ws.closed;
    },
    async server_pings_are_answered() {
      const ws = await open(base + "/pings");
      const ping = new Promise((res) => ws.on("ping", res));
      await ping;
      await new Promise((res) => setTimeout(res, 1500));  // beyond the idle timeout
      ws.send("alive");
      assert.equal((await ws.next()).data.toString(), "alive");
      ws.close();
      await ws.closed;
    },
    async subprotocol_and_origin() {
      const ws = await open(base + "/protos", { origin: "http://good.example" }, ["chat.v1", "chat.v2"]);
      assert.equal(ws.protocol, "chat.v2");
      assert.equal((await ws.next()).data.toString(), "chat.v2");
      ws.close();
      await ws.closed;
      await assert.rejects(open(base + "/protos", { origin: "http://evil.example" }), (e) => e.status === 403);
      await assert.rejects(open(base + "/echo", { headers: { "X-Deny": "1" } }), (e) => e.status === 401);
    },
    async server_close_code_and_request_data() {
      const ws = await open(base + "/close/4123?q=node", { headers: { "X-Test": "h" } });
      assert.equal((await ws.next()).data.toString(), "4123|node|h");
      const c = await ws.closed;
      assert.equal(c.code, 4123);
      assert.equal(c.reason, "closing");
    },
    async client_close_code_is_echoed() {
      const ws = await open(base + "/echo");
      ws.close(4444, "bye");
      assert.equal((await ws.closed).code, 4444);
    },
    async too_big_closes_with_1009() {
      const ws = await open(base + "/small", { perMessageDeflate: false });
      ws.send("x".repeat(1001));
      assert.equal((await ws.closed).code, 1009);
    },
    async compression_both_ways() {
      const ws = await open(base + "/deflate", { perMessageDeflate: true });
      assert.match(ws.extensions, /permessage-deflate/);
      for (let i = 0; i < 10; i++) {
        const text = `n${i} ` + "deflate me ".repeat(i * 300);
        ws.send(text);
        assert.equal((await ws.next()).data.toString(), text);
      }
      ws.close();
      await ws.closed;
    },
    async compression_no_context_takeover() {
      const ws = await open(base + "/deflate_nct", { perMessageDeflate: true });
      // ws keeps the parameters the server answered with on its extension object.
      const params = ws._extensions["permessage-deflate"].params;
      assert.equal(params.server_no_context_takeover, true);
      assert.equal(params.client_no_context_takeover, true);
      for (let i = 0; i < 5; i++) {
        const bin = Buffer.alloc(5000 * i, i);
        ws.send(bin);
        assert.ok((await ws.next()).data.equals(bin));
      }
      ws.close();
      await ws.closed;
    },
    async decompression_bomb_closes_with_1009() {
      const ws = await open(base + "/deflate", { perMessageDeflate: true, maxPayload: 0 });
      ws.send(Buffer.alloc(64 * 1024 * 1024));
      assert.equal((await ws.closed).code, 1009);
    },
  };
  let failed = 0;
  for (const [name, fn] of Object.entries(checks)) {
    try {
      await fn();
      console.log(`ok   ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.stack || e}`);
    }
  }
  // The server's own exit status counts too: a sanitizer report at shutdown is a failure.
  proc.removeAllListeners("exit");
  const status = await new Promise((resolve) => {
    proc.on("exit", (code, signal) => resolve(signal ? `signal ${signal}` : code));
    proc.kill("SIGTERM");
  });
  if (status !== 0) {
    failed++;
    console.log(`FAIL server exit status ${status}`);
  } else {
    console.log("ok   server exited with 0");
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
