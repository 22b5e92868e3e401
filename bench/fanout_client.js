// SPDX-License-Identifier: MIT
// Websocket fan-out load generator for bench/fanout_run (Node's ws, npm): opens N subscriber
// connections to URL/sub, then one publisher to URL/pub. The publisher keeps W messages in
// flight: a message is done when the designated subscriber (the last one whose handshake
// finished) received it, and each done message lets the next one go. Every message is exactly
// SIZE (64) bytes of text, "<10-digit sequence number> " and filler.
//
// After the warm-up, the measured interval: deliveries (messages received by all subscribers
// together, counted as they arrive), the server's CPU time (utime + stime from
// /proc/PID/stat, with --server-pid) and this process's CPU time over it. Then publishing
// stops, the client waits for every subscriber to receive the last published message, and
// checks that each one received every message published in the measured interval, in order,
// once. Prints one line of JSON; exits 1 (with "ok": false and the reason) when the check
// fails or a subscriber was closed, 2 on a setup error (a connection refused, ...).
//
// Usage: node bench/fanout_client.js ws://HOST:PORT [--subscribers N] [--window W]
//   [--seconds S] [--warmup S] [--size BYTES] [--server-pid PID] [--clk-tck HZ]
// Defaults: 1000 subscribers, window 16, 5 s measured after 1 s of warm-up, 64-byte messages,
// CLK_TCK 100.
'use strict';
const fs = require('fs');
const WebSocket = require('ws');

// --- options -------------------------------------------------------------------------------
const opts = {subscribers: 1000, window: 16, seconds: 5, warmup: 1, size: 64, serverPid: 0, clkTck: 100};
const names = {
  '--subscribers': 'subscribers', '--window': 'window', '--seconds': 'seconds',
  '--warmup': 'warmup', '--size': 'size', '--server-pid': 'serverPid', '--clk-tck': 'clkTck',
};
const argv = process.argv.slice(2);
let base = '';
for (let i = 0; i < argv.length; i++) {
  if (names[argv[i]] !== undefined && i + 1 < argv.length) {
    const v = Number(argv[++i]);
    if (!Number.isFinite(v) || v < 0) fail(2, `${argv[i - 1]}: '${argv[i]}' is not a number`);
    opts[names[argv[i - 1]]] = v;
  } else if (!base && argv[i].startsWith('ws://')) {
    base = argv[i].replace(/\/+$/, '');
  } else {
    fail(2, `unknown argument '${argv[i]}'`);
  }
}
if (!base) fail(2, 'usage: node fanout_client.js ws://HOST:PORT [--subscribers N] [--window W] ...');
if (opts.size < 16) fail(2, '--size must be at least 16');
if (opts.subscribers < 1 || opts.window < 1) fail(2, '--subscribers and --window must be >= 1');

function fail(code, why) {
  console.error(`fanout_client: ${why}`);
  process.exit(code);
}

// --- messages ------------------------------------------------------------------------------
const DIGITS = 10;
const filler = ' swoop fan-out benchmark'.repeat(Math.ceil(opts.size / 24)).slice(0, opts.size - DIGITS);
// Message seq: its number in 10 decimal digits, then filler up to exactly opts.size bytes.
function message(seq) {
  return String(seq).padStart(DIGITS, '0') + filler;
}
// The sequence number at the start of a received message (a Buffer).
function sequenceOf(data) {
  let seq = 0;
  for (let i = 0; i < DIGITS; i++) seq = seq * 10 + (data[i] - 48);
  return seq;
}

// --- state ---------------------------------------------------------------------------------
let deliveries = 0;        // messages received by all subscribers together, since the start
let nextSeq = 0;           // the next message the publisher sends
let measureFrom = Infinity; // messages [measureFrom, measureTo) are the measured interval's
let measureTo = Infinity;
let publishing = false;
let stopping = false;      // closes from here on are ours
let designated = null;     // the subscriber whose receipts pace the publisher
let publisher = null;
const subs = [];           // {ws, last, inWindow, gaps, bad, closeCode}

