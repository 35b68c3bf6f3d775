/**
 * The Gilraen dialect end to end: real listening servers over a real SQLite store and a small
 * generated registry, driven with fetch. Requests are signed here with our own implementation of the
 * documented canonical string (node:crypto), independent of src/services/keys/signature.ts.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { updateRegistry } from '../src/data/registryUpdate.js';
import { readSnapshotFile } from '../src/data/snapshot.js';
import { buildServer, openStoreServices } from '../src/http/server.js';
import type { KeyService } from '../src/services/keys/keyService.js';
import { NumberService } from '../src/services/numberService.js';
import type { ReputationService } from '../src/services/reputation/reputationService.js';
import type { Tag } from '../src/store/types.js';
import { writeRegistryDir } from './helpers/registryData.js';
import { removeTempDirs, tempDir } from './helpers/proc.js';

const WINDOW_S = 300;
const UNAUTHORIZED = {
  status_code: '401',
  status: 'Unauthorized',
  message: 'Unauthorized or limit used up',
  data: '',
};
const SIGNATURE_ERROR = {
  status_code: '419',
  status: 'signature error',
  message: 'signature failed verification',
  data: '',
};

/** The dictionary the tests put in (the Gilraen document's own examples). */
const TAGS: readonly Tag[] = [
  { type: 'EMOTAG', id: 200000, name_ru: 'Нравится', name_en: 'Like' },
  { type: 'CALLER_TYPE', id: 11, name_ru: 'Организация', name_en: 'Company' },
  { type: 'CALLER_TYPE', id: 10, name_ru: 'Частное лицо', name_en: 'Person' },
  { type: 'CATEGORY', id: 1146, name_ru: 'Финансы', name_en: 'Finance' },
  { type: 'CATEGORY', id: 1145, name_ru: 'Транспорт', name_en: 'Transport' },
  { type: 'SUBCATEGORY', id: 10041, name_ru: 'Такси', name_en: 'Taxi' },
  { type: 'CALL_REASON', id: 100009, name_ru: 'Спам', name_en: 'SPAM' },
  { type: 'CALL_REASON', id: 100006, name_ru: 'Опрос', name_en: 'Survey' },
];

// ---------------------------------------------------------------------------------------------
// Signing, written from the document: sha256(METHOD + host + url + sorted RFC 3986 params + secret).

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function sign(
  method: string,
  host: string,
  url: string,
  params: Record<string, string>,
  secret: string,
): string {
  // Sorted by the raw names' UTF-8 bytes, then encoded (docs/dialects/gilraen.md).
  const encoded = Object.entries(params)
    .filter(([k]) => k !== 'signature')
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const);
  const text = method + host + url + encoded.map(([k, v]) => `${k}=${v}`).join('&') + secret;
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const nowS = (): number => Math.floor(Date.now() / 1000);

interface Server {
  app: FastifyInstance;
  base: string;
  host: string;
  prefix: string;
  keys: KeyService;
  reputation: ReputationService;
}

interface Answer {
  status: number;
  type: string;
  reason: string | null;
  json: unknown;
}

async function fetchJson(url: string): Promise<Answer> {
  const res = await fetch(url);
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: compared as text */
  }
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    reason: res.headers.get('x-numinfo-reason'),
    json,
  };
}

let counter = 0;

/**
 * A signed GET: `key`, a fresh `timestamp` and a `signature` over the full path (as a client given
 * base URL http://host/gilraen signs), unless `opts` says otherwise.
 */
function signedGet(
  s: Server,
  method: string,
  params: Record<string, string>,
  cred: { token: string; secret: string },
  opts: { signedPath?: string; signedHost?: string; timestamp?: number; secret?: string } = {},
): { url: string; go: () => Promise<Answer> } {
  const path = `${s.prefix}/v1/${method}`;
  // A nonce keeps two otherwise equal requests in one second from being replays of each other.
  const all: Record<string, string> = {
    ...params,
    key: cred.token,
    timestamp: String(opts.timestamp ?? nowS()),
    nonce: String(++counter),
  };
  all.signature = sign(
    'GET',
    opts.signedHost ?? s.host,
    opts.signedPath ?? path,
    all,
    opts.secret ?? cred.secret,
  );
  const url = `${s.base}${path}?${new URLSearchParams(all).toString()}`;
  return { url, go: () => fetchJson(url) };
}

