import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyService } from '../services/keys/keyService.js';
import { SignatureVerifier } from '../services/keys/signature.js';
import { openStore } from '../store/openStore.js';
import { authenticateGilraen, HttpAuth, hostsOf, signedParams, tokenOf } from './auth.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** The documented rule written out independently of signature.ts. */
function sign(host: string, path: string, params: [string, string][], secret: string): string {
  const enc = (s: string): string =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const text = [...params]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([n, v]) => `${enc(n)}=${enc(v)}`)
    .join('&');
  return createHash('sha256')
    .update('GET' + host + path + text + secret)
    .digest('hex');
}

/** A server whose one route answers what the request parsers and the Gilraen check saw. */
async function app(legacyKeys = ''): Promise<{ app: FastifyInstance; keys: KeyService }> {
  const dir = mkdtempSync(join(tmpdir(), 'numinfo-auth-'));
  const store = await openStore('', dir);
  const keys = await KeyService.open(store, { dataDir: dir, masterKey: '', legacyKeys });
  const auth = new HttpAuth(keys, new SignatureVerifier({ windowSeconds: 300 }), { signNative: false });
  const a = Fastify({ logger: false });
  a.all('/gilraen/v1/limits', async (request) => ({
    token: tokenOf(request) ?? null,
    hosts: hostsOf(request),
    params: signedParams(request),
    gilraen: await authenticateGilraen(auth, request, { units: 1, prefix: '/gilraen' }),
  }));
  cleanup.push(async () => {
    await a.close();
    keys.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app: a, keys };
}

describe('request parsing', () => {
  it.each<[string, Record<string, string>, string, string | null]>([
    ['Bearer', { authorization: 'Bearer abc' }, '', 'abc'],
    ['Token, any case', { authorization: 'token abc' }, '', 'abc'],
    ['X-Api-Key', { 'x-api-key': ' abc ' }, '', 'abc'],
    ['key=', {}, '?key=a%2Bb', 'a+b'],
    ['the header before key=', { authorization: 'Bearer h' }, '?key=q', 'h'],
    ['Basic is not a key', { authorization: 'Basic YTpi' }, '', null],
    ['nothing', {}, '?key=', null],
  ])('token from %s', async (_name, headers, query, token) => {
    const { app: a } = await app();
    const r = await a.inject({ url: '/gilraen/v1/limits' + query, headers });
    expect(r.json().token).toBe(token);
  });

  it('hosts with and without the port; params from the query then the object body', async () => {
    const { app: a } = await app();
    const r = await a.inject({
      method: 'POST',
      url: '/gilraen/v1/limits?b=2&a=x+y&a=%D0%AF',
      headers: { host: 'api.example.test:8080' },
      payload: { s: 'str', n: 5, t: true, z: null, o: { k: [1] } },
    });
    expect(r.json().hosts).toStrictEqual(['api.example.test:8080', 'api.example.test']);
    expect(r.json().params).toStrictEqual([
      ['b', '2'],
      ['a', 'x y'],
      ['a', 'Я'],
      ['s', 'str'],
      ['n', '5'],
      ['t', 'true'],
      ['z', ''],
      ['o', '{"k":[1]}'],
    ]);
    const v6 = await a.inject({ url: '/gilraen/v1/limits', headers: { host: '[::1]:8080' } });
    expect(v6.json().hosts).toStrictEqual(['[::1]:8080', '[::1]']);
    const bare = await a.inject({ url: '/gilraen/v1/limits', headers: { host: '[::1]' } });
    expect(bare.json().hosts).toStrictEqual(['[::1]']);
  });
});

describe('authenticateGilraen', () => {
  it('open mode: everything passes as the caller address', async () => {
    const { app: a } = await app();
    const r = await a.inject({ url: '/gilraen/v1/limits' });
    expect(r.json().gilraen).toStrictEqual({
      ok: true,
      principal: {
        keyId: null,
        reporter: 'ip:127.0.0.1',
        owner: '',
        role: 'admin',
        name: 'open mode',
        open: true,
      },
    });
  });

  it('401 for key problems and a used-up limit, 419 for signature problems', async () => {
    const { app: a, keys } = await app();
    const k = await keys.create({ name: 'g', role: 'client', quota: 2, period: 'none' });
    const host = 'api.example.test:8080';
    const now = String(Math.floor(Date.now() / 1000));
    const get = async (
      params: [string, string][],
      sigHost = host,
      sigPath = '/v1/limits',
      secret = k.secret,
    ) => {
      const all: [string, string][] = [...params, ['signature', sign(sigHost, sigPath, params, secret)]];
      const r = await a.inject({
        url: '/gilraen/v1/limits?' + new URLSearchParams(all).toString(),
        headers: { host },
      });
      return r.json().gilraen as { ok: boolean; status?: number; reason?: string };
    };
    const sig = (reason: string) => ({ ok: false, status: 419, reason });
    expect(await get([['timestamp', now]])).toStrictEqual({
      ok: false,
      status: 401,
      reason: 'API key missing: send key=KEY',
    });
    expect(
      await get([
        ['key', 'nope'],
        ['timestamp', now],
      ]),
    ).toStrictEqual({
      ok: false,
      status: 401,
      reason: 'unknown or revoked API key',
    });
    const noSig = await a.inject({
      url: `/gilraen/v1/limits?key=${k.token}&timestamp=${now}`,
      headers: { host },
    });
    expect(noSig.json().gilraen).toStrictEqual(
      sig('the request needs the parameters timestamp (Unix seconds) and signature'),
    );
    expect(
      await get(
        [
          ['key', k.token],
          ['timestamp', now],
        ],
        host,
        '/v1/limits',
        'wrong',
      ),
    ).toStrictEqual(sig('signature does not match the request'));
    expect(
      await get([
        ['key', k.token],
        ['timestamp', '1616541199'],
      ]),
    ).toStrictEqual(sig('timestamp is not Unix seconds within the allowed window of the server clock'));
    // Either host form and either path form; the first spends one of two units.
    expect(
      await get(
        [
          ['key', k.token],
          ['timestamp', now],
        ],
        'api.example.test',
        '/v1/limits',
      ),
    ).toMatchObject({
      ok: true,
      principal: { keyId: k.id },
    });
    expect(
      await get(
        [
          ['key', k.token],
          ['timestamp', now],
        ],
        'api.example.test',
        '/v1/limits',
      ),
    ).toStrictEqual(sig('this signature was already used: sign every request with a fresh timestamp'));
    expect(
      await get(
        [
          ['key', k.token],
          ['timestamp', now],
          ['n', '1'],
        ],
        host,
        '/gilraen/v1/limits',
      ),
    ).toMatchObject({
      ok: true,
    });
    expect(
      await get([
        ['key', k.token],
        ['timestamp', now],
        ['n', '2'],
      ]),
    ).toStrictEqual({
      ok: false,
      status: 401,
      reason: 'limit used up',
    });
  });
});
