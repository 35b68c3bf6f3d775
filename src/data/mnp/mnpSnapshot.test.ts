import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NuminfoError } from '../../errors.js';
import { encodeContainer } from '../container.js';
import { MnpBuilder, portDay, type CompiledMnp } from './mnpBuild.js';
import { MnpIndex } from './mnpIndex.js';
import {
  decodeMnp,
  encodeMnp,
  MNP_FORMAT_VERSION,
  MNP_MAGIC,
  readMnpFile,
  readMnpHeader,
  readMnpNumbers,
  writeMnpFile,
} from './mnpSnapshot.js';

const dir = mkdtempSync(path.join(tmpdir(), 'numinfo-mnp-snap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample(): CompiledMnp {
  const b = new MnpBuilder();
  const mts = b.operatorId({ code: 'MTS', mnc: '01', route: 'D7701', region: '77', text: null });
  const mf = b.operatorId({ code: 'MEGAFON', mnc: '02', route: 'D2502', region: '25', text: null });
  const text = b.operatorId({ code: null, mnc: null, route: null, region: null, text: 'ПАО "ВымпелКом"' });
  b.directory.set('MTS', { code: 'MTS', mnc: '01', inn: '7740000076', name: 'ПАО "Мобильные ТелеСистемы"' });
  b.port(900, 0, mf, portDay('2016-09-07'));
  b.port(916, 1234567, mts, portDay('2024-01-15'));
  b.port(916, 1234568, text, 0);
  b.port(999, 9_999_999, mts, portDay('2013-12-01'));
  return b.build({
    builtAt: '2024-01-20T00:00:00.000Z',
    sources: [{ file: 'Port_All_202401150300_001.csv', kind: 'full', rows: 4, rejected: 0 }],
  });
}

function expectSame(a: CompiledMnp, b: CompiledMnp): void {
  expect(a.meta).toEqual(b.meta);
  expect(a.operators).toEqual(b.operators);
  expect(a.directory).toEqual(b.directory);
  expect([...a.codeIndex]).toEqual([...b.codeIndex]);
  expect([...a.subs]).toEqual([...b.subs]);
  expect([...a.ops]).toEqual([...b.ops]);
  expect([...a.days]).toEqual([...b.days]);
}

function thrown(f: () => unknown): NuminfoError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NuminfoError);
    return e as NuminfoError;
  }
  throw new Error('expected an error');
}

describe('MNP snapshot', () => {
  it('round-trips through bytes and through a file, and the index finds what was stored', () => {
    const m = sample();
    expectSame(decodeMnp(encodeMnp(m)), m);
    const file = path.join(dir, 'mnp.snap');
    writeMnpFile(file, m);
    const back = readMnpFile(file);
    expectSame(back, m);

    const idx = new MnpIndex(back);
    expect(idx.size).toBe(4);
    const at = idx.find(916, 1234567);
    expect(idx.operators[idx.operatorAt(at)]).toEqual({
      code: 'MTS',
      mnc: '01',
      route: 'D7701',
      region: '77',
      text: null,
    });
    expect(idx.portDateAt(at)).toBe('2024-01-15');
    expect(idx.portDateAt(idx.find(916, 1234568))).toBeNull();
    expect(idx.portDateAt(idx.find(900, 0))).toBe('2016-09-07');
    expect(idx.portDateAt(idx.find(999, 9_999_999))).toBe('2013-12-01');
    for (const [code, sub] of [
      [916, 1234566],
      [916, 1234569],
      [900, 1],
      [901, 0],
      [998, 9_999_999],
      [495, 0],
    ] as const) {
      expect(idx.find(code, sub), `${code} ${sub}`).toBe(-1);
    }
  });

  it('is the same bytes for the same data, and takes 8 bytes per number plus a small header', () => {
    const m = sample();
    expect(encodeMnp(m).equals(encodeMnp(sample()))).toBe(true);
    const b = new MnpBuilder();
    const op = b.operatorId({ code: 'MTS', mnc: '01', route: 'D7701', region: '77', text: null });
    for (let i = 0; i < 200_000; i++) b.port(900 + (i % 100), i, op, 9000);
    const big = encodeMnp(b.build({ builtAt: '', sources: [] }));
    const empty = encodeMnp(new MnpBuilder().build({ builtAt: '', sources: [] }));
    expect((big.length - empty.length) / 200_000).toBeCloseTo(8, 3);
  });

  it('reading a missing file is an I/O error, not SNAPSHOT_INVALID', () => {
    expect(() => readMnpFile(path.join(dir, 'missing.snap'))).toThrow(/ENOENT/);
  });
});