async function call(
  s: Server,
  method: string,
  params: Record<string, string>,
  cred: { token: string; secret: string },
): Promise<Answer> {
  return signedGet(s, method, params, cred).go();
}

async function limitsOf(s: Server, cred: { token: string; secret: string }): Promise<number> {
  const r = await call(s, 'limits', {}, cred);
  expect(r.status).toBe(200);
  return (r.json as { data: { limits: number } }).data.limits;
}

let service: NumberService;

/** The server as `numinfo serve` builds it: buildServer over the store services, Gilraen at `prefix`. */
async function startServer(prefix: string, ownTags = true, numbers?: NumberService): Promise<Server> {
  const dataDir = tempDir('gilraen-store');
  const stores = await openStoreServices({
    store: '',
    dataDir,
    masterKey: '',
    apiKeys: '',
    trustThreshold: 3,
    blockUnwanted: true,
    signatureWindow: WINDOW_S,
    signNative: false,
  });
  // The tests' own dictionary instead of the default one, so tags_list is known exactly.
  if (ownTags) {
    for (const t of await stores.reputation.tags()) await stores.reputation.deleteTag(t.type, t.id);
    for (const t of TAGS) await stores.reputation.putTag(t);
  }
  const app = buildServer({
    service: numbers ?? service,
    config: { batchLimit: 1000, logLevel: 'silent', gilraenPrefix: prefix },
    stores,
  });
  app.addHook('onClose', () => stores.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    app,
    base: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    prefix,
    keys: stores.keys,
    reputation: stores.reputation,
  };
}

async function stopServer(s: Server | undefined): Promise<void> {
  await s?.app.close();
}

let main: Server;
let open: Server;
let custom: Server;
let big: { token: string; secret: string };

const PORTED = '79000000001'; // a Т2 range of the generated registry, ported to MegaFon below
const KRASNODAR = '79000000005'; // the same Т2 range, not ported

beforeAll(async () => {
  const result = await updateRegistry({
    source: writeRegistryDir(tempDir('gilraen-src')),
    dataDir: tempDir('gilraen-data'),
  });
  service = new NumberService(new RegistryIndex(readSnapshotFile(result.path)));
  service.setOverrides([
    { number: PORTED.slice(1), operator: 'MEGAFON', mnc: null, at: '2026-10-01T12:00:00Z' },
  ]);
  main = await startServer('/gilraen');
  open = await startServer('/gilraen', false);
  custom = await startServer('/api/preview');
  big = await main.keys.create({ name: 'big', role: 'client', quota: 1000, period: 'none' });
});

afterAll(async () => {
  await stopServer(main);
  await stopServer(open);
  await stopServer(custom);
  removeTempDirs();
});

