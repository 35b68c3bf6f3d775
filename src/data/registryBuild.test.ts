import { describe, expect, it } from 'vitest';
import { compileRegistry, NONE, type CompiledRegistry } from './registryBuild.js';
import type { RegistryRow } from './registryCsv.js';

const row = (
  code: number,
  from: number,
  to: number,
  operator: string,
  inn: string | null = null,
  region = 'Самарская обл.',
  gar: string | null = null,
): RegistryRow => ({ code, from, to, operator, inn, region, gar });

const str = (reg: CompiledRegistry, id: number): string | null =>
  id === NONE ? null : (reg.strings[id] ?? '?');

function operators(reg: CompiledRegistry): { name: string | null; inn: string | null }[] {
  const out = [];
  for (let i = 0; i < reg.operators.length; i += 2) {
    out.push({ name: str(reg, reg.operators[i]!), inn: str(reg, reg.operators[i + 1]!) });
  }
  return out;
}

/** Every kept range as [code, from, to, operator name, INN, Регион, ГАР]. */
function ranges(reg: CompiledRegistry): (string | number | null)[][] {
  const ops = operators(reg);
  const out: (string | number | null)[][] = [];
  for (let code = 0; code < 1000; code++) {
    for (let i = reg.codeIndex[code]!; i < reg.codeIndex[code + 1]!; i++) {
      const op = ops[reg.operator[i]!]!;
      const t = reg.territory[i]!;
      out.push([
        code,
        reg.from[i]!,
        reg.to[i]!,
        op.name,
        op.inn,
        str(reg, reg.territories[2 * t]!),
        str(reg, reg.territories[2 * t + 1]!),
      ]);
    }
  }
  return out;
}

const compile = (rows: RegistryRow[]): CompiledRegistry => compileRegistry(rows, [], '2026-08-19');

describe('compileRegistry: one name per operator', () => {
  it.each<[string, RegistryRow[], { name: string; inn: string | null }[]]>([
    [
      'spellings under one INN take the most frequent one',
      [
        row(301, 0, 9, 'ПАО "РОСТЕЛЕКОМ"', '7707049388'),
        row(301, 10, 19, 'ПАО "Ростелеком"', '7707049388'),
        row(302, 0, 9, 'ПАО "Ростелеком"', '7707049388'),
      ],
      [{ name: 'ПАО "Ростелеком"', inn: '7707049388' }],
    ],
    [
      'a different name under the same INN joins the group',
      [
        row(912, 0, 9, 'ПАО "МТС"', '7740000076'),
        row(914, 0, 9, 'ПАО "Мобильные ТелеСистемы"', '7740000076'),
        row(916, 0, 9, 'ПАО "МТС"', '7740000076'),
      ],
      [{ name: 'ПАО "МТС"', inn: '7740000076' }],
    ],
    [
      'a row without an INN borrows it from a row with the same name key',
      [row(846, 0, 9, 'ООО "СИПАУТНЭТ"'), row(846, 10, 19, 'ООО "Сипаутнэт"', '5920032027')],
      [{ name: 'ООО "СИПАУТНЭТ"', inn: '5920032027' }],
    ],
    [
      'an INN inside the name is the operator INN, and the name is cleaned',
      [row(812, 0, 0, 'ООО "ПТФ" (ИНН 7802594898)'), row(812, 1, 1, 'ООО "ПТФ"', '7802594898')],
      [{ name: 'ООО "ПТФ"', inn: '7802594898' }],
    ],
    [
      'one name under two INNs is two operators',
      [
        row(495, 15000, 19999, 'ООО "ПТФ" (ИНН 7802775407)'),
        row(812, 3291905, 3291905, 'ООО "ПТФ"', '7802594898'),
        row(812, 3292930, 3292930, 'ООО "ПТФ" (ИНН 7802594898)', '7802594898'),
      ],
      [
        { name: 'ООО "ПТФ"', inn: '7802775407' },
        { name: 'ООО "ПТФ"', inn: '7802594898' },
      ],
    ],
    [
      'names without any INN group by name key',
      [
        row(900, 0, 9, 'ООО "Т2 Мобайл"'),
        row(900, 10, 19, 'ООО "Т2 МОБАЙЛ"'),
        row(901, 0, 9, 'ООО "Т2 Мобайл"'),
      ],
      [{ name: 'ООО "Т2 Мобайл"', inn: null }],
    ],
    [
      'doubled spaces are cleaned before counting',
      [
        row(812, 0, 9, 'ООО  "ЭК  "АРГО-СЕРВИС"', '7811375691'),
        row(812, 10, 19, 'ООО "ЭК "АРГО-СЕРВИС"', '7811375691'),
      ],
      [{ name: 'ООО "ЭК "АРГО-СЕРВИС"', inn: '7811375691' }],
    ],
    [
      'nested quotes with the outer one omitted are kept',
      [row(812, 3295251, 3295259, 'АО "ТК "КОНВЕЙ ПЛЮС"', '7805128038')],
      [{ name: 'АО "ТК "КОНВЕЙ ПЛЮС"', inn: '7805128038' }],
    ],
    [
      'a tie goes to the spelling seen first',
      [row(343, 0, 9, 'ООО "ТТК-Связь"', '7709362765'), row(343, 10, 19, 'ООО "ТТК-СВЯЗЬ"', '7709362765')],
      [{ name: 'ООО "ТТК-Связь"', inn: '7709362765' }],
    ],
  ])('%s', (_label, rows, expected) => {
    const reg = compile(rows);
    expect(operators(reg)).toEqual(expected);
    expect(reg.meta.operators).toBe(expected.length);
  });
});

