/**
 * Accumulates ported numbers (from a full dump, then increments in order) and compiles them into
 * the compact index the snapshot stores: per ABC/DEF code, sorted subscriber numbers (u32) with an
 * operator entry (u16) and a port date (u16, days since 2000-01-01): 8 bytes per ported number.
 */

/** Marks a number returned to its range holder: it leaves the ported set. */
export const TOMBSTONE = 0xffff;
const MAX_OPERATORS = 0xfffe;
const EPOCH = Date.UTC(2000, 0, 1);
const DAY = 86_400_000;

/**
 * One recipient operator as the dumps describe it. Numbers point at these; `route` and `mnc`
 * travel with the entry, so a number needs no bytes of its own for them.
 */
export interface MnpOperatorEntry {
  /** OrgCode without the `m` prefix (`MEGAFON`), or null for a simple `number;operator` CSV. */
  readonly code: string | null;
  readonly mnc: string | null;
  /** Routing number (`D2502`) as the dump gives it. */
  readonly route: string | null;
  /** Region code of the dump (`RegionCode`). */
  readonly region: string | null;
  /** Operator as written in a simple CSV (a name, an OrgCode or an INN); null for dumps. */
  readonly text: string | null;
}

export interface MnpMeta {
  readonly version: string;
  readonly builtAt: string;
  /** Newest port date in the data, YYYY-MM-DD, or null. */
  readonly dataDate: string | null;
  readonly numbers: number;
  readonly sources: readonly { file: string; kind: string; rows: number; rejected: number }[];
  /**
   * Delta files only (`mnp-delta.snap`): the `version` of the base snapshot the delta applies to. A
   * delta whose `base` is not the base's version is ignored.
   */
  readonly base?: string;
  /** Delta files only: ported numbers of base + delta, counted when the delta was written. */
  readonly total?: number;
}

export interface CompiledMnp {
  readonly meta: MnpMeta;
  readonly operators: readonly MnpOperatorEntry[];
  /** OrgCode → INN and name from an `Operators_…` file, merged over imports. */
  readonly directory: readonly { code: string; mnc: string; inn: string; name: string }[];
  readonly codeIndex: Uint32Array;
  readonly subs: Uint32Array;
  readonly ops: Uint16Array;
  readonly days: Uint16Array;
}

const dayCache = new Map<string, number>();

/** `2016-09-07T12:00:17+03:00` → days since 2000-01-01 of the date as written; -1 if malformed. */
export function portDay(text: string): number {
  const key = text.slice(0, 10);
  const hit = dayCache.get(key);
  if (hit !== undefined) return hit;
  let day = -1;
  if (/^\d{4}-\d{2}-\d{2}$/.test(key)) {
    const y = +key.slice(0, 4);
    const m = +key.slice(5, 7);
    const d = +key.slice(8, 10);
    const t = Date.UTC(y, m - 1, d);
    const back = new Date(t);
    if (m >= 1 && m <= 12 && back.getUTCDate() === d && t >= EPOCH) day = Math.round((t - EPOCH) / DAY);
    if (day > 0xfffe) day = -1;
  }
  if (dayCache.size < 100_000) dayCache.set(key, day);
  return day;
}

export function dayToIso(day: number): string | null {
  return day > 0 ? new Date(EPOCH + day * DAY).toISOString().slice(0, 10) : null;
}

class Growable<T extends Uint16Array | Uint32Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1 << 16);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

export class MnpBuilder {
  private readonly codes = new Growable((n) => new Uint16Array(n));
  private readonly subs = new Growable((n) => new Uint32Array(n));
  private readonly ops = new Growable((n) => new Uint16Array(n));
  private readonly days = new Growable((n) => new Uint16Array(n));
  private readonly operators: MnpOperatorEntry[] = [];
  private readonly operatorIds = new Map<string, number>();
  private readonly lastByRoute = new Map<string, { entry: MnpOperatorEntry; id: number }>();
  readonly directory = new Map<string, { code: string; mnc: string; inn: string; name: string }>();

  /** Id of an operator entry, added on first sight. */
  operatorId(entry: MnpOperatorEntry): number {
    // Rows repeat a few hundred entries millions of times: a cache keyed by the route (which
    // usually decides the rest) spares building a key string per row.
    const byRoute = this.lastByRoute.get(entry.route ?? '');
    if (
      byRoute !== undefined &&
      byRoute.entry.code === entry.code &&
      byRoute.entry.mnc === entry.mnc &&
      byRoute.entry.region === entry.region &&
      byRoute.entry.text === entry.text
    ) {
      return byRoute.id;
    }
    const key = `${entry.code ?? ''}|${entry.mnc ?? ''}|${entry.route ?? ''}|${entry.region ?? ''}|${entry.text ?? ''}`;
    let id = this.operatorIds.get(key);
    if (id !== undefined) this.lastByRoute.set(entry.route ?? '', { entry: this.operators[id]!, id });
    else {
      if (this.operators.length >= MAX_OPERATORS) throw new Error('too many distinct operator entries');
      id = this.operators.length;
      this.operators.push(Object.freeze({ ...entry }));
      this.operatorIds.set(key, id);
      this.lastByRoute.set(entry.route ?? '', { entry: this.operators[id]!, id });
    }
    return id;
  }

