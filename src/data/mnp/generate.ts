import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { constants as zlibConstants, crc32, createDeflateRaw, type DeflateRaw } from 'node:zlib';
import { NuminfoError } from '../../errors.js';
import { KNOWN_MNP_OPERATORS } from './operators.js';

/**
 * Writes realistic dumps of the central ported-number database, of any size: no public dump
 * exists, so tests and benchmarks use these. The files have the layouts `mnpParse.ts` reads:
 * `Operators_<ts>.csv`, `Port_All_<ts>_NNN.csv` (or `Port_All_Full_…`) split into parts of
 * `partRows`, and per increment day `Port_Increment_<ts>.csv` and `Return_Increment_<ts>.csv`,
 * timestamps (`YYYYMMDDhhmm`, Moscow time) increasing; optionally zipped (one archive per file),
 * with a BOM, with CRLF.
 *
 * The model: the operators of `KNOWN_MNP_OPERATORS` (OrgCode with the `m` prefix, MNC, INN), each
 * DEF code held by one home operator (range holder, `homeOperator`); a ported number's owner is
 * never its code's home operator, recipients are weighted roughly by market share (Мотив only in
 * its Ural regions); RegionCode weighted by population; PortDate between 2013-12-01 (the start of
 * MNP in Russia) and `when`, later dates more likely; Route `D<RegionCode><MNC>`; RowCount on the
 * first data row of each file only. Increments port new numbers, re-port numbers already ported
 * and port again some numbers returned on earlier days; returns take numbers that are ported.
 * NPId and ProcessType values are invented (the importer does not read them).
 *
 * Memory stays small at any count: the numbers of a DEF code are a keyed permutation of its 10^7
 * subscriber numbers (a Feistel network), so the full list is written code by code (sorted, as the
 * dumps are) from one array per code, and a number's attributes are a hash of the number. Only the
 * numbers that increments touch are kept in a map. Same options and seed, same bytes.
 */

export interface GenerateMnpOptions {
  readonly dir: string;
  /** Ported numbers in the full list. */
  readonly count: number;
  readonly seed: number;
  /** One entry per day after the full list. */
  readonly increments?: readonly { readonly ports: number; readonly returns: number }[];
  /** Each file as a zip archive of the same name holding the CSV. */
  readonly zip?: boolean;
  readonly bom?: boolean;
  readonly crlf?: boolean;
  /** The Port_All_Full layout (13 columns) in place of Port_All (7 columns). */
  readonly full?: boolean;
  /** Time of the full list; ports before this day. Default 2025-06-02 06:00 Moscow time. */
  readonly when?: Date;
  /** Rows per Port_All part file. Default 10,000,000. */
  readonly partRows?: number;
  /** How many numbers `samples` describes. Default 1000. */
  readonly samples?: number;
}

export type MnpGeneratedKind = 'operators' | 'full' | 'increment' | 'return';

export interface MnpGeneratedFile {
  readonly file: string;
  readonly kind: MnpGeneratedKind;
  /** Data rows (the file's RowCount). */
  readonly rows: number;
}

/**
 * One number as the data stands after the last day. `owner` is the OrgCode without the `m` prefix,
 * null (with mnc, route and day) when the number was returned to its range holder.
 */
export interface MnpSample {
  readonly number: string;
  /** `full`: in the full list and never touched; `ported`: ported by an increment (new, or again after a return); `reported`: in the full list, then ported to another operator; `returned`: gone. */
  readonly kind: 'full' | 'ported' | 'reported' | 'returned';
  readonly owner: string | null;
  readonly mnc: string | null;
  readonly route: string | null;
  readonly region: string;
  /** Port date (YYYY-MM-DD, as written in the file), or null when returned. */
  readonly day: string | null;
}

export interface GeneratedMnp {
  /** Every file written, in order: operators, full list parts, then each day's increment and returns. */
  readonly files: readonly string[];
  readonly parts: readonly MnpGeneratedFile[];
  readonly counts: {
    /** Numbers in the full list. */
    readonly full: number;
    /** Numbers ported by increments that were not ported before (new, or again after a return). */
    readonly ports: number;
    /** Ported numbers ported again to another operator by increments. */
    readonly reports: number;
    readonly returns: number;
    /** Ported numbers after the last day: full + ports − returns. */
    readonly final: number;
  };
  readonly samples: readonly MnpSample[];
}

// ---------------------------------------------------------------------------------------------
// The model

const EPOCH = Date.UTC(2000, 0, 1);
const DAY = 86_400_000;
const MSK = 3 * 3_600_000;
/** 2013-12-01, days since 2000-01-01: the first day of number portability in Russia. */
const MNP_START = Math.round((Date.UTC(2013, 11, 1) - EPOCH) / DAY);
const SUBS = 10_000_000;
/** At most this many numbers of one DEF code in the full list, leaving room for new ports. */
const MAX_PER_CODE = 9_000_000;
const DEFAULT_WHEN = new Date('2025-06-02T06:00:00+03:00');
const DEFAULT_PART_ROWS = 10_000_000;

