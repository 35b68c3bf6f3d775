/**
 * API keys end to end: `numinfo keys` as a child process over a SQLite store in a temp data
 * directory, then the printed tokens and secrets against a real listening server (the keys admin
 * routes, DaData, ahunter and /v1/mnp) built over the same store and data directory.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { updateRegistry } from '../src/data/registryUpdate.js';
import { readSnapshotFile } from '../src/data/snapshot.js';
import { ahunterPlugin } from '../src/http/ahunter/plugin.js';
import { HttpAuth } from '../src/http/auth.js';
import { dadataPlugin } from '../src/http/dadata/plugin.js';
import { mapError } from '../src/http/errorMapping.js';
import { keysPlugin } from '../src/http/native/keys.js';
import { mnpPlugin } from '../src/http/native/mnp.js';
import { KeyService } from '../src/services/keys/keyService.js';
import { SignatureVerifier } from '../src/services/keys/signature.js';
import { MnpManager } from '../src/services/mnpManager.js';
import { NumberService } from '../src/services/numberService.js';
import { openStore } from '../src/store/openStore.js';
import type { Store } from '../src/store/types.js';
import { spawn } from 'node:child_process';
import {
  assertBuilt,
  CLI,
  cleanEnv,
  freePort,
  removeTempDirs,
  ROOT,
  runCli,
  stopChild,
  tempDir,
  waitFor,
} from './helpers/proc.js';
import { writeRegistryDir } from './helpers/registryData.js';

interface Created {
  id: string;
  token: string;
  secret: string;
  key: Record<string, unknown>;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let dataDir: string;
let service: NumberService;
let admin: Created;
let client: Created;
let limited: Created;

/** The documented signature rule, written out again here rather than taken from the code. */
function sign(
  method: string,
  host: string,
  path: string,
  params: [string, string][],
  secret: string,
): string {
  const enc = (s: string): string =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const sorted = params
    .filter(([n]) => n !== 'signature')
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const text = method + host + path + sorted.map(([n, v]) => `${enc(n)}=${enc(v)}`).join('&') + secret;
  return createHash('sha256').update(text).digest('hex');
}

async function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(['keys', ...args, '--data-dir', dataDir], { env });
}

interface Server {
  app: FastifyInstance;
  base: string;
  host: string;
  keys: KeyService;
  store: Store;
}

/** The routes under test on a real listening server, over the store the CLI wrote. */
async function serve(opts: { signNative?: boolean; apiKeys?: string; dir?: string } = {}): Promise<Server> {
  const dir = opts.dir ?? dataDir;
  const store = await openStore('', dir);
  const keys = await KeyService.open(store, { dataDir: dir, masterKey: '', legacyKeys: opts.apiKeys ?? '' });
  const auth = new HttpAuth(keys, new SignatureVerifier({ windowSeconds: 300 }), {
    signNative: opts.signNative ?? false,
  });
  const app = Fastify({ logger: false });
  // The native envelope, as src/http/server.ts sets it.
  app.setErrorHandler((error, _request, reply) => {
    const m = mapError(error);
    void reply.status(m.status).send({ error: { code: m.code, message: m.message } });
  });
  const mnp = new MnpManager(service, dir);
  mnp.load();
  await app.register(keysPlugin, { auth });
  await app.register(mnpPlugin, { service, manager: mnp, auth });
  await app.register(dadataPlugin, { service, auth });
  await app.register(ahunterPlugin, { service, auth });
  app.addHook('onClose', async () => {
    mnp.close();
    keys.close();
    await store.close();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return { app, base: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, keys, store };
}

async function call(
  s: Server,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; json: unknown; text: string }> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const r = await fetch(s.base + path, { method, headers, body });
  const text = await r.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: r.status, json, text };
}

const bearer = (k: Created): Record<string, string> => ({ authorization: `Bearer ${k.token}` });

