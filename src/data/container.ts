import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { NuminfoError } from '../errors.js';

/**
 * The sectioned binary file every numinfo snapshot uses: an 8-byte magic, a format version, a
 * section count, a CRC-32 of everything after the header, then a directory of sections (4-char tag,
 * offset, byte length, element count). Sections start on 8-byte boundaries so typed arrays can view
 * the file's bytes without copying. `docs/snapshot-format.md` describes it.
 */
const HEADER_FIXED = 24;
const DIR_ENTRY = 16;

export interface Section {
  readonly tag: string;
  readonly bytes: Uint8Array;
  readonly count: number;
}

export interface ContainerFormat {
  /** Exactly 8 characters. */
  readonly magic: string;
  readonly version: number;
  /** What the file is, for error messages: `snapshot`, `MNP snapshot`. */
  readonly what: string;
}

export function align8(n: number): number {
  return (n + 7) & ~7;
}

export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function encodeContainer(format: ContainerFormat, sections: readonly Section[]): Buffer {
  const headerLen = align8(HEADER_FIXED + sections.length * DIR_ENTRY);
  let offset = headerLen;
  const placed = sections.map((s) => {
    const at = offset;
    offset = align8(offset + s.bytes.length);
    return at;
  });
  const out = Buffer.alloc(offset);
  out.write(format.magic, 0, 'latin1');
  out.writeUInt32LE(format.version, 8);
  out.writeUInt32LE(sections.length, 12);
  sections.forEach((s, i) => {
    const d = HEADER_FIXED + i * DIR_ENTRY;
    out.write(s.tag, d, 'latin1');
    out.writeUInt32LE(placed[i]!, d + 4);
    out.writeUInt32LE(s.bytes.length, d + 8);
    out.writeUInt32LE(s.count, d + 12);
    out.set(s.bytes, placed[i]!);
  });
  out.writeUInt32LE(crc32(out.subarray(headerLen)), 16);
  return out;
}

/** Writes bytes next to their final path, flushes them to disk, then renames them into place. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
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

interface DirEntry {
  readonly tag: string;
  readonly offset: number;
  readonly length: number;
}

/** Read access to a verified container's sections. */
export class ContainerReader {
  constructor(
    private readonly buf: Buffer,
    private readonly dir: ReadonlyMap<string, DirEntry>,
    private readonly format: ContainerFormat,
  ) {}

  invalid(why: string): NuminfoError {
    return new NuminfoError('SNAPSHOT_INVALID', `${this.format.what} is not usable: ${why}`);
  }

  has(tag: string): boolean {
    return this.dir.has(tag);
  }

  bytes(tag: string): Buffer {
    const s = this.dir.get(tag);
    if (!s) throw this.invalid(`section ${tag} is missing`);
    return this.buf.subarray(s.offset, s.offset + s.length);
  }

  json<T>(tag: string): T {
    return JSON.parse(this.bytes(tag).toString('utf8')) as T;
  }

  private view<T>(tag: string, size: number, make: (b: ArrayBuffer, off: number, len: number) => T): T {
    const s = this.dir.get(tag);
    if (!s) throw this.invalid(`section ${tag} is missing`);
    if (s.length % size !== 0)
      throw this.invalid(`section ${tag} is not a whole number of ${size * 8}-bit values`);
    return make(this.buf.buffer as ArrayBuffer, this.buf.byteOffset + s.offset, s.length / size);
  }

  u32(tag: string): Uint32Array {
    return this.view(tag, 4, (b, o, l) => new Uint32Array(b, o, l));
  }

  u16(tag: string): Uint16Array {
    return this.view(tag, 2, (b, o, l) => new Uint16Array(b, o, l));
  }

  /** UTF-8 strings stored as an offsets section (u32, count + 1) and a bytes section. */
  strings(offsetsTag: string, bytesTag: string): string[] {
    const offsets = this.u32(offsetsTag);
    const blob = this.bytes(bytesTag);
    if (offsets.length === 0 || offsets[offsets.length - 1] !== blob.length) {
      throw this.invalid('string offsets do not match the string bytes');
    }
    const dec = new TextDecoder();
    const out: string[] = new Array<string>(offsets.length - 1);
    for (let i = 0; i < offsets.length - 1; i++)
      out[i] = dec.decode(blob.subarray(offsets[i], offsets[i + 1]));
    return out;
  }
}

/** The two sections that store a list of strings: u32 offsets (count + 1) and the UTF-8 bytes. */
export function stringSections(offsetsTag: string, bytesTag: string, strings: readonly string[]): Section[] {
  const enc = new TextEncoder();
  const parts = strings.map((s) => enc.encode(s));
  const offsets = new Uint32Array(strings.length + 1);
  let total = 0;
  parts.forEach((b, i) => {
    offsets[i] = total;
    total += b.length;
  });
  offsets[strings.length] = total;
  const blob = new Uint8Array(total);
  let at = 0;
  for (const b of parts) {
    blob.set(b, at);
    at += b.length;
  }
  return [
    { tag: offsetsTag, bytes: bytesOf(offsets), count: offsets.length },
    { tag: bytesTag, bytes: blob, count: strings.length },
  ];
}

/**
 * Verifies magic, version and checksum. The checksum covers the sections only, so the directory is
 * checked against the layout the writer produces: the sections, in whatever order the directory
 * lists them, tile the file from the end of the directory to its end, each on the next 8-byte
 * boundary. Any damage is `SNAPSHOT_INVALID`, never wrong offsets or another error.
 */
export function decodeContainer(input: Uint8Array, format: ContainerFormat): ContainerReader {
  const invalid = (why: string): NuminfoError =>
    new NuminfoError('SNAPSHOT_INVALID', `${format.what} is not usable: ${why}`);
  // Typed-array views need aligned offsets in the underlying buffer; copy only when it is off.
  const buf =
    input.byteOffset % 8 === 0
      ? Buffer.from(input.buffer, input.byteOffset, input.byteLength)
      : Buffer.from(input);
  if (buf.length < HEADER_FIXED) throw invalid('file is too short');
  if (buf.toString('latin1', 0, 8) !== format.magic)
    throw invalid(`not a numinfo ${format.what} (bad magic)`);
  const version = buf.readUInt32LE(8);
  if (version !== format.version) {
    throw invalid(`format version ${version} is not supported (expected ${format.version})`);
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
  let next = headerLen;
  for (const e of [...entries].sort((a, b) => a.offset - b.offset)) {
    if (e.offset !== next) throw invalid(`section ${e.tag} is not where the directory layout puts it`);
    next = align8(e.offset + e.length);
  }
  if (next !== buf.length) throw invalid('file length does not match its sections');
  return new ContainerReader(buf, dir, format);
}

/** Runs a decoder, turning any error it throws into SNAPSHOT_INVALID. */
export function decodeOrInvalid<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof NuminfoError) throw e;
    throw new NuminfoError('SNAPSHOT_INVALID', `${what} is not usable: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