describe('signature and keys', () => {
  it('answers a signed request with the success envelope', async () => {
    const k = await main.keys.create({ name: 'limits', role: 'client', quota: 354, period: 'month' });
    const r = await call(main, 'limits', {}, k);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.json).toEqual({ status_code: 0, status: 'success', message: '', data: { limits: 354 } });
  });

  it('accepts the path with or without the prefix, the host with or without the port', async () => {
    for (const signedPath of ['/gilraen/v1/limits', '/v1/limits']) {
      for (const signedHost of [main.host, '127.0.0.1']) {
        const r = await signedGet(main, 'limits', {}, big, { signedPath, signedHost }).go();
        expect(r.status, `${signedHost} ${signedPath}`).toBe(200);
      }
    }
  });

  const MISMATCH = 'signature does not match the request';
  const STALE = 'timestamp is not Unix seconds within the allowed window of the server clock';
  const MISSING = 'the request needs the parameters timestamp (Unix seconds) and signature';
  type Cred = { token: string; secret: string };
  const refusals: [string, (k: Cred) => Promise<Answer>, string][] = [
    ['a wrong secret', (k) => signedGet(main, 'limits', {}, k, { secret: 'not-the-secret' }).go(), MISMATCH],
    [
      'a stale timestamp',
      (k) => signedGet(main, 'limits', {}, k, { timestamp: nowS() - WINDOW_S - 60 }).go(),
      STALE,
    ],
    [
      'a timestamp from the future',
      (k) => signedGet(main, 'limits', {}, k, { timestamp: nowS() + 3600 }).go(),
      STALE,
    ],
    [
      'a signature over another path',
      (k) => signedGet(main, 'limits', {}, k, { signedPath: '/v1/index' }).go(),
      MISMATCH,
    ],
    [
      'a signature over another host',
      (k) => signedGet(main, 'limits', {}, k, { signedHost: 'api.gilraen.biz' }).go(),
      MISMATCH,
    ],
    [
      'no signature',
      (k) => fetchJson(`${main.base}/gilraen/v1/limits?key=${k.token}&timestamp=${nowS()}`),
      MISSING,
    ],
    [
      'no timestamp',
      (k) => fetchJson(`${main.base}/gilraen/v1/limits?key=${k.token}&signature=${'a'.repeat(64)}`),
      MISSING,
    ],
  ];
  it.each(refusals)('answers 419 to %s', async (_what, go, reason) => {
    const r = await go(big);
    expect(r.status).toBe(419);
    expect(r.json).toEqual(SIGNATURE_ERROR);
    expect(r.reason).toBe(reason);
  });

  it('answers 419 to a replayed request and spends nothing for it', async () => {
    const k = await main.keys.create({ name: 'replay', role: 'client', quota: 10, period: 'none' });
    const req = signedGet(main, 'index', { number: '79000000002' }, k);
    expect((await req.go()).status).toBe(200);
    const again = await req.go();
    expect(again.status).toBe(419);
    expect(again.json).toEqual(SIGNATURE_ERROR);
    expect(again.reason).toBe('this signature was already used: sign every request with a fresh timestamp');
    expect(await limitsOf(main, k)).toBe(9);
  });

  it('answers 401 to a missing, unknown or revoked key', async () => {
    const unknown = { token: 'ni_0123456789ab_' + 'x'.repeat(32), secret: 'whatever' };
    const r1 = await call(main, 'limits', {}, unknown);
    expect(r1.status).toBe(401);
    expect(r1.json).toEqual(UNAUTHORIZED);
    expect(r1.reason).toBe('unknown or revoked API key');

    const r2 = await fetchJson(
      `${main.base}/gilraen/v1/limits?timestamp=${nowS()}&signature=${'a'.repeat(64)}`,
    );
    expect(r2.status).toBe(401);
    expect(r2.json).toEqual(UNAUTHORIZED);
    expect(r2.reason).toBe('API key missing: send key=KEY');

    const k = await main.keys.create({ name: 'revoked', role: 'client', quota: null, period: 'none' });
    expect((await call(main, 'limits', {}, k)).status).toBe(200);
    await main.keys.revoke(k.id);
    const r3 = await call(main, 'limits', {}, k);
    expect(r3.status).toBe(401);
    expect(r3.json).toEqual(UNAUTHORIZED);
    expect(r3.reason).toBe('unknown or revoked API key');
  });

  it('answers limits 2147483647 for a key without a quota', async () => {
    const k = await main.keys.create({ name: 'unlimited', role: 'client', quota: null, period: 'none' });
    expect(await limitsOf(main, k)).toBe(2147483647);
    expect(
      (await call(main, 'number', { number: '79000000003', opt_fields: 'index,bans,limits' }, k)).json,
    ).toEqual({
      status_code: 0,
      status: 'success',
      message: '',
      data: { index: 5, bans: 0, limits: 2147483647 },
    });
  });
});

