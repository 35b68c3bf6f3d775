import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  countMerged,
  dayToIso,
  MnpBuilder,
  portDay,
  type CompiledMnp,
  type MnpOperatorEntry,
} from './mnpBuild.js';

const entry = (code: string, mnc: string, region = '77'): MnpOperatorEntry => ({
  code,
  mnc,
  route: `D${region}${mnc}`,
  region,
  text: null,
});
const META = { builtAt: '2024-01-20T00:00:00.000Z', sources: [] };

/** Every ported number of a compiled set: `9161234567 MTS 2024-01-15`. */
function list(m: CompiledMnp): string[] {
  const out: string[] = [];
  for (let code = 0; code < 1000; code++) {
    for (let i = m.codeIndex[code]!; i < m.codeIndex[code + 1]!; i++) {
      const e = m.operators[m.ops[i]!]!;
      out.push(`${code}${String(m.subs[i]).padStart(7, '0')} ${e.code ?? e.text} ${dayToIso(m.days[i]!)}`);
    }
  }
  return out;
}

describe('portDay', () => {
  const day = (iso: string): number => Math.round((Date.parse(iso) - Date.UTC(2000, 0, 1)) / 86_400_000);
  it.each<[string, number]>([
    ['2016-09-07T12:00:17+03:00', day('2016-09-07')],
    ['2016-09-07', day('2016-09-07')],
    // The date as written, not as UTC: 00:30 Moscow time is still the 7th.
    ['2016-09-07T00:30:00+03:00', day('2016-09-07')],
    ['2013-12-01T00:00:00+03:00', day('2013-12-01')],
    ['2024-02-29T10:00:00+03:00', day('2024-02-29')],
    ['2000-01-01', 0],
    ['2179-06-05', 0xfffe],
    ['2179-06-06', -1],
    ['1999-12-31', -1],
    ['2023-02-29T10:00:00+03:00', -1],
    ['2024-13-01', -1],
    ['2024-00-10', -1],
    ['07.09.2016', -1],
    ['2016-9-7', -1],
    ['garbage', -1],
  ])('%s', (text, expected) => {
    expect(portDay(text)).toBe(expected);
  });

  it('dayToIso inverts it; day 0 means no date', () => {
    expect(dayToIso(portDay('2016-09-07T12:00:17+03:00'))).toBe('2016-09-07');
    expect(dayToIso(1)).toBe('2000-01-02');
    expect(dayToIso(0)).toBeNull();
  });
});