beforeAll(async () => {
  assertBuilt();
  dataDir = tempDir('keys-data');
  const result = await updateRegistry({
    source: writeRegistryDir(tempDir('keys-src')),
    dataDir: tempDir('keys-reg'),
  });
  service = new NumberService(new RegistryIndex(readSnapshotFile(result.path)));
  const make = async (args: string[]): Promise<Created> => {
    const r = await cli(['create', ...args, '--json']);
    if (r.code !== 0) throw new Error(`keys create failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as Created;
  };
  admin = await make(['--name', 'ops', '--role', 'admin']);
  client = await make(['--name', 'pbx-1']);
  limited = await make(['--name', 'trial', '--quota', '2', '--period', 'day']);
}, 120_000);

afterAll(() => removeTempDirs());

describe('numinfo keys (CLI)', () => {
  it('create --json prints id, token, secret and the key once, and warns to save them', async () => {
    expect(admin.id).toMatch(/^[0-9a-f]{12}$/);
    expect(admin.token).toMatch(new RegExp(`^ni_${admin.id}_[0-9A-Za-z]{32}$`));
    expect(admin.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(admin.key).toStrictEqual({
      id: admin.id,
      name: 'ops',
      role: 'admin',
      created_at: expect.stringMatching(ISO),
      revoked_at: null,
      quota: null,
      period: 'none',
      used: 0,
      period_start: admin.key.created_at,
    });
    expect(limited.key).toMatchObject({ role: 'client', quota: 2, period: 'day', used: 0 });
    expect(existsSync(join(dataDir, 'master.key'))).toBe(true);
  });

  it('create without --json: one field a line, the warning on stderr', async () => {
    const dir = tempDir('keys-text');
    const r = await runCli([
      'keys',
      'create',
      '--name',
      'Asterisk (office)',
      '--quota',
      '1000',
      '--period',
      'month',
      '--data-dir',
      dir,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^id: {5}([0-9a-f]{12})\nname: {3}Asterisk \(office\)\nrole: {3}client\nquota: {2}1000 per month\ntoken: {2}ni_\1_[0-9A-Za-z]{32}\nsecret: [A-Za-z0-9_-]{43}\n$/,
    );
    expect(r.stderr).toBe(
      'Save the token and the secret now: numinfo keeps only a hash of the token and cannot show either again.\n',
    );
  });

  it('list shows keys without tokens or secrets', async () => {
    const r = await cli(['list', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(list.map((k) => [k.id, k.name, k.role, k.quota, k.period])).toEqual(
      expect.arrayContaining([
        [admin.id, 'ops', 'admin', null, 'none'],
        [client.id, 'pbx-1', 'client', null, 'none'],
        [limited.id, 'trial', 'client', 2, 'day'],
      ]),
    );
    const text = await cli(['list']);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID {12}NAME +ROLE +CREATED +REVOKED +QUOTA +USED +PERIOD$/);
    expect(lines.find((l) => l.startsWith(limited.id))).toMatch(
      new RegExp(`^${limited.id}  trial +client +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +- +2 +0 +day$`),
    );
    for (const out of [r.stdout, text.stdout])
      for (const k of [admin, client, limited]) {
        expect(out).not.toContain(k.token);
        expect(out).not.toContain(k.secret);
      }
  });

  it('list mentions keys from the apiKeys config', async () => {
    const r = await cli(['list'], { NUMINFO_API_KEYS: 'KEY:SECRET,OTHER' });
    expect(r.stdout.endsWith('plus 2 key(s) from the apiKeys config (role admin, unlimited)\n')).toBe(true);
  });

  it.each<[string, string[], number, string]>([
    [
      'revoke of an unknown id',
      ['revoke', '0123456789ab'],
      3,
      'numinfo: no API key with id "0123456789ab"\n',
    ],
    [
      'quota of an unknown id',
      ['quota', '0123456789ab', '5'],
      3,
      'numinfo: no API key with id "0123456789ab"\n',
    ],
    [
      'create with an unknown role',
      ['create', '--name', 'x', '--role', 'root'],
      2,
      'numinfo: role: expected admin or client, got "root"\n',
    ],
  ])('%s', async (_name, args, code, stderr) => {
    const r = await cli(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toBe(stderr);
    expect(r.stdout).toBe('');
  });

  it.each<[string, string[], string]>([
    ['create without --name', ['create'], 'numinfo: numinfo keys create: --name NAME is required\n'],
    ['a flag of another subcommand', ['list', '--name', 'x'], 'numinfo: numinfo keys list takes no --name\n'],
    [
      'a quota that is not a number',
      ['quota', admin?.id ?? 'x', 'lots'],
      'numinfo: quota: expected a whole number ≥ 0 or "unlimited", got "lots"\n',
    ],
    [
      'a period that does not exist',
      ['create', '--name', 'x', '--period', 'week'],
      'numinfo: --period: expected none, day or month, got "week"\n',
    ],
    [
      'revoke without an id',
      ['revoke'],
      'numinfo: numinfo keys revoke: expected the key id: numinfo keys revoke ID\n',
    ],
  ])('%s → exit 2 with the usage', async (_name, args, firstLine) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(firstLine)).toBe(true);
    expect(r.stderr).toContain('numinfo keys create --name NAME');
  });

  it('an unknown flag or subcommand → exit 2', async () => {
    expect((await cli(['list', '--bogus'])).code).toBe(2);
    const r = await cli(['rotate']);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith('numinfo keys: unknown subcommand "rotate"\n')).toBe(true);
  });
});

describe('keys against a real server', () => {
  let s: Server;
  beforeAll(async () => {
    s = await serve();
  });
  afterAll(async () => {
    await s?.app.close();
  });

  it('GET /v1/keys: admin only; no key 401, client 403', async () => {
    expect(await call(s, 'GET', '/v1/keys')).toMatchObject({
      status: 401,
      json: {
        error: {
          code: 'UNAUTHORIZED',
          message:
            'API key missing: send Authorization: Bearer KEY, X-Api-Key: KEY or the query parameter key=KEY',
        },
      },
    });
    expect(
      await call(s, 'GET', '/v1/keys', { headers: { authorization: 'Bearer ni_000000000000_nope' } }),
    ).toMatchObject({
      status: 401,
      json: { error: { code: 'UNAUTHORIZED', message: 'unknown or revoked API key' } },
    });
    expect(await call(s, 'GET', '/v1/keys', { headers: bearer(client) })).toMatchObject({
      status: 403,
      json: {
        error: { code: 'FORBIDDEN', message: `API key ${client.id} has the role client; this needs admin` },
      },
    });
    // Every way of sending the key.
    for (const headers of [
      bearer(admin),
      { authorization: `Token ${admin.token}` },
      { 'x-api-key': admin.token },
    ]) {
      const r = await call(s, 'GET', '/v1/keys', { headers });
      expect(r.status, JSON.stringify(headers)).toBe(200);
    }
    const r = await call(s, 'GET', `/v1/keys?key=${admin.token}`);
    expect(r.status).toBe(200);
    const body = r.json as { keys: Record<string, unknown>[]; config_keys: number };
    expect(body.config_keys).toBe(0);
    expect(body.keys.find((k) => k.id === admin.id)).toStrictEqual(admin.key);
    expect(r.text).not.toContain(admin.token);
    expect(r.text).not.toContain(admin.secret);
  });

  it('POST, PUT quota and DELETE /v1/keys: a key made over HTTP works at once and stops when revoked', async () => {
    const bad = await call(s, 'POST', '/v1/keys', {
      headers: bearer(admin),
      body: { name: 'x', colour: 'red' },
    });
    expect(bad).toMatchObject({
      status: 400,
      json: {
        error: {
          code: 'BAD_REQUEST',
          message:
            'unknown field "colour"; expected {"name": "…", "role": "admin|client", "quota": N|null, "period": "none|day|month"}',
        },
      },
    });
    const created = await call(s, 'POST', '/v1/keys', {
      headers: bearer(admin),
      body: { name: 'crm', quota: 5, period: 'month' },
    });
    expect(created.status).toBe(201);
    const k = created.json as Created;
    expect(k.key).toMatchObject({
      id: k.id,
      name: 'crm',
      role: 'client',
      quota: 5,
      period: 'month',
      used: 0,
    });
    expect(k.token).toMatch(new RegExp(`^ni_${k.id}_[0-9A-Za-z]{32}$`));

    expect((await call(s, 'GET', `/v1/keys/${k.id}`, { headers: bearer(admin) })).json).toStrictEqual(k.key);
    const q = await call(s, 'PUT', `/v1/keys/${k.id}/quota`, {
      headers: bearer(admin),
      body: { quota: null },
    });
    expect(q.status).toBe(200);
    expect(q.json).toMatchObject({ id: k.id, quota: null, period: 'month', used: 0 });
    expect(
      await call(s, 'PUT', `/v1/keys/${k.id}/quota`, { headers: bearer(admin), body: { quota: -3 } }),
    ).toMatchObject({
      status: 400,
      json: {
        error: {
          code: 'BAD_REQUEST',
          message: 'quota: expected a whole number ≥ 0, or null for unlimited, got -3',
        },
      },
    });

    const asCrm = {
      authorization: `Token ${k.token}`,
      'x-secret': k.secret,
      'content-type': 'application/json',
    };
    expect(
      (await call(s, 'POST', '/api/v1/clean/phone', { headers: asCrm, body: '["301 211-00-00"]' })).status,
    ).toBe(200);
    expect((await call(s, 'DELETE', `/v1/keys/${k.id}`, { headers: bearer(admin) })).status).toBe(204);
    expect(
      (await call(s, 'POST', '/api/v1/clean/phone', { headers: asCrm, body: '["301 211-00-00"]' })).status,
    ).toBe(401);
    expect(await call(s, 'DELETE', `/v1/keys/${k.id}`, { headers: bearer(admin) })).toMatchObject({
      status: 404,
      json: {
        error: {
          code: 'ITEM_NOT_FOUND',
          message: expect.stringMatching(new RegExp(`^API key ${k.id} was already revoked at `)),
        },
      },
    });
    expect(await call(s, 'DELETE', '/v1/keys/0123456789ab', { headers: bearer(admin) })).toMatchObject({
      status: 404,
      json: { error: { code: 'ITEM_NOT_FOUND', message: 'no API key with id "0123456789ab"' } },
    });
  });

  it('DaData: Authorization: Token KEY with X-Secret set to the key secret', async () => {
    const post = (headers: Record<string, string>) =>
      call(s, 'POST', '/api/v1/clean/phone', {
        headers: { 'content-type': 'application/json', ...headers },
        body: '["301 211-00-00"]',
      });
    const ok = await post({ authorization: `Token ${client.token}`, 'x-secret': client.secret });
    expect(ok.status).toBe(200);
    expect((ok.json as Record<string, unknown>[])[0]).toMatchObject({ phone: '+7 301 211-00-00', qc: 0 });
    for (const [headers, detail] of [
      [{}, 'Authentication credentials were not provided: send Authorization: Token KEY.'],
      [
        { authorization: `Token ${client.token}` },
        'Invalid API key or secret key (Authorization: Token KEY, X-Secret: SECRET).',
      ],
      [
        { authorization: `Token ${client.token}`, 'x-secret': admin.secret },
        'Invalid API key or secret key (Authorization: Token KEY, X-Secret: SECRET).',
      ],
    ] as [Record<string, string>, string][]) {
      expect(await post(headers)).toMatchObject({ status: 401, json: { detail } });
    }
  });

  it('quota: two units a day for the trial key, then 429 in every dialect; malformed requests cost nothing', async () => {
    const dadata = (body: string) =>
      call(s, 'POST', '/api/v1/clean/phone', {
        headers: {
          'content-type': 'application/json',
          authorization: `Token ${limited.token}`,
          'x-secret': limited.secret,
        },
        body,
      });
    expect((await dadata('{"not": "an array"}')).status).toBe(400);
    expect((await dadata('["301 211-00-00"]')).status).toBe(200);
    const ahunter = (q: string) =>
      call(s, 'GET', `/site/cleanse/phone?user=${limited.token};output=json;${q}`);
    expect((await ahunter('')).status).toBe(400);
    expect((await ahunter('query=301-211-00-00')).status).toBe(200);
    expect(await dadata('["301 211-00-00"]')).toMatchObject({
      status: 429,
      json: {
        detail: `the quota of API key ${limited.id} is used up: 0 units left in this period, 1 needed`,
      },
    });
    expect(await ahunter('query=301-211-00-00')).toMatchObject({
      status: 429,
      json: {
        code: 'QUOTA_EXCEEDED',
        error: `the quota of API key ${limited.id} is used up: 0 units left in this period, 1 needed`,
      },
    });
    const list = await runCli(['keys', 'list', '--json', '--data-dir', dataDir]);
    expect(
      (JSON.parse(list.stdout) as Record<string, unknown>[]).find((k) => k.id === limited.id),
    ).toMatchObject({
      quota: 2,
      used: 2,
    });
  });

  it('ahunter: user=TOKEN (or a header); unknown tokens 401 in its own shape', async () => {
    expect(
      (await call(s, 'GET', `/site/cleanse/phone?user=${client.token};output=json;query=301-211-00-00`))
        .status,
    ).toBe(200);
    expect(
      (
        await call(s, 'GET', '/site/cleanse/phone?output=json;query=301-211-00-00', {
          headers: bearer(client),
        })
      ).status,
    ).toBe(200);
    expect(
      await call(s, 'GET', '/site/cleanse/phone?user=nope;output=json;query=301-211-00-00'),
    ).toMatchObject({
      status: 401,
      json: { error: 'unknown or missing API token (user)', code: 'UNAUTHORIZED' },
    });
  });

  it('/v1/mnp writes need an admin key; reads need none', async () => {
    const path = '/v1/mnp/9001234567';
    expect((await call(s, 'DELETE', path)).status).toBe(401);
    expect(await call(s, 'DELETE', path, { headers: bearer(client) })).toMatchObject({
      status: 403,
      json: { error: { code: 'FORBIDDEN' } },
    });
    expect(await call(s, 'DELETE', path, { headers: bearer(admin) })).toMatchObject({
      status: 404,
      json: { error: { code: 'NOT_FOUND', message: 'no override for +79001234567' } },
    });
    expect((await call(s, 'GET', path)).status).toBe(200);
  });

  it('a key revoked by the CLI while the server runs stops working within the cache TTL (5 s)', async () => {
    const dir = tempDir('keys-revoke');
    const made = await runCli(['keys', 'create', '--name', 'doomed', '--json', '--data-dir', dir]);
    const k = JSON.parse(made.stdout) as Created;
    const s2 = await serve({ dir });
    try {
      const get = () => call(s2, 'GET', '/v1/mnp/9001234567', {});
      expect((await get()).status).toBe(200);
      const asK = () => call(s2, 'DELETE', '/v1/mnp/9001234567', { headers: { 'x-api-key': k.token } });
      expect((await asK()).status).toBe(403);
      expect((await runCli(['keys', 'revoke', k.id, '--data-dir', dir])).stdout).toBe(
        `revoked key ${k.id}\n`,
      );
      const deadline = Date.now() + 8000;
      let status = 0;
      while (Date.now() < deadline && (status = (await asK()).status) !== 401)
        await new Promise((r) => setTimeout(r, 250));
      expect(status).toBe(401);
    } finally {
      await s2.app.close();
    }
  });

  it('keys quota (CLI) prints the new quota', async () => {
    const r = await cli(['quota', client.id, '7', '--period', 'month']);
    expect(r.stdout).toBe(`key ${client.id}: quota 7 per month, 0 used\n`);
    const u = await cli(['quota', client.id, 'unlimited']);
    expect(u.stdout).toBe(`key ${client.id}: quota unlimited, 0 used\n`);
  });
});

describe('open mode, config keys and signed native requests', () => {
  it('with no keys anyone may do anything, including create the first key, which ends open mode', async () => {
    const s = await serve({ dir: tempDir('keys-open') });
    try {
      expect(await call(s, 'GET', '/v1/keys')).toMatchObject({
        status: 200,
        json: { keys: [], config_keys: 0 },
      });
      const first = await call(s, 'POST', '/v1/keys', { body: { name: 'root', role: 'admin' } });
      expect(first.status).toBe(201);
      expect((await call(s, 'GET', '/v1/keys')).status).toBe(401);
      expect((await call(s, 'GET', '/v1/keys', { headers: bearer(first.json as Created) })).status).toBe(200);
    } finally {
      await s.app.close();
    }
  });

  it('apiKeys config keys are admins: KEY:SECRET for DaData and /v1/mnp', async () => {
    const s = await serve({ dir: tempDir('keys-cfg'), apiKeys: 'KEY:SECRET' });
    try {
      expect(
        (await call(s, 'GET', '/v1/keys', { headers: { authorization: 'Token KEY' } })).json,
      ).toStrictEqual({
        keys: [],
        config_keys: 1,
      });
      const dadata = await call(s, 'POST', '/api/v1/clean/phone', {
        headers: { 'content-type': 'application/json', authorization: 'Token KEY', 'x-secret': 'SECRET' },
        body: '["301 211-00-00"]',
      });
      expect(dadata.status).toBe(200);
    } finally {
      await s.app.close();
    }
  });

  it('signNative: every native call needs timestamp and signature; replays and stale stamps are refused', async () => {
    const s = await serve({ signNative: true });
    try {
      const signedGet = async (params: [string, string][], host = s.host) => {
        const all: [string, string][] = [
          ...params,
          ['signature', sign('GET', host, '/v1/keys', params, admin.secret)],
        ];
        return call(s, 'GET', '/v1/keys?' + new URLSearchParams(all).toString(), { headers: bearer(admin) });
      };
      const now = Math.floor(Date.now() / 1000);
      const fresh: [string, string][] = [['timestamp', String(now)]];
      expect((await signedGet(fresh)).status).toBe(200);
      expect(await signedGet(fresh)).toMatchObject({
        status: 401,
        json: {
          error: {
            code: 'BAD_SIGNATURE',
            message: 'signature: this signature was already used: sign every request with a fresh timestamp',
          },
        },
      });
      expect(
        (
          await signedGet(
            [
              ['timestamp', String(now)],
              ['n', '1'],
            ],
            '127.0.0.1',
          )
        ).status,
      ).toBe(200);
      expect(await signedGet([['timestamp', String(now - 301)]])).toMatchObject({
        status: 401,
        json: {
          error: {
            code: 'BAD_SIGNATURE',
            message: 'signature: timestamp is not Unix seconds within the allowed window of the server clock',
          },
        },
      });
      expect(await call(s, 'GET', '/v1/keys', { headers: bearer(admin) })).toMatchObject({
        status: 401,
        json: {
          error: {
            code: 'BAD_SIGNATURE',
            message: 'signature: the request needs the parameters timestamp (Unix seconds) and signature',
          },
        },
      });
      // The body's fields are signed too.
      const params: [string, string][] = [['timestamp', String(now)]];
      const body = { name: 'signed one', quota: 3 };
      const sig = sign(
        'POST',
        s.host,
        '/v1/keys',
        [...params, ['name', 'signed one'], ['quota', '3']],
        admin.secret,
      );
      const made = await call(s, 'POST', `/v1/keys?timestamp=${now}&signature=${sig}`, {
        headers: bearer(admin),
        body,
      });
      expect(made.status).toBe(201);
      const tampered = await call(s, 'POST', `/v1/keys?timestamp=${now}&signature=${sig}`, {
        headers: bearer(admin),
        body: { ...body, quota: 300 },
      });
      expect(tampered).toMatchObject({
        status: 401,
        json: { error: { message: 'signature: signature does not match the request' } },
      });
    } finally {
      await s.app.close();
    }
  });
});

describe('numinfo serve with keys made by numinfo keys', () => {
  it('the printed token and secret work against the real server: roles, Gilraen signatures, quota', async () => {
    const port = await freePort();
    let stderr = '';
    const child = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--no-auto-update'], {
      cwd: ROOT,
      env: cleanEnv({ NUMINFO_PORT: String(port), NUMINFO_HOST: '127.0.0.1', NUMINFO_LOG_LEVEL: 'error' }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor('the server to listen', async () => {
        if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
        return (await fetch(base + '/healthz')).ok ? true : undefined;
      });
      const get = async (path: string, headers: Record<string, string> = {}) => {
        const r = await fetch(base + path, { headers });
        return { status: r.status, json: (await r.json()) as unknown };
      };
      expect((await get('/v1/keys')).status).toBe(401);
      expect((await get('/v1/keys', { authorization: `Bearer ${client.token}` })).status).toBe(403);
      expect((await get('/v1/keys', { authorization: `Bearer ${admin.token}` })).status).toBe(200);

      // Gilraen: key=, timestamp and signature with the secret the CLI printed.
      const k = await runCli([
        'keys',
        'create',
        '--name',
        'gilraen',
        '--quota',
        '10',
        '--json',
        '--data-dir',
        dataDir,
      ]);
      const g = JSON.parse(k.stdout) as Created;
      const params: [string, string][] = [
        ['key', g.token],
        ['timestamp', String(Math.floor(Date.now() / 1000))],
      ];
      const signature = sign('GET', `127.0.0.1:${port}`, '/v1/limits', params, g.secret);
      const query = new URLSearchParams([...params, ['signature', signature]]).toString();
      // Cached "no such key" answers last at most 5 s: the key was made by another process.
      const limits = await waitFor('the new key to be seen', async () => {
        const r = await get('/gilraen/v1/limits?' + query);
        return r.status === 200 ? r.json : undefined;
      });
      expect(limits).toStrictEqual({ status_code: 0, status: 'success', message: '', data: { limits: 10 } });
      expect(await get('/gilraen/v1/limits?' + query)).toMatchObject({ status: 419 });
    } finally {
      await stopChild(child);
    }
  });
});
