// SPDX-License-Identifier: MIT
// bench peer: Node's http module, one process (no cluster).
// Endpoints: /plaintext, /json, POST /json-post as bench/bench_app.cpp (node:http has no router
// or middleware of its own). Usage: node node_server.js PORT
'use strict';
const http = require('http');

const server = http.createServer((req, res) => {
  if (req.url === '/plaintext') {
    res.writeHead(200, {'Content-Type': 'text/plain', 'Content-Length': 13});
    res.end('Hello, World!');
  } else if (req.url === '/json') {
    const body = JSON.stringify({message: 'Hello, World!'});
    res.writeHead(200,
                  {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)});
    res.end(body);
  } else if (req.url === '/json-post' && req.method === 'POST') {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let answer;
      try {
        const items = JSON.parse(Buffer.concat(chunks).toString('utf8')).items;
        let total = 0;
        for (const item of items) total += item.id;
        answer = JSON.stringify({count: items.length, total: total});
      } catch (e) {
        res.writeHead(400, {'Content-Type': 'text/plain'});
        res.end('bad json');
        return;
      }
      res.writeHead(
          200, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(answer)});
      res.end(answer);
    });
  } else {
    res.writeHead(404, {'Content-Type': 'text/plain'});
    res.end('not found');
  }
});
server.keepAliveTimeout = 65000;
server.listen(Number(process.argv[2]), '127.0.0.1', 1024);
