import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { NumberService } from '../src/services/numberService.js';
import { sleep } from './helpers/proc.js';

let app: FastifyInstance;
let base: string;
let port: number;

beforeAll(async () => {
  app = buildServer({
    service: new NumberService(),
    config: { batchLimit: 100, logLevel: 'silent', rateLimit: 3 },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await app.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(base + path, { headers });

describe('rateLimit: requests per second per client', () => {
  it('the 4th request in a second is 429 RATE_LIMITED with Retry-After; another key has its own count', async () => {
    await sleep(1100); // a fresh window
    const lookup = '/v1/lookup?number=%2B442079460958';
    for (let i = 0; i < 3; i++) expect((await get(lookup)).status).toBe(200);
    const r = await get(lookup);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toMatch(/^[01]$/);
    expect(r.headers.get('x-ratelimit-limit')).toBe('3');
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('RATE_LIMITED');
    expect(body.error.message).toMatch(/^more than 3 requests per second from this client; retry in /);
    // A request with an API key is counted under that key, not under the address.
    for (let i = 0; i < 3; i++) expect((await get(lookup, { authorization: 'Bearer K1' })).status).toBe(200);
    expect((await get(lookup, { authorization: 'Bearer K1' })).status).toBe(429);
    // Each dialect answers in its own envelope.
    const vox = await get('/get/?num=74951234567');
    expect(vox.status).toBe(429);
    expect(await vox.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('never limits /healthz', async () => {
    for (let i = 0; i < 10; i++) expect((await get('/healthz')).status).toBe(200);
  });

  it('the next second starts a new count', async () => {
    await sleep(1100);
    expect((await get('/v1/lookup?number=%2B442079460958')).status).toBe(200);
  });
});

describe('maxConnections', () => {
  it('closes connections past the limit without an answer; the open ones keep working', async () => {
    // A server of its own, so no connection left open by the tests above counts.
    const capped = buildServer({
      service: new NumberService(),
      config: { batchLimit: 100, logLevel: 'silent', maxConnections: 4 },
    });
    await capped.listen({ port: 0, host: '127.0.0.1' });
    const port = (capped.server.address() as AddressInfo).port;
    const sockets = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const s = connect(port, '127.0.0.1', () => resolve(s));
          }),
      ),
    );
    await sleep(100);
    const extra = connect(port, '127.0.0.1');
    const outcome = await new Promise<string>((resolve) => {
      let data = '';
      extra.on('data', (d) => (data += d.toString()));
      extra.on('close', () => resolve(data === '' ? 'closed' : data));
      extra.on('connect', () => extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    });
    expect(outcome).toBe('closed');
    const first = sockets[0]!;
    const answer = await new Promise<string>((resolve) => {
      first.once('data', (d) => resolve(d.toString().split('\r\n')[0]!));
      first.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(answer).toBe('HTTP/1.1 200 OK');
    for (const s of sockets) s.destroy();
    await capped.close();
  });
});
