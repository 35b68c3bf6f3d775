import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { NuminfoError } from '../errors.js';
import type { CompiledRegistry, SnapshotMeta } from './registryBuild.js';

/**
 * The only module that knows the snapshot's byte layout; `docs/snapshot-format.md` describes it.
 * Header: magic, format version, section count, CRC-32 of everything after the header, then a
 * directory of sections (tag, offset, byte length, element count). Sections start on 8-byte
 * boundaries so typed arrays can view the file's bytes without copying.
 */
export const SNAPSHOT_MAGIC = 'NUMINFO\u0000';
export const SNAPSHOT_FORMAT_VERSION = 1;

const HEADER_FIXED = 24;
const DIR_ENTRY = 16;

type Tag = 'META' | 'STRO' | 'STRB' | 'OPER' | 'TERR' | 'CIDX' | 'RFRM' | 'RTO_' | 'ROPR' | 'RTER';
const TAGS: readonly Tag[] = ['META', 'STRO', 'STRB', 'OPER', 'TERR', 'CIDX', 'RFRM', 'RTO_', 'ROPR', 'RTER'];

function align8(n: number): number {
  return (n + 7) & ~7;
}

function u32bytes(a: Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Serializes a compiled registry into snapshot bytes. */
export function encodeSnapshot(reg: CompiledRegistry): Buffer {
  const enc = new TextEncoder();
  const strBytes: Uint8Array[] = [];
  const strOffsets = new Uint32Array(reg.strings.length + 1);
  let total = 0;
  reg.strings.forEach((s, i) => {
    const b = enc.encode(s);
    strBytes.push(b);
    strOffsets[i] = total;
    total += b.length;
  });
  strOffsets[reg.strings.length] = total;
  const strBlob = new Uint8Array(total);
  let at = 0;
  for (const b of strBytes) {
    strBlob.set(b, at);
    at += b.length;
  }
  const sections: Record<Tag, { bytes: Uint8Array; count: number }> = {
    META: { bytes: enc.encode(JSON.stringify(reg.meta)), count: 1 },
    STRO: { bytes: u32bytes(strOffsets), count: strOffsets.length },
    STRB: { bytes: strBlob, count: reg.strings.length },
    OPER: { bytes: u32bytes(reg.operators), count: reg.operators.length },
    TERR: { bytes: u32bytes(reg.territories), count: reg.territories.length },
    CIDX: { bytes: u32bytes(reg.codeIndex), count: reg.codeIndex.length },
    RFRM: { bytes: u32bytes(reg.from), count: reg.from.length },
    RTO_: { bytes: u32bytes(reg.to), count: reg.to.length },
    ROPR: { bytes: u32bytes(reg.operator), count: reg.operator.length },
    RTER: { bytes: u32bytes(reg.territory), count: reg.territory.length },
  };
  const headerLen = align8(HEADER_FIXED + TAGS.length * DIR_ENTRY);
  let offset = headerLen;
  const placed = TAGS.map((tag) => {
    const s = sections[tag];
    const entry = { tag, offset, length: s.bytes.length, count: s.count, bytes: s.bytes };
    offset = align8(offset + s.bytes.length);
    return entry;
  });
  const out = Buffer.alloc(offset);
  out.write(SNAPSHOT_MAGIC, 0, 'latin1');
  out.writeUInt32LE(SNAPSHOT_FORMAT_VERSION, 8);
  out.writeUInt32LE(TAGS.length, 12);
  placed.forEach((p, i) => {
    const d = HEADER_FIXED + i * DIR_ENTRY;
    out.write(p.tag, d, 'latin1');
    out.writeUInt32LE(p.offset, d + 4);
    out.writeUInt32LE(p.length, d + 8);
    out.writeUInt32LE(p.count, d + 12);
    out.set(p.bytes, p.offset);
  });
  out.writeUInt32LE(crc32(out.subarray(headerLen)), 16);
  return out;
}

/** Writes the snapshot next to its final path, flushes it to disk, then renames it into place. */
export function writeSnapshotFile(path: string, reg: CompiledRegistry): void {
  const bytes = encodeSnapshot(reg);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* the rename error is the one worth reporting */
    }
    throw e;
  }
}

function invalid(why: string): NuminfoError {
  return new NuminfoError('SNAPSHOT_INVALID', `snapshot is not usable: ${why}`);
}

/**
 * Parses snapshot bytes back into the compiled form, verifying magic, version and checksum. The
 * checksum covers the sections only, so the directory is checked against the layout the writer
 * produces: the sections, in whatever order the directory lists them, tile the file from the end of
 * the directory to its end, each on the next 8-byte boundary, and their lengths agree with each other.
 * Any damage is reported as `SNAPSHOT_INVALID`, never read as wrong offsets or thrown as another error.
 */
