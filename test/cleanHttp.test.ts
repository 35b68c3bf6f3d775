/**
 * The native cleaning face, `GET /v1/clean?q=&hint=` and `POST /v1/clean`, end to end: a real
 * server on a real port over the real registry (../shared/registry/combined), driven with fetch.
 * The exact answers need the real data; without it those tests are skipped with a message, and the
 * request-error tests run over a small generated registry.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRegistry } from '../src/data/registryImport.js';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { fetchRegistryFiles } from '../src/data/registrySource.js';
import { buildServer } from '../src/http/server.js';
import type { CleanView } from '../src/services/cleanView.js';
import { NumberService } from '../src/services/numberService.js';
import { writeRegistryDir } from './helpers/registryData.js';
import { removeTempDirs, SHARED_COMBINED, tempDir } from './helpers/proc.js';

const REAL = existsSync(SHARED_COMBINED);
const BATCH_LIMIT = 1000;

let app: FastifyInstance;
let base: string;
let version: string;

interface Answer<T = unknown> {
  readonly status: number;
  readonly type: string;
  readonly json: T;
}

async function call<T>(path: string, init?: RequestInit): Promise<Answer<T>> {
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: json as T };
}

const getClean = (q: string, hint?: string): Promise<Answer<CleanView>> =>
  call<CleanView>(
    `/v1/clean?q=${encodeURIComponent(q)}${hint === undefined ? '' : `&hint=${encodeURIComponent(hint)}`}`,
  );

interface Batch {
  count: number;
  results: CleanView[];
}

/** `curl -d '[…]' URL`: JSON in the body, labelled as a form. */
const curlD = (body: string, query = ''): Promise<Answer<Batch>> =>
  call<Batch>(`/v1/clean${query}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

const postJson = (body: unknown, query = ''): Promise<Answer<Batch>> =>
  call<Batch>(`/v1/clean${query}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

beforeAll(async () => {
  let source = SHARED_COMBINED;
  if (!REAL) {
    console.warn(
      `\n[cleanHttp.test] ${SHARED_COMBINED} is missing: the exact answers over real data are SKIPPED; ` +
        'request errors are tested over a small generated registry.\n',
    );
    source = writeRegistryDir(tempDir('clean-http-src'));
  }
  const index = new RegistryIndex(importRegistry(await fetchRegistryFiles(source)).registry);
  version = index.dataVersion.version;
  app = buildServer({
    service: new NumberService(index),
    config: { batchLimit: BATCH_LIMIT, logLevel: 'silent' },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  removeTempDirs();
});

const RU = { iso: 'RU', calling_code: '7', name_ru: 'Россия', name_en: 'Russia', flag: '🇷🇺' };
const MOSCOW_TZ = { iana: 'Europe/Moscow', utc: 'UTC+3', msk: 'MSK+0', name: 'Московское время' };
const SAMARA_TZ = { iana: 'Europe/Samara', utc: 'UTC+4', msk: 'MSK+1', name: 'Самарское время' };

/** The lookup fields of 8 (846) 231-60-14, from the registry row `846;2316000;2316999;1000;ООО "СИПАУТНЭТ";г. Самара|Самарская обл.` */
const SIPAUTNET_846 = {
  valid: true,
  error: null,
  e164: '+78462316014',
  national: '8462316014',
  country: RU,
  type: 'fixed',
  code: '846',
  code_kind: 'ABC',
  subscriber: '2316014',
  range: { from: '2316000', to: '2316999', capacity: 1000 },
  // No INN in the ABC file, and the DEF file has no operator of this name to lend one.
  operator: { name: 'ООО "СИПАУТНЭТ"', inn: null },
  range_operator: { name: 'ООО "СИПАУТНЭТ"', inn: null },
  ported: false,
  ported_at: null,
  mnc: null,
  route: null,
  region: { name: 'Самарская область', code: '63', codes: ['63'] },
  district: null,
  place: { type: 'г', name: 'Самара' },
  location: 'г. Самара, Самарская область',
  carrier: null,
  timezone: SAMARA_TZ,
  timezones: ['Europe/Samara'],
};

/** 8 (499) 166-30-50: `499;1660022;1673188;13167;ПАО "МГТС";г. Москва`, INN from the DEF file. */
const MGTS_499 = {
  valid: true,
  error: null,
  e164: '+74991663050',
  national: '4991663050',
  country: RU,
  type: 'fixed',
  code: '499',
  code_kind: 'ABC',
  subscriber: '1663050',
  range: { from: '1660022', to: '1673188', capacity: 13167 },
  operator: { name: 'ПАО "МГТС"', inn: '7710016640' },
  region: { name: 'Москва', code: '77', codes: ['77'] },
  district: null,
  place: { type: 'г', name: 'Москва' },
  carrier: null,
  timezone: MOSCOW_TZ,
  timezones: ['Europe/Moscow'],
};

describe.skipIf(!REAL)('GET /v1/clean: exact answers (real registry)', () => {
  it('DaData\'s example "раб 846)231.60.14 *139": every field', async () => {
    const r = await getClean('раб 846)231.60.14 *139');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    const number = {
      input: '8462316014',
      ...SIPAUTNET_846,
      data: { version, date: expect.any(String) },
      text: '846)231.60.14',
      extension: '139',
      restored_zone: false,
      kind: 'Стационарный',
      phone: '+7 846 231-60-14 доб. 139',
    };
    expect(r.json).toStrictEqual({
      ...number,
      source: 'раб 846)231.60.14 *139',
      qc: 0,
      qc_conflict: 0,
      variants: [{ input: '8462316014', ...SIPAUTNET_846, data: { version, date: expect.any(String) } }],
      numbers: [number],
    });
  });

  it('"тел. 8(499)166-30-50": МГТС, Moscow', async () => {
    const r = await getClean('тел. 8(499)166-30-50');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      ...MGTS_499,
      text: '8(499)166-30-50',
      extension: null,
      restored_zone: false,
      kind: 'Стационарный',
      phone: '+7 499 166-30-50',
      source: 'тел. 8(499)166-30-50',
      qc: 0,
      qc_conflict: 0,
    });
    expect(r.json.numbers).toHaveLength(1);
    expect(r.json.variants).toHaveLength(1);
  });

  it('"8 (912) 345-67-89 доб 12, 8-800-555-35-35": two numbers, qc 3, the first one answers', async () => {
    const r = await getClean('8 (912) 345-67-89 доб 12, 8-800-555-35-35');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      e164: '+79123456789',
      code: '912',
      code_kind: 'DEF',
      type: 'mobile',
      // DEF row: 912;3400000;3599999;…;ПАО "МТС";Оренбургская обл.;…;7740000076, shown under the INN's most frequent spelling.
      operator: { name: 'ПАО "Мобильные ТелеСистемы"', inn: '7740000076' },
      region: { name: 'Оренбургская область' },
      place: null,
      timezone: { iana: 'Asia/Yekaterinburg', utc: 'UTC+5' },
      extension: '12',
      kind: 'Мобильный',
      phone: '+7 912 345-67-89 доб. 12',
      qc: 3,
      qc_conflict: 0,
    });
    expect(r.json.numbers).toHaveLength(2);
    expect(r.json.numbers[1]).toMatchObject({
      e164: '+78005553535',
      text: '8-800-555-35-35',
      extension: null,
      type: 'toll_free',
      kind: 'Колл-центр',
      // 800;5550000;5559999;10000;ОАО "МТТ";Российская Федерация
      operator: { name: 'ОАО "МТТ"' },
      region: { name: 'Российская Федерация' },
      timezone: null,
      phone: '+7 800 555-35-35',
    });
  });

  it('"+44 20 7946 0958": qc 7, Great Britain, with libphonenumber\'s place and zone', async () => {
    const r = await getClean('+44 20 7946 0958');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      e164: '+442079460958',
      national: '2079460958',
      country: { iso: 'GB', calling_code: '44', name_ru: 'Великобритания' },
      type: 'fixed',
      operator: null,
      region: null,
      location: 'London',
      timezone: { iana: 'Europe/London' },
      kind: 'Стационарный',
      phone: '+44 20 7946 0958',
      qc: 7,
      qc_conflict: 0,
    });
  });

  it('"qwerty": garbage, qc 2, nothing found', async () => {
    const r = await getClean('qwerty');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      source: 'qwerty',
      qc: 2,
      qc_conflict: 0,
      valid: false,
      error: 'NOT_A_NUMBER',
      e164: null,
      phone: null,
      kind: null,
      extension: null,
      restored_zone: false,
      variants: [],
      numbers: [],
    });
  });

  it('an empty q is empty input: 200, qc 2, INPUT_EMPTY', async () => {
    const r = await call<CleanView>('/v1/clean?q=');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ source: '', qc: 2, error: 'INPUT_EMPTY', numbers: [] });
  });

  it('"1663050": the zone is restored, variants best first (ahunter\'s example)', async () => {
    const r = await getClean('1663050');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ...MGTS_499, restored_zone: true, qc: 1, phone: '+7 499 166-30-50' });
    expect(r.json.variants.map((v) => v.e164).slice(0, 3)).toEqual([
      '+74991663050',
      '+74951663050',
      '+79161663050',
    ]);
  });

  it('"991663050": a partial zone is completed to 499', async () => {
    const r = await getClean('991663050');
    expect(r.json).toMatchObject({ e164: '+74991663050', restored_zone: true, qc: 1 });
    expect(r.json.variants.map((v) => v.e164)).toEqual(['+74991663050', '+79991663050']);
  });

  it('hint ranks restored zones: 2316014 is Тамбов without a hint, Самара with hint=Самара', async () => {
    const plain = await getClean('2316014');
    expect(plain.json).toMatchObject({ e164: '+74752316014', phone: '+7 475 231-60-14', qc: 1 });
    const hinted = await getClean('2316014', 'Самара');
    expect(hinted.status).toBe(200);
    expect(hinted.json).toMatchObject({
      ...SIPAUTNET_846,
      restored_zone: true,
      kind: 'Стационарный',
      phone: '+7 846 231-60-14',
      qc: 1,
      qc_conflict: 0,
    });
    expect(hinted.json.variants.map((v) => v.e164).slice(0, 3)).toEqual([
      '+78462316014',
      // The city names its region: other Samara-region zones come next (Тольятти, then mobile).
      '+78482316014',
      '+79372316014',
    ]);
  });

  it('hint=Москва for 1663050 keeps 499 first and agrees (qc_conflict 0)', async () => {
    const r = await getClean('1663050', 'Москва');
    expect(r.json).toMatchObject({ e164: '+74991663050', qc: 1, qc_conflict: 0 });
  });

  it('hint sets qc_conflict: 3 for another region, 2 for another city, 0 when they agree', async () => {
    expect((await getClean('+7 846 231-60-14', 'Москва')).json).toMatchObject({ qc: 0, qc_conflict: 3 });
    expect((await getClean('+7 846 231-60-14', 'Самарская обл., г. Тольятти')).json).toMatchObject({
      qc: 0,
      qc_conflict: 2,
    });
    expect((await getClean('+7 846 231-60-14', 'Самарская обл., г. Самара')).json).toMatchObject({
      qc: 0,
      qc_conflict: 0,
    });
  });
});

