// SPDX-License-Identifier: MIT
// bench peer: websocket echo with Node's ws (npm), one process. Echoes text as text and binary
// as binary at /ws, no compression offered. Usage: node ws_echo_node.js PORT
'use strict';
const {WebSocketServer} = require('ws');

const server = new WebSocketServer(
    {host: '127.0.0.1', port: Number(process.argv[2]), path: '/ws', perMessageDeflate: false,
     maxPayload: 0});
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, {binary: isBinary}));
});