export function decodeSnapshot(input: Uint8Array): CompiledRegistry {
  try {
    return decodeChecked(input);
  } catch (e) {
    if (e instanceof NuminfoError) throw e;
    throw new NuminfoError('SNAPSHOT_INVALID', `snapshot is not usable: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

interface DirEntry {
  readonly tag: string;
  readonly offset: number;
  readonly length: number;
}

function decodeChecked(input: Uint8Array): CompiledRegistry {
  // Typed-array views need 4-byte alignment of the underlying buffer; copy only when it is off.
  const buf =
    input.byteOffset % 8 === 0
      ? Buffer.from(input.buffer, input.byteOffset, input.byteLength)
      : Buffer.from(input);
  if (buf.length < HEADER_FIXED) throw invalid('file is too short');
  if (buf.toString('latin1', 0, 8) !== SNAPSHOT_MAGIC) throw invalid('not a numinfo snapshot (bad magic)');
  const version = buf.readUInt32LE(8);
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    throw invalid(`format version ${version} is not supported (expected ${SNAPSHOT_FORMAT_VERSION})`);
  }
  const count = buf.readUInt32LE(12);
  const headerLen = align8(HEADER_FIXED + count * DIR_ENTRY);
  if (buf.length < headerLen) throw invalid('directory is truncated');
  if (crc32(buf.subarray(headerLen)) !== buf.readUInt32LE(16))
    throw invalid('checksum mismatch (file damaged)');
  const entries: DirEntry[] = [];
  const dir = new Map<string, DirEntry>();
  for (let i = 0; i < count; i++) {
    const d = HEADER_FIXED + i * DIR_ENTRY;
    const entry = {
      tag: buf.toString('latin1', d, d + 4),
      offset: buf.readUInt32LE(d + 4),
      length: buf.readUInt32LE(d + 8),
    };
    if (entry.offset + entry.length > buf.length) throw invalid('section out of bounds');
    if (dir.has(entry.tag)) throw invalid(`section ${entry.tag} appears twice`);
    dir.set(entry.tag, entry);
    entries.push(entry);
  }
  // The sections and their padding must cover the file exactly, with no gap and no overlap.
  let next = headerLen;
  for (const e of [...entries].sort((a, b) => a.offset - b.offset)) {
    if (e.offset !== next) throw invalid(`section ${e.tag} is not where the directory layout puts it`);
    next = align8(e.offset + e.length);
  }
  if (next !== buf.length) throw invalid('file length does not match its sections');
  const section = (tag: Tag): DirEntry => {
    const s = dir.get(tag);
    if (!s) throw invalid(`section ${tag} is missing`);
    return s;
  };
  const u32 = (tag: Tag): Uint32Array => {
    const s = section(tag);
    if (s.length % 4 !== 0) throw invalid(`section ${tag} is not a whole number of 32-bit values`);
    return new Uint32Array(buf.buffer, buf.byteOffset + s.offset, s.length / 4);
  };
  const metaSec = section('META');
  const meta = JSON.parse(
    buf.toString('utf8', metaSec.offset, metaSec.offset + metaSec.length),
  ) as SnapshotMeta;
  const offsets = u32('STRO');
  const blob = section('STRB');
  if (offsets.length === 0 || offsets[offsets.length - 1] !== blob.length) {
    throw invalid('string offsets do not match the string bytes');
  }
  const dec = new TextDecoder();
  const strings: string[] = new Array<string>(offsets.length - 1);
  const blobBytes = buf.subarray(blob.offset, blob.offset + blob.length);
  for (let i = 0; i < offsets.length - 1; i++)
    strings[i] = dec.decode(blobBytes.subarray(offsets[i], offsets[i + 1]));
  const reg: CompiledRegistry = {
    meta,
    strings,
    operators: u32('OPER'),
    territories: u32('TERR'),
    codeIndex: u32('CIDX'),
    from: u32('RFRM'),
    to: u32('RTO_'),
    operator: u32('ROPR'),
    territory: u32('RTER'),
  };
  const rows = reg.from.length;
  if (
    reg.operators.length % 2 !== 0 ||
    reg.territories.length % 2 !== 0 ||
    reg.codeIndex.length !== 1001 ||
    reg.codeIndex[1000] !== rows ||
    reg.to.length !== rows ||
    reg.operator.length !== rows ||
    reg.territory.length !== rows
  ) {
    throw invalid('section lengths do not agree with each other');
  }
  return reg;
}

export function readSnapshotFile(path: string): CompiledRegistry {
  return decodeSnapshot(readFileSync(path));
}
