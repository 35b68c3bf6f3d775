import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateMnp,
  homeOperator,
  mnpGenerateOptions,
  runMnpGenerate,
  type GeneratedMnp,
  type GenerateMnpOptions,
} from './generate.js';
import { forEachLine, textSources } from './lines.js';
import { importMnp } from './mnpImport.js';
import { MnpIndex } from './mnpIndex.js';
import { readMnpData } from './mnpSnapshot.js';
import { KNOWN_MNP_OPERATORS } from './operators.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'numinfo-mnp-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => path.join(tmp, `d${++dirs}`);

const MNC = new Map(KNOWN_MNP_OPERATORS.map((o) => [o.code, o.mnc]));
const DATE = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\+03:00$/;
const HEADERS = {
  operators: 'OrgCode,MNC,TIN,OrgName,RowCount',
  full: 'Number,OwnerId,MNC,Route,RegionCode,PortDate,RowCount',
  fullFull:
    'Number,OwnerId,MNC,Route,RegionCode,PortDate,RowCount,NPId,DonorId,RangeHolderId,OldRoute,OldMNC,ProcessType',
  increment:
    'NPId,Number,RecipientId,DonorId,RangeHolderId,OldRoute,NewRoute,OldMNC,NewMNC,RegionCode,PortDate,RowCount',
  return: 'NPId,Number,OwnerId,RangeHolderId,RangeHolderMNC,OldRoute,NewRoute,RegionCode,PortDate,RowCount',
};

/** A generated file's rows (plain or zipped), each as a record by the header's names. */
async function readRows(file: string): Promise<{ header: string; rows: Record<string, string>[] }> {
  const opened = await textSources(file);
  try {
    let header: string[] = [];
    let headerLine = '';
    const rows: Record<string, string>[] = [];
    await forEachLine(await opened.sources[0]!.open(), (line, no) => {
      if (no === 1) {
        headerLine = line;
        header = line.split(',');
        return;
      }
      const f = line.split(',');
      expect(f, `${file}:${no}`).toHaveLength(header.length);
      rows.push(Object.fromEntries(header.map((h, i) => [h, f[i]!])));
    });
    return { header: headerLine, rows };
  } finally {
    opened.close();
  }
}

const owner = (id: string): string => {
  expect(id).toMatch(/^m[A-Z0-9]+$/);
  return id.slice(1);
};
const codeOf = (number: string): number => +number.slice(0, 3);

interface Now {
  owner: string;
  region: string;
  day: string;
}

/**
 * Checks every file row by row against the model and replays them: a re-port's donor is the
 * current owner, a new port's number is not ported, a return's number is. Returns the final set.
 */