describe('compileRegistry: ranges', () => {
  it('sorts by code and From, and indexes each code', () => {
    const reg = compile([
      row(900, 100, 199, 'Б'),
      row(301, 0, 9, 'А'),
      row(900, 0, 99, 'Б'),
      row(499, 1660022, 1673188, 'В'),
    ]);
    expect(ranges(reg).map((r) => r.slice(0, 3))).toEqual([
      [301, 0, 9],
      [499, 1660022, 1673188],
      [900, 0, 99],
      [900, 100, 199],
    ]);
    expect(Array.from(reg.from)).toEqual([0, 1660022, 0, 100]);
    expect(Array.from(reg.to)).toEqual([9, 1673188, 99, 199]);
    expect(reg.codeIndex).toHaveLength(1001);
    expect([
      reg.codeIndex[0],
      reg.codeIndex[301],
      reg.codeIndex[302],
      reg.codeIndex[499],
      reg.codeIndex[500],
    ]).toEqual([0, 0, 1, 1, 2]);
    expect([reg.codeIndex[900], reg.codeIndex[901], reg.codeIndex[999], reg.codeIndex[1000]]).toEqual([
      2, 4, 4, 4,
    ]);
  });

  it.each<[string, RegistryRow[], number[][], number]>([
    ['the same range twice', [row(900, 0, 99, 'А'), row(900, 0, 99, 'Б')], [[900, 0, 99]], 1],
    [
      'a partial overlap drops the later range',
      [row(900, 50, 149, 'Б'), row(900, 0, 99, 'А')],
      [[900, 0, 99]],
      1,
    ],
    [
      'of two ranges with the same From the shorter is kept',
      [row(900, 0, 99, 'А'), row(900, 0, 49, 'Б')],
      [[900, 0, 49]],
      1,
    ],
    [
      'a range inside another',
      [row(900, 0, 999, 'А'), row(900, 100, 199, 'Б'), row(900, 1000, 1999, 'В')],
      [
        [900, 0, 999],
        [900, 1000, 1999],
      ],
      1,
    ],
    [
      'touching ranges are not an overlap',
      [row(900, 0, 99, 'А'), row(900, 100, 100, 'Б'), row(900, 101, 9999999, 'В')],
      [
        [900, 0, 99],
        [900, 100, 100],
        [900, 101, 9999999],
      ],
      0,
    ],
    [
      'the same numbers under two codes are not an overlap',
      [row(900, 0, 99, 'А'), row(901, 0, 99, 'Б')],
      [
        [900, 0, 99],
        [901, 0, 99],
      ],
      0,
    ],
    [
      'each overlap counts once',
      [row(900, 0, 99, 'А'), row(900, 0, 99, 'А'), row(900, 0, 99, 'А'), row(900, 99, 199, 'А')],
      [[900, 0, 99]],
      3,
    ],
  ])('%s', (_label, rows, expected, dropped) => {
    const reg = compile(rows);
    expect(ranges(reg).map((r) => r.slice(0, 3))).toEqual(expected);
    expect(reg.meta.overlapsDropped).toBe(dropped);
    expect(reg.meta.rows).toBe(expected.length);
  });

  it('keeps the operator and territory of the range kept', () => {
    const reg = compile([
      row(
        846,
        2316000,
        2316999,
        'ООО "СИПАУТНЭТ"',
        '5920032027',
        'г.о. Самара',
        'г.о. Самара|Самарская область',
      ),
      row(846, 2316000, 2316999, 'ПАО "Ростелеком"', '7707049388', 'г. Самара|Самарская обл.', null),
    ]);
    expect(ranges(reg)).toEqual([
      [
        846,
        2316000,
        2316999,
        'ООО "СИПАУТНЭТ"',
        '5920032027',
        'г.о. Самара',
        'г.о. Самара|Самарская область',
      ],
    ]);
    // the dropped row's operator and territory stay in the tables
    expect(reg.meta.operators).toBe(2);
    expect(reg.meta.territories).toBe(2);
  });

  it('counts rows per group by the first digit of the code; other codes count only in rows', () => {
    const reg = compile([
      row(301, 0, 9, 'А'),
      row(302, 0, 9, 'А'),
      row(495, 0, 9, 'А'),
      row(800, 0, 9, 'А'),
      row(846, 0, 9, 'А'),
      row(900, 0, 9, 'А'),
      row(999, 0, 9, 'А'),
      row(700, 0, 9, 'А'),
      row(123, 0, 9, 'А'),
    ]);
    expect(reg.meta.groups).toEqual({ '3': 2, '4': 1, '8': 2, '9': 2 });
    expect(reg.meta.rows).toBe(9);
  });

  it('stores each (Регион, ГАР) pair once and a missing ГАР as NONE', () => {
    const reg = compile([
      row(846, 0, 9, 'А', null, 'г.о. Самара', 'г.о. Самара|Самарская область'),
      row(846, 10, 19, 'А', null, 'г.о. Самара', 'г.о. Самара|Самарская область'),
      row(846, 20, 29, 'А', null, 'г.о. Самара', null),
      row(846, 30, 39, 'А', null, '-', 'г.о. Самара|Самарская область'),
    ]);
    expect(reg.meta.territories).toBe(3);
    expect(Array.from(reg.territory)).toEqual([0, 0, 1, 2]);
    expect(reg.territories[3]).toBe(NONE);
    expect(ranges(reg).map((r) => r.slice(5))).toEqual([
      ['г.о. Самара', 'г.о. Самара|Самарская область'],
      ['г.о. Самара', 'г.о. Самара|Самарская область'],
      ['г.о. Самара', null],
      ['-', 'г.о. Самара|Самарская область'],
    ]);
  });

  it('keeps string 0 as the empty string and stores each string once', () => {
    const reg = compile([row(846, 0, 9, 'Самара', null, 'Самара', 'Самара')]);
    expect(reg.strings).toEqual(['', 'Самара']);
  });

  it('an empty input compiles to an empty registry', () => {
    const reg = compile([]);
    expect(reg.meta).toMatchObject({
      rows: 0,
      operators: 0,
      territories: 0,
      overlapsDropped: 0,
      groups: { '3': 0, '4': 0, '8': 0, '9': 0 },
    });
    expect(reg.strings).toEqual(['']);
    expect(reg.from).toHaveLength(0);
    expect(Array.from(new Set(reg.codeIndex))).toEqual([0]);
  });
});

