import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixtureSet, type FixtureSet } from '../../test/helpers/registryFixtures.js';
import { NuminfoError } from '../errors.js';
import type { CompiledRegistry } from './registryBuild.js';
import { RegistryIndex } from './registryIndex.js';
import { importRegistry } from './registryImport.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  readSnapshotFile,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_MAGIC,
  writeSnapshotFile,
} from './snapshot.js';

const ARRAYS = ['operators', 'territories', 'codeIndex', 'from', 'to', 'operator', 'territory'] as const;

function expectSameRegistry(actual: CompiledRegistry, expected: CompiledRegistry): void {
  expect(actual.meta).toEqual(expected.meta);
  expect(actual.strings).toEqual(expected.strings);
  for (const key of ARRAYS) {
    expect(actual[key], key).toBeInstanceOf(Uint32Array);
    expect(Array.from(actual[key]), key).toEqual(Array.from(expected[key]));
  }
}

function compiled(set: FixtureSet): CompiledRegistry {
  return importRegistry(readFixtureSet(set, new Date('2026-08-19'))).registry;
}

/** Runs `fn` and returns the NuminfoError it throws. */
function thrown(fn: () => unknown): NuminfoError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NuminfoError);
    return e as NuminfoError;
  }
  throw new Error('expected an error');
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'numinfo-snapshot-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('snapshot round trip', () => {
  it.each<FixtureSet>(['current', 'legacy-6col', 'legacy-6col-noheader', 'legacy-cp1251-crlf', 'seven-col'])(
    '%s: decode(encode(x)) is x',
    (set) => {
      const reg = compiled(set);
      expectSameRegistry(decodeSnapshot(encodeSnapshot(reg)), reg);
    },
  );

  it('an empty registry round-trips', () => {
    const reg = importRegistry([]).registry;
    expectSameRegistry(decodeSnapshot(encodeSnapshot(reg)), reg);
  });

  it('encoding is deterministic and the layout starts with magic, version and section count', () => {
    const reg = compiled('current');
    const a = encodeSnapshot(reg);
    expect(encodeSnapshot(reg).equals(a)).toBe(true);
    expect(a.toString('latin1', 0, 8)).toBe(SNAPSHOT_MAGIC);
    expect(a.readUInt32LE(8)).toBe(SNAPSHOT_FORMAT_VERSION);
    expect(a.readUInt32LE(12)).toBe(10);
    expect(a.length % 8).toBe(0);
  });

  it('decodes bytes that do not start on an 8-byte boundary', () => {
    const reg = compiled('current');
    const bytes = encodeSnapshot(reg);
    for (const shift of [1, 3, 4]) {
      const host = new Uint8Array(bytes.length + shift);
      host.set(bytes, shift);
      expectSameRegistry(decodeSnapshot(host.subarray(shift)), reg);
    }
  });

  it('a decoded snapshot answers look-ups as the compiled registry does', () => {
    const reg = compiled('current');
    const a = new RegistryIndex(reg);
    const b = new RegistryIndex(decodeSnapshot(encodeSnapshot(reg)));
    for (const [code, sub] of [
      [846, 2316014],
      [301, 3049901],
      [499, 1663050],
      [900, 0],
      [411, 5422000],
      [499, 1673615],
    ] as const) {
      const i = a.find(code, sub);
      expect(b.find(code, sub)).toBe(i);
      if (i !== -1) {
        expect(b.operatorOf(i)).toEqual(a.operatorOf(i));
        expect(b.territoryOf(i)).toEqual(a.territoryOf(i));
      }
    }
  });
});

