import { cleanOperatorName, operatorNameKey } from '../core/operatorName.js';
import type { FileReport, RegistryRow } from './registryCsv.js';

export const NONE = 0xffffffff;

export interface SnapshotMeta {
  /** Format-independent identity of the data: date plus a short checksum. */
  readonly version: string;
  /** Date of the newest source file, YYYY-MM-DD. */
  readonly dataDate: string;
  readonly builtAt: string;
  readonly sources: readonly {
    file: string;
    layout: string;
    encoding: string;
    rows: number;
    rejected: number;
  }[];
  readonly rows: number;
  /** Rows per code group: ABC-3xx, ABC-4xx, ABC-8xx, DEF-9xx (by first digit of the code). */
  readonly groups: Readonly<Record<'3' | '4' | '8' | '9', number>>;
  readonly operators: number;
  readonly territories: number;
  readonly overlapsDropped: number;
}

/** The registry in the column form the snapshot stores and the index reads. */
export interface CompiledRegistry {
  readonly meta: SnapshotMeta;
  readonly strings: readonly string[];
  /** Pairs (name string, INN string or NONE) per operator. */
  readonly operators: Uint32Array;
  /** Pairs (`Регион` string, `Территория ГАР` string or NONE) per territory. */
  readonly territories: Uint32Array;
  /** codeIndex[c]..codeIndex[c+1] are the ranges of code c, sorted by `from`. */
  readonly codeIndex: Uint32Array;
  readonly from: Uint32Array;
  readonly to: Uint32Array;
  readonly operator: Uint32Array;
  readonly territory: Uint32Array;
}

class StringTable {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

interface OperatorGroup {
  inn: string | null;
  names: Map<string, number>;
}

/**
 * One name per operator: rows are grouped by INN (rows without one borrow it from any row that
 * spells the same name), and the group is shown under its most frequent spelling.
 */
function groupOperators(rows: readonly RegistryRow[]): {
  keyOfRow: string[];
  groups: Map<string, OperatorGroup>;
} {
  // Rows repeat a few thousand distinct spellings; clean each spelling once.
  const cleanedByRaw = new Map<string, ReturnType<typeof cleanOperatorName>>();
  const cleaned = rows.map((r) => {
    let c = cleanedByRaw.get(r.operator);
    if (!c) {
      c = cleanOperatorName(r.operator);
      cleanedByRaw.set(r.operator, c);
    }
    return { name: c.name, inn: r.inn ?? c.inn };
  });
  const keyByName = new Map<string, string>();
  const nameKey = (name: string): string => {
    let k = keyByName.get(name);
    if (k === undefined) {
      k = operatorNameKey(name);
      keyByName.set(name, k);
    }
    return k;
  };
  const innByName = new Map<string, string>();
  for (const c of cleaned) if (c.inn) innByName.set(nameKey(c.name), c.inn);
  const groups = new Map<string, OperatorGroup>();
  const keyOfRow: string[] = new Array<string>(rows.length);
  for (let i = 0; i < cleaned.length; i++) {
    const c = cleaned[i]!;
    const k = nameKey(c.name);
    const inn = c.inn ?? innByName.get(k) ?? null;
    const key = inn ? `inn:${inn}` : `name:${k}`;
    keyOfRow[i] = key;
    let g = groups.get(key);
    if (!g) {
      g = { inn, names: new Map() };
      groups.set(key, g);
    }
    g.names.set(c.name, (g.names.get(c.name) ?? 0) + 1);
  }
  return { keyOfRow, groups };
}

function mostFrequent(names: Map<string, number>): string {
  let best = '';
  let bestCount = -1;
  for (const [name, count] of names) {
    if (count > bestCount) {
      best = name;
      bestCount = count;
    }
  }
  return best;
}

function fnv1a(parts: readonly number[]): string {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h ^= p;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Compiles accepted rows of any number of files into sorted, non-overlapping ranges. Where two rows
 * overlap (the same file twice, or an error in the source) the first one in code order is kept and
 * the other counted in `overlapsDropped`.
 */
export function compileRegistry(
  rows: readonly RegistryRow[],
  reports: readonly FileReport[],
  dataDate: string,
): CompiledRegistry {
  const { keyOfRow, groups } = groupOperators(rows);
  const strings = new StringTable();
  strings.id(''); // id 0 is the empty string, never NONE
  const operatorIds = new Map<string, number>();
  const operatorPairs: number[] = [];
  for (const [key, g] of groups) {
    operatorIds.set(key, operatorPairs.length / 2);
    operatorPairs.push(strings.id(mostFrequent(g.names)), g.inn ? strings.id(g.inn) : NONE);
  }
  const territoryIds = new Map<string, number>();
  const territoryPairs: number[] = [];
  const territoryOfRow = rows.map((r) => {
    const key = `${r.region}\u0000${r.gar ?? ''}`;
    let id = territoryIds.get(key);
    if (id === undefined) {
      id = territoryPairs.length / 2;
      territoryIds.set(key, id);
      territoryPairs.push(strings.id(r.region), r.gar === null ? NONE : strings.id(r.gar));
    }
    return id;
  });

  const order = rows.map((_, i) => i);
  order.sort((a, b) => {
    const ra = rows[a]!;
    const rb = rows[b]!;
    return ra.code - rb.code || ra.from - rb.from || ra.to - rb.to;
  });

  const n = order.length;
  const from = new Uint32Array(n);
  const to = new Uint32Array(n);
  const operator = new Uint32Array(n);
  const territory = new Uint32Array(n);
  const codeIndex = new Uint32Array(1001);
  const groupsCount = { '3': 0, '4': 0, '8': 0, '9': 0 };
  let count = 0;
  let overlapsDropped = 0;
  let prevCode = -1;
  let prevTo = -1;
  for (const i of order) {
    const r = rows[i]!;
    if (r.code === prevCode && r.from <= prevTo) {
      overlapsDropped++;
      continue;
    }
    while (prevCode < r.code) codeIndex[++prevCode] = count;
    from[count] = r.from;
    to[count] = r.to;
    operator[count] = operatorIds.get(keyOfRow[i]!)!;
    territory[count] = territoryOfRow[i]!;
    prevTo = r.to;
    const g = String(Math.floor(r.code / 100));
    if (g in groupsCount) groupsCount[g as keyof typeof groupsCount]++;
    count++;
  }
  while (prevCode < 1000) codeIndex[++prevCode] = count;

  const hashInput: number[] = [];
  for (let i = 0; i < count; i += 97) hashInput.push(from[i]!, to[i]!, operator[i]!);
  hashInput.push(count, operatorPairs.length, territoryPairs.length);
  // Names too: two sets that differ only in an operator's or a region's name are different data.
  for (const str of strings.list) for (let k = 0; k < str.length; k++) hashInput.push(str.charCodeAt(k));
  const meta: SnapshotMeta = {
    version: `${dataDate}.${fnv1a(hashInput)}`,
    dataDate,
    builtAt: new Date().toISOString(),
    sources: reports.map((r) => ({
      file: r.file,
      layout: r.layout,
      encoding: r.encoding,
      rows: r.accepted,
      rejected: r.rejectedCount,
    })),
    rows: count,
    groups: groupsCount,
    operators: operatorPairs.length / 2,
    territories: territoryPairs.length / 2,
    overlapsDropped,
  };
  return {
    meta,
    strings: strings.list,
    operators: Uint32Array.from(operatorPairs),
    territories: Uint32Array.from(territoryPairs),
    codeIndex,
    from: from.slice(0, count),
    to: to.slice(0, count),
    operator: operator.slice(0, count),
    territory: territory.slice(0, count),
  };
}
