/**
 * The DaData dialect end to end: `POST /api/v1/clean/phone` on a real listening server over a real
 * registry snapshot (../shared/registry/combined when it is there), driven with fetch.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { updateRegistry } from '../src/data/registryUpdate.js';
import { readSnapshotFile } from '../src/data/snapshot.js';
import { buildServer } from '../src/http/server.js';
import { NumberService } from '../src/services/numberService.js';
import { removeTempDirs, SHARED_COMBINED, tempDir } from './helpers/proc.js';
import { writeRegistryDir } from './helpers/registryData.js';

const REAL = existsSync(SHARED_COMBINED);
const PATH = '/api/v1/clean/phone';

/** DaData's fields, in DaData's order. */
const FIELDS = [
  'source',
  'type',
  'phone',
  'country_code',
  'city_code',
  'number',
  'extension',
  'provider',
  'country',
  'region',
  'city',
  'timezone',
  'qc_conflict',
  'qc',
] as const;

type Phone = Record<(typeof FIELDS)[number], string | number | null>;

interface Server {
  app: FastifyInstance;
  base: string;
}

let open: Server;
let keyed: Server;
let empty: Server;

async function listen(service: NumberService, apiKeys = ''): Promise<Server> {
  const app = buildServer({ service, config: { batchLimit: 1000, logLevel: 'silent', apiKeys } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  let source = SHARED_COMBINED;
  if (!REAL) {
    console.warn(
      `\n[dadata.test] ${SHARED_COMBINED} is missing: using a small generated registry instead; ` +
        'assertions that need the real data are skipped.\n',
    );
    source = writeRegistryDir(tempDir('dadata-src'));
  }
  const result = await updateRegistry({ source, dataDir: tempDir('dadata-data') });
  const service = new NumberService(new RegistryIndex(readSnapshotFile(result.path)));
  open = await listen(service);
  keyed = await listen(service, 'KEY:SECRET');
  empty = await listen(new NumberService());
}, 120_000);

afterAll(async () => {
  await open?.app.close();
  await keyed?.app.close();
  await empty?.app.close();
  removeTempDirs();
});

interface Answer {
  status: number;
  type: string;
  headers: Headers;
  text: string;
  json: unknown;
}

async function request(
  init: { method?: string; body?: string; headers?: Record<string, string> },
  at: Server = open,
  path = PATH,
): Promise<Answer> {
  const res = await fetch(at.base + path, {
    method: init.method ?? 'POST',
    body: init.body,
    headers: init.headers ?? { 'content-type': 'application/json' },
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    headers: res.headers,
    text,
    json,
  };
}

/** Cleans one phone on the open server and returns the one object of the answer. */
async function clean(source: string): Promise<Phone> {
  const r = await request({ body: JSON.stringify([source]) });
  expect(r.status, source).toBe(200);
  expect(r.type).toMatch(/^application\/json/);
  expect(Array.isArray(r.json), source).toBe(true);
  const arr = r.json as Phone[];
  expect(arr, source).toHaveLength(1);
  expect(Object.keys(arr[0]!), source).toEqual([...FIELDS]);
  return arr[0]!;
}

/** Current offset of a zone as DaData writes it (`UTC+0`, `UTC+1`), from the runtime's tzdata. */
function utcNow(iana: string): string {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: iana, timeZoneName: 'longOffset' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 'UTC+0';
  return `UTC${m[1]}${Number(m[2])}${m[3] === '00' ? '' : ':' + m[3]}`;
}

const NULLS = {
  type: null,
  phone: null,
  country_code: null,
  city_code: null,
  number: null,
  extension: null,
  provider: null,
  country: null,
  region: null,
  city: null,
  timezone: null,
  qc_conflict: 0,
};

const SAMARA = {
  type: 'Стационарный',
  phone: '+7 846 231-60-14',
  country_code: '7',
  city_code: '846',
  number: '2316014',
  extension: null,
  provider: 'ООО "СИПАУТНЭТ"',
  country: 'Россия',
  region: 'Самарская область',
  city: 'Самара',
  timezone: 'UTC+4',
  qc_conflict: 0,
  qc: 0,
};

describe('DaData: the documented example', () => {
  it('answers byte for byte what DaData documents', async () => {
    const r = await request({
      body: '["раб 846)231.60.14 *139"]',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: 'Token KEY',
        'x-secret': 'SECRET',
      },
    });
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.text).toBe(
      '[{"source":"раб 846)231.60.14 *139","type":"Стационарный","phone":"+7 846 231-60-14 доб. 139",' +
        '"country_code":"7","city_code":"846","number":"2316014","extension":"139",' +
        '"provider":"ООО \\"СИПАУТНЭТ\\"","country":"Россия","region":"Самарская область","city":"Самара",' +
        '"timezone":"UTC+4","qc_conflict":0,"qc":0}]',
    );
  });

  it('the same on the keyed server with the right key and secret', async () => {
    const r = await request(
      {
        body: '["раб 846)231.60.14 *139"]',
        headers: { 'content-type': 'application/json', authorization: 'Token KEY', 'x-secret': 'SECRET' },
      },
      keyed,
    );
    expect(r.status).toBe(200);
    expect(r.json).toStrictEqual([
      {
        source: 'раб 846)231.60.14 *139',
        ...SAMARA,
        phone: '+7 846 231-60-14 доб. 139',
        extension: '139',
      },
    ]);
  });
});