function serverTicks() {
  if (!opts.serverPid) return NaN;
  const stat = fs.readFileSync(`/proc/${opts.serverPid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // f[0] is field 3, state
  return Number(f[11]) + Number(f[12]);                          // utime + stime, in ticks
}

// CPU time all processes spent in user and system mode (not irq / softirq), in ticks.
function machineTicks() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
  return Number(f[1]) + Number(f[2]) + Number(f[3]);  // user, nice, system
}

function onSubMessage(sub, data, isBinary) {
  deliveries++;
  if (isBinary || data.length !== opts.size) {
    sub.bad++;
    return;
  }
  const seq = sequenceOf(data);
  if (sub.last >= 0 && seq !== sub.last + 1) sub.gaps++;  // a lost, repeated or reordered message
  sub.last = seq;
  if (seq >= measureFrom && seq < measureTo) sub.inWindow++;
  if (sub === designated && publishing) publisher.send(message(nextSeq++));
}

// --- connect the subscribers, a few handshakes at a time -----------------------------------
const CONCURRENT_HANDSHAKES = 64;
let created = 0;
let opened = 0;
const connectDeadline = setTimeout(
    () => fail(2, `only ${opened} of ${opts.subscribers} subscribers connected within 60 s`), 60000);

function connectNext() {
  if (created >= opts.subscribers) return;
  const ws = new WebSocket(`${base}/sub`, {perMessageDeflate: false, skipUTF8Validation: true});
  const sub = {ws, last: -1, inWindow: 0, gaps: 0, bad: 0, closeCode: 0};
  created++;
  subs.push(sub);
  ws.on('message', (data, isBinary) => onSubMessage(sub, data, isBinary));
  ws.on('open', () => {
    opened++;
    if (opened === opts.subscribers) {
      designated = sub;  // the last handshake to finish
      clearTimeout(connectDeadline);
      startPublisher();
    } else {
      connectNext();
    }
  });
  ws.on('error', (e) => {
    if (!stopping && sub.closeCode === 0) fail(2, `subscriber ${subs.indexOf(sub)}: ${e.message}`);
  });
  ws.on('close', (code) => {
    if (!stopping) sub.closeCode = code || 1006;
  });
}
for (let i = 0; i < CONCURRENT_HANDSHAKES; i++) connectNext();

// --- publish, warm up, measure, check ------------------------------------------------------
function startPublisher() {
  publisher = new WebSocket(`${base}/pub`, {perMessageDeflate: false});
  publisher.on('error', (e) => fail(2, `publisher: ${e.message}`));
  publisher.on('close', (code) => {
    if (!stopping) fail(2, `the server closed the publisher (${code})`);
  });
  publisher.on('open', () => {
    publishing = true;
    for (let i = 0; i < opts.window; i++) publisher.send(message(nextSeq++));
    setTimeout(measure, opts.warmup * 1000);
  });
}

function measure() {
  const silent = subs.filter((s) => s.last < 0).length;
  if (silent > 0) fail(2, `${silent} subscribers received nothing during the warm-up`);
  const d0 = deliveries;
  const s0 = serverTicks();
  const m0 = machineTicks();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  measureFrom = nextSeq;
  setTimeout(() => {
    const t1 = process.hrtime.bigint();
    const s1 = serverTicks();
    const m1 = machineTicks();
    const c1 = process.cpuUsage(c0);
    const d1 = deliveries;
    measureTo = nextSeq;
    publishing = false;
    drain({secs: Number(t1 - t0) / 1e9, deliveries: d1 - d0, ticks: s1 - s0,
           machineTicks: m1 - m0, clientCpu: (c1.user + c1.system) / 1e6});
  }, opts.seconds * 1000);
}

// Waits until every open subscriber received the last published message, then reports.
function drain(m) {
  const drainStart = process.hrtime.bigint();
  const DRAIN_LIMIT_S = 30;
  const poll = setInterval(() => {
    const waited = Number(process.hrtime.bigint() - drainStart) / 1e9;
    const behind = subs.filter((s) => s.closeCode === 0 && s.last < measureTo - 1).length;
    if (behind > 0 && waited < DRAIN_LIMIT_S) return;
    clearInterval(poll);
    report(m, waited, behind);
  }, 5);
}

function report(m, drainSecs, behind) {
  stopping = true;
  const expected = measureTo - measureFrom;
  let min = Infinity, max = 0, short = 0, gaps = 0, bad = 0;
  const closes = {};
  for (const s of subs) {
    min = Math.min(min, s.inWindow);
    max = Math.max(max, s.inWindow);
    if (s.inWindow !== expected) short++;
    gaps += s.gaps;
    bad += s.bad;
    if (s.closeCode !== 0) closes[s.closeCode] = (closes[s.closeCode] || 0) + 1;
  }
  const problems = [];
  if (short > 0) problems.push(`${short} subscribers did not receive all ${expected} measured messages`);
  if (gaps > 0) problems.push(`${gaps} sequence gaps (lost, repeated or reordered messages)`);
  if (bad > 0) problems.push(`${bad} messages that were binary or not ${opts.size} bytes`);
  if (Object.keys(closes).length > 0) problems.push(`subscribers closed by the server: ${JSON.stringify(closes)}`);
  if (behind > 0) problems.push(`${behind} subscribers still behind after ${drainSecs.toFixed(1)} s`);
  if (expected <= 0) problems.push('nothing was published in the measured interval');
  const serverCpu = m.ticks / opts.clkTck;
  const out = {
    ok: problems.length === 0,
    subscribers: opts.subscribers,
    window: opts.window,
    size: opts.size,
    seconds: round(m.secs, 3),
    published: expected,
    published_per_s: round(expected / m.secs, 1),
    deliveries: m.deliveries,
    deliveries_per_s: round(m.deliveries / m.secs, 1),
    server_cpu_s: opts.serverPid ? round(serverCpu, 3) : null,
    server_cpu_pct: opts.serverPid ? round(serverCpu / m.secs * 100, 1) : null,
    server_us_per_delivery: opts.serverPid ? round(serverCpu / m.deliveries * 1e6, 4) : null,
    deliveries_per_server_cpu_s: opts.serverPid && serverCpu > 0 ? Math.round(m.deliveries / serverCpu) : null,
    client_cpu_pct: round(m.clientCpu / m.secs * 100, 1),
    // CPU that processes other than the server and this client used meanwhile (% of one
    // core): clearly above zero means something else competed for the cores.
    other_cpu_pct: opts.serverPid
        ? round(Math.max(0, m.machineTicks / opts.clkTck - serverCpu - m.clientCpu) / m.secs * 100, 1)
        : null,
    per_subscriber_min: min,
    per_subscriber_max: max,
    gaps,
    drain_s: round(drainSecs, 3),
    problems,
  };
  console.log(JSON.stringify(out));
  if (!out.ok) console.error(`fanout_client: FAILED: ${problems.join('; ')}`);
  for (const s of subs) s.ws.terminate();
  publisher.terminate();
  process.exit(out.ok ? 0 : 1);
}

function round(x, digits) {
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}
