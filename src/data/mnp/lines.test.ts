import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { writeZip, zipBytes } from '../../../test/helpers/zip.js';
import { forEachLine, textSources } from './lines.js';

const dir = mkdtempSync(path.join(tmpdir(), 'numinfo-mnp-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lines(chunks: readonly (string | number[])[]): Promise<[string, number][]> {
  const out: [string, number][] = [];
  const stream = Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : Buffer.from(c))));
  await forEachLine(stream, (line, no) => out.push([line, no]));
  return out;
}

async function readAll(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

const BOM = [0xef, 0xbb, 0xbf];
const ab = (a: string, b: string): [string, number][] => [
  [a, 1],
  [b, 2],
];

describe('forEachLine', () => {
  it.each<[string, (string | number[])[], [string, number][]]>([
    ['LF, final newline', ['a,1\nb,2\n'], ab('a,1', 'b,2')],
    ['LF, no final newline', ['a,1\nb,2'], ab('a,1', 'b,2')],
    ['CRLF', ['a,1\r\nb,2\r\n'], ab('a,1', 'b,2')],
    ['CRLF, no final newline, a CR at the very end', ['a,1\r\nb,2\r'], ab('a,1', 'b,2')],
    ['a BOM', [[...BOM, 0x61, 0x0a, 0x62]], ab('a', 'b')],
    ['a BOM split over three chunks', [[0xef], [0xbb], [0xbf, 0x61, 0x0a, 0x62]], ab('a', 'b')],
    ['a BOM-like character later is kept', ['a\n\ufeffb'], ab('a', '\ufeffb')],
    ['CR and LF in different chunks', ['a\r', '\nb'], ab('a', 'b')],
    ['a line over many chunks', ['a', ',', '1\n', 'b', ',2'], ab('a,1', 'b,2')],
    ['a Cyrillic letter split between chunks', [[0xd0], [0x9c, 0x0a, 0x62]], ab('М', 'b')],
    [
      'blank lines keep their numbers',
      ['a\n\n\nb\n'],
      [
        ['a', 1],
        ['', 2],
        ['', 3],
        ['b', 4],
      ],
    ],
    ['empty', [], []],
    ['a BOM only', [BOM], []],
  ])('%s', async (_label, chunks, expected) => {
    expect(await lines(chunks)).toEqual(expected);
  });
});

describe('textSources', () => {
  it('a plain file is one source named after the file', async () => {
    const file = path.join(dir, 'Port_All_202401150300_001.csv');
    writeFileSync(file, 'Number,OwnerId\n9000000000,mMTS\n');
    const opened = await textSources(file);
    try {
      expect(opened.sources.map((s) => s.name)).toEqual(['Port_All_202401150300_001.csv']);
      expect(await readAll(await opened.sources[0]!.open())).toBe('Number,OwnerId\n9000000000,mMTS\n');
    } finally {
      opened.close();
    }
  });

  it('a zip archive (by its bytes, whatever its name) is one source per member, folders skipped', async () => {
    const file = writeZip(path.join(dir, 'dump.csv'), [
      { name: 'Operators_202401150300.csv', data: 'OrgCode,MNC,TIN,OrgName,RowCount\n' },
      { name: 'day/', data: '', store: true },
      { name: 'day/Port_Increment_202401160300.csv', data: 'NPId,Number\n1,9000000000\n', store: true },
    ]);
    const opened = await textSources(file);
    try {
      expect(opened.sources.map((s) => s.name)).toEqual([
        'Operators_202401150300.csv',
        'day/Port_Increment_202401160300.csv',
      ]);
      // Members open as often as needed, in any order (the importer reads a first line, then all).
      expect(await readAll(await opened.sources[1]!.open())).toBe('NPId,Number\n1,9000000000\n');
      expect(await readAll(await opened.sources[0]!.open())).toBe('OrgCode,MNC,TIN,OrgName,RowCount\n');
      expect(await readAll(await opened.sources[1]!.open())).toBe('NPId,Number\n1,9000000000\n');
    } finally {
      opened.close();
    }
  });

  it('a zip that is damaged after its first bytes is an error, not a plain file', async () => {
    const good = zipBytes([{ name: 'a.csv', data: 'x'.repeat(1000) }]);
    const file = path.join(dir, 'cut.zip');
    writeFileSync(file, good.subarray(0, 40));
    await expect(textSources(file)).rejects.toThrow();
  });
});

describe('test/helpers/zip.ts', () => {
  it('writes archives that yauzl reads back with the same names, bytes and CRCs', async () => {
    const text = 'Number,OwnerId,MNC\r\n' + '9161234567,mMTS,01\r\n'.repeat(500);
    const bytes = zipBytes([
      { name: 'deflated.csv', data: text },
      { name: 'stored.csv', data: new Uint8Array([0xef, 0xbb, 0xbf, 0x41]), store: true },
      { name: 'Порт.csv', data: 'é' },
    ]);
    expect(bytes.length).toBeLessThan(text.length);
    const entries = await new Promise<{ name: string; method: number; text: string }[]>((resolve, reject) => {
      yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
        if (err || !zip) return reject(err ?? new Error('no zip'));
        const out: { name: string; method: number; text: string }[] = [];
        zip.on('entry', (e: yauzl.Entry) => {
          zip.openReadStream(e, (err2, s) => {
            if (err2 || !s) return reject(err2 ?? new Error('no stream'));
            readAll(s).then((t) => {
              out.push({ name: e.fileName, method: e.compressionMethod, text: t });
              zip.readEntry();
            }, reject);
          });
        });
        zip.on('end', () => resolve(out));
        zip.on('error', reject);
        zip.readEntry();
      });
    });
    expect(entries).toEqual([
      { name: 'deflated.csv', method: 8, text },
      { name: 'stored.csv', method: 0, text: '\ufeffA' },
      { name: 'Порт.csv', method: 8, text: 'é' },
    ]);
  });

  it('is byte-identical run to run', () => {
    const members = [{ name: 'a.csv', data: 'a,b\n' }];
    expect(zipBytes(members).equals(zipBytes(members))).toBe(true);
  });
});