describe('damaged MNP snapshots are SNAPSHOT_INVALID', () => {
  const good = encodeMnp(sample());

  it.each<[string, () => Uint8Array, RegExp]>([
    ['empty input', () => new Uint8Array(0), /too short/],
    ['cut in the middle', () => good.subarray(0, good.length >> 1), /checksum mismatch|truncated/],
    ['one byte missing at the end', () => good.subarray(0, good.length - 1), /checksum mismatch/],
    [
      'a registry snapshot (another magic)',
      () => Buffer.concat([Buffer.from('NUMINFO1', 'latin1'), good.subarray(8)]),
      /bad magic/,
    ],
    [
      'an unknown format version',
      () => {
        const c = Buffer.from(good);
        c.writeUInt32LE(MNP_FORMAT_VERSION + 1, 8);
        return c;
      },
      /format version 2 is not supported/,
    ],
    [
      'a flipped byte in the numbers',
      () => {
        const c = Buffer.from(good);
        c[c.length - 20]! ^= 0x01;
        return c;
      },
      /checksum mismatch/,
    ],
    [
      'sections that disagree in length (a well-formed container)',
      () => {
        const m = sample();
        const bytes = (a: ArrayBufferView): Uint8Array =>
          new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        const json = (tag: string, v: unknown) => ({ tag, bytes: Buffer.from(JSON.stringify(v)), count: 1 });
        return encodeContainer({ magic: MNP_MAGIC, version: MNP_FORMAT_VERSION, what: 'MNP snapshot' }, [
          json('META', m.meta),
          json('OPER', m.operators),
          json('DIRC', m.directory),
          { tag: 'CIDX', bytes: bytes(m.codeIndex), count: 1001 },
          { tag: 'SUBS', bytes: bytes(m.subs), count: m.subs.length },
          { tag: 'OPID', bytes: bytes(m.ops.subarray(1)), count: m.ops.length - 1 },
          { tag: 'DAYS', bytes: bytes(m.days), count: m.days.length },
        ]);
      },
      /section lengths do not agree/,
    ],
  ])('%s', (_label, damage, message) => {
    const e = thrown(() => decodeMnp(damage()));
    expect(e.code).toBe('SNAPSHOT_INVALID');
    expect(e.message).toMatch(message);
  });

  it('every flipped byte is detected, except in the fields no reader reads', () => {
    // The header's reserved field (20–23) and each directory entry's element count are not read.
    const harmless: number[] = [];
    for (let at = 0; at < good.length; at++) {
      const c = Buffer.from(good);
      c[at]! ^= 0xff;
      let decoded: CompiledMnp;
      try {
        decoded = decodeMnp(c);
      } catch (e) {
        expect((e as NuminfoError).code, `byte ${at}`).toBe('SNAPSHOT_INVALID');
        continue;
      }
      expectSame(decoded, sample());
      harmless.push(at);
    }
    const counts = Array.from({ length: 7 }, (_, i) => 24 + 16 * i + 12).flatMap((o) => [
      o,
      o + 1,
      o + 2,
      o + 3,
    ]);
    expect(harmless).toEqual([20, 21, 22, 23, ...counts]);
  });

  it('a damaged file on disk is SNAPSHOT_INVALID', () => {
    const file = path.join(dir, 'damaged.snap');
    const c = Buffer.from(good);
    c[c.length - 9]! ^= 0xff;
    writeFileSync(file, c);
    expect(thrown(() => readMnpFile(file)).code).toBe('SNAPSHOT_INVALID');
  });
});

describe('readMnpHeader and readMnpNumbers: parts of the file, read at their offsets', () => {
  it('give what the full read gives, without the checksum (damage in the arrays is not seen)', () => {
    const m = sample();
    const file = path.join(dir, 'header.snap');
    writeMnpFile(file, m);
    expect(readMnpHeader(file)).toEqual({ meta: m.meta, operators: m.operators, directory: m.directory });
    const numbers = readMnpNumbers(file);
    expect([...numbers.codeIndex]).toEqual([...m.codeIndex]);
    expect([...numbers.subs]).toEqual([...m.subs]);
    const bytes = encodeMnp(m);
    bytes[bytes.length - 3]! ^= 0xff; // in DAYS
    writeFileSync(file, bytes);
    expect(readMnpHeader(file).meta).toEqual(m.meta);
    expect(thrown(() => readMnpFile(file)).code).toBe('SNAPSHOT_INVALID');
  });

  it('refuse a cut file, a bad magic and another format version (SNAPSHOT_INVALID)', () => {
    const bytes = encodeMnp(sample());
    const file = path.join(dir, 'bad-header.snap');
    writeFileSync(file, bytes.subarray(0, bytes.length - 8));
    expect(thrown(() => readMnpHeader(file)).message).toMatch(/file length does not match/);
    const magic = Buffer.from(bytes);
    magic.write('NUMINFOX', 0, 'latin1');
    writeFileSync(file, magic);
    expect(thrown(() => readMnpHeader(file)).message).toMatch(/bad magic/);
    const version = Buffer.from(bytes);
    version.writeUInt32LE(MNP_FORMAT_VERSION + 1, 8);
    writeFileSync(file, version);
    expect(thrown(() => readMnpHeader(file)).message).toMatch(/format version/);
  });
});