/** Recipient weights, roughly by market share: everywhere, and in Мотив's Ural regions. */
const SHARE: Readonly<Record<string, readonly [all: number, ural: number]>> = {
  MTS: [26, 22],
  MEGAFON: [24, 20],
  BEELINE: [17, 12],
  TELE2: [22, 18],
  YOTA: [5, 4],
  TMOB: [2, 2],
  SBERTEL: [2, 2],
  MOTIV: [0, 18],
  RTK: [1, 1],
};
const URAL = new Set(['66', '45', '86', '89']);

/**
 * Home operator (range holder) of each DEF code, with a weight for its share of ported numbers:
 * codes opened early hold more subscribers than young ones. After the DEF registry's largest holder
 * per code; codes shared by many small operators are left out.
 */
const HOME: readonly (readonly [op: string, codes: string, weight: number])[] = [
  ['TELE2', '900-902,904,908,950-953', 10],
  ['TELE2', '958,977,991,992', 4],
  ['BEELINE', '903,905,906,909,960-968', 10],
  ['BEELINE', '969', 4],
  ['MTS', '910-919,980-989', 10],
  ['MTS', '978', 3],
  ['MEGAFON', '920-929,937', 10],
  ['MEGAFON', '930-932,936,938,939', 4],
  ['TMOB', '933,993,995', 3],
  ['SBERTEL', '994', 3],
  ['YOTA', '996,999', 4],
];

/** Population of the subjects, in tens of thousands (RegionCode → weight). */
// prettier-ignore
const REGIONS: readonly (readonly [string, number])[] = [
  ['77', 1300], ['50', 850], ['78', 560], ['23', 580], ['66', 430], ['61', 420], ['02', 400], ['16', 400],
  ['74', 340], ['52', 310], ['63', 320], ['59', 250], ['34', 250], ['54', 280], ['24', 285], ['36', 230],
  ['64', 240], ['42', 260], ['26', 290], ['38', 237], ['05', 320], ['22', 220], ['47', 200], ['91', 190],
  ['25', 185], ['55', 185], ['56', 186], ['72', 160], ['86', 170], ['18', 145], ['20', 150], ['31', 150],
  ['71', 150], ['33', 134], ['27', 130], ['58', 127], ['69', 123], ['21', 120], ['73', 120], ['76', 120],
  ['32', 116], ['43', 115], ['35', 114], ['48', 114], ['62', 110], ['46', 108], ['40', 107], ['70', 106],
  ['39', 103], ['03', 98], ['14', 100], ['29', 100], ['75', 100], ['68', 98], ['30', 96], ['37', 93],
  ['07', 90], ['67', 88], ['45', 80], ['13', 78], ['28', 77], ['11', 73], ['57', 71], ['12', 68],
  ['15', 68], ['51', 67], ['60', 60], ['44', 58], ['53', 58], ['92', 55], ['10', 53], ['19', 53],
  ['89', 51], ['01', 50], ['06', 50], ['09', 47], ['65', 47], ['17', 34], ['41', 29], ['08', 27],
  ['04', 22], ['79', 15], ['49', 14], ['87', 5], ['83', 4],
];

interface Op {
  readonly code: string;
  readonly mnc: string;
  readonly inn: string;
  readonly name: string;
  /** `mMTS`. */
  readonly owner: Uint8Array;
  readonly mncBytes: Uint8Array;
}

const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');

const OPS: readonly Op[] = KNOWN_MNP_OPERATORS.map((o) => ({
  ...o,
  owner: ascii(`m${o.code}`),
  mncBytes: ascii(o.mnc),
}));
const OP_INDEX = new Map(OPS.map((o, i) => [o.code, i]));

function opIndex(code: string): number {
  const i = OP_INDEX.get(code);
  if (i === undefined) throw new Error(`operator ${code} is not in KNOWN_MNP_OPERATORS`);
  return i;
}

function expandCodes(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    const out: number[] = [];
    for (let c = a!; c <= (b ?? a!); c++) out.push(c);
    return out;
  });
}

/** DEF codes of the model, ascending, with their home operator (index into OPS) and weight. */
const CODES: readonly { readonly code: number; readonly home: number; readonly weight: number }[] =
  HOME.flatMap(([op, list, weight]) =>
    expandCodes(list).map((code) => ({ code, home: opIndex(op), weight })),
  ).sort((a, b) => a.code - b.code);

const HOME_BY_CODE = new Map(CODES.map((c) => [c.code, OPS[c.home]!.code]));

/** OrgCode (no `m`) of the range holder of a DEF code in the generator's model; null for codes it never uses. */
export function homeOperator(code: number): string | null {
  return HOME_BY_CODE.get(code) ?? null;
}

const REGION_BYTES = REGIONS.map(([r]) => ascii(r));

/** A lookup table of `size` entries in which each index appears in proportion to its weight. */
function weightedTable(weights: readonly number[], size: number): Uint8Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const table = new Uint8Array(size);
  let at = 0;
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w;
    const end = Math.round((acc / total) * size);
    for (; at < end; at++) table[at] = i;
  });
  return table;
}

const REGION_TABLE = weightedTable(
  REGIONS.map(([, w]) => w),
  4096,
);

