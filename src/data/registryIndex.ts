import { operatorNameKey } from '../core/operatorName.js';
import { normalizeWords } from '../core/regions.js';
import { parseTerritory } from '../core/territory.js';
import type { DataVersion, Operator, Territory } from '../core/types.js';
import { NONE, type CompiledRegistry, type SnapshotMeta } from './registryBuild.js';

/**
 * The loaded registry: sorted ranges per code in typed arrays, and operator and territory objects
 * built once at load so a lookup only searches and points.
 */
export class RegistryIndex {
  readonly meta: SnapshotMeta;
  readonly dataVersion: DataVersion;
  readonly operators: readonly Operator[];
  readonly territories: readonly Territory[];
  private readonly codeIndex: Uint32Array;
  private readonly fromArr: Uint32Array;
  private readonly toArr: Uint32Array;
  private readonly operatorArr: Uint32Array;
  private readonly territoryArr: Uint32Array;
  /** Codes that have at least one range, ascending: the candidates for area-code restoration. */
  private readonly usedCodes: readonly number[];
  private readonly mobileNetworks: ReadonlySet<Operator>;

  constructor(reg: CompiledRegistry) {
    this.meta = reg.meta;
    this.dataVersion = Object.freeze({ version: reg.meta.version, date: reg.meta.dataDate });
    const str = (id: number): string | null => (id === NONE ? null : (reg.strings[id] ?? null));
    const ops: Operator[] = [];
    for (let i = 0; i < reg.operators.length; i += 2) {
      ops.push(Object.freeze({ name: str(reg.operators[i]!) ?? '', inn: str(reg.operators[i + 1]!) }));
    }
    this.operators = ops;
    const terrs: Territory[] = [];
    const parsed = new Map<string, Territory>();
    for (let i = 0; i < reg.territories.length; i += 2) {
      const region = str(reg.territories[i]!) ?? '';
      const gar = str(reg.territories[i + 1]!);
      const key = `${region}\u0000${gar ?? ''}`;
      let t = parsed.get(key);
      if (!t) {
        t = Object.freeze(parseTerritory(region, gar));
        parsed.set(key, t);
      }
      terrs.push(t);
    }
    this.territories = terrs;
    this.codeIndex = reg.codeIndex;
    this.fromArr = reg.from;
    this.toArr = reg.to;
    this.operatorArr = reg.operator;
    this.territoryArr = reg.territory;
    const used: number[] = [];
    for (let c = 0; c < 1000; c++) if (reg.codeIndex[c + 1]! > reg.codeIndex[c]!) used.push(c);
    this.usedCodes = used;
    this.mobileNetworks = this.findMobileNetworks(used);
  }

  /**
   * Operators that are mobile networks: those holding more numbers under DEF (9xx) codes than under
   * geographic ABC codes. A geographic number in such an operator's range is a direct mobile one.
   */
  private findMobileNetworks(used: readonly number[]): Set<Operator> {
    const def = new Float64Array(this.operators.length);
    const abc = new Float64Array(this.operators.length);
    for (const code of used) {
      if (code >= 800 && code < 900) continue;
      const target = code >= 900 ? def : abc;
      for (let i = this.codeIndex[code]!; i < this.codeIndex[code + 1]!; i++) {
        target[this.operatorArr[i]!]! += this.toArr[i]! - this.fromArr[i]! + 1;
      }
    }
    const out = new Set<Operator>();
    this.operators.forEach((op, k) => {
      if (def[k]! > abc[k]!) out.add(op);
    });
    return out;
  }

  /** Whether the operator (an object from this index) is a mobile network. */
  isMobileNetwork(op: Operator): boolean {
    return this.mobileNetworks.has(op);
  }

  private operatorsByInn: Map<string, Operator> | null = null;
  private operatorsByName: Map<string, Operator> | null = null;

  /** The registry's operator with this INN (its one name per INN). */
  operatorByInn(inn: string): Operator | null {
    if (!this.operatorsByInn) {
      this.operatorsByInn = new Map();
      for (const op of this.operators)
        if (op.inn && !this.operatorsByInn.has(op.inn)) this.operatorsByInn.set(op.inn, op);
    }
    return this.operatorsByInn.get(inn) ?? null;
  }

  /** The registry's operator spelled this way, whatever the case and quotes. */
  operatorByName(name: string): Operator | null {
    if (!this.operatorsByName) {
      this.operatorsByName = new Map();
      for (const op of this.operators) this.operatorsByName.set(operatorNameKey(op.name), op);
    }
    return this.operatorsByName.get(operatorNameKey(name)) ?? null;
  }

  private cityRegionsCache: Map<string, Set<string>> | null = null;

  /**
   * Cities (`г.` places) named in the registry → the region codes they are in, keyed by the name's
   * normalized words (`улан удэ` → {03}). Built on first use.
   */
  cityRegions(): ReadonlyMap<string, ReadonlySet<string>> {
    if (this.cityRegionsCache) return this.cityRegionsCache;
    const map = new Map<string, Set<string>>();
    for (const t of this.territories) {
      if (t.place?.type !== 'г' || !t.region?.code) continue;
      const key = normalizeWords(t.place.name).join(' ');
      let set = map.get(key);
      if (!set) map.set(key, (set = new Set()));
      for (const c of t.region.codes) set.add(c);
    }
    this.cityRegionsCache = map;
    return map;
  }

  /** Every ABC/DEF code under which some range holds this 7-digit subscriber number. */
  codesContaining(subscriber: number): number[] {
    const out: number[] = [];
    for (const code of this.usedCodes) if (this.find(code, subscriber) >= 0) out.push(code);
    return out;
  }

  get rangeCount(): number {
    return this.fromArr.length;
  }

  /** Index of the range holding `subscriber` under `code`, or -1. */
  find(code: number, subscriber: number): number {
    if (code < 0 || code > 999) return -1;
    let lo = this.codeIndex[code]!;
    let hi = this.codeIndex[code + 1]! - 1;
    const from = this.fromArr;
    // Last range whose `from` is at or below the subscriber number.
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (from[mid]! <= subscriber) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < this.codeIndex[code]! || this.toArr[hi]! < subscriber) return -1;
    return hi;
  }

  /** True when any range exists under this ABC/DEF code. */
  hasCode(code: number): boolean {
    return code >= 0 && code <= 999 && this.codeIndex[code + 1]! > this.codeIndex[code]!;
  }

  rangeFrom(i: number): number {
    return this.fromArr[i]!;
  }

  rangeTo(i: number): number {
    return this.toArr[i]!;
  }

  operatorOf(i: number): Operator {
    return this.operators[this.operatorArr[i]!]!;
  }

  territoryOf(i: number): Territory {
    return this.territories[this.territoryArr[i]!]!;
  }
}