  /** The number now belongs to operator `op` (a later call for the same number wins). */
  port(code: number, sub: number, op: number, day: number): void {
    this.codes.push(code);
    this.subs.push(sub);
    this.ops.push(op);
    this.days.push(day < 0 ? 0 : day);
  }

  /** The number went back to its range holder. */
  unport(code: number, sub: number): void {
    this.port(code, sub, TOMBSTONE, 0);
  }

  /** Starts from compiled data, so increments apply on top of it. */
  seed(mnp: CompiledMnp): void {
    const remap = mnp.operators.map((e) => this.operatorId(e));
    for (const d of mnp.directory) this.directory.set(d.code, d);
    for (let code = 0; code < 1000; code++) {
      for (let i = mnp.codeIndex[code]!; i < mnp.codeIndex[code + 1]!; i++) {
        const op = mnp.ops[i]!;
        // A delta's returns stay returns.
        if (op === TOMBSTONE) this.unport(code, mnp.subs[i]!);
        else this.port(code, mnp.subs[i]!, remap[op]!, mnp.days[i]!);
      }
    }
  }

  get rows(): number {
    return this.codes.length;
  }

  /** Last word per number wins; returned numbers are dropped. */
  build(meta: BuildMeta): CompiledMnp {
    return this.finish(this.compact(false), meta);
  }

  /**
   * What this builder holds as a delta: sorted, deduplicated, returns kept as TOMBSTONE entries (the
   * `mnp-delta.snap` content). `meta.numbers` is the number of entries, returns included.
   */
  buildDelta(meta: BuildMeta & { base: string }): CompiledMnp {
    return this.finish(this.compact(true), meta);
  }

  /** Gives the builder the base's operator entries under the same ids, and its directory. */
  seedOperators(base: Pick<CompiledMnp, 'operators' | 'directory'>): void {
    for (const e of base.operators) this.operatorId(e);
    for (const d of base.directory) this.directory.set(d.code, d);
  }

  /** Sorted, deduplicated arrays per code; returns kept as tombstones when asked. */
  private compact(keepTombstones: boolean): Arrays {
    const n = this.codes.length;
    const codes = this.codes.data;
    const perCode = new Uint32Array(1001);
    for (let i = 0; i < n; i++) perCode[codes[i]! + 1]!++;
    for (let c = 0; c < 1000; c++) perCode[c + 1]! += perCode[c]!;
    const order = new Uint32Array(n);
    const fill = perCode.slice(0, 1000);
    for (let i = 0; i < n; i++) order[fill[codes[i]!]!++] = i;

    // One slot per possible subscriber number, reused code after code: the last row wins.
    const slot = new Int32Array(10_000_000);
    const outSubs = new Uint32Array(n);
    const outOps = new Uint16Array(n);
    const outDays = new Uint16Array(n);
    const codeIndex = new Uint32Array(1001);
    let count = 0;
    const subs = this.subs.data;
    const ops = this.ops.data;
    const days = this.days.data;
    for (let c = 0; c < 1000; c++) {
      codeIndex[c] = count;
      const from = perCode[c]!;
      const to = perCode[c + 1]!;
      if (from === to) continue;
      const touched = new Uint32Array(to - from);
      let t = 0;
      for (let k = from; k < to; k++) {
        const row = order[k]!;
        const sub = subs[row]!;
        if (slot[sub] === 0) touched[t++] = sub;
        slot[sub] = row + 1;
      }
      const sorted = touched.subarray(0, t).sort();
      for (let k = 0; k < t; k++) {
        const sub = sorted[k]!;
        const row = slot[sub]! - 1;
        slot[sub] = 0;
        if (ops[row] === TOMBSTONE && !keepTombstones) continue;
        outSubs[count] = sub;
        outOps[count] = ops[row]!;
        outDays[count] = days[row]!;
        count++;
      }
    }
    codeIndex[1000] = count;
    return {
      codeIndex,
      subs: outSubs.slice(0, count),
      ops: outOps.slice(0, count),
      days: outDays.slice(0, count),
    };
  }

  private finish(a: Arrays, meta: BuildMeta): CompiledMnp {
    const count = a.subs.length;
    let newest = 0;
    for (let i = 0; i < count; i++) if (a.days[i]! > newest) newest = a.days[i]!;
    let h = 0x811c9dc5;
    for (let i = 0; i < count; i += 1 + (count >>> 16)) {
      h = Math.imul(h ^ a.subs[i]!, 0x01000193) >>> 0;
      h = Math.imul(h ^ a.ops[i]!, 0x01000193) >>> 0;
    }
    h = Math.imul(h ^ count, 0x01000193) >>> 0;
    const dataDate = dayToIso(newest);
    return {
      meta: {
        ...meta,
        version: `${dataDate ?? 'undated'}.${h.toString(16).padStart(8, '0')}`,
        dataDate,
        numbers: count,
      },
      operators: [...this.operators],
      directory: [...this.directory.values()],
      ...a,
    };
  }
}

