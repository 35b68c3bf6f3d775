/**
 * Ported numbers end to end, in every face: a generated MNP dump imported into a real data
 * directory, a real server on a real port over the real registry (../shared/registry/combined, or a
 * generated one without it), driven with fetch. Expectations come from the generator's samples and
 * the registry, never from the code under test: a sample's owner (OrgCode) → its INN → the
 * registry's operator with that INN.
 *
 * The tests in the `overrides` and `imports` blocks run in order and build on each other's state,
 * as a server's life does: overrides set, imports applied on top, a reload from another process.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transliterate } from '../src/core/translit.js';
import type { Operator } from '../src/core/types.js';
import { generateMnp, homeOperator, type GeneratedMnp, type MnpSample } from '../src/data/mnp/generate.js';
import { mnpDeltaPath, mnpPath } from '../src/data/mnp/mnpImport.js';
import { MnpIndex } from '../src/data/mnp/mnpIndex.js';
import { readMnpData } from '../src/data/mnp/mnpSnapshot.js';
import { KNOWN_MNP_OPERATORS, type MnpOperatorInfo } from '../src/data/mnp/operators.js';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { updateRegistry } from '../src/data/registryUpdate.js';
import { readSnapshotFile } from '../src/data/snapshot.js';
import { ahunterOperatorName } from '../src/http/ahunter/shapes.js';
import { buildServer } from '../src/http/server.js';
import { MnpManager } from '../src/services/mnpManager.js';
import { NumberService } from '../src/services/numberService.js';
import { removeTempDirs, SHARED_COMBINED, tempDir, waitFor } from './helpers/proc.js';
import { csvText, row, writeRegistryDir } from './helpers/registryData.js';

const REAL = existsSync(SHARED_COMBINED);

const KNOWN = new Map(KNOWN_MNP_OPERATORS.map((o) => [o.code, o]));
const known = (code: string): MnpOperatorInfo => {
  const o = KNOWN.get(code);
  if (!o) throw new Error(`no operator ${code}`);
  return o;
};
const MEGAFON: Operator = { name: 'ПАО "МегаФон"', inn: '7812014560' };

/** The generated registry's DEF file without the real data: every code of the generator's model, held whole by its home operator. */
function fallbackDefRows(): string[] {
  const rows: string[] = [];
  for (let code = 900; code <= 999; code++) {
    const home = homeOperator(code);
    if (home === null) continue;
    const o = known(home);
    rows.push(row(code, 0, 9_999_999, o.name, '-', 'Город Москва', o.inn));
  }
  return rows;
}

let registry: RegistryIndex;
let gen: GeneratedMnp;
let dataDir: string;
let service: NumberService;
let manager: MnpManager;
let app: FastifyInstance;
let base: string;
let authApp: FastifyInstance;
let authBase: string;

interface Answer {
  status: number;
  type: string;
  text: string;
  json: unknown;
}

async function request(url: string, init?: RequestInit): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json };
}

