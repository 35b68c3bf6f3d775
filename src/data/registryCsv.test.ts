import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readFixtureFile, type FixtureSet } from '../../test/helpers/registryFixtures.js';
import { decodeRegistryBytes, parseRegistryCsv, type FileReport, type RegistryRow } from './registryCsv.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const withBom = (text: string): Uint8Array => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]);
const cp1251 = (text: string): Uint8Array => new Uint8Array(iconv.encode(text, 'win1251'));

const H8 = 'АВС/ DEF;От;До;Емкость;Оператор;Регион;Территория ГАР;ИНН';
const H6 = 'АВС/ DEF;От;До;Емкость;Оператор;Регион';

describe('decodeRegistryBytes', () => {
  it.each<[string, Uint8Array, string, FileReport['encoding']]>([
    ['UTF-8 with BOM', withBom('900;Краснодарский край'), '900;Краснодарский край', 'utf-8-bom'],
    ['UTF-8 without BOM', utf8('900;Краснодарский край'), '900;Краснодарский край', 'utf-8'],
    ['plain ASCII', utf8('900;0;99999'), '900;0;99999', 'utf-8'],
    ['Windows-1251', cp1251('900;Телеком Евразия'), '900;Телеком Евразия', 'windows-1251'],
    ['Windows-1251 with ё and №', cp1251('Ёлка №1'), 'Ёлка №1', 'windows-1251'],
    ['empty', new Uint8Array(0), '', 'utf-8'],
    ['a BOM only', new Uint8Array([0xef, 0xbb, 0xbf]), '', 'utf-8-bom'],
  ])('%s', (_label, bytes, text, encoding) => {
    expect(decodeRegistryBytes(bytes)).toEqual({ text, encoding });
  });

  it('decodes a view into a larger buffer without reading outside it', () => {
    const whole = cp1251('xxxxТелекомyyyy');
    expect(decodeRegistryBytes(whole.subarray(4, 11))).toEqual({ text: 'Телеком', encoding: 'windows-1251' });
    const u = utf8('[Самара]');
    expect(decodeRegistryBytes(u.subarray(1, u.length - 1))).toEqual({ text: 'Самара', encoding: 'utf-8' });
  });
});

interface FileCase {
  set: FixtureSet;
  file: string;
  encoding: FileReport['encoding'];
  layout: string;
  accepted: number;
  rejected: number;
}

const FILES: FileCase[] = [
  {
    set: 'current',
    file: 'ABC-3xx.csv',
    encoding: 'utf-8-bom',
    layout: '8 columns, header',
    accepted: 11,
    rejected: 0,
  },
  {
    set: 'current',
    file: 'ABC-4xx.csv',
    encoding: 'utf-8-bom',
    layout: '8 columns, header',
    accepted: 15,
    rejected: 0,
  },
  {
    set: 'current',
    file: 'ABC-8xx.csv',
    encoding: 'utf-8-bom',
    layout: '8 columns, header',
    accepted: 14,
    rejected: 5,
  },
  {
    set: 'current',
    file: 'DEF-9xx.csv',
    encoding: 'utf-8-bom',
    layout: '8 columns, header',
    accepted: 15,
    rejected: 0,
  },
  ...(['Kody_ABC-3kh.csv', 'Kody_ABC-4kh.csv', 'Kody_ABC-8kh.csv', 'Kody_DEF-9kh.csv'] as const).flatMap(
    (file): FileCase[] => [
      { set: 'legacy-6col', file, encoding: 'utf-8', layout: '6 columns, header', accepted: 10, rejected: 0 },
      {
        set: 'legacy-6col-noheader',
        file,
        encoding: 'utf-8',
        layout: '6 columns, no header',
        accepted: 10,
        rejected: 0,
      },
      {
        set: 'legacy-cp1251-crlf',
        file,
        encoding: 'windows-1251',
        layout: '6 columns, header',
        accepted: 10,
        rejected: 0,
      },
    ],
  ),
  ...(['ABC-3xx.csv', 'ABC-4xx.csv', 'ABC-8xx.csv', 'DEF-9xx.csv'] as const).map((file): FileCase => ({
    set: 'seven-col',
    file,
    encoding: 'utf-8',
    layout: '7 columns, no header',
    accepted: 10,
    rejected: 0,
  })),
];