type BuildMeta = Omit<MnpMeta, 'numbers' | 'dataDate' | 'version'>;

/** Last index in `a[from..to)` holding a value < v, plus one (lower bound). */
function lowerBound(a: Uint32Array, from: number, to: number, v: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Ported numbers of base + delta without building the merged arrays: a delta port of a number the
 * base lacks adds one, a delta return of a number the base holds removes one.
 */
export function countMerged(
  base: Pick<CompiledMnp, 'codeIndex' | 'subs'>,
  delta: Pick<CompiledMnp, 'codeIndex' | 'subs' | 'ops'>,
): number {
  let n = base.subs.length;
  for (let c = 0; c < 1000; c++) {
    const jEnd = delta.codeIndex[c + 1]!;
    let i = base.codeIndex[c]!;
    const iEnd = base.codeIndex[c + 1]!;
    for (let j = delta.codeIndex[c]!; j < jEnd; j++) {
      const sub = delta.subs[j]!;
      i = lowerBound(base.subs, i, iEnd, sub);
      const inBase = i < iEnd && base.subs[i] === sub;
      if (delta.ops[j] === TOMBSTONE) {
        if (inBase) n--;
      } else if (!inBase) n++;
    }
  }
  return n;
}

/**
 * The meta of base + delta: the delta's build time, both sources, the newer data date, and a
 * version derived from both versions (the same base and delta content give the same version).
 */
export function mergedMeta(base: MnpMeta, delta: MnpMeta, numbers: number): MnpMeta {
  const dataDate =
    base.dataDate === null || (delta.dataDate !== null && delta.dataDate > base.dataDate)
      ? delta.dataDate
      : base.dataDate;
  let h = 0x811c9dc5;
  for (const ch of `${base.version}+${delta.version}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return {
    version: `${dataDate ?? 'undated'}.${h.toString(16).padStart(8, '0')}`,
    builtAt: delta.builtAt,
    dataDate,
    numbers,
    sources: [...base.sources, ...delta.sources],
  };
}

/**
 * Base + delta in one pass: the delta's word wins, its returns (TOMBSTONE) remove the number. Runs
 * of the base between two delta numbers are block copies (binary search for the next delta number),
 * so the cost is a memcpy of the base plus log-time work per delta entry. The delta's operator list
 * extends the base's under the same ids, so it serves both.
 */
export function applyDelta(base: CompiledMnp, delta: CompiledMnp): CompiledMnp {
  const cap = base.subs.length + delta.subs.length;
  let subs = new Uint32Array(cap);
  let ops = new Uint16Array(cap);
  let days = new Uint16Array(cap);
  const codeIndex = new Uint32Array(1001);
  let n = 0;
  const copy = (from: number, to: number): void => {
    if (to <= from) return;
    if (to - from < 64) {
      // Short runs: a loop beats making three subarray views.
      for (let k = from; k < to; k++, n++) {
        subs[n] = base.subs[k]!;
        ops[n] = base.ops[k]!;
        days[n] = base.days[k]!;
      }
      return;
    }
    subs.set(base.subs.subarray(from, to), n);
    ops.set(base.ops.subarray(from, to), n);
    days.set(base.days.subarray(from, to), n);
    n += to - from;
  };
  for (let c = 0; c < 1000; c++) {
    codeIndex[c] = n;
    let i = base.codeIndex[c]!;
    const iEnd = base.codeIndex[c + 1]!;
    const jEnd = delta.codeIndex[c + 1]!;
    for (let j = delta.codeIndex[c]!; j < jEnd; j++) {
      const sub = delta.subs[j]!;
      const p = lowerBound(base.subs, i, iEnd, sub);
      copy(i, p);
      i = p < iEnd && base.subs[p] === sub ? p + 1 : p;
      const op = delta.ops[j]!;
      if (op !== TOMBSTONE) {
        subs[n] = sub;
        ops[n] = op;
        days[n++] = delta.days[j]!;
      }
    }
    copy(i, iEnd);
  }
  codeIndex[1000] = n;
  if (n < cap) {
    // Views, not copies: the spare room is the size of the delta, small next to the base.
    subs = subs.subarray(0, n);
    ops = ops.subarray(0, n);
    days = days.subarray(0, n);
  }
  return {
    meta: mergedMeta(base.meta, delta.meta, n),
    operators: delta.operators.length >= base.operators.length ? delta.operators : base.operators,
    directory: delta.directory,
    codeIndex,
    subs,
    ops,
    days,
  };
}

interface Arrays {
  readonly codeIndex: Uint32Array;
  readonly subs: Uint32Array;
  readonly ops: Uint16Array;
  readonly days: Uint16Array;
}
