import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { NuminfoError } from '../../errors.js';
import {
  align8,
  bytesOf,
  decodeContainer,
  decodeOrInvalid,
  encodeContainer,
  writeFileAtomic,
  type ContainerFormat,
} from '../container.js';
import { applyDelta, type CompiledMnp, type MnpMeta, type MnpOperatorEntry } from './mnpBuild.js';

export const MNP_FILE = 'mnp.snap';
/** Increments since the base snapshot: same container and sections, META carries `base`. */
export const MNP_DELTA_FILE = 'mnp-delta.snap';

export function mnpPath(dataDir: string): string {
  return join(dataDir, MNP_FILE);
}

export function mnpDeltaPath(dataDir: string): string {
  return join(dataDir, MNP_DELTA_FILE);
}

/**
 * The MNP snapshot: the same container as the registry's (`../container.ts`) with its own magic.
 * Sections: META, OPER and DIRC (JSON), CIDX (u32 × 1001: where each code's numbers start),
 * SUBS (u32 subscriber numbers, sorted per code), OPID (u16 operator entry), DAYS (u16 port date,
 * days since 2000-01-01, 0 unknown). See docs/snapshot-format.md.
 */
export const MNP_MAGIC = 'NUMINFOM';
export const MNP_FORMAT_VERSION = 1;
const FORMAT: ContainerFormat = { magic: MNP_MAGIC, version: MNP_FORMAT_VERSION, what: 'MNP snapshot' };

export function encodeMnp(m: CompiledMnp): Buffer {
  const json = (tag: string, v: unknown) => ({
    tag,
    bytes: new TextEncoder().encode(JSON.stringify(v)),
    count: 1,
  });
  return encodeContainer(FORMAT, [
    json('META', m.meta),
    json('OPER', m.operators),
    json('DIRC', m.directory),
    { tag: 'CIDX', bytes: bytesOf(m.codeIndex), count: m.codeIndex.length },
    { tag: 'SUBS', bytes: bytesOf(m.subs), count: m.subs.length },
    { tag: 'OPID', bytes: bytesOf(m.ops), count: m.ops.length },
    { tag: 'DAYS', bytes: bytesOf(m.days), count: m.days.length },
  ]);
}

export function writeMnpFile(path: string, m: CompiledMnp): void {
  writeFileAtomic(path, encodeMnp(m));
}

export function decodeMnp(input: Uint8Array): CompiledMnp {
  return decodeOrInvalid('MNP snapshot', () => {
    const c = decodeContainer(input, FORMAT);
    const m: CompiledMnp = {
      meta: c.json<MnpMeta>('META'),
      operators: c.json<MnpOperatorEntry[]>('OPER'),
      directory: c.json<CompiledMnp['directory']>('DIRC'),
      codeIndex: c.u32('CIDX'),
      subs: c.u32('SUBS'),
      ops: c.u16('OPID'),
      days: c.u16('DAYS'),
    };
    const n = m.subs.length;
    if (m.codeIndex.length !== 1001 || m.codeIndex[1000] !== n || m.ops.length !== n || m.days.length !== n) {
      throw c.invalid('section lengths do not agree with each other');
    }
    return m;
  });
}

export function readMnpFile(path: string): CompiledMnp {
  return decodeMnp(readFileSync(path));
}

/** META, OPER and DIRC of an MNP snapshot, read without its number arrays. */
export type MnpHeader = Pick<CompiledMnp, 'meta' | 'operators' | 'directory'>;

/**
 * Reads only the named sections of an MNP snapshot, at their offsets. Magic, version and the
 * directory layout (sections tiling the file up to its length) are checked; the CRC-32 is NOT: it
 * covers the whole file, and checking it is what a cheap read avoids. It is verified whenever the
 * full file is loaded (`readMnpFile`, `readMnpData`), so damage is caught before data is served.
 */