describe('quota', () => {
  it('spends one unit per method, none for limits, and answers 401 once it is used up', async () => {
    const k = await main.keys.create({ name: 'three', role: 'client', quota: 3, period: 'day' });
    const n = { number: '79000000004' };
    expect(await limitsOf(main, k)).toBe(3);
    expect((await call(main, 'index', n, k)).status).toBe(200);
    expect((await call(main, 'bans', n, k)).status).toBe(200);
    expect(await limitsOf(main, k)).toBe(1);
    expect((await call(main, 'tags_list', {}, k)).status).toBe(200);
    const r = await call(main, 'unwanted', n, k);
    expect(r.status).toBe(401);
    expect(r.json).toEqual(UNAUTHORIZED);
    expect(r.reason).toBe('limit used up: 1 unit(s) asked, 0 left');
    // limits spends nothing, so a used-up key can still ask how much it has.
    expect(await limitsOf(main, k)).toBe(0);
  });

  it('spends one unit per opt_field of /v1/number except limits', async () => {
    const k = await main.keys.create({ name: 'combined', role: 'client', quota: 20, period: 'none' });
    const n = '79000000004';
    const all = await call(
      main,
      'number',
      { number: n, opt_fields: 'bans,index,tags_top,unwanted,comments' },
      k,
    );
    expect(all.status).toBe(200);
    expect(await limitsOf(main, k)).toBe(15);
    const one = await call(main, 'number', { number: n, opt_fields: 'index' }, k);
    expect(one.json).toEqual({ status_code: 0, status: 'success', message: '', data: { index: 5 } });
    expect(await limitsOf(main, k)).toBe(14);
    // `limits` is free and tells what is left after this request's own units.
    const withLimits = await call(main, 'number', { number: n, opt_fields: 'limits,carrier_region,bans' }, k);
    expect(withLimits.json).toEqual({
      status_code: 0,
      status: 'success',
      message: '',
      data: { limits: 12, carrier: 'ООО "Т2 Мобайл"', region: 'Россия, Краснодарский край', bans: 0 },
    });
    const onlyLimits = await call(main, 'number', { opt_fields: 'limits' }, k);
    expect((onlyLimits.json as { data: unknown }).data).toEqual({ limits: 12 });
    // The same field twice is asked and spent once.
    await call(main, 'number', { number: n, opt_fields: 'bans,bans' }, k);
    expect(await limitsOf(main, k)).toBe(11);
  });

  it('spends nothing and answers 401 when fewer units are left than /v1/number needs', async () => {
    const k = await main.keys.create({ name: 'four', role: 'client', quota: 4, period: 'none' });
    const r = await call(
      main,
      'number',
      { number: '79000000004', opt_fields: 'bans,index,tags_top,unwanted,comments' },
      k,
    );
    expect(r.status).toBe(401);
    expect(r.json).toEqual(UNAUTHORIZED);
    expect(r.reason).toBe('limit used up: 5 unit(s) asked, 4 left');
    expect(await limitsOf(main, k)).toBe(4);
    expect(
      (await call(main, 'number', { number: '79000000004', opt_fields: 'bans,index,unwanted,comments' }, k))
        .status,
    ).toBe(200);
    expect(await limitsOf(main, k)).toBe(0);
  });

  it('gives the units back when the answer fails after spending (no registry loaded: 503)', async () => {
    const bare = await startServer('/gilraen', true, new NumberService());
    try {
      const k = await bare.keys.create({ name: 'refund', role: 'client', quota: 5, period: 'none' });
      const r = await call(bare, 'number', { number: '79000000004', opt_fields: 'bans,carrier_region' }, k);
      expect(r.status).toBe(503);
      expect(await limitsOf(bare, k)).toBe(5);
      expect((await call(bare, 'carrier_region', { number: '79000000004' }, k)).status).toBe(503);
      expect(await limitsOf(bare, k)).toBe(5);
      expect((await call(bare, 'bans', { number: '79000000004' }, k)).status).toBe(200);
      expect(await limitsOf(bare, k)).toBe(4);
    } finally {
      await stopServer(bare);
    }
  });

  it('spends nothing on a malformed request', async () => {
    const k = await main.keys.create({ name: 'bad', role: 'client', quota: 5, period: 'none' });
    const cases: [string, Record<string, string>, string][] = [
      ['index', {}, 'query parameter "number" is required'],
      ['bans', { number: 'hello' }, 'the input is not a phone number'],
      ['number', { number: '79000000004' }, 'query parameter "opt_fields" is required'],
      ['number', { number: '79000000004', opt_fields: 'index,rating' }, 'opt_fields: unknown field "rating"'],
      ['number', { opt_fields: 'index' }, 'query parameter "number" is required'],
      ['tags_list', { lang: 'de' }, 'lang must be en (the default) or ru'],
    ];
    for (const [method, params, message] of cases) {
      const r = await call(main, method, params, k);
      expect(r.status, `${method} ${JSON.stringify(params)}`).toBe(400);
      const body = r.json as Record<string, unknown>;
      expect(body.status_code).toBe('400');
      expect(body.status).toBe('Bad Request');
      expect(body.data).toBe('');
      expect(body.message).toContain(message);
    }
    expect(await limitsOf(main, k)).toBe(5);
  });
});

