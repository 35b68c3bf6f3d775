import { describe, expect, it } from 'vitest';
import { readFixtureSet, type FixtureSet } from '../../test/helpers/registryFixtures.js';
import { importRegistry, type SourceFile } from './registryImport.js';

interface SetCase {
  set: FixtureSet;
  files: [name: string, encoding: string, layout: string, rows: number, rejected: number][];
  rows: number;
  groups: Record<'3' | '4' | '8' | '9', number>;
  operators: number;
  territories: number;
}

const kody = (encoding: string, layout: string): SetCase['files'] =>
  ['Kody_ABC-3kh.csv', 'Kody_ABC-4kh.csv', 'Kody_ABC-8kh.csv', 'Kody_DEF-9kh.csv'].map((name) => [
    name,
    encoding,
    layout,
    10,
    0,
  ]);

const SETS: SetCase[] = [
  {
    set: 'current',
    files: [
      ['ABC-3xx.csv', 'utf-8-bom', '8 columns, header', 11, 0],
      ['ABC-4xx.csv', 'utf-8-bom', '8 columns, header', 15, 0],
      ['ABC-8xx.csv', 'utf-8-bom', '8 columns, header', 14, 5],
      ['DEF-9xx.csv', 'utf-8-bom', '8 columns, header', 15, 0],
    ],
    rows: 55,
    groups: { '3': 11, '4': 15, '8': 14, '9': 15 },
    operators: 22,
    territories: 39,
  },
  {
    set: 'legacy-6col',
    files: kody('utf-8', '6 columns, header'),
    rows: 40,
    groups: { '3': 10, '4': 10, '8': 10, '9': 10 },
    operators: 13,
    territories: 34,
  },
  {
    set: 'legacy-6col-noheader',
    files: kody('utf-8', '6 columns, no header'),
    rows: 40,
    groups: { '3': 10, '4': 10, '8': 10, '9': 10 },
    operators: 13,
    territories: 34,
  },
  {
    set: 'legacy-cp1251-crlf',
    files: kody('windows-1251', '6 columns, header'),
    rows: 40,
    groups: { '3': 10, '4': 10, '8': 10, '9': 10 },
    operators: 22,
    territories: 34,
  },
  {
    set: 'seven-col',
    files: ['ABC-3xx.csv', 'ABC-4xx.csv', 'ABC-8xx.csv', 'DEF-9xx.csv'].map((name) => [
      name,
      'utf-8',
      '7 columns, no header',
      10,
      0,
    ]),
    rows: 40,
    groups: { '3': 10, '4': 10, '8': 10, '9': 10 },
    operators: 18,
    territories: 30,
  },
];

describe('importRegistry: every fixture set', () => {
  it.each(SETS)('$set: $rows rows, $operators operators, $territories territories', (c) => {
    const { registry, reports } = importRegistry(readFixtureSet(c.set, new Date('2026-08-19T22:16:24Z')));
    expect(reports.map((r) => [r.file, r.encoding, r.layout, r.accepted, r.rejectedCount])).toEqual(c.files);
    expect(registry.meta).toMatchObject({
      dataDate: '2026-08-19',
      rows: c.rows,
      groups: c.groups,
      operators: c.operators,
      territories: c.territories,
      overlapsDropped: 0,
    });
    expect(registry.meta.sources).toEqual(
      c.files.map(([file, encoding, layout, rows, rejected]) => ({ file, layout, encoding, rows, rejected })),
    );
    expect(registry.from).toHaveLength(c.rows);
  });
});

describe('importRegistry', () => {
  it('takes the data date from the newest file', () => {
    const files = readFixtureSet('current').map((f, i): SourceFile => ({
      ...f,
      modified: i === 2 ? new Date('2026-09-03T10:00:00Z') : new Date('2026-08-19'),
    }));
    expect(importRegistry(files).registry.meta.dataDate).toBe('2026-09-03');
  });

  it('uses today when no file has a date', () => {
    const today = new Date().toISOString().slice(0, 10);
    const { registry } = importRegistry(readFixtureSet('seven-col'));
    // a run across midnight may see tomorrow's date
    expect([today, new Date(Date.now() + 60_000).toISOString().slice(0, 10)]).toContain(
      registry.meta.dataDate,
    );
  });

  it('detects each file on its own bytes: a mixed folder imports whole', () => {
    const mixed = [
      ...readFixtureSet('legacy-cp1251-crlf').filter((f) => f.name.includes('ABC-3')),
      ...readFixtureSet('legacy-6col-noheader').filter((f) => f.name.includes('ABC-4')),
      ...readFixtureSet('seven-col').filter((f) => f.name.includes('ABC-8')),
      ...readFixtureSet('current').filter((f) => f.name.includes('DEF')),
    ];
    const { registry, reports } = importRegistry(mixed);
    expect(reports.map((r) => [r.encoding, r.layout])).toEqual([
      ['windows-1251', '6 columns, header'],
      ['utf-8', '6 columns, no header'],
      ['utf-8', '7 columns, no header'],
      ['utf-8-bom', '8 columns, header'],
    ]);
    expect(registry.meta.rows).toBe(10 + 10 + 10 + 15);
    expect(registry.meta.groups).toEqual({ '3': 10, '4': 10, '8': 10, '9': 15 });
  });

  it('the same set twice keeps one copy of each range and counts the rest as overlaps', () => {
    const once = readFixtureSet('current');
    const twice = [...once, ...once.map((f) => ({ ...f, name: `copy-${f.name}` }))];
    const { registry, reports } = importRegistry(twice);
    expect(reports).toHaveLength(8);
    expect(registry.meta.rows).toBe(55);
    expect(registry.meta.overlapsDropped).toBe(55);
    expect(registry.meta.operators).toBe(22);
  });

  it('no files give an empty registry', () => {
    const { registry, reports } = importRegistry([]);
    expect(reports).toEqual([]);
    expect(registry.meta.rows).toBe(0);
  });
});