describe.skipIf(!REAL)('POST /v1/clean: batches (real registry)', () => {
  it('`curl -d` (JSON labelled as a form): three strings, three answers in order', async () => {
    const r = await curlD('["8 (912) 345-67-89 доб 12, 8-800-555-35-35", "+44 20 7946 0958", "qwerty"]');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.json.count).toBe(3);
    const [first, second, third] = r.json.results;
    expect(first).toMatchObject({
      source: '8 (912) 345-67-89 доб 12, 8-800-555-35-35',
      qc: 3,
      e164: '+79123456789',
      extension: '12',
      kind: 'Мобильный',
      phone: '+7 912 345-67-89 доб. 12',
    });
    expect(first!.numbers).toHaveLength(2);
    expect(first!.numbers[0]).toMatchObject({ e164: '+79123456789', extension: '12' });
    expect(first!.numbers[1]).toMatchObject({ e164: '+78005553535', kind: 'Колл-центр', extension: null });
    expect(second).toMatchObject({
      source: '+44 20 7946 0958',
      qc: 7,
      country: { iso: 'GB' },
      location: 'London',
    });
    expect(third).toMatchObject({ source: 'qwerty', qc: 2, numbers: [], phone: null });
  });

  it('application/json works the same, and the answers equal GET /v1/clean one by one', async () => {
    const items = ['раб 846)231.60.14 *139', '1663050', '   ', '+7 916 123-45-67'];
    const r = await postJson(items);
    expect(r.status).toBe(200);
    expect(r.json.count).toBe(4);
    for (const [i, q] of items.entries()) expect(r.json.results[i]).toStrictEqual((await getClean(q)).json);
  });

  it('?hint= applies to every string of the batch', async () => {
    const r = await postJson(['2316014', '231-60-14'], '?hint=' + encodeURIComponent('Самара'));
    expect(r.status).toBe(200);
    expect(r.json.results.map((x) => x.e164)).toEqual(['+78462316014', '+78462316014']);
  });
});