async function replay(g: GeneratedMnp, opts: GenerateMnpOptions): Promise<Map<string, Now>> {
  const now = new Map<string, Now>();
  const returned = new Set<string>();
  const whenDay = (opts.when ?? new Date('2025-06-02T06:00:00+03:00')).getTime() + 3 * 3_600_000;
  const lastFullDay = new Date(whenDay - 86_400_000).toISOString().slice(0, 10);
  let day = 0;
  const counts = { ports: 0, reports: 0, returns: 0, again: 0 };
  let lastNumber = '';
  for (const part of g.parts) {
    const { header, rows } = await readRows(part.file);
    expect(rows, part.file).toHaveLength(part.rows);
    rows.forEach((r, i) =>
      expect(r.RowCount, `${part.file} row ${i + 1}`).toBe(i === 0 ? String(part.rows) : ''),
    );
    if (part.kind === 'operators') {
      expect(header).toBe(HEADERS.operators);
      expect(rows.map((r) => [owner(r.OrgCode!), r.MNC, r.TIN])).toEqual(
        KNOWN_MNP_OPERATORS.map((o) => [o.code, o.mnc, o.inn]),
      );
      continue;
    }
    if (part.kind === 'full') {
      expect(header).toBe(opts.full ? HEADERS.fullFull : HEADERS.full);
      for (const r of rows) {
        const number = r.Number!;
        expect(number).toMatch(/^9\d{9}$/);
        expect(number > lastNumber, `sorted: ${number}`).toBe(true);
        lastNumber = number;
        const o = owner(r.OwnerId!);
        const home = homeOperator(codeOf(number));
        expect(home, number).not.toBeNull();
        expect(o, number).not.toBe(home);
        expect(r.MNC).toBe(MNC.get(o));
        expect(r.RegionCode).toMatch(/^\d\d$/);
        expect(r.Route).toBe(`D${r.RegionCode}${r.MNC}`);
        const date = DATE.exec(r.PortDate!)?.[1];
        expect(date, r.PortDate).toBeDefined();
        expect(date! >= '2013-12-01' && date! <= lastFullDay, date).toBe(true);
        if (opts.full) {
          expect(owner(r.RangeHolderId!)).toBe(home);
          expect(owner(r.DonorId!)).not.toBe(o);
          expect(r.OldMNC).toBe(MNC.get(owner(r.DonorId!)));
          expect(r.OldRoute).toBe(`D${r.RegionCode}${r.OldMNC}`);
          expect(r.NPId).toMatch(/^\d+$/);
          expect(['ShortPort', 'LongPort']).toContain(r.ProcessType);
        }
        now.set(number, { owner: o, region: r.RegionCode!, day: date! });
      }
      continue;
    }
    const expectedDay = new Date(whenDay + day * 86_400_000).toISOString().slice(0, 10);
    let lastNpId = 0;
    for (const r of rows) {
      const number = r.Number!;
      const home = homeOperator(codeOf(number))!;
      expect(owner(r.RangeHolderId!)).toBe(home);
      expect(DATE.exec(r.PortDate!)?.[1]).toBe(expectedDay);
      expect(+r.NPId!).toBeGreaterThan(lastNpId);
      lastNpId = +r.NPId!;
      const before = now.get(number);
      if (part.kind === 'increment') {
        expect(header).toBe(HEADERS.increment);
        const to = owner(r.RecipientId!);
        const from = owner(r.DonorId!);
        expect(to, number).not.toBe(home);
        expect(to).not.toBe(from);
        expect(r.NewMNC).toBe(MNC.get(to));
        expect(r.OldMNC).toBe(MNC.get(from));
        expect(r.NewRoute).toBe(`D${r.RegionCode}${r.NewMNC}`);
        expect(r.OldRoute).toBe(`D${r.RegionCode}${r.OldMNC}`);
        if (before) {
          expect(from, `re-port of ${number}`).toBe(before.owner);
          expect(r.RegionCode).toBe(before.region);
          counts.reports++;
        } else {
          expect(from, `new port of ${number}`).toBe(home);
          counts.ports++;
          if (returned.has(number)) counts.again++;
        }
        now.set(number, { owner: to, region: r.RegionCode!, day: expectedDay });
      } else {
        expect(header).toBe(HEADERS.return);
        expect(before, `return of ${number}, which is not ported`).toBeDefined();
        expect(owner(r.OwnerId!)).toBe(before!.owner);
        expect(r.RangeHolderMNC).toBe(MNC.get(home));
        expect(r.OldRoute).toBe(`D${r.RegionCode}${MNC.get(before!.owner)}`);
        expect(r.NewRoute).toBe(`D${r.RegionCode}${r.RangeHolderMNC}`);
        now.delete(number);
        returned.add(number);
        counts.returns++;
      }
    }
    if (part.kind === 'return') day++;
  }
  expect(counts).toMatchObject({
    ports: g.counts.ports,
    reports: g.counts.reports,
    returns: g.counts.returns,
  });
  // Some numbers returned on one day are ported again on a later one (when there was a later day).
  if (day > 1) expect(counts.again).toBeGreaterThan(0);
  expect(now.size).toBe(g.counts.final);
  return now;
}

