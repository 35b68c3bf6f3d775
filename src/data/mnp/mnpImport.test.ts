import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../test/helpers/registryFixtures.js';
import { writeZip, zipBytes } from '../../../test/helpers/zip.js';
import { NuminfoError } from '../../errors.js';
import { decodeContainer } from '../container.js';
import { dayToIso, type CompiledMnp } from './mnpBuild.js';
import { importMnp, mnpDeltaPath, mnpPath, type MnpImportOptions } from './mnpImport.js';
import { MnpIndex } from './mnpIndex.js';
import { MNP_FORMAT_VERSION, MNP_MAGIC, readMnpData, readMnpFile, writeMnpFile } from './mnpSnapshot.js';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'mnp');
const tmp = mkdtempSync(path.join(tmpdir(), 'numinfo-mnp-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let dirs = 0;
const freshDir = (): string => {
  const d = path.join(tmp, `d${++dirs}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const fx = (...names: string[]): string[] => names.map((n) => path.join(FIXTURES, n));

const OPERATORS = 'dump/Operators_202401150300.csv';
const FULL = 'dump/Port_All_202401150300_001.csv';
const DAY1 = ['dump/Port_Increment_202401160300.csv', 'dump/Return_Increment_202401160300.csv'];
const DAY2 = ['dump/Port_Increment_202401170300.csv', 'dump/Return_Increment_202401170300.csv'];
const ALL = [OPERATORS, FULL, ...DAY1, ...DAY2];

const run = (dataDir: string, files: string[], more: Partial<MnpImportOptions> = {}) =>
  importMnp({ files, dataDir, ...more });

/** The data every reader sees: mnp.snap with mnp-delta.snap applied. */
const data = (dataDir: string): CompiledMnp => readMnpData(dataDir)!;

/** Every ported number in the data dir: `9031234567 TELE2 20 D7720 77 2024-01-15`. */
function ported(dataDir: string): string[] {
  const m = data(dataDir);
  const out: string[] = [];
  for (let code = 0; code < 1000; code++) {
    for (let i = m.codeIndex[code]!; i < m.codeIndex[code + 1]!; i++) {
      const e = m.operators[m.ops[i]!]!;
      const number = `${code}${String(m.subs[i]).padStart(7, '0')}`;
      const fields = [number, e.code ?? e.text, e.mnc, e.route, e.region, dayToIso(m.days[i]!)];
      out.push(fields.map((f) => f ?? '-').join(' '));
    }
  }
  return out;
}

/** Looks a number up the way the service will: MnpIndex over the snapshot file. */
function lookup(dataDir: string, number: string): string | null {
  const idx = new MnpIndex(data(dataDir));
  const at = idx.find(+number.slice(0, 3), +number.slice(3));
  if (at < 0) return null;
  const e = idx.operators[idx.operatorAt(at)]!;
  return [e.code ?? e.text, e.mnc, e.route, idx.portDateAt(at)].map((f) => f ?? '-').join(' ');
}

const AFTER_FULL = [
  '9000000000 MEGAFON 02 D2502 25 2016-09-07',
  '9031234567 MTS 01 D7701 77 2019-03-01',
  '9161112233 BEELINE 99 D7799 77 2020-11-30',
  '9201234567 TELE2 20 D7820 78 2014-01-15',
  '9211234567 MTS 01 D7801 78 2021-06-01',
  '9501234567 YOTA 11 D6611 66 2023-12-31',
  '9851234567 MEGAFON 02 D5002 50 2024-01-14',
  '9991234567 MTS 01 D1601 16 2022-02-22',
];
const AFTER_DAY1 = [
  '9000000000 MEGAFON 02 D2502 25 2016-09-07',
  '9031234567 TELE2 20 D7720 77 2024-01-15',
  '9123456789 MEGAFON 02 D6602 66 2024-01-15',
  '9201234567 TELE2 20 D7820 78 2014-01-15',
  '9501234567 YOTA 11 D6611 66 2023-12-31',
  '9601234567 MTS 01 D5201 52 2024-01-15',
  '9851234567 MEGAFON 02 D5002 50 2024-01-14',
  '9991234567 MTS 01 D1601 16 2022-02-22',
];
const AFTER_DAY2 = [
  '9000000000 MEGAFON 02 D2502 25 2016-09-07',
  '9031234567 TELE2 20 D7720 77 2024-01-15',
  '9161112233 TELE2 20 D7720 77 2024-01-16',
  '9201234567 TELE2 20 D7820 78 2014-01-15',
  '9501234567 YOTA 11 D6611 66 2023-12-31',
  '9601234567 MTS 01 D5201 52 2024-01-15',
  '9851234567 MEGAFON 02 D5002 50 2024-01-14',
  '9991234567 MTS 01 D1601 16 2022-02-22',
];

/**
 * The same data. The version is not compared: base + delta has a version derived from both files'
 * versions, a single base one from its content, so it names how the data is stored.
 */
function expectSameData(a: CompiledMnp, b: CompiledMnp): void {
  expect(a.meta.dataDate).toBe(b.meta.dataDate);
  expect(a.meta.numbers).toBe(b.meta.numbers);
  expect(a.operators).toEqual(b.operators);
  expect(a.directory).toEqual(b.directory);
  expect([...a.codeIndex]).toEqual([...b.codeIndex]);
  expect([...a.subs]).toEqual([...b.subs]);
  expect([...a.ops]).toEqual([...b.ops]);
  expect([...a.days]).toEqual([...b.days]);
}

describe('importMnp: full list, increments, returns', () => {
  it('full list, then each day: exactly the expected numbers, operators and dates', async () => {
    const d = freshDir();
    const first = await run(d, fx(OPERATORS, FULL));
    expect(first.previous).toBeNull();
    expect(first.meta).toMatchObject({ numbers: 8, dataDate: '2024-01-14' });
    expect(first.reports.map((r) => [r.file, r.kind, r.rows, r.rejectedCount])).toEqual([
      ['Operators_202401150300.csv', 'operators', 5, 0],
      ['Port_All_202401150300_001.csv', 'full', 8, 0],
    ]);
    expect(ported(d)).toEqual(AFTER_FULL);

    const second = await run(d, fx(...DAY1));
    expect(second.previous?.numbers).toBe(8);
    expect(second.meta).toMatchObject({ numbers: 8, dataDate: '2024-01-15' });
    expect(ported(d)).toEqual(AFTER_DAY1);

    await run(d, fx(...DAY2));
    expect(ported(d)).toEqual(AFTER_DAY2);

    // Through the index, as lookups will see it.
    expect(lookup(d, '9031234567')).toBe('TELE2 20 D7720 2024-01-15'); // re-ported
    expect(lookup(d, '9161112233')).toBe('TELE2 20 D7720 2024-01-16'); // returned, then ported again
    expect(lookup(d, '9601234567')).toBe('MTS 01 D5201 2024-01-15'); // a new port
    expect(lookup(d, '9000000000')).toBe('MEGAFON 02 D2502 2016-09-07'); // untouched
    expect(lookup(d, '9211234567')).toBeNull(); // returned
    expect(lookup(d, '9123456789')).toBeNull(); // ported on day 1, returned on day 2
    expect(lookup(d, '9161234567')).toBeNull(); // never ported
    // The Operators file stays in the directory through increments.
    expect(data(d).directory.map((x) => `${x.code} ${x.inn}`)).toEqual([
      'MTS 7740000076',
      'MEGAFON 7812014560',
      'BEELINE 7713076301',
      'TELE2 7743895280',
      'YOTA 7701725181',
    ]);
  });

  it('all files in one import, given in any order, apply by their timestamps: the same data', async () => {
    const stepwise = freshDir();
    await run(stepwise, fx(OPERATORS, FULL));
    await run(stepwise, fx(...DAY1));
    await run(stepwise, fx(...DAY2));

    const once = freshDir();
    const result = await run(once, fx(...[...ALL].reverse()));
    expect(result.reports.map((r) => r.file)).toEqual([
      'Operators_202401150300.csv',
      'Port_All_202401150300_001.csv',
      'Port_Increment_202401160300.csv',
      'Return_Increment_202401160300.csv',
      'Port_Increment_202401170300.csv',
      'Return_Increment_202401170300.csv',
    ]);
    expect(ported(once)).toEqual(AFTER_DAY2);
    expectSameData(data(once), data(stepwise));
  });

  it('zipped: one archive holding the whole dump, and one archive per file with BOM and CRLF', async () => {
    const members = ALL.map((n) => ({ name: path.basename(n), data: readFileSync(path.join(FIXTURES, n)) }));
    const one = writeZip(path.join(tmp, 'dump.zip'), members);
    const d1 = freshDir();
    await run(d1, [one]);
    expect(ported(d1)).toEqual(AFTER_DAY2);

    const each = members.map((m) => {
      const text = m.data
        .toString('utf8')
        .replace(/^\ufeff/, '')
        .replace(/\r?\n/g, '\r\n');
      return writeZip(path.join(tmp, m.name.replace(/\.csv$/, '.zip')), [
        { name: m.name, data: `\ufeff${text}` },
      ]);
    });
    const d2 = freshDir();
    await run(d2, each);
    expectSameData(data(d2), data(d1));
  });

  it('the same increment twice changes nothing: the same arrays, the same bytes but for META', async () => {
    const d = freshDir();
    await run(d, fx(OPERATORS, FULL));
    await run(d, fx(...DAY1));
    const merged = data(d);
    const before = readFileSync(mnpDeltaPath(d));
    const again = await run(d, fx(...DAY1));
    expect(again.meta.version).toBe(again.previous?.version);
    expect(again.meta.version).toBe(merged.meta.version);
    expectSameData(data(d), merged);
    const after = readFileSync(mnpDeltaPath(d));
    const a = decodeContainer(before, {
      magic: MNP_MAGIC,
      version: MNP_FORMAT_VERSION,
      what: 'MNP snapshot',
    });
    const b = decodeContainer(after, { magic: MNP_MAGIC, version: MNP_FORMAT_VERSION, what: 'MNP snapshot' });
    for (const tag of ['OPER', 'DIRC', 'CIDX', 'SUBS', 'OPID', 'DAYS']) {
      expect(a.bytes(tag).equals(b.bytes(tag)), tag).toBe(true);
    }
    expect(ported(d)).toEqual(AFTER_DAY1);

    // Twice within one import, too.
    const twice = freshDir();
    await run(twice, fx(OPERATORS, FULL));
    const copy = path.join(tmp, 'copy');
    mkdirSync(copy, { recursive: true });
    const copies = DAY1.map((n) => {
      const to = path.join(copy, path.basename(n));
      writeFileSync(to, readFileSync(path.join(FIXTURES, n)));
      return to;
    });
    await run(twice, [...fx(...DAY1), ...copies]);
    expect(ported(twice)).toEqual(AFTER_DAY1);
  });

  it('a full list replaces the numbers (those it lacks are gone) and keeps the operator directory', async () => {
    const d = freshDir();
    await run(d, fx(...ALL));
    const file = path.join(tmp, 'Port_All_202402010300_001.csv');
    writeFileSync(
      file,
      [
        'Number,OwnerId,MNC,Route,RegionCode,PortDate,RowCount',
        '9000000000,mMEGAFON,02,D2502,25,2016-09-07T12:00:17+03:00,5',
        '9031234567,mTELE2,20,D7720,77,2024-01-15T10:00:00+03:00,',
        '9211234567,mBEELINE,99,D7899,78,2024-01-30T10:00:00+03:00,',
        '9641234567,mMOTIV,35,D6635,66,2024-01-31T10:00:00+03:00,',
        '9991234567,mMTS,01,D1601,16,2022-02-22T22:22:22+03:00,',
      ].join('\n'),
    );
    const r = await run(d, [file]);
    expect(r.previous?.numbers).toBe(8);
    expect(ported(d)).toEqual([
      '9000000000 MEGAFON 02 D2502 25 2016-09-07',
      '9031234567 TELE2 20 D7720 77 2024-01-15',
      '9211234567 BEELINE 99 D7899 78 2024-01-30',
      '9641234567 MOTIV 35 D6635 66 2024-01-31',
      '9991234567 MTS 01 D1601 16 2022-02-22',
    ]);
    expect(lookup(d, '9161112233')).toBeNull();
    expect(data(d).directory).toHaveLength(5);
  });

  it('a simple number;operator list replaces the data; its operator text is kept as written', async () => {
    const d = freshDir();
    await run(d, fx('layouts/simple-semicolon-header.csv'));
    expect(ported(d)).toEqual([
      '9031234567 ПАО "ВымпелКом" - - - -',
      '9161234567 МТС - - - -',
      '9201234567 7743895280 - - - -',
      '9991234567 MEGAFON - - - -',
    ]);
    // Increments in the dump layouts apply on top of it.
    await run(d, fx('dump/Port_Increment_202401170300.csv'));
    expect(lookup(d, '9161112233')).toBe('TELE2 20 D7720 2024-01-16');
    expect(lookup(d, '9161234567')).toBe('МТС - - -');
  });

  it('accepts a few rejected rows when allowed, and reports them with their line numbers', async () => {
    const d = freshDir();
    const r = await run(d, fx('bad/rejects/Port_All_202401200300_001.csv'), { maxRejectShare: 0.5 });
    expect(r.meta.numbers).toBe(7);
    expect(r.reports[0]!.rejected.map((x) => x.line)).toEqual([4, 7, 9, 10, 13]);
  });
});

describe('importMnp: increments go to mnp-delta.snap', () => {
  it('an increment writes only the delta: mnp.snap stays byte for byte', async () => {
    const d = freshDir();
    await run(d, fx(OPERATORS, FULL));
    const base = readFileSync(mnpPath(d));
    expect(existsSync(mnpDeltaPath(d))).toBe(false);
    const r = await run(d, fx(...DAY1));
    expect(r.path).toBe(mnpDeltaPath(d));
    expect(readFileSync(mnpPath(d)).equals(base)).toBe(true);
    const delta = readMnpFile(mnpDeltaPath(d));
    expect(delta.meta.base).toBe(readMnpFile(mnpPath(d)).meta.version);
    expect(delta.meta.total).toBe(8);
    // Returns of base numbers stay in the delta as tombstones.
    expect([...delta.ops].filter((op) => op === 0xffff).length).toBeGreaterThan(0);
    expect(ported(d)).toEqual(AFTER_DAY1);
    expect(r.meta).toEqual(data(d).meta);
  });

  it('a second increment merges onto the delta, not the base: one delta holding both days', async () => {
    const d = freshDir();
    await run(d, fx(OPERATORS, FULL));
    const base = readFileSync(mnpPath(d));
    await run(d, fx(...DAY1));
    const second = await run(d, fx(...DAY2));
    expect(readFileSync(mnpPath(d)).equals(base)).toBe(true);
    const delta = readMnpFile(mnpDeltaPath(d));
    expect(delta.meta.sources.map((x) => x.file)).toEqual([
      'Port_Increment_202401160300.csv',
      'Return_Increment_202401160300.csv',
      'Port_Increment_202401170300.csv',
      'Return_Increment_202401170300.csv',
    ]);
    expect(second.meta.numbers).toBe(AFTER_DAY2.length);
    expect(ported(d)).toEqual(AFTER_DAY2);
    // The base alone is still the full list.
    const only = freshDir();
    writeFileSync(mnpPath(only), base);
    expect(ported(only)).toEqual(AFTER_FULL);
  });

  it('a full list writes a new base and removes the delta', async () => {
    const d = freshDir();
    await run(d, fx(OPERATORS, FULL));
    await run(d, fx(...DAY1));
    expect(existsSync(mnpDeltaPath(d))).toBe(true);
    const r = await run(d, fx(FULL));
    expect(r.previous?.numbers).toBe(8);
    expect(r.path).toBe(mnpPath(d));
    expect(existsSync(mnpDeltaPath(d))).toBe(false);
    expect(ported(d)).toEqual(AFTER_FULL);
  });

  it('a delta made for another base is ignored, by readers and by the next increment', async () => {
    const d = freshDir();
    await run(d, fx(OPERATORS, FULL));
    await run(d, fx(...DAY1));
    const delta = readMnpFile(mnpDeltaPath(d));
    writeMnpFile(mnpDeltaPath(d), { ...delta, meta: { ...delta.meta, base: 'another.00000000' } });
    expect(ported(d)).toEqual(AFTER_FULL);
    expect(data(d).meta).toEqual(readMnpFile(mnpPath(d)).meta);
    // The next increment starts a new delta on the base; day 1 is not in it.
    const r = await run(d, fx('dump/Port_Increment_202401170300.csv'));
    expect(r.previous).toEqual(readMnpFile(mnpPath(d)).meta);
    expect(readMnpFile(mnpDeltaPath(d)).meta.sources.map((x) => x.file)).toEqual([
      'Port_Increment_202401170300.csv',
    ]);
    expect(lookup(d, '9031234567')).toBe('MTS 01 D7701 2019-03-01');
    expect(lookup(d, '9161112233')).toBe('TELE2 20 D7720 2024-01-16');
  });

  it('past the compaction threshold, base + delta become the new base and the delta goes', async () => {
    const d = freshDir();
    await run(d, fx(OPERATORS, FULL));
    await run(d, fx(...DAY1), { compactAt: 100 });
    const merged = data(d);
    expect(existsSync(mnpDeltaPath(d))).toBe(true);
    const r = await run(d, fx(...DAY2), { compactAt: 3 });
    expect(r.path).toBe(mnpPath(d));
    expect(existsSync(mnpDeltaPath(d))).toBe(false);
    expect(ported(d)).toEqual(AFTER_DAY2);
    const base = readMnpFile(mnpPath(d));
    expect(base.meta.version).toBe(r.meta.version);
    expect(base.meta.numbers).toBe(AFTER_DAY2.length);
    expect(base.operators.slice(0, merged.operators.length)).toEqual(merged.operators);
    // Increments after a compaction start a new delta on the new base.
    await run(d, fx(...DAY2), { compactAt: 100 });
    expect(readMnpFile(mnpDeltaPath(d)).meta.base).toBe(base.meta.version);
    expect(ported(d)).toEqual(AFTER_DAY2);
  });
});

describe('importMnp: a file that fails validation leaves the current data in place', () => {
  const cutZip = (): string[] => {
    const bytes = zipBytes([{ name: 'Port_All_202402010300_001.csv', data: readFileSync(fx(FULL)[0]!) }]);
    const file = path.join(tmp, 'cut.zip');
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    return [file];
  };
  const flippedZip = (): string[] => {
    const data = readFileSync(fx(FULL)[0]!);
    const bytes = zipBytes([{ name: 'Port_All_202402010300_001.csv', data, store: true }]);
    const at = bytes.indexOf('9851234567');
    bytes[at + 3]! ^= 0x01; // 9851234567 → 9850234567: still a valid row, but not what was sent
    const file = path.join(tmp, 'flipped.zip');
    writeFileSync(file, bytes);
    return [file];
  };

  it.each<[string, () => string[], RegExp, Partial<MnpImportOptions>?]>([
    [
      'more than 5% rejected rows',
      () => fx('bad/rejects/Port_All_202401200300_001.csv'),
      /Port_All_202401200300_001\.csv: 5 of 12 rows rejected, more than 5%/,
    ],
    [
      'a RowCount that does not match (a truncated file)',
      () => fx('bad/truncated/Port_All_202401200300_001.csv'),
      /RowCount says 10 rows, the file has 6 \(truncated or damaged\)/,
    ],
    ['an empty file', () => fx('bad/empty/Port_All_202401200300_001.csv'), /not a known MNP layout/],
    ['a header and no rows', () => fx('bad/header-only/Port_Increment_202401200300.csv'), /no data rows/],
    [
      'an unknown layout',
      () => fx('bad/unknown/Port_All_202401200300_001.csv'),
      /Port_All_202401200300_001\.csv: not a known MNP layout/,
    ],
    [
      'a full list with far fewer numbers than now',
      () => fx('bad/small/Port_All_202401200300_001.csv'),
      /the new full list has 3 ported numbers against 8 now \(below 50%\); use --force/,
    ],
    ['a cut zip archive', cutZip, /cut\.zip is damaged \(End of central directory record/],
    ['a zip member with a damaged byte', flippedZip, /CRC-32 mismatch/],
    [
      'a good increment together with a bad file',
      () => fx(...DAY2, 'bad/truncated/Port_All_202401200300_001.csv'),
      /RowCount says 10 rows/,
    ],
  ])('%s', async (_label, files, message, more) => {
    const d = freshDir();
    await run(d, fx(...ALL));
    const before = readFileSync(mnpPath(d));
    const deltaBefore = existsSync(mnpDeltaPath(d)) ? readFileSync(mnpDeltaPath(d)) : null;
    const e = await run(d, files(), more).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(NuminfoError);
    expect((e as NuminfoError).code, (e as Error).message).toBe('UPDATE_REJECTED');
    expect((e as NuminfoError).message).toMatch(message);
    expect(readFileSync(mnpPath(d)).equals(before)).toBe(true);
    expect(existsSync(mnpDeltaPath(d)) ? readFileSync(mnpDeltaPath(d)) : null).toEqual(deltaBefore);
  });

  it('with force, a much smaller full list is accepted', async () => {
    const d = freshDir();
    await run(d, fx(...ALL));
    const r = await run(d, fx('bad/small/Port_All_202401200300_001.csv'), { force: true });
    expect(r.meta.numbers).toBe(3);
    expect(ported(d)).toEqual([
      '9000000000 MEGAFON 02 D2502 25 2016-09-07',
      '9501234567 YOTA 11 D6611 66 2023-12-31',
      '9771234567 MTS 01 D7701 77 2024-01-18',
    ]);
  });

  it('with no data yet, a rejected import writes nothing', async () => {
    const d = freshDir();
    await expect(run(d, fx('bad/truncated/Port_All_202401200300_001.csv'))).rejects.toMatchObject({
      code: 'UPDATE_REJECTED',
    });
    expect(existsSync(mnpPath(d))).toBe(false);
  });

  it('increments refuse a damaged snapshot; a full list replaces it', async () => {
    const d = freshDir();
    await run(d, fx(...ALL));
    // Increments read only the base's header (its checksum is verified by full loads), so the
    // damage they must see is in what they read: here a cut file.
    const damaged = readFileSync(mnpPath(d)).subarray(0, -9);
    writeFileSync(mnpPath(d), damaged);
    await expect(run(d, fx(...DAY1))).rejects.toMatchObject({
      code: 'UPDATE_REJECTED',
      message: expect.stringMatching(/increments apply to the current data.*file length.*full list/),
    });
    expect(readFileSync(mnpPath(d)).equals(damaged)).toBe(true);
    const r = await run(d, fx(FULL));
    expect(r.previous).toBeNull();
    expect(ported(d)).toEqual(AFTER_FULL);
  });

  it('no files is MISSING_PARAMETER; a missing file is SOURCE_UNAVAILABLE', async () => {
    await expect(run(freshDir(), [])).rejects.toMatchObject({ code: 'MISSING_PARAMETER' });
    await expect(run(freshDir(), [path.join(tmp, 'nope.csv')])).rejects.toMatchObject({
      code: 'SOURCE_UNAVAILABLE',
    });
  });
});