describe('data', () => {
  const N = '79000000010';

  beforeAll(async () => {
    const rep = main.reputation;
    await rep.report('r1', [
      {
        number: N,
        kind: 'ban',
        tags: [
          { type: 'CALLER_TYPE', id: 11 },
          { type: 'CATEGORY', id: 1146 },
          { type: 'CALL_REASON', id: 100009 },
        ],
        comment: 'Звонят с предложением кредита',
        unwanted: true,
      },
    ]);
    await rep.report('r2', [
      {
        number: N,
        kind: 'ban',
        tags: [
          { type: 'CALLER_TYPE', id: 11 },
          { type: 'CATEGORY', id: 1146 },
          { type: 'CATEGORY', id: 1145 },
          { type: 'CALL_REASON', id: 100006 },
        ],
        comment: 'Банк, опрос',
        unwanted: true,
      },
    ]);
    await rep.report('r3', [
      {
        number: N,
        kind: 'not_spam',
        tags: [
          { type: 'CALLER_TYPE', id: 10 },
          { type: 'CALL_REASON', id: 100009 },
        ],
        unwanted: false,
      },
    ]);
  });

  // Two bans and one "not spam" mark, just made: (2·5 + 10·1) / (2 + 1 + 2) = 4.
  const TAGS_TOP = {
    callerType: { id: 11, count: 2 },
    categories: [
      { id: 1146, count: 2 },
      { id: 1145, count: 1 },
    ],
    subcategories: [],
    callReasons: [
      { id: 100009, count: 2 },
      { id: 100006, count: 1 },
    ],
    emotags: [],
  };

  const single: [string, unknown][] = [
    ['index', { index: 4 }],
    ['bans', { bans: 2 }],
    ['unwanted', { is_unwanted: true }],
    ['comments', { comments_count: 2 }],
    ['tags_top', { tags: TAGS_TOP }],
  ];
  it.each(single)('/v1/%s answers the reported data', async (method, data) => {
    // Every way a client may write the number reaches the same one.
    for (const number of [N, '+' + N, '8' + N.slice(1)]) {
      const r = await call(main, method, { number }, big);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ status_code: 0, status: 'success', message: '', data });
    }
  });

  it('/v1/number combines the fields in the order asked', async () => {
    const r = await call(
      main,
      'number',
      { number: N, opt_fields: 'comments,tags_top,bans,unwanted,index' },
      big,
    );
    expect(r.json).toEqual({
      status_code: 0,
      status: 'success',
      message: '',
      data: { comments_count: 2, tags: TAGS_TOP, bans: 2, is_unwanted: true, index: 4 },
    });
    expect(Object.keys((r.json as { data: object }).data)).toEqual([
      'comments_count',
      'tags',
      'bans',
      'is_unwanted',
      'index',
    ]);
  });

  it('answers the defaults for a number nobody reported', async () => {
    const r = await call(
      main,
      'number',
      { number: '79000000011', opt_fields: 'bans,index,tags_top,unwanted,comments' },
      big,
    );
    expect(r.json).toEqual({
      status_code: 0,
      status: 'success',
      message: '',
      data: {
        bans: 0,
        index: 5,
        tags: { callerType: {}, categories: [], subcategories: [], callReasons: [], emotags: [] },
        is_unwanted: false,
        comments_count: 0,
      },
    });
  });

  const carriers: [string, string, { carrier: string; region: string }][] = [
    [
      'a number ported to MegaFon',
      PORTED,
      { carrier: 'ПАО "МегаФон"', region: 'Россия, Краснодарский край' },
    ],
    [
      'a number of its range holder',
      KRASNODAR,
      { carrier: 'ООО "Т2 Мобайл"', region: 'Россия, Краснодарский край' },
    ],
    ['a Samara landline', '78462316014', { carrier: 'ООО "СИПАУТНЭТ"', region: 'Россия, Самарская область' }],
    ['a nationwide 8-800 number', '78001000000', { carrier: 'ПАО "Ростелеком"', region: 'Россия' }],
    ['a Russian number in no range', '73331111112', { carrier: '', region: 'Россия' }],
    ['a foreign number', '442079460958', { carrier: '', region: 'Великобритания' }],
  ];
  it.each(carriers)('/v1/carrier_region: %s', async (_what, number, data) => {
    const r = await call(main, 'carrier_region', { number }, big);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status_code: 0, status: 'success', message: '', data });
  });

  it('/v1/tags_list answers the dictionary by type then id, in English or Russian', async () => {
    const en = await call(main, 'tags_list', {}, big);
    expect(en.json).toEqual({
      status_code: 0,
      status: 'success',
      message: '',
      data: {
        tagsList: [
          { type: 'CALLER_TYPE', id: 10, name: 'Person' },
          { type: 'CALLER_TYPE', id: 11, name: 'Company' },
          { type: 'CATEGORY', id: 1145, name: 'Transport' },
          { type: 'CATEGORY', id: 1146, name: 'Finance' },
          { type: 'SUBCATEGORY', id: 10041, name: 'Taxi' },
          { type: 'CALL_REASON', id: 100006, name: 'Survey' },
          { type: 'CALL_REASON', id: 100009, name: 'SPAM' },
          { type: 'EMOTAG', id: 200000, name: 'Like' },
        ],
      },
    });
    const ru = await call(main, 'tags_list', { lang: 'ru' }, big);
    expect((ru.json as { data: { tagsList: { name: string }[] } }).data.tagsList.map((t) => t.name)).toEqual([
      'Частное лицо',
      'Организация',
      'Транспорт',
      'Финансы',
      'Такси',
      'Опрос',
      'Спам',
      'Нравится',
    ]);
  });
});

