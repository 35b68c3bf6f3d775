import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../test/helpers/registryFixtures.js';
import { writeZip } from '../../../test/helpers/zip.js';
import { forEachLine, textSources } from './lines.js';
import { dayToIso, MnpBuilder } from './mnpBuild.js';
import { classify, fileReader, splitNumber, type MnpFileKind, type MnpFileReport } from './mnpParse.js';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'mnp');
const tmp = mkdtempSync(path.join(tmpdir(), 'numinfo-mnp-parse-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const H = {
  full: 'Number,OwnerId,MNC,Route,RegionCode,PortDate,RowCount',
  fullFull:
    'Number,OwnerId,MNC,Route,RegionCode,PortDate,RowCount,NPId,DonorId,RangeHolderId,OldRoute,OldMNC,ProcessType',
  increment:
    'NPId,Number,RecipientId,DonorId,RangeHolderId,OldRoute,NewRoute,OldMNC,NewMNC,RegionCode,PortDate,RowCount',
  return: 'NPId,Number,OwnerId,RangeHolderId,RangeHolderMNC,OldRoute,NewRoute,RegionCode,PortDate,RowCount',
  operators: 'OrgCode,MNC,TIN,OrgName,RowCount',
};

describe('classify', () => {
  it.each<[string, string, { kind: MnpFileKind; header: boolean } | null]>([
    ['Port_All', H.full, { kind: 'full', header: true }],
    ['Port_All_Full', H.fullFull, { kind: 'full', header: true }],
    ['Port_Increment', H.increment, { kind: 'increment', header: true }],
    ['Return_Increment', H.return, { kind: 'return', header: true }],
    ['Operators', H.operators, { kind: 'operators', header: true }],
    ['Port_All, upper case, spaces', ' NUMBER , OWNERID ,MNC', { kind: 'full', header: true }],
    ['Port_All, columns in another order', 'PortDate,OwnerId,Number', { kind: 'full', header: true }],
    ['simple, header номер;оператор', 'номер;оператор', { kind: 'simple', header: true }],
    ['simple, header Номер;Оператор', 'Номер;Оператор', { kind: 'simple', header: true }],
    ['simple, header phone,operator', 'phone,operator', { kind: 'simple', header: true }],
    ['simple, header msisdn;operator', 'msisdn;operator', { kind: 'simple', header: true }],
    ['simple, header телефон,оператор', 'телефон,оператор', { kind: 'simple', header: true }],
    ['simple, 10 digits;', '9161234567;МТС', { kind: 'simple', header: false }],
    ['simple, 10 digits,', '9161234567,МТС', { kind: 'simple', header: false }],
    ['simple, 11 digits with 7', '79161234567;МТС', { kind: 'simple', header: false }],
    ['simple, 11 digits with 8', '89161234567,МТС', { kind: 'simple', header: false }],
    ['simple, +7', '+79161234567;МТС', { kind: 'simple', header: false }],
    ['simple, a comma in the operator', '9161234567;ПАО "МТС", Москва', { kind: 'simple', header: false }],
    ['empty', '', null],
    ['one column of numbers', '9161234567', null],
    ['simple, header phone and more columns', 'Phone,Carrier,Date', { kind: 'simple', header: true }],
    ['simple, header number,operator', 'Number,Operator', { kind: 'simple', header: true }],
    ['a header of no known layout', 'Subscriber,Carrier,Date', null],
    ['OwnerId without Number', 'Msisdn2,OwnerId,MNC', null],
    ['9 digits', '916123456;МТС', null],
    ['12 digits', '791612345678;МТС', null],
  ])('%s', (_label, line, expected) => {
    expect(classify(line)).toEqual(expected);
  });
});

describe('splitNumber', () => {
  it.each<[string, { code: number; sub: number } | null]>([
    ['9161234567', { code: 916, sub: 1234567 }],
    ['9000000000', { code: 900, sub: 0 }],
    ['79161234567', { code: 916, sub: 1234567 }],
    ['89161234567', { code: 916, sub: 1234567 }],
    ['+79161234567', { code: 916, sub: 1234567 }],
    [' 9161234567 ', { code: 916, sub: 1234567 }],
    ['4951234567', { code: 495, sub: 1234567 }],
    ['3012123456', { code: 301, sub: 2123456 }],
    ['8001234567', { code: 800, sub: 1234567 }],
    ['1234567890', null],
    ['5161234567', null],
    ['916123456', null],
    ['69161234567', null],
    ['+89161234567', null],
    ['916123456A', null],
    ['916-123-45-67', null],
    ['', null],
  ])('%j', (text, expected) => {
    expect(splitNumber(text)).toEqual(expected);
  });
});

type Row = [
  number: string,
  operator: string | null,
  mnc: string | null,
  route: string | null,
  region: string | null,
  day: string | null,
];

interface Parsed {
  readonly kind: MnpFileKind;
  readonly header: boolean;
  readonly report: MnpFileReport;
  readonly rows: Row[];
  readonly directory: { code: string; mnc: string; inn: string; name: string }[];
}

/** Reads a file (or the one member of a zip) the way the importer does, into a fresh builder. */
async function parse(file: string, seed?: (b: MnpBuilder) => void): Promise<Parsed> {
  const opened = await textSources(file);
  try {
    const source = opened.sources[0]!;
    let first: string | null = null;
    await forEachLine(await source.open(), (line) => {
      if (first === null && line.trim() !== '') first = line;
    });
    const kind = classify(first ?? '');
    if (!kind) throw new Error(`${file}: no layout`);
    const builder = new MnpBuilder();
    seed?.(builder);
    const reader = fileReader(source.name, kind.kind, kind.header, builder);
    await forEachLine(await source.open(), reader.onLine);
    const report = reader.finish();
    const m = builder.build({ builtAt: '', sources: [] });
    const rows: Row[] = [];
    for (let code = 0; code < 1000; code++) {
      for (let i = m.codeIndex[code]!; i < m.codeIndex[code + 1]!; i++) {
        const e = m.operators[m.ops[i]!]!;
        const number = `${code}${String(m.subs[i]).padStart(7, '0')}`;
        rows.push([number, e.code ?? e.text, e.mnc, e.route, e.region, dayToIso(m.days[i]!)]);
      }
    }
    return { ...kind, report, rows, directory: [...m.directory] };
  } finally {
    opened.close();
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The fixture as it is, and in every other form: with and without BOM, LF and CRLF, zipped. */
function variants(fixture: string): [label: string, file: string][] {
  const name = path.basename(fixture);
  const raw = readFileSync(fixture);
  const text = (raw.subarray(0, 3).equals(BOM) ? raw.subarray(3) : raw)
    .toString('utf8')
    .replace(/\r\n/g, '\n');
  const lf = Buffer.from(text);
  const crlf = Buffer.from(text.replace(/\n/g, '\r\n'));
  const forms: [string, Buffer][] = [
    ['LF', lf],
    ['BOM, LF', Buffer.concat([BOM, lf])],
    ['CRLF', crlf],
    ['BOM, CRLF', Buffer.concat([BOM, crlf])],
  ];
  const out: [string, string][] = [['as it is', fixture]];
  for (const [label, bytes] of forms) {
    const d = path.join(tmp, `${name}-${label.replace(/\W+/g, '-')}`);
    mkdirSync(d, { recursive: true });
    const plain = path.join(d, name);
    writeFileSync(plain, bytes);
    out.push([label, plain]);
    out.push([
      `${label}, zipped`,
      writeZip(path.join(d, name.replace(/\.csv$/, '.zip')), [{ name, data: bytes }]),
    ]);
  }
  return out;
}

interface FixtureCase {
  readonly file: string;
  readonly kind: MnpFileKind;
  readonly header: boolean;
  readonly rows: number;
  readonly declared: number | null;
  readonly numbers: Row[];
}

const FIXTURE_CASES: FixtureCase[] = [
  {
    file: 'dump/Port_All_202401150300_001.csv',
    kind: 'full',
    header: true,
    rows: 8,
    declared: 8,
    numbers: [
      ['9000000000', 'MEGAFON', '02', 'D2502', '25', '2016-09-07'],
      ['9031234567', 'MTS', '01', 'D7701', '77', '2019-03-01'],
      ['9161112233', 'BEELINE', '99', 'D7799', '77', '2020-11-30'],
      ['9201234567', 'TELE2', '20', 'D7820', '78', '2014-01-15'],
      ['9211234567', 'MTS', '01', 'D7801', '78', '2021-06-01'],
      ['9501234567', 'YOTA', '11', 'D6611', '66', '2023-12-31'],
      ['9851234567', 'MEGAFON', '02', 'D5002', '50', '2024-01-14'],
      ['9991234567', 'MTS', '01', 'D1601', '16', '2022-02-22'],
    ],
  },
  {
    file: 'dump/Port_Increment_202401160300.csv',
    kind: 'increment',
    header: true,
    rows: 3,
    declared: 3,
    numbers: [
      ['9031234567', 'TELE2', '20', 'D7720', '77', '2024-01-15'],
      ['9123456789', 'MEGAFON', '02', 'D6602', '66', '2024-01-15'],
      ['9601234567', 'MTS', '01', 'D5201', '52', '2024-01-15'],
    ],
  },
  {
    file: 'dump/Port_Increment_202401170300.csv',
    kind: 'increment',
    header: true,
    rows: 1,
    declared: 1,
    numbers: [['9161112233', 'TELE2', '20', 'D7720', '77', '2024-01-16']],
  },
  // Returns only take numbers away: alone they leave nothing.
  {
    file: 'dump/Return_Increment_202401160300.csv',
    kind: 'return',
    header: true,
    rows: 2,
    declared: 2,
    numbers: [],
  },
  {
    file: 'dump/Return_Increment_202401170300.csv',
    kind: 'return',
    header: true,
    rows: 1,
    declared: 1,
    numbers: [],
  },
  // The directory goes to `directory`, not to numbers (checked below).
  {
    file: 'dump/Operators_202401150300.csv',
    kind: 'operators',
    header: true,
    rows: 5,
    declared: 5,
    numbers: [],
  },
  {
    file: 'layouts/Port_All_Full_202401150300_001.csv',
    kind: 'full',
    header: true,
    rows: 3,
    declared: 3,
    numbers: [
      ['9000000000', 'MEGAFON', '02', 'D2502', '25', '2016-09-07'],
      ['9161112233', 'BEELINE', '99', 'D7799', '77', '2020-11-30'],
      ['9641234567', 'MOTIV', '35', 'D6635', '66', '2018-05-05'],
    ],
  },
  {
    file: 'layouts/simple-semicolon-header.csv',
    kind: 'simple',
    header: true,
    rows: 4,
    declared: null,
    numbers: [
      ['9031234567', 'ПАО "ВымпелКом"', null, null, null, null],
      ['9161234567', 'МТС', null, null, null, null],
      ['9201234567', '7743895280', null, null, null, null],
      ['9991234567', 'MEGAFON', null, null, null, null],
    ],
  },
  {
    file: 'layouts/simple-semicolon.csv',
    kind: 'simple',
    header: false,
    rows: 3,
    declared: null,
    numbers: [
      ['9031234567', 'ПАО "ВымпелКом", Билайн', null, null, null, null],
      ['9161234567', 'МТС', null, null, null, null],
      ['9201234567', 'Т2', null, null, null, null],
    ],
  },
  {
    file: 'layouts/simple-comma-header.csv',
    kind: 'simple',
    header: true,
    rows: 2,
    declared: null,
    numbers: [
      ['9031234567', 'BEELINE', null, null, null, null],
      ['9161234567', 'MTS', null, null, null, null],
    ],
  },
  {
    file: 'layouts/simple-comma.csv',
    kind: 'simple',
    header: false,
    rows: 3,
    declared: null,
    numbers: [
      ['9031234567', 'Билайн', null, null, null, null],
      ['9161234567', 'МТС', null, null, null, null],
      ['9201234567', 'Т2', null, null, null, null],
    ],
  },
];

describe('each layout, plain and zipped, with and without BOM, LF and CRLF', () => {
  describe.each(FIXTURE_CASES.map((c) => [c.file, c] as const))('%s', (file, c) => {
    it.each(variants(path.join(FIXTURES, file)))('%s', async (_label, variant) => {
      const p = await parse(variant);
      expect({ kind: p.kind, header: p.header }).toEqual({ kind: c.kind, header: c.header });
      expect(p.report).toEqual({
        file: path.basename(file),
        kind: c.kind,
        rows: c.rows,
        rejectedCount: 0,
        rejected: [],
        declaredRows: c.declared,
      });
      expect(p.rows).toEqual(c.numbers);
    });
  });
});

describe('what the rows say', () => {
  it('an Operators file fills the directory: OrgCode without the m prefix, MNC, INN (TIN), name', async () => {
    const p = await parse(path.join(FIXTURES, 'dump/Operators_202401150300.csv'));
    expect(p.directory).toEqual([
      { code: 'MTS', mnc: '01', inn: '7740000076', name: 'ПАО "Мобильные ТелеСистемы"' },
      { code: 'MEGAFON', mnc: '02', inn: '7812014560', name: 'ПАО "МегаФон"' },
      { code: 'BEELINE', mnc: '99', inn: '7713076301', name: 'ПАО "ВымпелКом"' },
      { code: 'TELE2', mnc: '20', inn: '7743895280', name: 'ООО "Т2 Мобайл"' },
      { code: 'YOTA', mnc: '11', inn: '7701725181', name: 'ООО "Скартел"' },
    ]);
  });

  it('a return takes a ported number away; a return of a number not ported changes nothing', async () => {
    const p = await parse(path.join(FIXTURES, 'dump/Return_Increment_202401160300.csv'), (b) => {
      const op = b.operatorId({ code: 'BEELINE', mnc: '99', route: 'D7799', region: '77', text: null });
      b.port(916, 1112233, op, 100);
      b.port(916, 1112234, op, 100);
    });
    expect(p.rows).toEqual([['9161112234', 'BEELINE', '99', 'D7799', '77', '2000-04-10']]);
  });

  it('reports rejected rows with their line numbers, reasons and text, in every form of the file', async () => {
    for (const [label, file] of variants(path.join(FIXTURES, 'bad/rejects/Port_All_202401200300_001.csv'))) {
      const p = await parse(file);
      const text = (line: number): string =>
        readFileSync(path.join(FIXTURES, 'bad/rejects/Port_All_202401200300_001.csv'), 'utf8').split('\n')[
          line - 1
        ]!;
      expect(p.report, label).toEqual({
        file: 'Port_All_202401200300_001.csv',
        kind: 'full',
        rows: 7,
        rejectedCount: 5,
        declaredRows: 12,
        rejected: [
          { line: 4, reason: 'Number is not 10 digits of a Russian number', text: text(4) },
          { line: 7, reason: 'OwnerId is empty', text: text(7) },
          { line: 9, reason: 'PortDate "2024-02-30T10:00:00+03:00" is not a date', text: text(9) },
          { line: 10, reason: 'Number is not 10 digits of a Russian number', text: text(10) },
          { line: 13, reason: 'Number is not 10 digits of a Russian number', text: text(13) },
        ],
      });
      expect(
        p.rows.map((r) => r[0]),
        label,
      ).toEqual([
        '9000000001',
        '9000000002',
        '9000000003',
        '9000000004',
        '9000000005',
        '9000000006',
        '9000000007',
      ]);
      // A row without PortDate is kept, with no date.
      expect(p.rows.find((r) => r[0] === '9000000006')![5]).toBeNull();
    }
  });

  it('counts every rejected row but keeps the first 100 as samples', async () => {
    const file = path.join(tmp, 'many-bad.csv');
    const bad = Array.from(
      { length: 150 },
      (_, i) => `12345678${String(i).padStart(2, '0')},mMTS,01,D7701,77,,`,
    );
    writeFileSync(file, [H.full, ...bad, '9161234567,mMTS,01,D7701,77,,'].join('\n'));
    const p = await parse(file);
    expect(p.report.rows).toBe(1);
    expect(p.report.rejectedCount).toBe(150);
    expect(p.report.rejected).toHaveLength(100);
    expect(p.report.rejected[99]!.line).toBe(101);
  });

  it.each<[string, string, string]>([
    [
      'an increment without RecipientId',
      `${H.increment}\n1,9161234567,,mMTS,mMTS,D7701,D7702,01,02,77,,`,
      'RecipientId is empty',
    ],
    ['a simple row without operator', '9161234567;МТС\n9161234568;', 'operator is empty'],
    ['a simple row with a short number', '9161234567;МТС\n916123456;МТС', 'not a 10-digit Russian number'],
    [
      'an operator with a 9-digit TIN',
      `${H.operators}\nmMTS,01,774000007,ПАО "МТС",`,
      'OrgCode empty or TIN not 10/12 digits',
    ],
    [
      'an operator without OrgCode',
      `${H.operators}\n,01,7740000076,ПАО "МТС",`,
      'OrgCode empty or TIN not 10/12 digits',
    ],
  ])('rejects %s', async (_label, text, reason) => {
    const file = path.join(tmp, 'reject.csv');
    writeFileSync(file, text);
    const p = await parse(file);
    expect(p.report.rejected).toEqual([{ line: 2, reason, text: text.split('\n')[1] }]);
  });
});
