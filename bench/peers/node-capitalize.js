// A peer for bench/compare: the TCP capitalize server on Node.js's `net` module.
// Usage: node node-capitalize.js [--port PORT]   (loopback only; 0 picks a free port)
// Each chunk is decoded, upper-cased with toUpperCase() and sent back. Not streaming-safe: a
// UTF-8 character split across two reads is mangled (the benchmark sends ASCII only).
'use strict';
const net = require('net');

const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 12000;

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (chunk) => socket.write(chunk.toString('utf8').toUpperCase()));
  socket.on('end', () => socket.end());
  socket.on('error', () => socket.destroy());
});
server.listen(port, '127.0.0.1', () => {
  console.log(`ready tcp 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