describe('generateMnp', () => {
  const opts: GenerateMnpOptions = {
    dir: '',
    count: 5000,
    seed: 42,
    increments: [
      { ports: 300, returns: 100 },
      { ports: 200, returns: 50 },
    ],
    partRows: 2000,
    samples: 40,
  };
  let g: GeneratedMnp;
  let final: Map<string, Now>;
  beforeAll(async () => {
    const dir = freshDir();
    g = await generateMnp({ ...opts, dir });
    final = await replay(g, { ...opts, dir });
  });

  it('writes the files of a dump, named with increasing Moscow timestamps', () => {
    expect(g.parts.map((p) => [path.basename(p.file), p.kind, p.rows])).toEqual([
      ['Operators_202506020600.csv', 'operators', KNOWN_MNP_OPERATORS.length],
      ['Port_All_202506020600_001.csv', 'full', 2000],
      ['Port_All_202506020600_002.csv', 'full', 2000],
      ['Port_All_202506020600_003.csv', 'full', 1000],
      ['Port_Increment_202506030100.csv', 'increment', 300],
      ['Return_Increment_202506030100.csv', 'return', 100],
      ['Port_Increment_202506040100.csv', 'increment', 200],
      ['Return_Increment_202506040100.csv', 'return', 50],
    ]);
    expect(g.files).toEqual(g.parts.map((p) => p.file));
  });

  it('counts exactly what it wrote (checked row by row against the model in replay)', () => {
    expect(g.counts.full).toBe(5000);
    expect(g.counts.ports + g.counts.reports).toBe(500);
    expect(g.counts.returns).toBe(150);
    expect(g.counts.reports).toBeGreaterThan(0);
    expect(g.counts.final).toBe(5000 + g.counts.ports - 150);
  });

  it('looks like the real thing: many DEF codes, big operators first, Moscow first, Мотив only in the Urals', () => {
    const owners = new Map<string, number>();
    const regions = new Map<string, number>();
    const codes = new Set<number>();
    for (const [number, n] of final) {
      owners.set(n.owner, (owners.get(n.owner) ?? 0) + 1);
      regions.set(n.region, (regions.get(n.region) ?? 0) + 1);
      codes.add(codeOf(number));
      if (n.owner === 'MOTIV') expect(['66', '45', '86', '89']).toContain(n.region);
    }
    expect(codes.size).toBeGreaterThan(50);
    const big = ['MTS', 'MEGAFON', 'BEELINE', 'TELE2'].reduce((a, c) => a + (owners.get(c) ?? 0), 0);
    expect(big / final.size).toBeGreaterThan(0.75);
    const top = [...regions].sort((a, b) => b[1] - a[1])[0]![0];
    expect(top).toBe('77');
    // Later port dates are more common than early ones.
    const days = [...final.values()].map((n) => n.day);
    expect(days.filter((d) => d >= '2022').length).toBeGreaterThan(days.filter((d) => d < '2017').length);
  });

  it('describes samples of the final state that agree with the files', () => {
    expect(g.samples).toHaveLength(40);
    const kinds = new Set(g.samples.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(['full', 'ported', 'reported', 'returned']);
    for (const s of g.samples) {
      const n = final.get(s.number);
      if (s.kind === 'returned') {
        expect(n, s.number).toBeUndefined();
        expect(s).toMatchObject({ owner: null, mnc: null, route: null, day: null });
      } else {
        expect(n, s.number).toBeDefined();
        expect(s).toEqual({
          number: s.number,
          kind: s.kind,
          owner: n!.owner,
          mnc: MNC.get(n!.owner),
          route: `D${n!.region}${MNC.get(n!.owner)}`,
          region: n!.region,
          day: n!.day,
        });
      }
    }
  });

  it('is deterministic for a seed, and a different seed gives different numbers', async () => {
    const digest = async (seed: number): Promise<string[]> => {
      const r = await generateMnp({ ...opts, seed, dir: freshDir() });
      return r.files.map((f) => createHash('sha256').update(readFileSync(f)).digest('hex'));
    };
    const a = await digest(42);
    expect(await digest(42)).toEqual(a);
    expect(a[1]).toBe(createHash('sha256').update(readFileSync(g.files[1]!)).digest('hex'));
    const b = await digest(43);
    expect(b[0]).toBe(a[0]); // the Operators file does not depend on the seed
    expect(b[1]).not.toBe(a[1]);
  });

  it.each<[string, Partial<GenerateMnpOptions>, RegExp]>([
    ['a negative count', { count: -1 }, /count must be a whole number/],
    ['a fractional count', { count: 1.5 }, /count must be a whole number/],
    ['a time before MNP', { when: new Date('2013-11-30T12:00:00+03:00') }, /after 2013-12-01/],
    [
      'more returns than numbers',
      { count: 10, increments: [{ ports: 0, returns: 11 }] },
      /more re-ports and returns/,
    ],
    ['parts of 0 rows', { partRows: 0 }, /partRows/],
  ])('refuses %s (BAD_REQUEST)', async (_label, bad, message) => {
    await expect(generateMnp({ ...opts, dir: freshDir(), ...bad })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(message),
    });
  });
});

describe('homeOperator', () => {
  it.each<[number, string | null]>([
    [900, 'TELE2'],
    [903, 'BEELINE'],
    [916, 'MTS'],
    [926, 'MEGAFON'],
    [933, 'TMOB'],
    [950, 'TELE2'],
    [965, 'BEELINE'],
    [985, 'MTS'],
    [994, 'SBERTEL'],
    [999, 'YOTA'],
    [495, null],
    [907, null],
  ])('%i → %s', (code, expected) => {
    expect(homeOperator(code)).toBe(expected);
  });
});