describe('MnpBuilder', () => {
  it('keeps the last word per number; a return drops it; a port after a return brings it back', () => {
    const b = new MnpBuilder();
    const mts = b.operatorId(entry('MTS', '01'));
    const t2 = b.operatorId(entry('TELE2', '20'));
    const d = portDay('2024-01-15');
    b.port(916, 1234567, mts, d);
    b.port(903, 1, t2, d);
    b.port(916, 1234567, t2, d + 1); // re-ported
    b.port(999, 9999999, mts, d);
    b.unport(999, 9999999); // returned
    b.port(950, 5, mts, d);
    b.unport(950, 5);
    b.port(950, 5, t2, d + 2); // returned, then ported again
    b.unport(901, 7); // a return of a number never ported
    const m = b.build(META);
    expect(list(m)).toEqual([
      '9030000001 TELE2 2024-01-15',
      '9161234567 TELE2 2024-01-16',
      '9500000005 TELE2 2024-01-17',
    ]);
    expect(m.meta.numbers).toBe(3);
    expect(m.meta.dataDate).toBe('2024-01-17');
    expect(m.meta.version).toMatch(/^2024-01-17\.[0-9a-f]{8}$/);
    expect(b.rows).toBe(9);
  });

  it('sorts numbers within each code and indexes where each code starts', () => {
    const b = new MnpBuilder();
    const op = b.operatorId(entry('MTS', '01'));
    for (const [code, sub] of [
      [999, 5],
      [900, 9_999_999],
      [999, 1],
      [900, 0],
      [495, 42],
    ] as const) {
      b.port(code, sub, op, 1);
    }
    const m = b.build(META);
    expect([...m.subs]).toEqual([42, 0, 9_999_999, 1, 5]);
    expect(m.codeIndex).toHaveLength(1001);
    expect([
      m.codeIndex[495],
      m.codeIndex[496],
      m.codeIndex[900],
      m.codeIndex[901],
      m.codeIndex[999],
    ]).toEqual([0, 1, 1, 3, 3]);
    expect(m.codeIndex[1000]).toBe(5);
  });

  it('stores 8 bytes per ported number: u32 subscriber, u16 operator entry, u16 day', () => {
    const b = new MnpBuilder();
    const op = b.operatorId(entry('MTS', '01'));
    for (let i = 0; i < 100_000; i++) b.port(900 + (i % 100), (i * 7919) % 10_000_000, op, 9000);
    const m = b.build(META);
    expect(m.subs).toBeInstanceOf(Uint32Array);
    expect(m.ops).toBeInstanceOf(Uint16Array);
    expect(m.days).toBeInstanceOf(Uint16Array);
    expect((m.subs.byteLength + m.ops.byteLength + m.days.byteLength) / m.meta.numbers).toBe(8);
    expect(m.subs.length).toBe(100_000);
  });

  it('gives one id per distinct operator entry', () => {
    const b = new MnpBuilder();
    const a = b.operatorId(entry('MTS', '01', '77'));
    expect(b.operatorId(entry('MTS', '01', '77'))).toBe(a);
    expect(b.operatorId(entry('MTS', '01', '50'))).not.toBe(a);
    const text = b.operatorId({ code: null, mnc: null, route: null, region: null, text: 'МТС' });
    expect(b.operatorId({ code: null, mnc: null, route: null, region: null, text: 'МТС' })).toBe(text);
    expect(b.build(META).operators).toHaveLength(3);
  });

  it('seeded with compiled data, applies more on top; the same data gives the same version', () => {
    const b = new MnpBuilder();
    const mts = b.operatorId(entry('MTS', '01'));
    b.port(916, 1, mts, 100);
    b.port(916, 2, mts, 100);
    b.directory.set('MTS', { code: 'MTS', mnc: '01', inn: '7740000076', name: 'ПАО "МТС"' });
    const first = b.build(META);

    const next = new MnpBuilder();
    next.seed(first);
    next.unport(916, 1);
    next.port(916, 3, next.operatorId(entry('BEELINE', '99')), 200);
    const second = next.build(META);
    expect(list(second)).toEqual(['9160000002 MTS 2000-04-10', '9160000003 BEELINE 2000-07-19']);
    expect(second.directory).toEqual(first.directory);

    const again = new MnpBuilder();
    again.seed(first);
    expect(again.build(META).meta.version).toBe(first.meta.version);
    expect(second.meta.version).not.toBe(first.meta.version);
  });

  it('builds an empty set', () => {
    const m = new MnpBuilder().build(META);
    expect(m.meta).toMatchObject({ numbers: 0, dataDate: null });
    expect(m.subs).toHaveLength(0);
    expect(m.codeIndex[1000]).toBe(0);
  });
});

describe('applyDelta and countMerged', () => {
  it('base + delta equals one build of the same rows: delta wins, returns remove, counts agree', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const ops = [entry('MTS', '01'), entry('MEGAFON', '02'), entry('TELE2', '20')];
    const rows: [number, number, number, number][] = [];
    for (let k = 0; k < 3000; k++) rows.push([900 + rnd(5), rnd(2000), rnd(3), 1 + rnd(9000)]);
    const later: [number, number, number, number][] = [];
    for (let k = 0; k < 800; k++) later.push([899 + rnd(8), rnd(2000), rnd(4) - 1, 1 + rnd(9000)]);

    const b = new MnpBuilder();
    const ids = ops.map((o) => b.operatorId(o));
    for (const [c, s, o, d] of rows) b.port(c, s, ids[o]!, d);
    const base = b.build(META);

    const inc = new MnpBuilder();
    inc.seedOperators(base);
    const newOp = inc.operatorId(entry('YOTA', '11'));
    for (const [c, s, o, d] of later) {
      if (o < 0) inc.unport(c, s);
      else inc.port(c, s, o === 3 ? newOp : inc.operatorId(ops[o]!), d);
    }
    const delta = inc.buildDelta({ ...META, base: base.meta.version });
    const merged = applyDelta(base, delta);

    const all = new MnpBuilder();
    const allIds = ops.map((o) => all.operatorId(o));
    const allNew = all.operatorId(entry('YOTA', '11'));
    for (const [c, s, o, d] of rows) all.port(c, s, allIds[o]!, d);
    for (const [c, s, o, d] of later) {
      if (o < 0) all.unport(c, s);
      else all.port(c, s, o === 3 ? allNew : allIds[o]!, d);
    }
    const once = all.build(META);
    expect(list(merged)).toEqual(list(once));
    expect(merged.meta.numbers).toBe(once.meta.numbers);
    expect(countMerged(base, delta)).toBe(once.meta.numbers);
    expect(merged.codeIndex[1000]).toBe(merged.subs.length);

    // A delta seeded with itself (the same increment again) is the same delta.
    const again = new MnpBuilder();
    again.seedOperators(base);
    again.seed(delta);
    const delta2 = again.buildDelta({ ...META, base: base.meta.version });
    expect(delta2.meta.version).toBe(delta.meta.version);
    expect([...delta2.ops]).toEqual([...delta.ops]);
  });
});