describe('snapshot files', () => {
  it('writeSnapshotFile then readSnapshotFile gives the same registry and leaves no temporary file', () => {
    const reg = compiled('current');
    const file = path.join(dir, 'registry.snapshot');
    writeSnapshotFile(file, reg);
    expectSameRegistry(readSnapshotFile(file), reg);
    expect(readFileSync(file).equals(encodeSnapshot(reg))).toBe(true);
    expect(readdirSync(dir)).toEqual(['registry.snapshot']);
  });

  it('replaces an existing snapshot whole', () => {
    const file = path.join(dir, 'replace.snapshot');
    writeSnapshotFile(file, compiled('current'));
    const legacy = compiled('legacy-6col');
    writeSnapshotFile(file, legacy);
    expectSameRegistry(readSnapshotFile(file), legacy);
  });

  it('a write into a missing folder fails and leaves nothing behind', () => {
    expect(() => writeSnapshotFile(path.join(dir, 'no-such-dir', 'x.snapshot'), compiled('current'))).toThrow(
      /ENOENT/,
    );
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('reading a missing file is an I/O error, not SNAPSHOT_INVALID', () => {
    expect(() => readSnapshotFile(path.join(dir, 'missing.snapshot'))).toThrow(/ENOENT/);
  });

  it('reading a damaged file is SNAPSHOT_INVALID', () => {
    const file = path.join(dir, 'damaged.snapshot');
    const bytes = encodeSnapshot(compiled('current'));
    bytes[bytes.length - 9]! ^= 0xff;
    writeFileSync(file, bytes);
    expect(thrown(() => readSnapshotFile(file)).message).toMatch(/checksum mismatch/);
  });
});

describe('damaged snapshots are SNAPSHOT_INVALID', () => {
  let goodReg: CompiledRegistry;
  let good: Buffer;
  beforeAll(() => {
    goodReg = compiled('current');
    good = encodeSnapshot(goodReg);
  });

  const cases: [string, (b: Buffer) => Uint8Array, RegExp][] = [
    ['empty input', () => new Uint8Array(0), /too short/],
    ['cut inside the fixed header', (b) => b.subarray(0, 20), /too short/],
    ['cut inside the directory', (b) => b.subarray(0, 100), /directory is truncated/],
    ['cut right after the directory', (b) => b.subarray(0, 184), /checksum mismatch/],
    ['cut in the middle', (b) => b.subarray(0, b.length >> 1), /checksum mismatch/],
    ['one byte missing at the end', (b) => b.subarray(0, b.length - 1), /checksum mismatch/],
    ['one byte more at the end', (b) => Buffer.concat([b, Buffer.from([0])]), /checksum mismatch/],
    ['bad magic', (b) => Buffer.concat([Buffer.from('NUMINFX\0', 'latin1'), b.subarray(8)]), /bad magic/],
    [
      'not a snapshot at all',
      () => Buffer.from('АВС/ DEF;От;До;Емкость;Оператор;Регион\n'.repeat(4)),
      /bad magic/,
    ],
    [
      'an unknown format version',
      (b) => {
        const c = Buffer.from(b);
        c.writeUInt32LE(SNAPSHOT_FORMAT_VERSION + 1, 8);
        return c;
      },
      /format version 2 is not supported \(expected 1\)/,
    ],
    [
      'a flipped byte in the data',
      (b) => {
        const c = Buffer.from(b);
        c[c.length - 100]! ^= 0x01;
        return c;
      },
      /checksum mismatch/,
    ],
    [
      'a flipped byte in the meta JSON',
      (b) => {
        const c = Buffer.from(b);
        c[200]! ^= 0x20;
        return c;
      },
      /checksum mismatch/,
    ],
    [
      'a wrong checksum field',
      (b) => {
        const c = Buffer.from(b);
        c.writeUInt32LE((c.readUInt32LE(16) + 1) >>> 0, 16);
        return c;
      },
      /checksum mismatch/,
    ],
  ];

  it.each(cases)('%s', (_label, damage, message) => {
    const e = thrown(() => decodeSnapshot(damage(good)));
    expect(e.code).toBe('SNAPSHOT_INVALID');
    expect(e.exitCode).toBe(7);
    expect(e.message).toMatch(message);
  });

  it('every single-bit flip in the header and directory is detected, or harmless', () => {
    // The checksum covers the sections only; the directory is checked against the writer's layout.
    // The reserved field and the element counts are not read, so flipping them changes nothing.
    const headerLen = 184;
    const harmless = new Set<number>();
    for (let at = 0; at < headerLen; at++) {
      for (const bit of [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80]) {
        const c = Buffer.from(good);
        c[at]! ^= bit;
        let decoded: CompiledRegistry;
        try {
          decoded = decodeSnapshot(c);
        } catch (e) {
          expect((e as NuminfoError).code, `byte ${at} bit ${bit}`).toBe('SNAPSHOT_INVALID');
          continue;
        }
        expectSameRegistry(decoded, goodReg);
        harmless.add(at);
      }
    }
    const entryCounts = Array.from({ length: 10 }, (_, i) => 24 + 16 * i + 12);
    const allowed = new Set([20, 21, 22, 23, ...entryCounts.flatMap((o) => [o, o + 1, o + 2, o + 3])]);
    for (const at of harmless) expect(allowed.has(at), `byte ${at}`).toBe(true);
  });

  it('finds sections by tag: a directory in another order reads the same', () => {
    const c = Buffer.from(good);
    const first = Buffer.from(c.subarray(24, 40));
    c.copy(c, 24, 24 + 9 * 16, 24 + 10 * 16);
    first.copy(c, 24 + 9 * 16);
    expectSameRegistry(decodeSnapshot(c), goodReg);
  });

  it('ignores a section with a tag it does not know', () => {
    // Rebuild the file with an eleventh section, `XTRA`, of 8 bytes at the end.
    const oldHeader = 184;
    const newHeader = 200;
    const body = good.subarray(oldHeader);
    const out = Buffer.alloc(newHeader + body.length + 8);
    good.copy(out, 0, 0, 24);
    out.writeUInt32LE(11, 12);
    for (let i = 0; i < 10; i++) {
      const d = 24 + i * 16;
      good.copy(out, d, d, d + 16);
      out.writeUInt32LE(good.readUInt32LE(d + 4) + (newHeader - oldHeader), d + 4);
    }
    out.write('XTRA', 24 + 10 * 16, 'latin1');
    out.writeUInt32LE(newHeader + body.length, 24 + 10 * 16 + 4);
    out.writeUInt32LE(8, 24 + 10 * 16 + 8);
    out.writeUInt32LE(8, 24 + 10 * 16 + 12);
    body.copy(out, newHeader);
    out.write('extra!!!', newHeader + body.length, 'latin1');
    out.writeUInt32LE(crc32(out.subarray(newHeader)), 16);
    expectSameRegistry(decodeSnapshot(out), goodReg);
  });

  it.each<[string, (c: Buffer) => void, RegExp]>([
    ['a section listed twice', (c) => c.write('META', 24 + 16, 'latin1'), /appears twice/],
    ['a required section renamed', (c) => c.write('XXXX', 24 + 9 * 16, 'latin1'), /section RTER is missing/],
    [
      'a section moved by 8 bytes',
      (c) => c.writeUInt32LE(c.readUInt32LE(24 + 6 * 16 + 4) + 8, 24 + 6 * 16 + 4),
      /not where the directory layout puts it/,
    ],
    [
      'a range section 4 bytes longer',
      (c) => c.writeUInt32LE(c.readUInt32LE(24 + 9 * 16 + 8) + 4, 24 + 9 * 16 + 8),
      /do not agree|not where|does not match/,
    ],
  ])('a damaged directory: %s', (_label, damage, message) => {
    const c = Buffer.from(good);
    damage(c);
    const e = thrown(() => decodeSnapshot(c));
    expect(e.code).toBe('SNAPSHOT_INVALID');
    expect(e.message).toMatch(message);
  });

  it('every single-byte flip in the sections is detected by the checksum', () => {
    for (let at = 184; at < good.length; at += 37) {
      const c = Buffer.from(good);
      c[at]! ^= 0xff;
      expect(thrown(() => decodeSnapshot(c)).message, `byte ${at}`).toMatch(/checksum mismatch/);
    }
  });
});