const get = (path: string, at = base): Promise<Answer> => request(at + path);
const post = (path: string, body: unknown, at = base): Promise<Answer> =>
  request(at + path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
const put = (path: string, body: string, headers: Record<string, string> = {}, at = base): Promise<Answer> =>
  request(at + path, { method: 'PUT', body, headers: { 'content-type': 'application/json', ...headers } });
const del = (path: string, headers: Record<string, string> = {}, at = base): Promise<Answer> =>
  request(at + path, { method: 'DELETE', headers });

// ---------------------------------------------------------------------------------------------
// What a number must look like

/** The MNP fields of a native answer. */
interface PortFields {
  readonly operator: Operator;
  readonly range_operator: Operator;
  readonly ported: boolean;
  readonly ported_at: string | null;
  readonly mnc: string | null;
  readonly route: string | null;
}

const pickPort = (r: Record<string, unknown>): Record<string, unknown> => ({
  operator: r.operator,
  range_operator: r.range_operator,
  ported: r.ported,
  ported_at: r.ported_at,
  mnc: r.mnc,
  route: r.route,
});

const op = (o: { name: string; inn: string | null }): Operator => ({ name: o.name, inn: o.inn });

function holderOf(number: string): Operator | null {
  const i = registry.find(+number.slice(0, 3), +number.slice(3));
  return i < 0 ? null : op(registry.operatorOf(i));
}

/** The registry's operator for an OrgCode of the dumps, matched by INN. */
function registryOperator(code: string): Operator {
  const k = known(code);
  const r = registry.operatorByInn(k.inn);
  return r ? op(r) : { name: k.name, inn: k.inn };
}

const mncOfInn = (inn: string | null): string | null =>
  KNOWN_MNP_OPERATORS.find((k) => k.inn === inn)?.mnc ?? null;

/** A number sent to `code` on `day` (by an increment or the full list, with this MNC and route). */
function portedTo(number: string, code: string, day: string, route: string | null): PortFields {
  const holder = holderOf(number)!;
  const operator = registryOperator(code);
  const ported = operator.inn !== holder.inn;
  return {
    operator,
    range_operator: holder,
    ported,
    ported_at: ported ? day : null,
    mnc: known(code).mnc,
    route,
  };
}

/** A number where its range says it is: never ported, or returned. */
function atHolder(number: string): PortFields {
  const holder = holderOf(number)!;
  return {
    operator: holder,
    range_operator: holder,
    ported: false,
    ported_at: null,
    mnc: mncOfInn(holder.inn),
    route: null,
  };
}

/** What the data must say about a generated sample; null when its range is not in the registry. */
function expectedOf(s: MnpSample): PortFields | null {
  if (holderOf(s.number) === null) return null;
  if (s.owner === null) return atHolder(s.number);
  return { ...portedTo(s.number, s.owner, s.day!, s.route), mnc: s.mnc };
}

/** The same number in every face. */
interface Faces {
  readonly native: Record<string, unknown>;
  readonly v1: { operator: unknown; old_operator: unknown };
  readonly v1OldOperatorTranslit: string;
  readonly v1OperatorTranslit: string;
  readonly v2Registrar: unknown;
  readonly dadataProvider: unknown;
  readonly ahunterOperator: unknown;
}

function expectedFaces(e: PortFields): Faces {
  return {
    native: { ...e },
    v1: { operator: e.operator.name, old_operator: e.ported ? e.range_operator.name : null },
    v1OldOperatorTranslit: e.ported ? transliterate(e.range_operator.name) : '',
    v1OperatorTranslit: transliterate(e.operator.name),
    v2Registrar: transliterate(e.operator.name),
    dadataProvider: e.operator.name,
    ahunterOperator: ahunterOperatorName(e.operator.name),
  };
}

function ok(a: Answer, what: string): unknown {
  if (a.status !== 200) throw new Error(`${what}: HTTP ${a.status} ${a.text.slice(0, 300)}`);
  return a.json;
}

async function facesOf(number: string, at = base): Promise<Faces> {
  const [native, v1, v1Old, v1Op, v2, dadata, ahunter] = await Promise.all([
    get(`/v1/lookup?number=${encodeURIComponent('+7' + number)}`, at),
    get(`/get/?num=7${number}`, at),
    get(`/get/?num=7${number}&field=old_operator&translit=1`, at),
    get(`/get/?num=8${number}&field=operator&translit=1`, at),
    get(`/get/v2/?num=7${number}`, at),
    post('/api/v1/clean/phone', [`+7 (${number.slice(0, 3)}) ${number.slice(3)}`], at),
    get(`/site/cleanse/phone?output=json;query=8${number}`, at),
  ]);
  const v1Json = ok(v1, 'voxlink v1') as Record<string, unknown>;
  expect(v1Old.type).toMatch(/^text\/plain/);
  expect(v1Op.type).toMatch(/^text\/plain/);
  return {
    native: pickPort(ok(native, 'native') as Record<string, unknown>),
    v1: { operator: v1Json.operator, old_operator: v1Json.old_operator },
    v1OldOperatorTranslit: (ok(v1Old, 'voxlink v1 field'), v1Old.text),
    v1OperatorTranslit: (ok(v1Op, 'voxlink v1 field'), v1Op.text),
    v2Registrar: (ok(v2, 'voxlink v2') as Record<string, unknown>).registrar,
    dadataProvider: (ok(dadata, 'dadata') as Record<string, unknown>[])[0]?.provider,
    ahunterOperator: (ok(ahunter, 'ahunter') as { phones: Record<string, unknown>[] }).phones[0]
      ?.operator_name,
  };
}

/** The native batch answers (`POST /v1/lookup` and `POST /v1/clean`) for some numbers. */
async function batchOf(numbers: readonly string[]): Promise<{ lookup: unknown[]; clean: unknown[] }> {
  const [l, c] = await Promise.all([
    post(
      '/v1/lookup',
      numbers.map((n) => '8' + n),
    ),
    post(
      '/v1/clean',
      numbers.map((n) => `тел. +7 ${n}`),
    ),
  ]);
  const lookup = ok(l, 'POST /v1/lookup') as { count: number; results: Record<string, unknown>[] };
  const clean = ok(c, 'POST /v1/clean') as { count: number; results: Record<string, unknown>[] };
  expect(lookup.count).toBe(numbers.length);
  expect(clean.count).toBe(numbers.length);
  return { lookup: lookup.results.map(pickPort), clean: clean.results.map(pickPort) };
}

async function mnpCount(): Promise<number> {
  return (ok(await get('/v1/mnp'), 'GET /v1/mnp') as { numbers: number }).numbers;
}

// ---------------------------------------------------------------------------------------------
// Hand-written dump files

const INCREMENT_HEADER =
  'NPId,Number,RecipientId,DonorId,RangeHolderId,OldRoute,NewRoute,OldMNC,NewMNC,RegionCode,PortDate,RowCount';

interface Port {
  readonly number: string;
  readonly to: string;
  /** YYYY-MM-DD */
  readonly day: string;
}

/** A Port_Increment file as the generator writes it; `declared` overrides the RowCount (a truncated file). */
function writeIncrement(name: string, ports: readonly Port[], declared = ports.length): string {
  const lines = ports.map((p, i) => {
    const to = known(p.to);
    const from = known('RTK');
    return [
      900_000_000 + i,
      p.number,
      `m${to.code}`,
      `m${from.code}`,
      `m${from.code}`,
      `D77${from.mnc}`,
      `D77${to.mnc}`,
      from.mnc,
      to.mnc,
      '77',
      `${p.day}T12:30:00+03:00`,
      i === 0 ? declared : '',
    ].join(',');
  });
  const path = join(tempDir('mnpf-inc'), name);
  writeFileSync(path, [INCREMENT_HEADER, ...lines].join('\n') + '\n');
  return path;
}

/** The port a hand-written increment makes, as the faces must show it. */
const viaIncrement = (p: Port): PortFields => portedTo(p.number, p.to, p.day, `D77${known(p.to).mnc}`);

// ---------------------------------------------------------------------------------------------
// Setup

/** Samples of each kind whose range the registry holds. */
const chosen: Record<MnpSample['kind'], MnpSample[]> = { full: [], ported: [], reported: [], returned: [] };
const PER_KIND = 6;
/** Full-list samples set aside for the override and import tests, each used once. */
let spare: MnpSample[] = [];
const takeSpare = (): MnpSample => {
  const s = spare.shift();
  if (!s) throw new Error('out of spare samples');
  return s;
};

beforeAll(async () => {
  let source = SHARED_COMBINED;
  if (!REAL) {
    console.warn(
      `\n[mnpFaces.test] ${SHARED_COMBINED} is missing: using a generated registry whose DEF ranges ` +
        'are held by the generator model’s home operators.\n',
    );
    source = writeRegistryDir(tempDir('mnpf-src'), { 'DEF-9xx.csv': csvText(fallbackDefRows()) });
  }
  dataDir = tempDir('mnpf-data');
  const reg = await updateRegistry({ source, dataDir });
  registry = new RegistryIndex(readSnapshotFile(reg.path));

  gen = await generateMnp({
    dir: tempDir('mnpf-dump'),
    count: 20_000,
    seed: 20_251_123,
    increments: [
      { ports: 400, returns: 80 },
      { ports: 400, returns: 80 },
    ],
    samples: 400,
  });

  // `numinfo mnp import` in its own process: a manager of its own over the same data directory.
  const importer = new MnpManager(new NumberService(registry), dataDir);
  importer.load();
  const result = await importer.import({ files: gen.files });
  expect(result.meta.numbers).toBe(gen.counts.final);

  service = new NumberService(registry);
  manager = new MnpManager(service, dataDir);
  manager.load();
  manager.watch(200);

  for (const s of gen.samples) {
    if (holderOf(s.number) === null) continue;
    if (chosen[s.kind].length < PER_KIND) chosen[s.kind].push(s);
    else if (s.kind === 'full') spare.push(s);
  }
  // Spares serve the override tests: neither held nor served by МегаФон, so setting МегаФон shows.
  spare = spare.filter((s) => {
    const e = expectedOf(s)!;
    return e.operator.inn !== MEGAFON.inn && e.range_operator.inn !== MEGAFON.inn;
  });

  app = buildServer({ service, config: { batchLimit: 1000, logLevel: 'silent', apiKeys: '' }, mnp: manager });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  authApp = buildServer({
    service,
    config: { batchLimit: 1000, logLevel: 'silent', apiKeys: 'KEY:SECRET' },
    mnp: manager,
  });
  await authApp.listen({ port: 0, host: '127.0.0.1' });
  authBase = `http://127.0.0.1:${(authApp.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  manager?.close();
  await app?.close();
  await authApp?.close();
  removeTempDirs();
});

// ---------------------------------------------------------------------------------------------

describe('generated samples in every face', () => {
  it('has samples of every kind in the registry, and the whole dump loaded', async () => {
    for (const kind of ['full', 'ported', 'reported', 'returned'] as const) {
      expect(chosen[kind].length, kind).toBe(PER_KIND);
    }
    expect(spare.length).toBeGreaterThanOrEqual(12);
    expect(ok(await get('/v1/mnp'), 'GET /v1/mnp')).toEqual({
      loaded: true,
      version: expect.any(String),
      date: expect.any(String),
      numbers: gen.counts.final,
      overrides: 0,
    });
  });

  it.each(['full', 'ported', 'reported'] as const)(
    '%s: current operator, range holder, date, MNC, route',
    async (kind) => {
      for (const s of chosen[kind]) {
        const e = expectedOf(s)!;
        expect(await facesOf(s.number), `${kind} ${s.number} (${s.owner})`).toEqual(expectedFaces(e));
      }
      // Every kind that ports holds numbers that really moved away from their range holder.
      expect(chosen[kind].some((s) => expectedOf(s)!.ported)).toBe(true);
    },
  );

  it('returned: back at the range holder, old_operator null, nothing ported', async () => {
    for (const s of chosen.returned) {
      expect(s.owner).toBeNull();
      const faces = await facesOf(s.number);
      expect(faces, s.number).toEqual(expectedFaces(atHolder(s.number)));
      expect(faces.v1.old_operator).toBeNull();
      expect(faces.v1OldOperatorTranslit).toBe('');
    }
  });

  it('a number served by МегаФон shows the registry name with its INN, not mMEGAFON', async () => {
    const s = [...chosen.full, ...chosen.ported, ...chosen.reported, ...spare].find(
      (x) => x.owner === 'MEGAFON' && holderOf(x.number)!.inn !== MEGAFON.inn,
    );
    expect(s, 'a sample ported to MEGAFON').toBeDefined();
    const faces = await facesOf(s!.number);
    expect(faces.native.operator).toEqual(MEGAFON);
    expect(faces.native.ported).toBe(true);
    expect(faces.native.mnc).toBe('02');
    expect(faces.v1.operator).toBe('ПАО "МегаФон"');
    expect(faces.v1OperatorTranslit).toBe('PAO "MegaFon"');
    expect(faces.v2Registrar).toBe('PAO "MegaFon"');
    expect(faces.dadataProvider).toBe('ПАО "МегаФон"');
    expect(faces.ahunterOperator).toBe('ПАО МегаФон');
  });

  it('POST /v1/lookup and POST /v1/clean say the same as the single answers', async () => {
    const samples = [...chosen.full, ...chosen.ported, ...chosen.reported, ...chosen.returned];
    const expected = samples.map((s) => ({ ...expectedOf(s)! }));
    const batch = await batchOf(samples.map((s) => s.number));
    expect(batch.lookup).toEqual(expected);
    expect(batch.clean).toEqual(expected);
  });
});

describe('overrides through the API', () => {
  let s: MnpSample;
  let before: PortFields;

  beforeAll(() => {
    s = takeSpare();
    before = expectedOf(s)!;
  });

  it('PUT sets МегаФон, and every face shows it', async () => {
    const res = await put(`/v1/mnp/+7${s.number}`, '{"operator":"MEGAFON"}');
    expect(res.status).toBe(200);
    const body = res.json as { override: { at: string } };
    expect(body).toEqual({
      override: { number: s.number, operator: 'MEGAFON', mnc: null, at: expect.any(String) },
      operator: MEGAFON,
      range_operator: before.range_operator,
      ported: true,
    });
    const at = body.override.at;
    expect(Date.now() - Date.parse(at)).toBeLessThan(60_000);
    const now: PortFields = {
      operator: MEGAFON,
      range_operator: before.range_operator,
      ported: true,
      ported_at: at.slice(0, 10),
      mnc: '02',
      route: null,
    };
    expect(await facesOf(s.number)).toEqual(expectedFaces(now));
    const batch = await batchOf([s.number]);
    expect(batch).toEqual({ lookup: [now], clean: [now] });

    expect(ok(await get(`/v1/mnp/8${s.number}`), 'GET /v1/mnp/{number}')).toEqual({
      number: '+7' + s.number,
      ...now,
      override: { number: s.number, operator: 'MEGAFON', mnc: null, at },
    });
    expect((ok(await get('/v1/mnp'), 'GET /v1/mnp') as { overrides: number }).overrides).toBe(1);
  });

  it('DELETE removes it (204) and the answer reverts; a second DELETE is 404', async () => {
    const res = await del(`/v1/mnp/7${s.number}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await facesOf(s.number)).toEqual(expectedFaces(before));
    expect(ok(await get(`/v1/mnp/${s.number}`), 'GET /v1/mnp/{number}')).toEqual({
      number: '+7' + s.number,
      ...before,
      override: null,
    });
    const again = await del(`/v1/mnp/7${s.number}`);
    expect(again.status).toBe(404);
    expect(again.json).toEqual({ error: { code: 'NOT_FOUND', message: `no override for +7${s.number}` } });
    expect(manager.overrideList).toEqual([]);
  });

  it.each([
    ['PUT', '12345'],
    ['PUT', 'abc'],
    ['GET', '12345'],
    ['DELETE', '+1 202 555 0100'],
  ])('%s of a bad number %j is 400 NOT_A_NUMBER', async (method, number) => {
    const path = `/v1/mnp/${encodeURIComponent(number)}`;
    const res =
      method === 'PUT'
        ? await put(path, '{"operator":"MEGAFON"}')
        : method === 'GET'
          ? await get(path)
          : await del(path);
    expect(res.status).toBe(400);
    expect((res.json as { error: { code: string } }).error.code).toBe('NOT_A_NUMBER');
  });

  it.each([
    ['no operator', '{}'],
    ['operator not a string', '{"operator":5}'],
    ['empty operator', '{"operator":"  "}'],
    ['mnc not digits', '{"operator":"MEGAFON","mnc":"x1"}'],
    ['mnc a number', '{"operator":"MEGAFON","mnc":2}'],
    ['not an object', '"MEGAFON"'],
    ['not JSON', '{operator: MEGAFON'],
  ])('a bad body (%s) is 400 and sets nothing', async (_what, body) => {
    const res = await put(`/v1/mnp/${s.number}`, body);
    expect(res.status).toBe(400);
    expect((res.json as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    expect(manager.overrideList).toEqual([]);
    expect(service.lookup(s.number).operator).toEqual(before.operator);
  });

  it('with apiKeys configured, writes need Authorization: Token KEY; reads do not', async () => {
    const path = `/v1/mnp/${s.number}`;
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Token WRONG' },
      { authorization: 'Basic S0VZOlNFQ1JFVA==' },
    ]) {
      const res = await put(path, '{"operator":"MEGAFON"}', headers, authBase);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect((res.json as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
    expect(manager.overrideList).toEqual([]);
    const okPut = await put(
      path,
      '{"operator":"MEGAFON","mnc":"02"}',
      { authorization: 'Token KEY' },
      authBase,
    );
    expect(okPut.status).toBe(200);
    expect((okPut.json as { operator: Operator }).operator).toEqual(MEGAFON);
    expect((await get(`/v1/lookup?number=${s.number}`, authBase)).json).toMatchObject({ operator: MEGAFON });
    expect((await del(path, {}, authBase)).status).toBe(401);
    expect((await get(path, authBase)).status).toBe(200);
    expect((await del(path, { authorization: 'Token KEY' }, authBase)).status).toBe(204);
    expect(service.lookup(s.number).operator).toEqual(before.operator);
  });

  it.each(['mMEGAFON', '7812014560', 'ПАО "МегаФон"'])(
    'the operator may be written %j: МегаФон all the same',
    async (written) => {
      const res = await put(`/v1/mnp/${s.number}`, JSON.stringify({ operator: written }));
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ override: { operator: written }, operator: MEGAFON, ported: true });
      const faces = await facesOf(s.number);
      expect(faces.native).toMatchObject({ operator: MEGAFON, mnc: '02', route: null });
      expect(faces.ahunterOperator).toBe('ПАО МегаФон');
      expect((await del(`/v1/mnp/${s.number}`)).status).toBe(204);
    },
  );

  it('an override survives a restart: a new manager over the same data directory sees it', async () => {
    const t = takeSpare();
    expect((await put(`/v1/mnp/${t.number}`, '{"operator":"7812014560","mnc":"02"}')).status).toBe(200);
    const restarted = new NumberService(registry);
    new MnpManager(restarted, dataDir).load();
    const r = restarted.lookup(t.number);
    expect(r.operator).toEqual(MEGAFON);
    expect(r.ported).toBe(true);
    expect(restarted.mnpOverrides).toEqual([
      { number: t.number, operator: '7812014560', mnc: '02', at: expect.any(String) },
    ]);
    expect(restarted.mnpStatus().numbers).toBe(gen.counts.final);
    expect((await del(`/v1/mnp/${t.number}`)).status).toBe(204);
    const again = new NumberService(registry);
    new MnpManager(again, dataDir).load();
    expect(again.mnpOverrides).toEqual([]);
    expect(again.lookup(t.number).operator).toEqual(expectedOf(t)!.operator);
  });
});