describe('parseRegistryCsv: fixture files', () => {
  it.each(FILES)('$set/$file: $encoding, $layout, $accepted accepted, $rejected rejected', (c) => {
    const { rows, report } = parseRegistryCsv(readFixtureFile(c.set, c.file), c.file);
    expect(report).toMatchObject({
      file: c.file,
      encoding: c.encoding,
      layout: c.layout,
      accepted: c.accepted,
      rejectedCount: c.rejected,
    });
    expect(rows).toHaveLength(c.accepted);
    expect(report.rejected).toHaveLength(c.rejected);
  });

  it('current/ABC-8xx.csv: each bad row rejected with its line number and reason', () => {
    const { report } = parseRegistryCsv(readFixtureFile('current', 'ABC-8xx.csv'), 'ABC-8xx.csv');
    expect(report.rejected.map((r) => [r.line, r.reason])).toEqual([
      [6, 'code "84" is not 3 digits'],
      [12, 'From 3299000 is greater than To 3298999'],
      [15, 'capacity 999 does not match the range size 1000'],
      [17, 'expected 8 fields, found 7'],
      [18, 'From/To are not numbers of up to 7 digits'],
    ]);
    expect(report.rejected[0]?.text).toBe(
      '84;2000000;2000999;1000;ПАО "Ростелеком";г. Москва;Город Москва;7707049388',
    );
    expect(report.rejected[4]?.text.startsWith('846;23З0000;2330999;')).toBe(true);
  });

  it.each<[FixtureSet, string, number, RegistryRow]>([
    [
      'current',
      'ABC-8xx.csv',
      11,
      {
        code: 846,
        from: 2316000,
        to: 2316999,
        operator: 'ООО "СИПАУТНЭТ"',
        inn: '5920032027',
        region: 'г.о. Самара',
        gar: 'г.о. Самара|Самарская область',
      },
    ],
    [
      'current',
      'ABC-8xx.csv',
      6,
      {
        code: 812,
        from: 3292930,
        to: 3292930,
        operator: 'ООО "ПТФ" (ИНН 7802594898)',
        inn: '7802594898',
        region: 'г. Санкт-Петербург',
        gar: 'Город Санкт-Петербург',
      },
    ],
    [
      'current',
      'ABC-8xx.csv',
      8,
      {
        code: 812,
        from: 3297331,
        to: 3297337,
        operator: 'ООО  "ЭК  "АРГО-СЕРВИС"',
        inn: '7811375691',
        region: 'г. Санкт-Петербург',
        gar: 'Город Санкт-Петербург',
      },
    ],
    [
      'current',
      'ABC-3xx.csv',
      4,
      {
        code: 301,
        from: 3049000,
        to: 3049999,
        operator: 'ООО "Байкал Диалог"',
        inn: '0317007350',
        region: 'пгт. Новый Уоян|р-н Северо-Байкальский|Республика Бурятия',
        gar: 'пгт. Новый Уоян|м.р-н Северо-Байкальский|Республика Бурятия',
      },
    ],
    [
      'current',
      'DEF-9xx.csv',
      0,
      {
        code: 900,
        from: 0,
        to: 61999,
        operator: 'ООО "Т2 МОБАЙЛ"',
        inn: '7743895280',
        region: '-',
        gar: 'Краснодарский край',
      },
    ],
    [
      'current',
      'DEF-9xx.csv',
      14,
      {
        code: 978,
        from: 0,
        to: 99999,
        operator: 'ООО "КТК ТЕЛЕКОМ"',
        inn: '9102013284',
        region: 'Республика Крым и г. Севастополь',
        gar: 'Город Севастополь, Республика Крым',
      },
    ],
    [
      'legacy-6col',
      'Kody_ABC-4kh.csv',
      9,
      {
        code: 499,
        from: 1673189,
        to: 1673189,
        operator: 'ПАО "Ростелеком"',
        inn: null,
        region: 'г. Москва',
        gar: null,
      },
    ],
    [
      'legacy-6col-noheader',
      'Kody_ABC-3kh.csv',
      0,
      {
        code: 301,
        from: 2110000,
        to: 2129999,
        operator: 'ПАО "Ростелеком"',
        inn: null,
        region: 'г. Улан-Удэ|Республика Бурятия',
        gar: null,
      },
    ],
    [
      'legacy-cp1251-crlf',
      'Kody_DEF-9kh.csv',
      0,
      {
        code: 900,
        from: 0,
        to: 99999,
        operator: 'Телеком Евразия',
        inn: null,
        region: 'Краснодарский край',
        gar: null,
      },
    ],
    [
      'legacy-cp1251-crlf',
      'Kody_ABC-8kh.csv',
      1,
      {
        code: 800,
        from: 2000000,
        to: 2000999,
        operator: 'Московская Телекоммуникационная Корпорация',
        inn: null,
        region: 'Российская Федерация, кроме Чеченской Республики (ЧР)',
        gar: null,
      },
    ],
    [
      'legacy-cp1251-crlf',
      'Kody_ABC-8kh.csv',
      6,
      {
        code: 847,
        from: 2000,
        to: 2999,
        operator: 'Югсвязьстрой',
        inn: null,
        region: 'Элиста |Республика Калмыкия',
        gar: null,
      },
    ],
    [
      'seven-col',
      'ABC-4xx.csv',
      3,
      {
        code: 495,
        from: 0,
        to: 9999,
        operator: 'ПАО "МГТС"',
        inn: '7710016640',
        region: 'г. Москва',
        gar: null,
      },
    ],
    [
      'seven-col',
      'ABC-4xx.csv',
      4,
      {
        code: 495,
        from: 10000,
        to: 14999,
        operator: 'ООО "ТЕЛЕСТОР"',
        inn: null,
        region: 'г. Москва',
        gar: null,
      },
    ],
    [
      'seven-col',
      'ABC-4xx.csv',
      9,
      {
        code: 499,
        from: 1673189,
        to: 1673189,
        operator: 'ПАО "Ростелеком"',
        inn: null,
        region: 'г. Москва',
        gar: null,
      },
    ],
  ])('%s/%s row %i', (set, file, index, expected) => {
    expect(parseRegistryCsv(readFixtureFile(set, file), file).rows[index]).toEqual(expected);
  });

  it('CRLF line ends leave no carriage return in the last field', () => {
    const { rows } = parseRegistryCsv(readFixtureFile('legacy-cp1251-crlf', 'Kody_DEF-9kh.csv'), 'DEF');
    for (const r of rows) expect(r.region).not.toMatch(/\r/);
    expect(rows.at(-1)?.region).toBe('Санкт - Петербург и Ленинградская область');
  });
});

