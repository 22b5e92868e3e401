// SPDX-License-Identifier: MIT
// bench peer: websocket fan-out with Node's ws (npm), one process, for bench/fanout_run.
// /sub: a subscriber (kept in a Set until it closes; what it sends is ignored); /pub: every
// message received is sent to each open subscriber, text as text, the ws README's broadcast
// loop. No compression offered. Usage: node fanout_node.js PORT
'use strict';
const {WebSocket, WebSocketServer} = require('ws');

const subscribers = new Set();
const server = new WebSocketServer(
    {host: '127.0.0.1', port: Number(process.argv[2]), perMessageDeflate: false, backlog: 1024});
server.on('connection', (ws, req) => {
  if (req.url === '/sub') {
    subscribers.add(ws);
    ws.on('close', () => subscribers.delete(ws));
  } else if (req.url === '/pub') {
    ws.on('message', (data, isBinary) => {
      for (const sub of subscribers) {
        if (sub.readyState === WebSocket.OPEN) sub.send(data, {binary: isBinary});
      }
    });
  } else {
    ws.close(1008, 'unknown path');
  }
});
server.on('listening', () => console.log(`listening on ws://127.0.0.1:${process.argv[2]}`));