describe('request errors (any registry)', () => {
  it('q missing → 400 MISSING_PARAMETER', async () => {
    const r = await call('/v1/clean');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { code: 'MISSING_PARAMETER', message: expect.any(String) } });
    expect((await call('/v1/clean?hint=Москва')).status).toBe(400);
  });

  it('q of 1001 characters → 400 INPUT_TOO_LONG; 1000 characters is read', async () => {
    const long = await getClean('1'.repeat(1001));
    expect(long.status).toBe(400);
    expect(long.json).toMatchObject({ error: { code: 'INPUT_TOO_LONG' } });
    const edge = await getClean('x'.repeat(989) + '89123456789');
    expect(edge.status).toBe(200);
    expect(edge.json.source).toHaveLength(1000);
    expect(edge.json.e164).toBe('+79123456789');
  });

  it('q or hint given twice → 400 BAD_REQUEST', async () => {
    expect((await call('/v1/clean?q=1&q=2')).json).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    const r = await call('/v1/clean?q=1663050&hint=a&hint=b');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });

  it('POST with a body that is not an array of strings → 400 BAD_REQUEST', async () => {
    for (const body of ['{"q": "89123456789"}', '"89123456789"', '42', 'null', '[1, "2"]', '["ok", null]']) {
      const r = await curlD(body);
      expect(r.status, body).toBe(400);
      expect(r.json, body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    }
  });

  it('POST with a body that is not JSON → 400', async () => {
    const r = await curlD('8 912 345 67 89');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });

  it(`POST with ${BATCH_LIMIT + 1} strings → 413 BATCH_TOO_LARGE; ${BATCH_LIMIT} are answered`, async () => {
    const over = await postJson(Array.from({ length: BATCH_LIMIT + 1 }, () => '89123456789'));
    expect(over.status).toBe(413);
    expect(over.json).toMatchObject({ error: { code: 'BATCH_TOO_LARGE' } });
    const at = await postJson(
      Array.from({ length: BATCH_LIMIT }, (_, i) => `8 912 345 ${String(i).padStart(4, '0')}`),
    );
    expect(at.status).toBe(200);
    expect(at.json.count).toBe(BATCH_LIMIT);
  });

  it('POST [] → 200 with no results; a string over 1000 characters is answered as INPUT_TOO_LONG in place', async () => {
    const empty = await postJson([]);
    expect(empty.status).toBe(200);
    expect(empty.json).toStrictEqual({ count: 0, results: [] });
    const r = await postJson(['7'.repeat(1001), 'qwerty']);
    expect(r.status).toBe(200);
    expect(r.json.results[0]).toMatchObject({ error: 'INPUT_TOO_LONG', qc: 2, numbers: [], phone: null });
    expect(r.json.results[0]!.source).toHaveLength(1000);
    expect(r.json.results[1]).toMatchObject({ qc: 2, error: 'NOT_A_NUMBER' });
  });
});