describe('parseRegistryCsv: inline cases', () => {
  const row8 =
    '846;2316000;2316999;1000;ООО "СИПАУТНЭТ";г.о. Самара;г.о. Самара|Самарская область;5920032027';

  it.each<[string, string, Partial<FileReport>, number]>([
    ['header only', H8, { layout: '8 columns, header', accepted: 0, rejectedCount: 0 }, 0],
    ['empty file', '', { layout: 'empty', accepted: 0, rejectedCount: 0 }, 0],
    ['blank lines only', '\n\r\n  \n', { layout: 'empty', accepted: 0, rejectedCount: 0 }, 0],
    ['8 columns, no header', row8, { layout: '8 columns, no header', accepted: 1 }, 1],
    [
      'trailing blank lines',
      `${H8}\n${row8}\n\n\n`,
      { layout: '8 columns, header', accepted: 1, rejectedCount: 0 },
      1,
    ],
    [
      'header in upper case with ё',
      'ABC/DEF;ОТ;ДО;ЁМКОСТЬ;ОПЕРАТОР;РЕГИОН',
      { layout: '6 columns, header' },
      0,
    ],
    ['unpadded From/To', `${H6}\n900;0;99999;100000;Телеком Евразия;Краснодарский край`, { accepted: 1 }, 1],
    [
      'empty capacity is not checked',
      `${H6}\n900;0;99999;;Телеком Евразия;Краснодарский край`,
      { accepted: 1 },
      1,
    ],
    [
      'spaces around fields',
      ' 900 ; 0 ; 99 ; 100 ; Оператор ; Регион ',
      { accepted: 1, rejectedCount: 0 },
      1,
    ],
  ])('%s', (_label, text, report, rows) => {
    const parsed = parseRegistryCsv(utf8(text), 'x.csv');
    expect(parsed.report).toMatchObject(report);
    expect(parsed.rows).toHaveLength(rows);
  });

  it.each<[string, string, number, string]>([
    ['an unrecognized first line', 'Код;Начало;Конец', 1, 'unrecognized header or row'],
    ['a first row with 5 fields', '900;0;9;10;Оп', 1, 'expected 6, 7 or 8 fields, found 5'],
    ['a 4-digit code', `${H6}\n9000;0;9;10;Оп;Рег`, 2, 'code "9000" is not 3 digits'],
    ['an 8-digit From', `${H6}\n900;00000000;9;10;Оп;Рег`, 2, 'From/To are not numbers of up to 7 digits'],
    ['a negative To', `${H6}\n900;0;-9;10;Оп;Рег`, 2, 'From/To are not numbers of up to 7 digits'],
    ['an empty From', `${H6}\n900;;9;10;Оп;Рег`, 2, 'From/To are not numbers of up to 7 digits'],
    [
      'a letter in the capacity',
      `${H6}\n900;0;9;1O;Оп;Рег`,
      2,
      'capacity 1O does not match the range size 10',
    ],
    ['an empty operator', `${H6}\n900;0;9;10; ;Рег`, 2, 'operator is empty'],
    ['a 9-field row in a 6-column file', `${H6}\n900;0;9;10;Оп;Рег;a;b;c`, 2, 'expected 6 fields, found 9'],
  ])('rejects %s', (_label, text, line, reason) => {
    const { report, rows } = parseRegistryCsv(utf8(text), 'x.csv');
    expect(rows).toHaveLength(0);
    expect(report.rejectedCount).toBe(1);
    expect(report.rejected).toEqual([{ line, reason, text: text.split('\n')[line - 1] }]);
  });

  it('after an unrecognized first line, reads the next rows as data without a header', () => {
    const { report, rows } = parseRegistryCsv(utf8('Код;Начало;Конец\n900;0;9;10;Оп;Рег'), 'x.csv');
    expect(report).toMatchObject({ layout: '6 columns, no header', accepted: 1, rejectedCount: 1 });
    expect(report.rejected[0]?.line).toBe(1);
    expect(rows[0]?.code).toBe(900);
  });

  it('counts line numbers over blank lines and the BOM', () => {
    const text = `${H8}\n\n${row8}\n\n84;1;2;2;Оп;Рег;Гар;1234567890\n`;
    const { report } = parseRegistryCsv(withBom(text), 'x.csv');
    expect(report.accepted).toBe(1);
    expect(report.rejected.map((r) => r.line)).toEqual([5]);
  });

  it('decides the 7th column from the first row: an INN, or else the GAR territory', () => {
    const inn = parseRegistryCsv(utf8('900;0;9;10;Оп;Рег;7743895280\n900;10;19;10;Оп;Рег;-'), 'a');
    expect(inn.report.layout).toBe('7 columns, no header');
    expect(inn.rows.map((r) => [r.inn, r.gar])).toEqual([
      ['7743895280', null],
      [null, null],
    ]);
    const gar = parseRegistryCsv(utf8('900;0;9;10;Оп;Рег;Краснодарский край'), 'b');
    expect(gar.rows.map((r) => [r.inn, r.gar])).toEqual([[null, 'Краснодарский край']]);
  });

  it('drops a malformed INN but keeps the row; an empty GAR is null', () => {
    const { rows } = parseRegistryCsv(utf8(`${H8}\n900;0;9;10;Оп;Рег;;77438952`), 'x.csv');
    expect(rows).toEqual([
      { code: 900, from: 0, to: 9, operator: 'Оп', inn: null, region: 'Рег', gar: null },
    ]);
  });

  it('keeps only the first 100 rejected rows as samples but counts all', () => {
    const bad = Array.from({ length: 150 }, (_, i) => `90;${i};${i};1;Оп;Рег`);
    const { report } = parseRegistryCsv(utf8([H6, ...bad].join('\n')), 'x.csv');
    expect(report.rejectedCount).toBe(150);
    expect(report.rejected).toHaveLength(100);
    expect(report.rejected[99]?.line).toBe(101);
  });

  it('truncates a rejected row text to 200 characters', () => {
    const long = `900;0;9;10;${'О'.repeat(300)}`;
    const { report } = parseRegistryCsv(utf8(`${H6}\n${long}`), 'x.csv');
    expect(report.rejected[0]?.text).toBe(long.slice(0, 200));
  });
});
