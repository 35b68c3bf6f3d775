/**
 * The HTTP face end to end: a real server on a real port over a real registry snapshot, driven with
 * fetch. No mocks; the registry is built from ../shared/registry/combined when it is there.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupResult } from '../src/core/types.js';
import { importRegistry } from '../src/data/registryImport.js';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { fetchRegistryFiles } from '../src/data/registrySource.js';
import { updateRegistry } from '../src/data/registryUpdate.js';
import { readSnapshotFile } from '../src/data/snapshot.js';
import { buildServer } from '../src/http/server.js';
import { NumberService } from '../src/services/numberService.js';
import { csvText, DEF_ROWS, row, writeRegistryDir } from './helpers/registryData.js';
import { removeTempDirs, SHARED_COMBINED, tempDir } from './helpers/proc.js';

const REAL = existsSync(SHARED_COMBINED);

let service: NumberService;
let index: RegistryIndex;
let app: FastifyInstance;
let base: string;

interface Answer {
  status: number;
  type: string;
  text: string;
  json: unknown;
}

async function get(path: string, init?: RequestInit, at = base): Promise<Answer> {
  const res = await fetch(at + path, init);
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json };
}

function post(path: string, body: string, contentType = 'application/json', at = base): Promise<Answer> {
  return get(path, { method: 'POST', body, headers: { 'content-type': contentType } }, at);
}

async function listen(svc: NumberService): Promise<{ app: FastifyInstance; base: string }> {
  const a = buildServer({ service: svc, config: { batchLimit: 1000, logLevel: 'silent' } });
  await a.listen({ port: 0, host: '127.0.0.1' });
  return { app: a, base: `http://127.0.0.1:${(a.server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  let source = SHARED_COMBINED;
  if (!REAL) {
    console.warn(
      `\n[http.test] ${SHARED_COMBINED} is missing: using a small generated registry instead; ` +
        'range assertions that need the real data are skipped.\n',
    );
    source = writeRegistryDir(tempDir('http-src'));
  }
  const result = await updateRegistry({ source, dataDir: tempDir('http-data') });
  index = new RegistryIndex(readSnapshotFile(result.path));
  service = new NumberService(index);
  ({ app, base } = await listen(service));
});

afterAll(async () => {
  await app?.close();
  removeTempDirs();
});

const V1_T2 = {
  code: '900',
  num: '0000000',
  full_num: '9000000000',
  operator: 'ООО "Т2 Мобайл"',
  old_operator: null,
  region: 'Краснодарский край',
};

describe('voxlink v1: GET /get/', () => {
  it('answers a Russian mobile number with the exact v1 object', async () => {
    const r = await get('/get/?num=79000000000');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.json).toStrictEqual(V1_T2);
    expect(Object.keys(r.json as object)).toEqual([
      'code',
      'num',
      'full_num',
      'operator',
      'old_operator',
      'region',
    ]);
  });

  it('accepts every usual spelling of the same number', async () => {
    for (const n of ['89000000000', '9000000000', '+79000000000', '+7 (900) 000-00-00', '8-900-000-00-00']) {
      const r = await get(`/get/?num=${encodeURIComponent(n)}`);
      expect(r.status, n).toBe(200);
      expect(r.json, n).toStrictEqual(V1_T2);
    }
  });

  it('with a trailing-slash-less path too', async () => {
    const r = await get('/get?num=79000000000');
    expect(r.status).toBe(200);
    expect(r.json).toStrictEqual(V1_T2);
  });

  it('field=operator&translit=1 answers the Latin name as plain text', async () => {
    const r = await get('/get/?num=79000000000&field=operator&translit=1');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain/);
    expect(r.text).toBe('OOO "T2 Mobayl"');
  });

  it('field=region (Cyrillic), field=old_operator (empty), field=full_num', async () => {
    const region = await get('/get/?num=79000000000&field=region');
    expect(region.status).toBe(200);
    expect(region.type).toMatch(/^text\/plain/);
    expect(region.text).toBe('Краснодарский край');
    const old = await get('/get/?num=79000000000&field=old_operator');
    expect(old.status).toBe(200);
    expect(old.text).toBe('');
    const full = await get('/get/?num=79000000000&field=full_num');
    expect(full.text).toBe('9000000000');
  });

  it('translit=1 transliterates the JSON answer as well', async () => {
    const r = await get('/get/?num=79000000000&translit=1');
    expect(r.status).toBe(200);
    expect(r.json).toStrictEqual({ ...V1_T2, operator: 'OOO "T2 Mobayl"', region: 'Krasnodarskiy kray' });
  });

  it('an unknown field is 400 with an empty plain-text body (a dialplan variable stays empty)', async () => {
    const r = await get('/get/?num=79000000000&field=bogus');
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^text\/plain/);
    expect(r.text).toBe('');
  });

  it('a field request for a bad number is an error status with an empty body', async () => {
    const r = await get('/get/?num=abc&field=operator');
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^text\/plain/);
    expect(r.text).toBe('');
    // The same route without its trailing slash behaves the same way.
    const noSlash = await get('/get?num=abc&field=operator');
    expect(noSlash.status).toBe(400);
    expect(noSlash.type).toMatch(/^text\/plain/);
    expect(noSlash.text).toBe('');
    const ok = await get('/get?num=79000000000&field=region');
    expect(ok.text).toBe('Краснодарский край');
    const nf = await get('/get/?num=73400000000&field=operator');
    expect(nf.status).toBe(404);
    expect(nf.text).toBe('');
  });

  const badRequests: [path: string, code: string][] = [
    ['/get/?num=a79000000000', 'NOT_A_NUMBER'],
    ['/get/?num=', 'INPUT_EMPTY'],
    ['/get/', 'MISSING_PARAMETER'],
    ['/get/?numxcvx=358181201235', 'MISSING_PARAMETER'],
    ['/get/?num=79000000000&num=79000000001', 'BAD_REQUEST'],
    ['/get/?num=%2B7%20900', 'TOO_SHORT'],
    ['/get/v2/?num=0', 'TOO_SHORT'],
    ['/get/v2/?num=', 'INPUT_EMPTY'],
    ['/get/v2/', 'MISSING_PARAMETER'],
    ['/get/v2/?num=hello', 'NOT_A_NUMBER'],
  ];
  for (const [path, code] of badRequests) {
    it(`${path} → 400 {error, code: ${code}}`, async () => {
      const r = await get(path);
      expect(r.status).toBe(400);
      expect(r.type).toMatch(/^application\/json/);
      expect(r.json).toStrictEqual({ error: expect.any(String), code });
      expect((r.json as { error: string }).error.length).toBeGreaterThan(0);
    });
  }

  it('a 10,000-character num is 400 INPUT_TOO_LONG on v1, v2 and the native API', async () => {
    const long = '7'.repeat(10_000);
    for (const path of [`/get/?num=${long}`, `/get/v2/?num=${long}`]) {
      const r = await get(path);
      expect(r.status).toBe(400);
      expect((r.json as { code: string }).code).toBe('INPUT_TOO_LONG');
    }
    const n = await get(`/v1/lookup?number=${long}`);
    expect(n.status).toBe(400);
    expect(n.json).toMatchObject({ error: { code: 'INPUT_TOO_LONG' } });
  });

  it('a non-Russian number on v1 is 400 NOT_RUSSIAN (UK, and Kazakhstan under +7)', async () => {
    for (const n of ['442079460958', '+442079460958', '358181201235', '+77011234567']) {
      const r = await get(`/get/?num=${encodeURIComponent(n)}`);
      expect(r.status, n).toBe(400);
      expect(r.json, n).toStrictEqual({ error: expect.any(String), code: 'NOT_RUSSIAN' });
    }
  });

  it('a Russian number that is not in the plan is 404 NOT_IN_PLAN', async () => {
    const r = await get('/get/?num=73400000000');
    expect(r.status).toBe(404);
    expect(r.json).toStrictEqual({ error: expect.any(String), code: 'NOT_IN_PLAN' });
  });
});

describe('voxlink v2: GET /get/v2/', () => {
  it('an international number: all 11 keys with their types', async () => {
    const r = await get('/get/v2/?num=358181201235');
    expect(r.status).toBe(200);
    expect(r.json).toStrictEqual({
      cns: '358181201235',
      country_code: '358',
      destination: 'Åland Islands',
      type_id: 1,
      description: 'Fixed line',
      location: '',
      registrar: '',
      min_subscr_nr_length: 8,
      max_subscr_nr_length: 15,
      flag_iso: 'AX',
      flag_icon: '🇦🇽',
    });
    const v = r.json as Record<string, unknown>;
    expect(Object.keys(v)).toHaveLength(11);
    for (const k of ['type_id', 'min_subscr_nr_length', 'max_subscr_nr_length'])
      expect(typeof v[k], k).toBe('number');
    for (const k of [
      'cns',
      'country_code',
      'destination',
      'description',
      'location',
      'registrar',
      'flag_iso',
      'flag_icon',
    ]) {
      expect(typeof v[k], k).toBe('string');
    }
  });

  it('a Russian number in Latin script', async () => {
    const r = await get('/get/v2/?num=79000000000');
    expect(r.status).toBe(200);
    expect(r.json).toStrictEqual({
      cns: '79000000000',
      country_code: '7',
      destination: 'Russia',
      type_id: 2,
      description: 'Mobile',
      location: 'Krasnodarskiy kray',
      registrar: 'OOO "T2 Mobayl"',
      min_subscr_nr_length: 11,
      max_subscr_nr_length: 11,
      flag_iso: 'RU',
      flag_icon: '🇷🇺',
    });
  });

  it('a London number has its place', async () => {
    const r = await get('/get/v2/?num=442079460958');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      cns: '442079460958',
      country_code: '44',
      flag_iso: 'GB',
      location: 'London',
      type_id: 1,
    });
  });

  it('a Russian number not in the plan is 404', async () => {
    const r = await get('/get/v2/?num=73400000000');
    expect(r.status).toBe(404);
    expect(r.json).toStrictEqual({ error: expect.any(String), code: 'NOT_IN_PLAN' });
  });
});

describe('native API: GET /v1/lookup', () => {
  async function lookup(n: string): Promise<LookupResult> {
    const r = await get(`/v1/lookup?number=${encodeURIComponent(n)}`);
    expect(r.status, n).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    const body = r.json as LookupResult;
    expect(body.data, n).toStrictEqual({ version: index.meta.version, date: index.meta.dataDate });
    return body;
  }

  it('+7 (499) 166-30-50: МГТС, Москва, UTC+3', async () => {
    const r = await get('/v1/lookup?number=%2B7%20(499)%20166-30-50');
    expect(r.status).toBe(200);
    const b = r.json as LookupResult;
    expect(b).toMatchObject({
      input: '+7 (499) 166-30-50',
      valid: true,
      error: null,
      e164: '+74991663050',
      national: '4991663050',
      country: { iso: 'RU', calling_code: '7' },
      type: 'fixed',
      code: '499',
      code_kind: 'ABC',
      subscriber: '1663050',
      operator: { name: 'ПАО "МГТС"', inn: '7710016640' },
      region: { name: 'Москва', code: '77', codes: ['77'] },
      place: { type: 'г', name: 'Москва' },
      timezone: { iana: 'Europe/Moscow', utc: 'UTC+3', msk: 'MSK+0' },
      timezones: ['Europe/Moscow'],
      data: { version: index.meta.version },
    });
    expect(b.range).toStrictEqual({ from: '1660022', to: '1673188', capacity: 13167 });
  });

  it('+7 846 231-60-14: СИПАУТНЭТ, Самара, Europe/Samara', async () => {
    const b = await lookup('+7 846 231-60-14');
    expect(b.operator?.name).toBe('ООО "СИПАУТНЭТ"');
    expect(b.place).toStrictEqual({ type: 'г', name: 'Самара' });
    expect(b.region?.name).toBe('Самарская область');
    expect(b.region?.code).toBe('63');
    expect(b.location).toBe('г. Самара, Самарская область');
    expect(b.timezone).toStrictEqual({
      iana: 'Europe/Samara',
      utc: 'UTC+4',
      msk: 'MSK+1',
      name: 'Самарское время',
    });
    expect(b.range).toStrictEqual({ from: '2316000', to: '2316999', capacity: 1000 });
  });

  it('+7 301 304-99-01: Байкал Диалог, пгт Новый Уоян, UTC+8', async () => {
    const b = await lookup('+7 301 304-99-01');
    expect(b.operator?.name).toBe('ООО "Байкал Диалог"');
    expect(b.place).toStrictEqual({ type: 'пгт', name: 'Новый Уоян' });
    expect(b.district).toStrictEqual({ type: 'р-н', name: 'Северо-Байкальский' });
    expect(b.region).toStrictEqual({ name: 'Республика Бурятия', code: '03', codes: ['03'] });
    expect(b.location).toBe('пгт. Новый Уоян, р-н Северо-Байкальский, Республика Бурятия');
    expect(b.timezone?.utc).toBe('UTC+8');
    expect(b.timezone?.iana).toBe('Asia/Irkutsk');
  });

  it('+442079460958: GB, London, Europe/London', async () => {
    const b = await lookup('+442079460958');
    expect(b).toMatchObject({
      valid: true,
      error: null,
      e164: '+442079460958',
      country: { iso: 'GB', calling_code: '44', name_en: 'United Kingdom' },
      type: 'fixed',
      location: 'London',
      operator: null,
      timezone: { iana: 'Europe/London' },
      timezones: ['Europe/London'],
    });
  });

  it.skipIf(!REAL)('the real data: 79000000000 is in 900-0000000…0061999, 62,000 numbers', async () => {
    const b = await lookup('79000000000');
    expect(b.range).toStrictEqual({ from: '0000000', to: '0061999', capacity: 62000 });
    expect(b.operator).toStrictEqual({ name: 'ООО "Т2 Мобайл"', inn: '7743895280' });
    expect(index.meta.rows).toBe(394864);
  });

  it('a number not in the plan is 200 with error NOT_IN_PLAN and the data version', async () => {
    const b = await lookup('73400000000');
    expect(b.valid).toBe(false);
    expect(b.error).toBe('NOT_IN_PLAN');
  });

  it('input errors are 400 with the native envelope', async () => {
    for (const [q, code] of [
      ['?number=abc', 'NOT_A_NUMBER'],
      ['?number=', 'INPUT_EMPTY'],
      ['', 'MISSING_PARAMETER'],
      ['?number=1&number=2', 'BAD_REQUEST'],
      ['?number=%2B999%20123456789', 'INVALID_COUNTRY_CODE'],
    ] as const) {
      const r = await get(`/v1/lookup${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json, q).toStrictEqual({ error: { code, message: expect.any(String) } });
    }
  });
});

describe('native API: POST /v1/lookup', () => {
  it('a mixed batch is 200 with a per-item error', async () => {
    const r = await post(
      '/v1/lookup',
      JSON.stringify(['+7 499 166-30-50', 'abc', '+442079460958', '73400000000', '']),
    );
    expect(r.status).toBe(200);
    const b = r.json as { count: number; results: LookupResult[] };
    expect(b.count).toBe(5);
    expect(b.results.map((x) => x.error)).toEqual([null, 'NOT_A_NUMBER', null, 'NOT_IN_PLAN', 'INPUT_EMPTY']);
    expect(b.results.map((x) => x.input)).toEqual([
      '+7 499 166-30-50',
      'abc',
      '+442079460958',
      '73400000000',
      '',
    ]);
    expect(b.results[0]?.operator?.name).toBe('ПАО "МГТС"');
    expect(b.results[2]?.location).toBe('London');
    for (const x of [b.results[0], b.results[2], b.results[3]])
      expect(x?.data?.version).toBe(index.meta.version);
  });

  it('an empty array is fine', async () => {
    const r = await post('/v1/lookup', '[]');
    expect(r.status).toBe(200);
    expect(r.json).toStrictEqual({ count: 0, results: [] });
  });

  it('exactly the batch limit (1000) is accepted', async () => {
    const r = await post('/v1/lookup', JSON.stringify(Array.from({ length: 1000 }, () => '79000000000')));
    expect(r.status).toBe(200);
    expect((r.json as { count: number }).count).toBe(1000);
  });

  const bad: [name: string, body: string, status: number, code: string, contentType?: string][] = [
    ['a non-array', '{"numbers":["79000000000"]}', 400, 'BAD_REQUEST'],
    ['a JSON string', '"79000000000"', 400, 'BAD_REQUEST'],
    ['null', 'null', 400, 'BAD_REQUEST'],
    ['1001 items', JSON.stringify(Array.from({ length: 1001 }, () => '79000000000')), 413, 'BATCH_TOO_LARGE'],
    ['a non-string item', '["79000000000", 79000000000]', 400, 'BAD_REQUEST'],
    ['a null item', '[null]', 400, 'BAD_REQUEST'],
    ['invalid JSON', '["79000000000",', 400, 'BAD_REQUEST'],
    ['an empty body', '', 400, 'BAD_REQUEST'],
    ['a text/plain body that is not JSON', '79000000000 and more', 400, 'BAD_REQUEST', 'text/plain'],
  ];
  for (const [name, body, status, code, type] of bad) {
    it(`${name} → ${status} ${code}`, async () => {
      const r = await post('/v1/lookup', body, type);
      expect(r.status).toBe(status);
      expect(r.json).toStrictEqual({ error: { code, message: expect.any(String) } });
    });
  }

  it('a body over 1 MiB is 413', async () => {
    const huge = JSON.stringify(Array.from({ length: 120_000 }, () => '+7 900 000-00-00'));
    expect(huge.length).toBeGreaterThan(1024 * 1024);
    const r = await post('/v1/lookup', huge);
    expect(r.status).toBe(413);
    expect(r.json).toStrictEqual({ error: { code: 'BATCH_TOO_LARGE', message: expect.any(String) } });
  });
});

describe('service endpoints', () => {
  it('/healthz is ok with the registry status', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      status: 'ok',
      registry: {
        loaded: true,
        version: index.meta.version,
        date: index.meta.dataDate,
        rows: index.meta.rows,
        groups: index.meta.groups,
        operators: index.meta.operators,
        loadedAt: expect.any(String),
      },
    });
  });

  it('/openapi.json is a JSON document', async () => {
    const r = await get('/openapi.json');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.json).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
  });

  it('an unknown path is 404 JSON', async () => {
    for (const path of ['/nope', '/get/v3/?num=79000000000', '/v1/lookups?number=1']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.json, path).toStrictEqual({
        error: { code: 'NOT_FOUND', message: expect.stringContaining('no such endpoint') },
      });
    }
  });

  it('no odd input makes any endpoint answer 5xx', async () => {
    const inputs = [
      '+',
      '++7',
      '+7',
      '7',
      '00',
      '000',
      '810',
      '+0',
      '+1',
      '+999999999',
      '8 (800) 100-00-00',
      '+7 (700) 123-45-67',
      '70000000000',
      '0000000000',
      '9'.repeat(17),
      '9'.repeat(18),
      '7'.repeat(64),
      '7'.repeat(65),
      '８９００',
      ' ',
      '\t',
      '\u0000',
      '😀',
      '%',
      '-',
      '()',
      '+7 900 000 00 00 доб 1',
      '89000000000;',
      'null',
      '[]',
      '{}',
      '+7 4991663050',
      '8 10 44 20 7946 0958',
      '0044 20 7946 0958',
      '+44 20',
      '+882 1234 5678',
    ];
    for (const n of inputs) {
      const q = encodeURIComponent(n);
      for (const path of [
        `/get/?num=${q}`,
        `/get/?num=${q}&field=operator`,
        `/get/v2/?num=${q}`,
        `/v1/lookup?number=${q}`,
      ]) {
        const r = await get(path);
        expect(r.status, `${path} (${JSON.stringify(n)})`).toBeLessThan(500);
      }
    }
    const batch = await post('/v1/lookup', JSON.stringify(inputs));
    expect(batch.status).toBe(200);
    // Malformed percent-encoding and odd parameter shapes, sent as they are.
    for (const path of [
      '/get/?num=%E0%A4%A',
      '/get/?num=%',
      '/get/?num=%00',
      '/get/?num[]=1',
      '/get/?num=1&field=operator&field=region',
      '/get/v2/?num=%FF%FE',
      '/v1/lookup?number=%E0%A4%A',
      '/v1/lookup?number[x]=1',
    ]) {
      const r = await get(path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      expect(r.json, path).toBeDefined();
    }
  });
});

describe('hot swap', () => {
  it('NumberService.setRegistry changes the answers of the running server', async () => {
    const dir = writeRegistryDir(tempDir('http-swap'), {
      // First block moved to another operator; one row fewer, so the data version differs too.
      'DEF-9xx.csv': csvText([
        row(900, 0, 99_999, 'ООО "Новый Оператор"', '-', 'Тверская область', '7700000001'),
        ...DEF_ROWS.slice(1, 19),
      ]),
    });
    const other = new RegistryIndex(importRegistry(await fetchRegistryFiles(dir)).registry);
    expect(other.meta.version).not.toBe(index.meta.version);

    const before = await get('/get/?num=79000000000');
    expect(before.json).toStrictEqual(V1_T2);

    service.setRegistry(other);
    try {
      const v1 = await get('/get/?num=79000000000');
      expect(v1.status).toBe(200);
      expect(v1.json).toStrictEqual({
        ...V1_T2,
        operator: 'ООО "Новый Оператор"',
        region: 'Тверская область',
      });
      const native = await get('/v1/lookup?number=79000000000');
      expect((native.json as LookupResult).data?.version).toBe(other.meta.version);
      const health = await get('/healthz');
      expect(health.json).toMatchObject({ registry: { version: other.meta.version, rows: other.meta.rows } });
      const translit = await get('/get/?num=79000000000&field=operator&translit=1');
      expect(translit.text).toBe('OOO "Novyy Operator"');
    } finally {
      service.setRegistry(index);
    }
    const after = await get('/get/?num=79000000000');
    expect(after.json).toStrictEqual(V1_T2);
    const health = await get('/healthz');
    expect(health.json).toMatchObject({ registry: { version: index.meta.version } });
  });
});

describe('a server without Russian registry data', () => {
  let empty: { app: FastifyInstance; base: string };

  beforeAll(async () => {
    empty = await listen(new NumberService());
  });
  afterAll(async () => {
    await empty?.app.close();
  });

  it('Russian lookups are 503 REGISTRY_NOT_LOADED on /get/, /get/v2/ and /v1/lookup', async () => {
    const v1 = await get('/get/?num=79000000000', undefined, empty.base);
    expect(v1.status).toBe(503);
    expect(v1.json).toStrictEqual({
      error: expect.stringContaining('numinfo update'),
      code: 'REGISTRY_NOT_LOADED',
    });
    const v2 = await get('/get/v2/?num=79000000000', undefined, empty.base);
    expect(v2.status).toBe(503);
    expect(v2.json).toStrictEqual({ error: expect.any(String), code: 'REGISTRY_NOT_LOADED' });
    const field = await get('/get/?num=79000000000&field=operator', undefined, empty.base);
    expect(field.status).toBe(503);
    expect(field.text).toBe('');
    const native = await get('/v1/lookup?number=%2B7%20499%20166-30-50', undefined, empty.base);
    expect(native.status).toBe(503);
    expect(native.json).toStrictEqual({
      error: { code: 'REGISTRY_NOT_LOADED', message: expect.stringContaining('numinfo update') },
    });
  });

  it('input errors are still 400, not 503', async () => {
    const r = await get('/get/?num=abc', undefined, empty.base);
    expect(r.status).toBe(400);
    const n = await get('/v1/lookup?number=', undefined, empty.base);
    expect(n.status).toBe(400);
  });

  it('international lookups still work', async () => {
    const v2 = await get('/get/v2/?num=442079460958', undefined, empty.base);
    expect(v2.status).toBe(200);
    expect(v2.json).toMatchObject({ flag_iso: 'GB', location: 'London' });
    const native = await get('/v1/lookup?number=%2B442079460958', undefined, empty.base);
    expect(native.status).toBe(200);
    expect(native.json).toMatchObject({
      valid: true,
      country: { iso: 'GB' },
      location: 'London',
      data: null,
    });
    const v1 = await get('/get/?num=442079460958', undefined, empty.base);
    expect(v1.status).toBe(400);
    expect((v1.json as { code: string }).code).toBe('NOT_RUSSIAN');
  });

  it('a batch answers per item: Russian ones REGISTRY_NOT_LOADED, international ones found', async () => {
    const r = await post(
      '/v1/lookup',
      JSON.stringify(['79000000000', '+442079460958']),
      undefined,
      empty.base,
    );
    expect(r.status).toBe(200);
    const b = r.json as { results: LookupResult[] };
    expect(b.results.map((x) => x.error)).toEqual(['REGISTRY_NOT_LOADED', null]);
  });

  it('/healthz says degraded, with a message on how to load the data', async () => {
    const r = await get('/healthz', undefined, empty.base);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      status: 'degraded',
      registry: { loaded: false, version: null, rows: 0, message: expect.stringContaining('numinfo update') },
    });
  });
});