describe('DaData: shape', () => {
  it('exactly the 14 keys, in order, with their types', async () => {
    const p = await clean('+7 846 231-60-14 доб. 139');
    expect(Object.keys(p)).toEqual([...FIELDS]);
    for (const k of FIELDS) {
      if (k === 'qc' || k === 'qc_conflict') expect(typeof p[k], k).toBe('number');
      else expect(typeof p[k], k).toBe('string');
    }
  });

  it('the same keys in the same order when almost everything is null', async () => {
    for (const s of ['qwerty', '', '+7 333 1111112', '12345']) {
      const p = await clean(s);
      expect(Object.keys(p), s).toEqual([...FIELDS]);
      for (const k of FIELDS) {
        const v = p[k];
        expect(v === null || typeof v === (k === 'qc' || k === 'qc_conflict' ? 'number' : 'string'), k).toBe(
          true,
        );
      }
    }
  });
});

describe('DaData: types and values', () => {
  it.skipIf(!REAL)('mobile: +7 911 243-45-68 (МТС, Санкт-Петербург и область)', async () => {
    expect(await clean('+7 911 243-45-68')).toStrictEqual({
      source: '+7 911 243-45-68',
      type: 'Мобильный',
      phone: '+7 911 243-45-68',
      country_code: '7',
      city_code: '911',
      number: '2434568',
      extension: null,
      provider: 'ПАО "Мобильные ТелеСистемы"',
      country: 'Россия',
      region: 'Санкт-Петербург и Ленинградская область',
      city: null,
      timezone: 'UTC+3',
      qc_conflict: 0,
      qc: 0,
    });
  });

  it.skipIf(!REAL)('mobile: 8 (916) 123-45-67 (МТС, Москва и Московская область)', async () => {
    expect(await clean('8 (916) 123-45-67')).toStrictEqual({
      source: '8 (916) 123-45-67',
      type: 'Мобильный',
      phone: '+7 916 123-45-67',
      country_code: '7',
      city_code: '916',
      number: '1234567',
      extension: null,
      provider: 'ПАО "Мобильные ТелеСистемы"',
      country: 'Россия',
      region: 'Москва и Московская область',
      city: null,
      timezone: 'UTC+3',
      qc_conflict: 0,
      qc: 0,
    });
  });

  it.skipIf(!REAL)(
    'call centre: 8 800 222-12-22 (no region, city or zone for a nationwide code)',
    async () => {
      expect(await clean('8 800 222-12-22')).toStrictEqual({
        source: '8 800 222-12-22',
        type: 'Колл-центр',
        phone: '+7 800 222-12-22',
        country_code: '7',
        city_code: '800',
        number: '2221222',
        extension: null,
        provider: 'ПАО "МегаФон"',
        country: 'Россия',
        region: null,
        city: null,
        timezone: null,
        qc_conflict: 0,
        qc: 0,
      });
    },
  );

  it.skipIf(!REAL)('direct mobile: +7 495 243-45-68 (an ABC number in a МегаФон range)', async () => {
    expect(await clean('+7 495 243-45-68')).toStrictEqual({
      source: '+7 495 243-45-68',
      type: 'Прямой мобильный',
      phone: '+7 495 243-45-68',
      country_code: '7',
      city_code: '495',
      number: '2434568',
      extension: null,
      provider: 'ПАО "МегаФон"',
      country: 'Россия',
      region: 'Москва',
      city: 'Москва',
      timezone: 'UTC+3',
      qc_conflict: 0,
      qc: 0,
    });
  });

  it.skipIf(!REAL)('fixed: +7 495 456-55-77 (МГТС, Москва)', async () => {
    expect(await clean('+7 495 456-55-77')).toMatchObject({
      type: 'Стационарный',
      phone: '+7 495 456-55-77',
      city_code: '495',
      number: '4565577',
      provider: 'ПАО "МГТС"',
      region: 'Москва',
      city: 'Москва',
      timezone: 'UTC+3',
      qc: 0,
    });
  });

  it.skipIf(!REAL)('fixed: +7 812 315-00-00 (Санкт-Петербург), +7 8692 55-55-55 (Севастополь)', async () => {
    expect(await clean('+7 812 315-00-00')).toMatchObject({
      type: 'Стационарный',
      city_code: '812',
      region: 'Санкт-Петербург',
      city: 'Санкт-Петербург',
      timezone: 'UTC+3',
      qc: 0,
    });
    expect(await clean('+7 8692 55-55-55')).toMatchObject({
      type: 'Стационарный',
      phone: '+7 869 255-55-55',
      city_code: '869',
      number: '2555555',
      region: 'Севастополь',
      city: 'Севастополь',
      qc: 0,
    });
  });

  it('fixed: +7 846 231-60-14, every field', async () => {
    expect(await clean('+7 846 231-60-14')).toStrictEqual({ source: '+7 846 231-60-14', ...SAMARA });
  });

  it('unknown code: +7 333 1111112 is Неизвестный, qc 1, with the number written out', async () => {
    expect(await clean('+7 333 1111112')).toStrictEqual({
      source: '+7 333 1111112',
      type: 'Неизвестный',
      phone: '+7 333 111-11-12',
      country_code: '7',
      city_code: '333',
      number: '1111112',
      extension: null,
      provider: null,
      country: 'Россия',
      region: null,
      city: null,
      timezone: null,
      qc_conflict: 0,
      qc: 1,
    });
  });

  it('a local number without its zone is restored from the plan, qc 1', async () => {
    const p = await clean('231-60-14');
    expect(p.qc).toBe(1);
    expect(p.number).toBe('2316014');
    expect(p.city_code).toMatch(/^\d{3}$/);
    expect(p.phone).toBe(`+7 ${String(p.city_code)} 231-60-14`);
    expect(p.country).toBe('Россия');
  });

  it('too few digits: 12345 is a number not recognized, qc 1, type Неизвестный', async () => {
    expect(await clean('12345')).toStrictEqual({ source: '12345', ...NULLS, type: 'Неизвестный', qc: 1 });
  });
});