export function readMnpSections(path: string, tags: readonly string[]): Map<string, Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    const invalid = (why: string): NuminfoError =>
      new NuminfoError('SNAPSHOT_INVALID', `MNP snapshot is not usable: ${why}`);
    const size = fstatSync(fd).size;
    const read = (offset: number, length: number): Uint8Array => {
      // Own, 8-byte aligned buffer, so typed arrays can view it.
      const out = new Uint8Array(new ArrayBuffer(align8(length)), 0, length);
      let done = 0;
      while (done < length) {
        const got = readSync(fd, out, done, length - done, offset + done);
        if (got === 0) throw invalid('file is truncated');
        done += got;
      }
      return out;
    };
    if (size < 24) throw invalid('file is too short');
    const head = Buffer.from(read(0, 24));
    if (head.toString('latin1', 0, 8) !== MNP_MAGIC) throw invalid('not a numinfo MNP snapshot (bad magic)');
    const version = head.readUInt32LE(8);
    if (version !== MNP_FORMAT_VERSION) {
      throw invalid(`format version ${version} is not supported (expected ${MNP_FORMAT_VERSION})`);
    }
    const count = head.readUInt32LE(12);
    const headerLen = align8(24 + count * 16);
    if (size < headerLen) throw invalid('directory is truncated');
    const dirBytes = Buffer.from(read(24, count * 16));
    const entries = [];
    for (let i = 0; i < count; i++) {
      entries.push({
        tag: dirBytes.toString('latin1', i * 16, i * 16 + 4),
        offset: dirBytes.readUInt32LE(i * 16 + 4),
        length: dirBytes.readUInt32LE(i * 16 + 8),
      });
    }
    let next = headerLen;
    for (const e of [...entries].sort((a, b) => a.offset - b.offset)) {
      if (e.offset !== next) throw invalid(`section ${e.tag} is not where the directory layout puts it`);
      next = align8(e.offset + e.length);
    }
    if (next !== size) throw invalid('file length does not match its sections');
    const out = new Map<string, Uint8Array>();
    for (const tag of tags) {
      const e = entries.find((x) => x.tag === tag);
      if (!e) throw invalid(`section ${tag} is missing`);
      out.set(tag, read(e.offset, e.length));
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * META, OPER and DIRC of `path` (a few kilobytes), without reading, checksumming or decoding the
 * number arrays. The checksum is not verified here (see `readMnpSections`).
 */
export function readMnpHeader(path: string): MnpHeader {
  return decodeOrInvalid('MNP snapshot', () => {
    const s = readMnpSections(path, ['META', 'OPER', 'DIRC']);
    const json = <T>(tag: string): T => JSON.parse(Buffer.from(s.get(tag)!).toString('utf8')) as T;
    return {
      meta: json<MnpMeta>('META'),
      operators: json<MnpOperatorEntry[]>('OPER'),
      directory: json<CompiledMnp['directory']>('DIRC'),
    };
  });
}

/** CIDX and SUBS of `path` (which numbers are ported), unchecksummed like `readMnpHeader`. */
export function readMnpNumbers(path: string): Pick<CompiledMnp, 'codeIndex' | 'subs'> {
  return decodeOrInvalid('MNP snapshot', () => {
    const s = readMnpSections(path, ['CIDX', 'SUBS']);
    const view = (b: Uint8Array): Uint32Array => new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);
    const codeIndex = view(s.get('CIDX')!);
    const subs = view(s.get('SUBS')!);
    if (codeIndex.length !== 1001 || codeIndex[1000] !== subs.length) {
      throw new Error('section lengths do not agree with each other');
    }
    return { codeIndex, subs };
  });
}

/** Whether a delta belongs to this base: its `base` is the base's version. */
export function deltaMatches(base: Pick<CompiledMnp, 'meta'>, delta: Pick<CompiledMnp, 'meta'>): boolean {
  return delta.meta.base !== undefined && delta.meta.base === base.meta.version;
}

/**
 * The MNP data every reader sees: `mnp.snap` with `mnp-delta.snap` applied in memory (the delta's
 * word wins, its returns remove numbers) when the delta's `base` is the base's version; a delta for
 * another base is ignored. Null when there is no base. Both files are checksummed.
 */
export function readMnpData(dataDir: string): CompiledMnp | null {
  const basePath = mnpPath(dataDir);
  if (!existsSync(basePath)) return null;
  const base = readMnpFile(basePath);
  const deltaPath = mnpDeltaPath(dataDir);
  if (!existsSync(deltaPath)) return base;
  let delta: CompiledMnp;
  try {
    delta = readMnpFile(deltaPath);
  } catch (e) {
    // Replaced between the check and the read (a full import removes it): the base alone.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return base;
    throw e;
  }
  return deltaMatches(base, delta) ? applyDelta(base, delta) : base;
}
