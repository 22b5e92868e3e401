// SPDX-License-Identifier: MIT
// Websocket echo throughput: C connections, each keeping W messages in flight, for T seconds;
// prints messages/s (echoed messages counted once), then "total MESSAGES SECONDS" from the
// first open to the end, warm-up included (for per-message server CPU). Uses Node's ws (npm).
// Usage: node bench/ws_echo_bench.js URL SIZE [CONNECTIONS] [WINDOW] [SECONDS] [deflate]
"use strict";
const WebSocket = require("ws");

const [url, size, conns = "8", window = "16", seconds = "5", mode = ""] = process.argv.slice(2);
// Text-like payload: compressible, so the deflate run shows what compression costs and saves.
const payload = Buffer.from("swoop websocket echo benchmark ".repeat(Math.ceil(size / 31)).slice(0, Number(size)));
let received = 0;
let running = true;
const started = process.hrtime.bigint();
const sockets = [];
for (let i = 0; i < Number(conns); i++) {
  const ws = new WebSocket(url, { perMessageDeflate: mode === "deflate", maxPayload: 0 });
  ws.on("open", () => {
    for (let j = 0; j < Number(window); j++) ws.send(payload);
  });
  ws.on("message", () => {
    received++;
    if (running) ws.send(payload);
  });
  ws.on("error", (e) => {
    console.error(e.message);
    process.exit(1);
  });
  sockets.push(ws);
}
setTimeout(() => {
  const start = received;
  const t0 = process.hrtime.bigint();
  setTimeout(() => {
    const n = received - start;
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    running = false;
    console.log(`${size} B ${mode || "plain"}: ${Math.round(n / secs)} messages/s over ${conns} connections`);
    console.log(`total ${received} ${Number(process.hrtime.bigint() - started) / 1e9}`);
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }, Number(seconds) * 1000);
}, 1000);  // one second of warm-up