describe('DaData: foreign numbers', () => {
  it('+44 20 7946 0958: Великобритания, area code 20, qc 7', async () => {
    expect(await clean('+44 20 7946 0958')).toStrictEqual({
      source: '+44 20 7946 0958',
      type: 'Стационарный',
      phone: '+44 20 7946 0958',
      country_code: '44',
      city_code: '20',
      number: '79460958',
      extension: null,
      provider: null,
      country: 'Великобритания',
      region: null,
      city: null,
      timezone: utcNow('Europe/London'),
      qc_conflict: 0,
      qc: 7,
    });
  });

  it('a foreign number with an extension', async () => {
    expect(await clean('+44 20 7946 0958 ext. 12')).toMatchObject({
      phone: '+44 20 7946 0958 доб. 12',
      extension: '12',
      qc: 7,
    });
  });

  it('+81 3-1234-5678: Япония, UTC+9 (no daylight saving)', async () => {
    expect(await clean('+81 3-1234-5678')).toStrictEqual({
      source: '+81 3-1234-5678',
      type: 'Стационарный',
      phone: '+81 3 1234 5678',
      country_code: '81',
      city_code: '3',
      number: '12345678',
      extension: null,
      provider: null,
      country: 'Япония',
      region: null,
      city: null,
      timezone: 'UTC+9',
      qc_conflict: 0,
      qc: 7,
    });
  });

  it('+7 701 123 4567: Казахстан under +7, mobile', async () => {
    expect(await clean('+7 701 123 4567')).toMatchObject({
      type: 'Мобильный',
      phone: '+7 701 123 4567',
      country_code: '7',
      city_code: '701',
      number: '1234567',
      provider: null,
      country: 'Казахстан',
      region: null,
      city: null,
      timezone: 'UTC+5',
      qc: 7,
    });
  });

  it('city_code: the national destination code; none in a closed plan (Hong Kong); Italy keeps its 0', async () => {
    expect(await clean('+852 2123 4567')).toMatchObject({
      phone: '+852 2123 4567',
      country_code: '852',
      city_code: null,
      number: '21234567',
      timezone: 'UTC+8',
      qc: 7,
    });
    expect(await clean('+39 06 1234 5678')).toMatchObject({
      phone: '+39 06 1234 5678',
      country_code: '39',
      city_code: '06',
      number: '12345678',
      country: 'Италия',
      qc: 7,
    });
    expect(await clean('+44 7400 123456')).toMatchObject({
      type: 'Мобильный',
      city_code: '7400',
      number: '123456',
      qc: 7,
    });
  });

  it('zones with different offsets: least/greatest (+1 800 spans Samoa to Guam)', async () => {
    expect(await clean('+1 800 253 0000')).toMatchObject({
      type: 'Колл-центр',
      country_code: '1',
      city_code: '800',
      number: '2530000',
      country: 'Соединенные Штаты',
      timezone: 'UTC-11/UTC+10',
      qc: 7,
    });
  });
});