describe('imports while the server runs', () => {
  /** The increment another process imported while the server ran. */
  let hotFile = '';

  /** A number in the registry that no dump ports (and no test has ported yet). */
  function freshNumber(): string {
    const index = new MnpIndex(readMnpData(dataDir)!);
    for (const s of spare) {
      for (let k = 1; k < 50; k++) {
        const sub = (+s.number.slice(3) + k * 104_729) % 10_000_000;
        const n = s.number.slice(0, 3) + String(sub).padStart(7, '0');
        if (holderOf(n) !== null && index.find(+n.slice(0, 3), sub) < 0) return n;
      }
    }
    throw new Error('no fresh number found');
  }

  /** Another operator than the number's holder, its current one and МегаФон. */
  function otherOperator(s: MnpSample): string {
    const e = expectedOf(s)!;
    const code = ['MTS', 'TELE2', 'BEELINE', 'YOTA'].find((c) => {
      const inn = known(c).inn;
      return inn !== e.operator.inn && inn !== e.range_operator.inn;
    });
    return code!;
  }

  it('an increment dated after an override drops it; one dated before leaves it', async () => {
    const after = takeSpare();
    const kept = takeSpare();
    for (const x of [after, kept]) {
      expect((await put(`/v1/mnp/${x.number}`, '{"operator":"MEGAFON"}')).status).toBe(200);
    }
    const overrideDay = manager.overrideList[0]!.at.slice(0, 10);

    const newer: Port = { number: after.number, to: otherOperator(after), day: '2030-01-01' };
    await manager.import({ files: [writeIncrement('Port_Increment_203001011200.csv', [newer])] });
    expect(manager.overrideList.map((o) => o.number)).toEqual([kept.number]);
    expect(await facesOf(after.number)).toEqual(expectedFaces(viaIncrement(newer)));
    expect((ok(await get(`/v1/mnp/${after.number}`), 'GET') as { override: unknown }).override).toBeNull();

    const older: Port = { number: kept.number, to: otherOperator(kept), day: '2020-01-01' };
    await manager.import({ files: [writeIncrement('Port_Increment_202001011200.csv', [older])] });
    expect(manager.overrideList.map((o) => o.number)).toEqual([kept.number]);
    expect((await facesOf(kept.number)).native).toEqual({
      operator: MEGAFON,
      range_operator: expectedOf(kept)!.range_operator,
      ported: true,
      ported_at: overrideDay,
      mnc: '02',
      route: null,
    });
    // Deleting the override uncovers the older port.
    expect((await del(`/v1/mnp/${kept.number}`)).status).toBe(204);
    expect(await facesOf(kept.number)).toEqual(expectedFaces(viaIncrement(older)));
    // Both numbers were in the full list already: re-ported, not added.
    expect(await mnpCount()).toBe(gen.counts.final);
  });

  it('reloads an import made by another process, without stopping, overrides it supersedes included', async () => {
    const plain = takeSpare();
    const overridden = takeSpare();
    const fresh = freshNumber();
    expect((await put(`/v1/mnp/${overridden.number}`, '{"operator":"MEGAFON"}')).status).toBe(200);
    const ports: Port[] = [
      { number: plain.number, to: otherOperator(plain), day: '2030-02-01' },
      { number: overridden.number, to: otherOperator(overridden), day: '2030-02-01' },
      { number: fresh, to: 'MTS', day: '2030-02-01' },
    ];
    expect(await facesOf(fresh)).toEqual(expectedFaces(atHolder(fresh)));
    const file = writeIncrement('Port_Increment_203002011200.csv', ports);
    hotFile = file;

    const snapBefore = readFileSync(mnpPath(dataDir));
    const other = new MnpManager(new NumberService(registry), dataDir);
    other.load();
    const result = await other.import({ files: [file] });
    other.close();
    // An increment writes only mnp-delta.snap; the server's watch picks the delta up.
    expect(result.path).toBe(mnpDeltaPath(dataDir));
    expect(readFileSync(mnpPath(dataDir)).equals(snapBefore)).toBe(true);

    const want = viaIncrement(ports[0]!);
    await waitFor(
      'the server to reload mnp.snap + mnp-delta.snap',
      async () => {
        const r = (await get(`/v1/lookup?number=${plain.number}`)).json as { operator: Operator };
        return r.operator.inn === want.operator.inn ? true : undefined;
      },
      5000,
      50,
    );
    expect(await facesOf(plain.number)).toEqual(expectedFaces(want));
    expect(await facesOf(fresh)).toEqual(expectedFaces(viaIncrement(ports[2]!)));
    expect(await mnpCount()).toBe(gen.counts.final + 1);
    // The other process dropped the override its import superseded; the server follows.
    expect(await facesOf(overridden.number)).toEqual(expectedFaces(viaIncrement(ports[1]!)));
    expect(
      (ok(await get(`/v1/mnp/${overridden.number}`), 'GET') as { override: unknown }).override,
    ).toBeNull();
    expect((ok(await get('/v1/mnp'), 'GET /v1/mnp') as { overrides: number }).overrides).toBe(0);
  });

  it('importing the same increments again changes no answer and no count', async () => {
    const samples = [...chosen.full, ...chosen.ported, ...chosen.reported, ...chosen.returned];
    const hot = readFileSync(hotFile, 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l !== '')
      .map((l) => l.split(',')[1]!);
    expect(hot).toHaveLength(3);
    const numbers = [...samples.map((s) => s.number), ...hot];
    const before = await batchOf(numbers);
    const countBefore = await mnpCount();
    // Every sample is as the generator says it is after the last day.
    expect(before.lookup.slice(0, samples.length)).toEqual(samples.map((s) => ({ ...expectedOf(s)! })));

    const lastDay = gen.parts.slice(-2);
    expect(lastDay.map((p) => p.kind)).toEqual(['increment', 'return']);
    for (let i = 0; i < 2; i++) {
      const result = await manager.import({ files: [...lastDay.map((p) => p.file), hotFile] });
      expect(result.meta.numbers).toBe(countBefore);
      expect(await mnpCount()).toBe(countBefore);
      expect(await batchOf(numbers)).toEqual(before);
    }
  });

  it('a truncated increment (RowCount larger than its rows) is rejected and changes nothing', async () => {
    const s = takeSpare();
    const e = expectedOf(s)!;
    const snap = mnpPath(dataDir);
    const mtime = statSync(snap).mtimeMs;
    const deltaMtime = statSync(mnpDeltaPath(dataDir)).mtimeMs;
    const countBefore = await mnpCount();
    const bad = writeIncrement(
      'Port_Increment_203003011200.csv',
      [{ number: s.number, to: otherOperator(s), day: '2030-03-01' }],
      5,
    );
    await expect(manager.import({ files: [bad] })).rejects.toMatchObject({
      code: 'UPDATE_REJECTED',
      message: expect.stringContaining('RowCount says 5 rows, the file has 1'),
    });
    const garbage = join(tempDir('mnpf-bad'), 'Port_Increment_203003021200.csv');
    writeFileSync(garbage, 'this is not a dump\n1,2,3\n');
    await expect(manager.import({ files: [garbage] })).rejects.toMatchObject({ code: 'UPDATE_REJECTED' });

    expect(statSync(snap).mtimeMs).toBe(mtime);
    expect(statSync(mnpDeltaPath(dataDir)).mtimeMs).toBe(deltaMtime);
    expect(await mnpCount()).toBe(countBefore);
    expect(await facesOf(s.number)).toEqual(expectedFaces(e));
  });
});
