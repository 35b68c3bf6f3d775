// Baseline server: bare node:http answering every request with one constant JSON body, the size
// and shape of a voxlink v1 answer. `node bench/servers/bare.js [--port N]`
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { argValue, serveControl } from './ipc.js';

const BODY = Buffer.from(
  JSON.stringify({
    code: '846',
    num: '2316014',
    full_num: '8462316014',
    operator: 'ООО "СИПАУТНЭТ"',
    old_operator: null,
    region: 'Самарская область',
  }),
);
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': BODY.length };

const server = createServer((_req, res) => {
  res.writeHead(200, HEADERS);
  res.end(BODY);
});
server.keepAliveTimeout = 72_000; // as Fastify's default, so neither side drops idle connections
server.listen(Number(argValue('port', '0')), '127.0.0.1', () => serveControl(server.address().port));