describe('DaData: several numbers, garbage, empty', () => {
  it('two numbers in one string: qc 3, the first one answered', async () => {
    expect(await clean('+7 846 231-60-14, +44 20 7946 0958')).toStrictEqual({
      source: '+7 846 231-60-14, +44 20 7946 0958',
      ...SAMARA,
      qc: 3,
    });
  });

  it.skipIf(!REAL)('a mobile and a call centre in one string: qc 3', async () => {
    expect(await clean('+7 911 243-45-68, 8 800 222-12-22')).toMatchObject({
      type: 'Мобильный',
      phone: '+7 911 243-45-68',
      qc: 3,
    });
  });

  it('garbage "qwerty": qc 2, every field null but source', async () => {
    expect(await clean('qwerty')).toStrictEqual({ source: 'qwerty', ...NULLS, qc: 2 });
  });

  it('empty string and blanks: qc 2', async () => {
    expect(await clean('')).toStrictEqual({ source: '', ...NULLS, qc: 2 });
    expect(await clean('   ')).toStrictEqual({ source: '   ', ...NULLS, qc: 2 });
  });

  it('digit soup (more digits than any number): qc 2', async () => {
    const soup = '1234567890123456789012345';
    expect(await clean(soup)).toStrictEqual({ source: soup, ...NULLS, qc: 2 });
  });
});