/** Recipient tables: [home * 2 + ural] → 1024 entries of operator indexes, never the home operator. */
const OWNER_TABLES: readonly Uint8Array[] = OPS.flatMap((_, home) =>
  [0, 1].map((ural) =>
    weightedTable(
      OPS.map((o, i) => (i === home ? 0 : (SHARE[o.code]?.[ural] ?? 0))),
      1024,
    ),
  ),
);

// ---------------------------------------------------------------------------------------------
// Randomness: a hash for what belongs to a number, xorshift32 for the sequence of events.

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

class XorShift32 {
  private s: number;
  constructor(seed: number) {
    this.s = mix32(seed ^ 0x9e3779b9) || 0x6d2b79f5;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** 0 ≤ n < below (below ≤ 2^32). */
  below(below: number): number {
    return Math.floor((this.next() / 4294967296) * below);
  }
}

/**
 * The numbers of each DEF code: a bijection of [0, 10^7) keyed by seed and code (a 4-round
 * Feistel network on 24 bits, walking the cycle until the value falls below 10^7). Index k of a
 * code is its k-th ported number: the full list takes the first ones, new ports the next.
 */
class NumberSpace {
  private readonly keys: Uint32Array;
  readonly codeKeys: Uint32Array;
  constructor(seed: number) {
    this.keys = new Uint32Array(CODES.length * 4);
    this.codeKeys = new Uint32Array(CODES.length);
    CODES.forEach((c, ci) => {
      const base = mix32((seed ^ Math.imul(c.code, 0x9e3779b1)) >>> 0);
      this.codeKeys[ci] = mix32(base ^ 0x85ebca6b);
      for (let r = 0; r < 4; r++) this.keys[ci * 4 + r] = mix32(base + r * 0x27d4eb2f);
    });
  }
  sub(ci: number, k: number): number {
    const key = ci * 4;
    const k0 = this.keys[key]!;
    const k1 = this.keys[key + 1]!;
    const k2 = this.keys[key + 2]!;
    const k3 = this.keys[key + 3]!;
    let x = k;
    do {
      let l = x >>> 12;
      let r = x & 0xfff;
      let t = l ^ (mix32(r ^ k0) & 0xfff);
      l = r;
      r = t;
      t = l ^ (mix32(r ^ k1) & 0xfff);
      l = r;
      r = t;
      t = l ^ (mix32(r ^ k2) & 0xfff);
      l = r;
      r = t;
      t = l ^ (mix32(r ^ k3) & 0xfff);
      l = r;
      r = t;
      x = (l << 12) | r;
    } while (x >= SUBS);
    return x;
  }
}

/** What the full list says about a number: all of it a hash of the number. */
interface BaseState {
  region: number;
  owner: number;
  day: number;
  secs: number;
  /** Donor of the last port (Port_All_Full): usually the range holder. */
  donor: number;
}

function baseState(space: NumberSpace, ci: number, sub: number, span: number, out: BaseState): void {
  const c = CODES[ci]!;
  const h1 = mix32(sub ^ space.codeKeys[ci]!);
  const h2 = mix32(h1 ^ 0x5bd1e995);
  const region = REGION_TABLE[h1 & 4095]!;
  const table = OWNER_TABLES[c.home * 2 + (URAL.has(REGIONS[region]![0]) ? 1 : 0)]!;
  const owner = table[(h2 >>> 17) & 1023]!;
  out.region = region;
  out.owner = owner;
  // Later dates are more likely: the density grows linearly from 2013-12-01 to the day before `when`.
  out.day = MNP_START + Math.floor(span * Math.sqrt((h1 >>> 12) / 1048576));
  out.secs = h2 % 86400;
  let donor = c.home;
  if ((h2 & 7) === 0) {
    const other = table[(h1 >>> 2) & 1023]!;
    if (other !== owner) donor = other;
  }
  out.donor = donor;
}

// ---------------------------------------------------------------------------------------------
// Output: chunks of bytes to a file or a zip archive, with backpressure.

interface Sink {
  write(chunk: Buffer): Promise<void>;
  close(): Promise<void>;
}

async function drain(stream: WriteStream | DeflateRaw): Promise<void> {
  await once(stream, 'drain');
}

function fileSink(path: string): Sink {
  const ws = createWriteStream(path);
  let failed: Error | null = null;
  ws.on('error', (e) => (failed = e));
  return {
    async write(chunk) {
      if (failed) throw failed;
      if (!ws.write(chunk)) await drain(ws);
    },
    async close() {
      ws.end();
      await finished(ws);
    },
  };
}

/** 1980-style DOS time and date of a Moscow wall-clock time. */
function dosDateTime(when: Date): { time: number; date: number } {
  const t = new Date(when.getTime() + MSK);
  return {
    time: (t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | (t.getUTCSeconds() >> 1),
    date: ((t.getUTCFullYear() - 1980) << 9) | ((t.getUTCMonth() + 1) << 5) | t.getUTCDate(),
  };
}

/**
 * A zip archive with one deflated member, streamed: the local header carries no sizes (flag 3,
 * data descriptor after the data), the central directory carries them. No zip64: a member must stay
 * below 4 GiB, which a part of 10,000,000 rows does.
 */
function zipSink(path: string, member: string, when: Date): Sink {
  const ws = createWriteStream(path);
  let failed: Error | null = null;
  ws.on('error', (e) => (failed = e));
  const deflate = createDeflateRaw({ level: zlibConstants.Z_BEST_SPEED });
  deflate.on('error', (e) => (failed = e));
  const name = Buffer.from(member, 'utf8');
  const { time, date } = dosDateTime(when);
  const FLAGS = 0x0008 | 0x0800; // sizes in a data descriptor; UTF-8 name
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(FLAGS, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(time, 10);
  local.writeUInt16LE(date, 12);
  local.writeUInt16LE(name.length, 26);
  ws.write(local);
  ws.write(name);
  let crc = 0;
  let size = 0;
  let packed = 0;
  deflate.on('data', (c: Buffer) => (packed += c.length));
  deflate.pipe(ws, { end: false });
  return {
    async write(chunk) {
      if (failed) throw failed;
      crc = crc32(chunk, crc);
      size += chunk.length;
      if (size > 0xfffffffe) throw new Error(`${member} is too large for a zip without zip64`);
      if (!deflate.write(chunk)) await drain(deflate);
    },
    async close() {
      deflate.end();
      await once(deflate, 'end');
      if (failed) throw failed;
      const descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(packed, 8);
      descriptor.writeUInt32LE(size, 12);
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE(20, 4);
      central.writeUInt16LE(20, 6);
      central.writeUInt16LE(FLAGS, 8);
      central.writeUInt16LE(8, 10);
      central.writeUInt16LE(time, 12);
      central.writeUInt16LE(date, 14);
      central.writeUInt32LE(crc, 16);
      central.writeUInt32LE(packed, 20);
      central.writeUInt32LE(size, 24);
      central.writeUInt16LE(name.length, 28);
      central.writeUInt32LE(0, 42); // the local header is at the start
      const directoryAt = local.length + name.length + packed + descriptor.length;
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(1, 8);
      end.writeUInt16LE(1, 10);
      end.writeUInt32LE(central.length + name.length, 12);
      end.writeUInt32LE(directoryAt, 16);
      ws.end(Buffer.concat([descriptor, central, name, end]));
      await finished(ws);
    },
  };
}

const CHUNK = 1 << 20;
const ROOM = 1024;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Rows as bytes into 1 MiB chunks; `flush` hands a chunk to the sink and waits while it is busy. */
class RowWriter {
  buf = Buffer.allocUnsafe(CHUNK);
  pos = 0;
  constructor(
    private readonly sink: Sink,
    private readonly crlf: boolean,
  ) {}

  get full(): boolean {
    return this.pos > CHUNK - ROOM;
  }

  async flush(): Promise<void> {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
    await this.sink.write(chunk);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.sink.close();
  }

  bytes(b: Uint8Array): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  comma(): void {
    this.buf[this.pos++] = 44;
  }

  /** `n` as exactly `width` digits, zero-padded. */
  digits(n: number, width: number): void {
    let p = this.pos + width;
    this.pos = p;
    const buf = this.buf;
    for (let i = 0; i < width; i++) {
      buf[--p] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
  }

  int(n: number): void {
    let width = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) width++;
    this.digits(n, width);
  }

  text(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  eol(): void {
    if (this.crlf) this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }
}

// ---------------------------------------------------------------------------------------------
// The generator

const HEADERS = {
  operators: 'OrgCode,MNC,TIN,OrgName,RowCount',
  full: 'Number,OwnerId,MNC,Route,RegionCode,PortDate,RowCount',
  fullFull:
    'Number,OwnerId,MNC,Route,RegionCode,PortDate,RowCount,NPId,DonorId,RangeHolderId,OldRoute,OldMNC,ProcessType',
  increment:
    'NPId,Number,RecipientId,DonorId,RangeHolderId,OldRoute,NewRoute,OldMNC,NewMNC,RegionCode,PortDate,RowCount',
  return: 'NPId,Number,OwnerId,RangeHolderId,RangeHolderMNC,OldRoute,NewRoute,RegionCode,PortDate,RowCount',
};

/** `YYYYMMDDhhmm` of a time in Moscow. */
function stamp(t: number): string {
  return new Date(t + MSK).toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

function isoDay(day: number): string {
  return new Date(EPOCH + day * DAY).toISOString().slice(0, 10);
}

/** What increments did to a number; numbers not in the map are as the full list has them. */
interface Touched {
  owner: number;
  day: number;
  returned: boolean;
  /** Last day (1-based) an increment touched it. */
  touched: number;
  kind: 'ported' | 'reported';
}

interface Event {
  readonly ci: number;
  readonly sub: number;
  readonly secs: number;
  readonly region: number;
  /** Recipient of a port, or the operator that held a returned number. */
  readonly op: number;
  readonly donor: number;
}

function checkCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new NuminfoError('BAD_REQUEST', `${name} must be a whole number ≥ 0, not ${n}`);
  }
}

export async function generateMnp(opts: GenerateMnpOptions): Promise<GeneratedMnp> {
  const when = opts.when ?? DEFAULT_WHEN;
  const partRows = opts.partRows ?? DEFAULT_PART_ROWS;
  const increments = opts.increments ?? [];
  const sampleCount = opts.samples ?? 1000;
  checkCount('count', opts.count);
  checkCount('samples', sampleCount);
  if (!Number.isSafeInteger(opts.seed)) throw new NuminfoError('BAD_REQUEST', `seed must be an integer`);
  if (!Number.isSafeInteger(partRows) || partRows < 1) {
    throw new NuminfoError('BAD_REQUEST', `partRows must be a whole number ≥ 1, not ${partRows}`);
  }
  for (const d of increments) {
    checkCount('ports', d.ports);
    checkCount('returns', d.returns);
  }
  const whenDay = Math.floor((when.getTime() + MSK - EPOCH) / DAY);
  const span = whenDay - MNP_START;
  if (!(span > 0) || whenDay + increments.length > 0xfffe) {
    throw new NuminfoError('BAD_REQUEST', 'when must be after 2013-12-01 (the start of MNP) and before 2179');
  }
  const totalWeight = CODES.reduce((a, c) => a + c.weight, 0);
  if (opts.count > (MAX_PER_CODE * totalWeight) / 10) {
    throw new NuminfoError('BAD_REQUEST', `count ${opts.count} is more than the model's DEF codes hold`);
  }

  mkdirSync(opts.dir, { recursive: true });
  const seed = Number(BigInt.asUintN(32, BigInt(opts.seed)));
  const space = new NumberSpace(seed);
  const rng = new XorShift32(seed);
  const eolText = opts.crlf ? '\r\n' : '\n';
  const parts: MnpGeneratedFile[] = [];

  const dayPrefix: Uint8Array[] = [];
  const prefixOf = (day: number): Uint8Array => (dayPrefix[day - MNP_START] ??= ascii(`${isoDay(day)}T`));
  const TZ = ascii('+03:00');

  const open = (base: string): RowWriter => {
    const csv = `${base}.csv`;
    const path = join(opts.dir, opts.zip ? `${base}.zip` : csv);
    const w = new RowWriter(opts.zip ? zipSink(path, csv, when) : fileSink(path), !!opts.crlf);
    if (opts.bom) w.bytes(BOM);
    return w;
  };
  const fileName = (base: string): string => join(opts.dir, opts.zip ? `${base}.zip` : `${base}.csv`);

  const dateTime = (w: RowWriter, day: number, secs: number): void => {
    w.bytes(prefixOf(day));
    w.digits(Math.floor(secs / 3600), 2);
    w.buf[w.pos++] = 58;
    w.digits(Math.floor(secs / 60) % 60, 2);
    w.buf[w.pos++] = 58;
    w.digits(secs % 60, 2);
    w.bytes(TZ);
  };
  const route = (w: RowWriter, region: number, op: number): void => {
    w.buf[w.pos++] = 68; // D
    w.bytes(REGION_BYTES[region]!);
    w.bytes(OPS[op]!.mncBytes);
  };
  const number = (w: RowWriter, ci: number, sub: number): void => {
    w.digits(CODES[ci]!.code, 3);
    w.digits(sub, 7);
  };

  // Operators
  const ts = stamp(when.getTime());
  {
    const base = `Operators_${ts}`;
    const w = open(base);
    w.text(HEADERS.operators + eolText);
    OPS.forEach((o, i) => {
      w.text(`m${o.code},${o.mnc},${o.inn},${o.name},${i === 0 ? OPS.length : ''}${eolText}`);
    });
    await w.close();
    parts.push({ file: fileName(base), kind: 'operators', rows: OPS.length });
  }

  // Full list: quotas per code by weight, the largest remainders (ties in seeded order) rounding up.
  const quota = CODES.map((c) => Math.floor((opts.count * c.weight) / totalWeight));
  let left = opts.count - quota.reduce((a, b) => a + b, 0);
  const byRemainder = CODES.map((c, i) => ({ i, r: ((opts.count * c.weight) % totalWeight) / totalWeight }))
    .sort((a, b) => b.r - a.r || mix32(a.i ^ seed) - mix32(b.i ^ seed) || a.i - b.i)
    .map((x) => x.i);
  for (let j = 0; left > 0; j = (j + 1) % byRemainder.length, left--) quota[byRemainder[j]!]!++;

  const fullBase = opts.full ? 'Port_All_Full' : 'Port_All';
  const st: BaseState = { region: 0, owner: 0, day: 0, secs: 0, donor: 0 };
  let npId = 100_000_000;
  {
    let part = 0;
    let inPart = 0;
    let partSize = 0;
    let w: RowWriter | null = null;
    let base = '';
    const nextPart = async (): Promise<RowWriter> => {
      if (w) {
        await w.close();
        parts.push({ file: fileName(base), kind: 'full', rows: partSize });
      }
      part++;
      base = `${fullBase}_${ts}_${String(part).padStart(3, '0')}`;
      partSize = Math.min(partRows, opts.count - (part - 1) * partRows);
      inPart = 0;
      const next = open(base);
      next.text((opts.full ? HEADERS.fullFull : HEADERS.full) + eolText);
      return next;
    };
    w = await nextPart();
    for (let ci = 0; ci < CODES.length; ci++) {
      const n = quota[ci]!;
      if (n === 0) continue;
      const subs = new Uint32Array(n);
      for (let k = 0; k < n; k++) subs[k] = space.sub(ci, k);
      subs.sort();
      const home = CODES[ci]!.home;
      for (let i = 0; i < n; i++) {
        if (inPart === partSize) w = await nextPart();
        const sub = subs[i]!;
        baseState(space, ci, sub, span, st);
        number(w, ci, sub);
        w.comma();
        w.bytes(OPS[st.owner]!.owner);
        w.comma();
        w.bytes(OPS[st.owner]!.mncBytes);
        w.comma();
        route(w, st.region, st.owner);
        w.comma();
        w.bytes(REGION_BYTES[st.region]!);
        w.comma();
        dateTime(w, st.day, st.secs);
        w.comma();
        if (inPart === 0) w.int(partSize);
        if (opts.full) {
          w.comma();
          w.int(npId++);
          w.comma();
          w.bytes(OPS[st.donor]!.owner);
          w.comma();
          w.bytes(OPS[home]!.owner);
          w.comma();
          route(w, st.region, st.donor);
          w.comma();
          w.bytes(OPS[st.donor]!.mncBytes);
          w.comma();
          w.text((st.secs & 15) === 0 ? 'LongPort' : 'ShortPort');
        }
        w.eol();
        inPart++;
        if (w.full) await w.flush();
      }
    }
    await w.close();
    parts.push({ file: fileName(base), kind: 'full', rows: partSize });
  }
  npId = Math.max(npId, 100_000_000 + opts.count);

  // Increments: each day ports (new numbers, numbers returned before, re-ports), then returns.
  const touched = new Map<number, Touched>();
  const nextK = quota.slice();
  const returnedPool: number[] = [];
  let ports = 0;
  let reports = 0;
  let returns = 0;
  let ported = opts.count;
  const codeTable = weightedTable(
    CODES.map((c) => c.weight),
    4096,
  );

  const current = (ci: number, sub: number): { owner: number; returned: boolean; touched: number } => {
    const t = touched.get(ci * SUBS + sub);
    if (t) return t;
    baseState(space, ci, sub, span, st);
    return { owner: st.owner, returned: false, touched: 0 };
  };
  const regionOf = (ci: number, sub: number): number => {
    baseState(space, ci, sub, span, st);
    return st.region;
  };
  /** A number ported now that no event of `day` touched yet, uniformly over indices issued so far. */
  const pickPorted = (day: number, cum: Float64Array): { ci: number; sub: number; owner: number } => {
    const total = cum[cum.length - 1]!;
    for (let tries = 0; tries < 10_000_000; tries++) {
      const g = rng.below(total);
      let lo = 0;
      let hi = CODES.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cum[mid + 1]! <= g) lo = mid + 1;
        else hi = mid;
      }
      const sub = space.sub(lo, g - cum[lo]!);
      const now = current(lo, sub);
      if (!now.returned && now.touched !== day) return { ci: lo, sub, owner: now.owner };
    }
    throw new NuminfoError('BAD_REQUEST', 'too many re-ports and returns for the numbers ported');
  };

  for (let d = 0; d < increments.length; d++) {
    const { ports: portRows, returns: returnRows } = increments[d]!;
    const day = d + 1;
    const portDay = whenDay + d;
    if (returnRows + Math.round(portRows * 0.15) > ported) {
      throw new NuminfoError('BAD_REQUEST', `day ${day}: more re-ports and returns than ported numbers`);
    }
    const cum = new Float64Array(CODES.length + 1);
    for (let ci = 0; ci < CODES.length; ci++) cum[ci + 1] = cum[ci]! + nextK[ci]!;

    const portEvents: Event[] = [];
    const returnEvents: Event[] = [];
    const again = Math.min(returnedPool.length, Math.ceil(portRows * 0.01));
    const moved = Math.min(portRows - again, Math.round(portRows * 0.15));
    const fresh = portRows - again - moved;

    for (let i = 0; i < moved; i++) {
      const { ci, sub, owner } = pickPorted(day, cum);
      const region = regionOf(ci, sub);
      const table = OWNER_TABLES[CODES[ci]!.home * 2 + (URAL.has(REGIONS[region]![0]) ? 1 : 0)]!;
      let to = owner;
      while (to === owner) to = table[rng.below(1024)]!;
      portEvents.push({ ci, sub, secs: rng.below(86400), region, op: to, donor: owner });
      touched.set(ci * SUBS + sub, {
        owner: to,
        day: portDay,
        returned: false,
        touched: day,
        kind: 'reported',
      });
    }
    for (let i = 0; i < again; i++) {
      const at = rng.below(returnedPool.length);
      const key = returnedPool[at]!;
      returnedPool[at] = returnedPool[returnedPool.length - 1]!;
      returnedPool.pop();
      const ci = Math.floor(key / SUBS);
      const sub = key % SUBS;
      const region = regionOf(ci, sub);
      const home = CODES[ci]!.home;
      const to = OWNER_TABLES[home * 2 + (URAL.has(REGIONS[region]![0]) ? 1 : 0)]![rng.below(1024)]!;
      portEvents.push({ ci, sub, secs: rng.below(86400), region, op: to, donor: home });
      touched.set(key, { owner: to, day: portDay, returned: false, touched: day, kind: 'ported' });
    }
    for (let i = 0; i < fresh; i++) {
      const ci = codeTable[rng.below(4096)]!;
      if (nextK[ci]! >= SUBS) throw new NuminfoError('BAD_REQUEST', `DEF code ${CODES[ci]!.code} is full`);
      const sub = space.sub(ci, nextK[ci]!++);
      const region = regionOf(ci, sub);
      const home = CODES[ci]!.home;
      const to = OWNER_TABLES[home * 2 + (URAL.has(REGIONS[region]![0]) ? 1 : 0)]![rng.below(1024)]!;
      portEvents.push({ ci, sub, secs: rng.below(86400), region, op: to, donor: home });
      touched.set(ci * SUBS + sub, {
        owner: to,
        day: portDay,
        returned: false,
        touched: day,
        kind: 'ported',
      });
    }
    const returnedToday: number[] = [];
    for (let i = 0; i < returnRows; i++) {
      const { ci, sub, owner } = pickPorted(day, cum);
      returnEvents.push({
        ci,
        sub,
        secs: rng.below(86400),
        region: regionOf(ci, sub),
        op: owner,
        donor: owner,
      });
      const key = ci * SUBS + sub;
      const prev = touched.get(key);
      touched.set(key, { owner, day: portDay, returned: true, touched: day, kind: prev?.kind ?? 'reported' });
      returnedToday.push(key);
    }
    returnedPool.push(...returnedToday);
    ports += fresh + again;
    reports += moved;
    returns += returnRows;
    ported += fresh + again - returnRows;

    // Rows in the order of the day, NPId rising with them.
    const byTime = (a: Event, b: Event): number => a.secs - b.secs || a.ci - b.ci || a.sub - b.sub;
    portEvents.sort(byTime);
    returnEvents.sort(byTime);
    const fileTs = stamp(EPOCH + (portDay + 1) * DAY - MSK + 3_600_000);
    {
      const base = `Port_Increment_${fileTs}`;
      const w = open(base);
      w.text(HEADERS.increment + eolText);
      for (let i = 0; i < portEvents.length; i++) {
        const e = portEvents[i]!;
        const home = CODES[e.ci]!.home;
        w.int(npId++);
        w.comma();
        number(w, e.ci, e.sub);
        w.comma();
        w.bytes(OPS[e.op]!.owner);
        w.comma();
        w.bytes(OPS[e.donor]!.owner);
        w.comma();
        w.bytes(OPS[home]!.owner);
        w.comma();
        route(w, e.region, e.donor);
        w.comma();
        route(w, e.region, e.op);
        w.comma();
        w.bytes(OPS[e.donor]!.mncBytes);
        w.comma();
        w.bytes(OPS[e.op]!.mncBytes);
        w.comma();
        w.bytes(REGION_BYTES[e.region]!);
        w.comma();
        dateTime(w, portDay, e.secs);
        w.comma();
        if (i === 0) w.int(portEvents.length);
        w.eol();
        if (w.full) await w.flush();
      }
      await w.close();
      parts.push({ file: fileName(base), kind: 'increment', rows: portEvents.length });
    }
    {
      const base = `Return_Increment_${fileTs}`;
      const w = open(base);
      w.text(HEADERS.return + eolText);
      for (let i = 0; i < returnEvents.length; i++) {
        const e = returnEvents[i]!;
        const home = CODES[e.ci]!.home;
        w.int(npId++);
        w.comma();
        number(w, e.ci, e.sub);
        w.comma();
        w.bytes(OPS[e.op]!.owner);
        w.comma();
        w.bytes(OPS[home]!.owner);
        w.comma();
        w.bytes(OPS[home]!.mncBytes);
        w.comma();
        route(w, e.region, e.op);
        w.comma();
        route(w, e.region, home);
        w.comma();
        w.bytes(REGION_BYTES[e.region]!);
        w.comma();
        dateTime(w, portDay, e.secs);
        w.comma();
        if (i === 0) w.int(returnEvents.length);
        w.eol();
        if (w.full) await w.flush();
      }
      await w.close();
      parts.push({ file: fileName(base), kind: 'return', rows: returnEvents.length });
    }
  }

  return {
    files: parts.map((p) => p.file),
    parts,
    counts: { full: opts.count, ports, reports, returns, final: ported },
    samples: pickSamples(),
  };

  function pickSamples(): MnpSample[] {
    const out: MnpSample[] = [];
    const describe = (ci: number, sub: number, kind: MnpSample['kind']): MnpSample => {
      const t = touched.get(ci * SUBS + sub);
      baseState(space, ci, sub, span, st);
      const region = REGIONS[st.region]![0];
      const num = `${CODES[ci]!.code}${String(sub).padStart(7, '0')}`;
      if (t?.returned) return { number: num, kind, owner: null, mnc: null, route: null, region, day: null };
      const op = OPS[t ? t.owner : st.owner]!;
      return {
        number: num,
        kind,
        owner: op.code,
        mnc: op.mnc,
        route: `D${region}${op.mnc}`,
        region,
        day: isoDay(t ? t.day : st.day),
      };
    };
    // A quarter each from returned, re-ported and newly ported numbers (evenly over the map), the rest
    // from untouched numbers of the full list.
    const groups: Record<'returned' | 'reported' | 'ported', number[]> = {
      returned: [],
      reported: [],
      ported: [],
    };
    for (const [key, t] of touched) groups[t.returned ? 'returned' : t.kind].push(key);
    const quarter = Math.floor(sampleCount / 4);
    for (const kind of ['returned', 'reported', 'ported'] as const) {
      const keys = groups[kind];
      const take = Math.min(quarter, keys.length);
      for (let i = 0; i < take; i++) {
        const key = keys[Math.floor((i * keys.length) / take)]!;
        out.push(describe(Math.floor(key / SUBS), key % SUBS, kind));
      }
    }
    const sampler = new XorShift32(seed ^ 0x51ed270b);
    const seen = new Set<number>();
    for (let tries = 0; out.length < sampleCount && tries < sampleCount * 20 && opts.count > 0; tries++) {
      let ci = 0;
      let g = sampler.below(opts.count);
      while (g >= quota[ci]!) g -= quota[ci++]!;
      const sub = space.sub(ci, g);
      const key = ci * SUBS + sub;
      if (touched.has(key) || seen.has(key)) continue;
      seen.add(key);
      out.push(describe(ci, sub, 'full'));
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Command line: `numinfo mnp generate --out DIR [--count N] [--seed N] [--days N] [--ports N]
// [--returns N] [--part-rows N] [--when ISO] [--zip] [--bom] [--crlf] [--full]`

/** The options of `numinfo mnp generate`, in `node:util` `parseArgs` form. */
export const MNP_GENERATE_OPTIONS = {
  out: { type: 'string' },
  count: { type: 'string' },
  seed: { type: 'string' },
  days: { type: 'string' },
  ports: { type: 'string' },
  returns: { type: 'string' },
  'part-rows': { type: 'string' },
  when: { type: 'string' },
  zip: { type: 'boolean' },
  bom: { type: 'boolean' },
  crlf: { type: 'boolean' },
  full: { type: 'boolean' },
} as const;

export interface MnpGenerateArgs {
  readonly out?: string | undefined;
  readonly count?: string | undefined;
  readonly seed?: string | undefined;
  readonly days?: string | undefined;
  readonly ports?: string | undefined;
  readonly returns?: string | undefined;
  readonly 'part-rows'?: string | undefined;
  readonly when?: string | undefined;
  readonly zip?: boolean | undefined;
  readonly bom?: boolean | undefined;
  readonly crlf?: boolean | undefined;
  readonly full?: boolean | undefined;
}

function wholeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d[\d_]*$/.test(text))
    throw new NuminfoError('BAD_REQUEST', `--${name} must be a whole number, not "${text}"`);
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(n)) throw new NuminfoError('BAD_REQUEST', `--${name} is too large`);
  return n;
}

/**
 * Command-line values → generator options. Defaults: 100,000 numbers, seed 1, no increment days;
 * with `--days`, 0.2% of the count ported per day (100,000 for 50,000,000) and a fifth of that
 * returned.
 */
export function mnpGenerateOptions(args: MnpGenerateArgs): GenerateMnpOptions {
  if (!args.out) throw new NuminfoError('MISSING_PARAMETER', '--out DIR is required');
  const count = wholeNumber('count', args.count, 100_000);
  const days = wholeNumber('days', args.days, 0);
  const ports = wholeNumber('ports', args.ports, Math.max(1, Math.round(count * 0.002)));
  const returns = wholeNumber('returns', args.returns, Math.round(ports * 0.2));
  let when: Date | undefined;
  if (args.when !== undefined) {
    when = new Date(args.when);
    if (Number.isNaN(when.getTime())) {
      throw new NuminfoError('BAD_REQUEST', `--when must be an ISO 8601 time, not "${args.when}"`);
    }
  }
  return {
    dir: args.out,
    count,
    seed: wholeNumber('seed', args.seed, 1),
    increments: Array.from({ length: days }, () => ({ ports, returns })),
    zip: !!args.zip,
    bom: !!args.bom,
    crlf: !!args.crlf,
    full: !!args.full,
    partRows: wholeNumber('part-rows', args['part-rows'], DEFAULT_PART_ROWS),
    ...(when ? { when } : {}),
  };
}

/** `numinfo mnp generate`: writes the files, prints one line per file and a summary; returns the exit code. */
export async function runMnpGenerate(args: MnpGenerateArgs, print: (line: string) => void): Promise<number> {
  const opts = mnpGenerateOptions(args);
  const started = performance.now();
  const result = await generateMnp(opts);
  for (const p of result.parts) print(`${p.file}\t${p.kind}\t${p.rows} rows`);
  const c = result.counts;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  print(
    `${c.full} ported numbers in the full list; over ${opts.increments?.length ?? 0} days ${c.ports} ported, ` +
      `${c.reports} ported again, ${c.returns} returned: ${c.final} at the end (${seconds} s)`,
  );
  return 0;
}