describe('generate, then importMnp: a 10,000-number round trip', () => {
  const base: Omit<GenerateMnpOptions, 'dir'> = {
    count: 10_000,
    seed: 7,
    increments: [
      { ports: 400, returns: 100 },
      { ports: 400, returns: 100 },
      { ports: 400, returns: 100 },
    ],
    samples: 200,
  };

  it('every file parses with no reject; the data holds exactly the final numbers; samples look up right', async () => {
    const g = await generateMnp({ ...base, dir: freshDir() });
    const data = freshDir();
    const r = await importMnp({ files: [...g.files], dataDir: data });
    expect(r.reports.map((x) => x.rejectedCount)).toEqual(g.parts.map(() => 0));
    expect(r.reports.map((x) => x.rows).sort()).toEqual(g.parts.map((p) => p.rows).sort());
    expect(r.meta.numbers).toBe(g.counts.final);
    const idx = new MnpIndex(readMnpData(data)!);
    expect(idx.size).toBe(g.counts.final);
    expect(idx.directory.map((d) => d.code)).toEqual(KNOWN_MNP_OPERATORS.map((o) => o.code));
    for (const s of g.samples) {
      const at = idx.find(codeOf(s.number), +s.number.slice(3));
      if (s.owner === null) {
        expect(at, `${s.number} was returned`).toBe(-1);
        continue;
      }
      expect(at, s.number).toBeGreaterThanOrEqual(0);
      expect(idx.operators[idx.operatorAt(at)]).toEqual({
        code: s.owner,
        mnc: s.mnc,
        route: s.route,
        region: s.region,
        text: null,
      });
      expect(idx.portDateAt(at)).toBe(s.day);
    }
  });

  it('zipped, with BOM, CRLF and the Port_All_Full layout, and imported day by day: the same data', async () => {
    const plain = await generateMnp({ ...base, dir: freshDir() });
    const plainData = freshDir();
    await importMnp({ files: [...plain.files], dataDir: plainData });

    const other = await generateMnp({
      ...base,
      dir: freshDir(),
      zip: true,
      bom: true,
      crlf: true,
      full: true,
    });
    expect(other.files.every((f) => f.endsWith('.zip'))).toBe(true);
    const head = readFileSync(other.files[1]!).subarray(0, 4);
    expect([...head]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const zipped = await readRows(other.files[1]!);
    expect(zipped.header).toBe(HEADERS.fullFull);
    const stepData = freshDir();
    const byKind = (k: string): string[] => other.parts.filter((p) => p.kind === k).map((p) => p.file);
    await importMnp({ files: [...byKind('operators'), ...byKind('full')], dataDir: stepData });
    for (let d = 0; d < 3; d++) {
      const r = await importMnp({
        files: [byKind('increment')[d]!, byKind('return')[d]!],
        dataDir: stepData,
      });
      expect(r.reports.map((x) => x.rejectedCount)).toEqual([0, 0]);
    }
    // One import writes a base; day by day, a base and a delta, merged on reading: the same set
    // (the version names how it was stored, so only the data date and count are compared).
    const a = readMnpData(plainData)!;
    const b = readMnpData(stepData)!;
    expect(b.meta.dataDate).toBe(a.meta.dataDate);
    expect(b.meta.numbers).toBe(a.meta.numbers);
    expect(b.operators).toEqual(a.operators);
    expect(Buffer.from(b.subs.buffer, b.subs.byteOffset, b.subs.byteLength)).toEqual(
      Buffer.from(a.subs.buffer, a.subs.byteOffset, a.subs.byteLength),
    );
    expect([...b.ops]).toEqual([...a.ops]);
    expect([...b.days]).toEqual([...a.days]);
  });

  it('with BOM and CRLF, the bytes are what was asked for', async () => {
    const g = await generateMnp({
      ...base,
      count: 10,
      increments: [],
      dir: freshDir(),
      bom: true,
      crlf: true,
    });
    const bytes = readFileSync(g.files[1]!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(12);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });
});

describe('the command line', () => {
  it('maps the options, with defaults scaled to the count', () => {
    expect(mnpGenerateOptions({ out: '/x', count: '50_000_000', days: '2', seed: '9', zip: true })).toEqual({
      dir: '/x',
      count: 50_000_000,
      seed: 9,
      increments: [
        { ports: 100_000, returns: 20_000 },
        { ports: 100_000, returns: 20_000 },
      ],
      zip: true,
      bom: false,
      crlf: false,
      full: false,
      partRows: 10_000_000,
    });
    expect(mnpGenerateOptions({ out: '/x', when: '2024-01-01T00:00:00+03:00' }).when).toEqual(
      new Date('2023-12-31T21:00:00Z'),
    );
  });

  it.each<[string, Parameters<typeof mnpGenerateOptions>[0], string]>([
    ['no --out', {}, 'MISSING_PARAMETER'],
    ['a count that is not a number', { out: '/x', count: '5e6' }, 'BAD_REQUEST'],
    ['a bad time', { out: '/x', when: 'yesterday' }, 'BAD_REQUEST'],
  ])('refuses %s', (_label, args, code) => {
    expect(() => mnpGenerateOptions(args)).toThrow(expect.objectContaining({ code }));
  });

  it('runs: one line per file and a summary', async () => {
    const lines: string[] = [];
    const out = freshDir();
    expect(await runMnpGenerate({ out, count: '1000', days: '1', seed: '3' }, (l) => lines.push(l))).toBe(0);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe(`${path.join(out, 'Port_All_202506020600_001.csv')}\tfull\t1000 rows`);
    expect(lines[4]).toMatch(
      /^1000 ported numbers in the full list; over 1 days \d+ ported, \d+ ported again, 0 returned: \d+ at the end/,
    );
  });
});