describe('open mode, prefix, unknown methods', () => {
  it('answers requests without key or signature when no keys exist', async () => {
    const r = await fetchJson(`${open.base}/gilraen/v1/limits`);
    expect(r.json).toEqual({ status_code: 0, status: 'success', message: '', data: { limits: 2147483647 } });
    const i = await fetchJson(`${open.base}/gilraen/v1/index?number=%2B79000000004`);
    expect(i.json).toEqual({ status_code: 0, status: 'success', message: '', data: { index: 5 } });
  });

  it('answers the default dictionary with the ids and names of the Gilraen document', async () => {
    const r = await fetchJson(`${open.base}/gilraen/v1/tags_list`);
    const list = (r.json as { data: { tagsList: { type: string; id: number; name: string }[] } }).data
      .tagsList;
    for (const t of [
      { type: 'CALLER_TYPE', id: 10, name: 'Person' },
      { type: 'CATEGORY', id: 1145, name: 'Transport' },
      { type: 'SUBCATEGORY', id: 10041, name: 'Taxi' },
      { type: 'CALL_REASON', id: 100009, name: 'SPAM' },
      { type: 'EMOTAG', id: 200000, name: 'Like' },
    ]) {
      expect(list).toContainEqual(t);
    }
    expect(list[0]).toEqual({ type: 'CALLER_TYPE', id: 10, name: 'Person' });
  });

  it('serves under the configured prefix, and signatures over either path form', async () => {
    const k = await custom.keys.create({ name: 'custom', role: 'client', quota: 7, period: 'none' });
    for (const signedPath of ['/api/preview/v1/limits', '/v1/limits']) {
      const r = await signedGet(custom, 'limits', {}, k, { signedPath }).go();
      expect(r.json).toEqual({ status_code: 0, status: 'success', message: '', data: { limits: 7 } });
    }
    const atDefault = await fetchJson(`${custom.base}/gilraen/v1/limits`);
    expect(atDefault.status).toBe(404);
  });

  it('answers only GET: HEAD and POST are unknown methods and spend nothing', async () => {
    const k = await main.keys.create({ name: 'head', role: 'client', quota: 2, period: 'none' });
    const { url } = signedGet(main, 'index', { number: '79000000004' }, k);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(404);
    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(await post.json()).toEqual({
      status_code: '404',
      status: 'Not Found',
      message: 'no such method: POST /gilraen/v1/index',
      data: '',
    });
    expect(await limitsOf(main, k)).toBe(2);
  });

  it('answers an unknown method with a 404 in the Gilraen envelope', async () => {
    const r = await fetchJson(`${main.base}/gilraen/v1/rating?number=79000000004`);
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      status_code: '404',
      status: 'Not Found',
      message: 'no such method: GET /gilraen/v1/rating',
      data: '',
    });
  });
});