describe('compileRegistry: meta', () => {
  const rows = [row(846, 0, 9, 'А', '7707049388'), row(900, 0, 9, 'Б')];
  const reports = [
    {
      file: 'ABC-8xx.csv',
      encoding: 'utf-8-bom' as const,
      layout: '8 columns, header',
      accepted: 1,
      rejectedCount: 2,
      rejected: [],
    },
  ];

  it('records the sources, the data date and a version made of date and checksum', () => {
    const reg = compileRegistry(rows, reports, '2026-08-19');
    expect(reg.meta.sources).toEqual([
      { file: 'ABC-8xx.csv', layout: '8 columns, header', encoding: 'utf-8-bom', rows: 1, rejected: 2 },
    ]);
    expect(reg.meta.dataDate).toBe('2026-08-19');
    expect(reg.meta.version).toMatch(/^2026-08-19\.[0-9a-f]{8}$/);
    expect(Date.parse(reg.meta.builtAt)).not.toBeNaN();
  });

  it('the same rows give the same version; other ranges or another date give another', () => {
    const a = compileRegistry(rows, reports, '2026-08-19').meta.version;
    expect(compileRegistry([...rows], [], '2026-08-19').meta.version).toBe(a);
    expect(
      compileRegistry([row(846, 0, 19, 'А', '7707049388'), rows[1]!], [], '2026-08-19').meta.version,
    ).not.toBe(a);
    expect(compileRegistry(rows, [], '2026-08-20').meta.version).not.toBe(a);
  });
});