describe('DaData: extensions', () => {
  const notations = [
    '+7 846 231-60-14 доб. 139',
    '+7 846 231-60-14 доб 139',
    '+7 846 231-60-14 ext 139',
    '+7 846 231-60-14 ext. 139',
    '+7 846 231-60-14 x139',
    '+7 846 231-60-14 x 139',
    '+7 846 231-60-14 #139',
    '+7 846 231-60-14 *139',
    '8 (846) 231-60-14, доб. 139',
  ];
  for (const s of notations) {
    it(JSON.stringify(s), async () => {
      expect(await clean(s)).toStrictEqual({
        source: s,
        ...SAMARA,
        phone: '+7 846 231-60-14 доб. 139',
        extension: '139',
      });
    });
  }
});

describe('DaData: keys', () => {
  const body = '["+7 846 231-60-14"]';
  const cases: [name: string, headers: Record<string, string>, status: number][] = [
    ['no Authorization header', {}, 401],
    ['no X-Secret', { authorization: 'Token KEY' }, 401],
    ['a wrong secret', { authorization: 'Token KEY', 'x-secret': 'WRONG' }, 401],
    ['an unknown key', { authorization: 'Token NOPE', 'x-secret': 'SECRET' }, 401],
    ['another scheme', { authorization: 'Bearer KEY', 'x-secret': 'SECRET' }, 401],
    ['the key without the scheme', { authorization: 'KEY', 'x-secret': 'SECRET' }, 401],
    ['the right key and secret', { authorization: 'Token KEY', 'x-secret': 'SECRET' }, 200],
    ['the scheme in lower case', { authorization: 'token KEY', 'x-secret': 'SECRET' }, 200],
  ];
  for (const [name, headers, status] of cases) {
    it(`${name} → ${status}`, async () => {
      const r = await request({ body, headers: { 'content-type': 'application/json', ...headers } }, keyed);
      expect(r.status).toBe(status);
      expect(r.type).toMatch(/^application\/json/);
      if (status === 401) {
        expect(r.json).toStrictEqual({ detail: expect.any(String) });
        expect(r.headers.get('www-authenticate')).toBe('Token');
      } else {
        expect((r.json as Phone[])[0]).toMatchObject({ phone: '+7 846 231-60-14', qc: 0 });
      }
    });
  }

  it('keys are checked before the body: a bad body without a key is 401', async () => {
    const r = await request({ body: '{not json', headers: { 'content-type': 'application/json' } }, keyed);
    expect(r.status).toBe(401);
    expect(r.json).toStrictEqual({ detail: expect.any(String) });
  });

  it('open mode (no keys configured): no headers needed', async () => {
    const r = await request({ body, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    const r2 = await request({
      body,
      headers: { 'content-type': 'application/json', authorization: 'Token anything', 'x-secret': 'x' },
    });
    expect(r2.status).toBe(200);
  });
});

describe('DaData: request errors in the {"detail": …} shape', () => {
  const bad: [name: string, body: string | undefined, status: number, contentType?: string][] = [
    ['an object', '{"phone":"+7 846 231-60-14"}', 400],
    ['an empty array', '[]', 400],
    ['two phones', '["+7 846 231-60-14","+7 846 231-60-15"]', 400],
    ['a number, not a string', '[78462316014]', 400],
    ['null in the array', '[null]', 400],
    ['a nested array', '[["+7 846 231-60-14"]]', 400],
    ['a bare JSON string', '"+7 846 231-60-14"', 400],
    ['null', 'null', 400],
    ['invalid JSON', '["+7 846 231-60-14",', 400],
    ['an empty body', '', 400],
    ['text/plain', '["+7 846 231-60-14"]', 400, 'text/plain'],
    ['a form', 'phone=78462316014', 400, 'application/x-www-form-urlencoded'],
    ['a body over 16 KiB', JSON.stringify(['8'.repeat(17 * 1024)]), 413],
  ];
  for (const [name, body, status, contentType] of bad) {
    it(`${name} → ${status}`, async () => {
      const r = await request({ body, headers: { 'content-type': contentType ?? 'application/json' } });
      expect(r.status).toBe(status);
      expect(r.type).toMatch(/^application\/json/);
      expect(r.json).toStrictEqual({ detail: expect.any(String) });
      expect((r.json as { detail: string }).detail.length).toBeGreaterThan(0);
    });
  }

  it('a long phone under the limit is answered (source kept whole)', async () => {
    const long = 'тел. +7 846 231-60-14 ' + 'а'.repeat(2000);
    const p = await clean(long);
    expect(p.source).toBe(long);
    expect(p.phone).toBe('+7 846 231-60-14');
  });

  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    it(`${method} → 405 with Allow: POST`, async () => {
      const r = await request({
        method,
        body: method === 'GET' ? undefined : '{broken',
        headers: { 'content-type': 'application/json' },
      });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('POST');
      expect(r.json).toStrictEqual({ detail: `Method "${method}" not allowed.` });
    });
  }

  it('HEAD → 405', async () => {
    const r = await request({ method: 'HEAD' });
    expect(r.status).toBe(405);
  });

  it('a trailing slash reaches the same route', async () => {
    const r = await request({ body: '["+7 846 231-60-14"]' }, open, PATH + '/');
    expect(r.status).toBe(200);
  });

  it('no odd input makes the endpoint answer 5xx', async () => {
    const inputs = [
      '+',
      '++7',
      '+7',
      '7',
      '00',
      '810',
      '+0',
      '+999 123456789',
      '+7 (700) 123-45-67',
      '70000000000',
      '0000000000',
      '9'.repeat(17),
      '9'.repeat(40),
      '８９００',
      '\u0000',
      '😀',
      '\uD800',
      '()',
      'доб 139',
      '*139',
      '+7 900 000 00 00 доб 1234567',
      '8 10 44 20 7946 0958',
      '0044 20 7946 0958',
      '+882 1234 5678',
      '1'.repeat(5000),
      '+7 846 231-60-14 '.repeat(100),
    ];
    for (const s of inputs) {
      const r = await request({ body: JSON.stringify([s]) });
      expect(r.status, JSON.stringify(s)).toBe(200);
      const p = (r.json as Phone[])[0]!;
      expect(Object.keys(p), JSON.stringify(s)).toEqual([...FIELDS]);
      expect([0, 1, 2, 3, 7], JSON.stringify(s)).toContain(p.qc);
    }
  });
});

describe('DaData: a server without Russian registry data', () => {
  it('a Russian number is 503 with {"detail"}', async () => {
    for (const s of ['+7 846 231-60-14', '231-60-14']) {
      const r = await request({ body: JSON.stringify([s]) }, empty);
      expect(r.status, s).toBe(503);
      expect(r.json, s).toStrictEqual({ detail: expect.stringContaining('numinfo update') });
    }
  });

  it('foreign numbers, garbage and bad requests are answered as usual', async () => {
    const f = await request({ body: '["+44 20 7946 0958"]' }, empty);
    expect(f.status).toBe(200);
    expect((f.json as Phone[])[0]).toMatchObject({ country: 'Великобритания', qc: 7 });
    const g = await request({ body: '["qwerty"]' }, empty);
    expect(g.status).toBe(200);
    expect((g.json as Phone[])[0]).toMatchObject({ qc: 2 });
    const b = await request({ body: '[]' }, empty);
    expect(b.status).toBe(400);
  });
});

describe('DaData: /openapi.json', () => {
  it('describes the route, and the schema lists the 14 fields in order', async () => {
    const r = await request({ method: 'GET' }, open, '/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    expect(Object.keys(doc.paths[PATH] ?? {})).toEqual(['post']);
    expect(doc.components.schemas.DadataPhone?.required).toEqual([...FIELDS]);
    expect(doc.components.schemas.DadataError?.required).toEqual(['detail']);
  });
});

describe('DaData: other dialects are not affected', () => {
  it('native errors keep their envelope', async () => {
    const r = await request({ body: '{"x":1}' }, open, '/v1/lookup');
    expect(r.status).toBe(400);
    expect(r.json).toStrictEqual({ error: { code: 'BAD_REQUEST', message: expect.any(String) } });
    const nf = await request({ method: 'GET' }, open, '/api/v1/clean/address');
    expect(nf.status).toBe(404);
    expect(nf.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
