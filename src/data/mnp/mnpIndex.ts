import type { CompiledMnp, MnpMeta, MnpOperatorEntry } from './mnpBuild.js';
import { dayToIso } from './mnpBuild.js';

/** The loaded ported-number set: a binary search per code over sorted subscriber numbers. */
export class MnpIndex {
  readonly meta: MnpMeta;
  readonly operators: readonly MnpOperatorEntry[];
  readonly directory: CompiledMnp['directory'];
  private readonly codeIndex: Uint32Array;
  private readonly subs: Uint32Array;
  private readonly ops: Uint16Array;
  private readonly days: Uint16Array;

  constructor(m: CompiledMnp) {
    this.meta = m.meta;
    this.operators = m.operators;
    this.directory = m.directory;
    this.codeIndex = m.codeIndex;
    this.subs = m.subs;
    this.ops = m.ops;
    this.days = m.days;
  }

  get size(): number {
    return this.subs.length;
  }

  /** Position of a ported number, or -1 when it is not ported. */
  find(code: number, sub: number): number {
    let lo = this.codeIndex[code]!;
    let hi = this.codeIndex[code + 1]! - 1;
    const subs = this.subs;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = subs[mid]!;
      if (v < sub) lo = mid + 1;
      else if (v > sub) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  operatorAt(i: number): number {
    return this.ops[i]!;
  }

  portDateAt(i: number): string | null {
    return dayToIso(this.days[i]!);
  }

  dayAt(i: number): number {
    return this.days[i]!;
  }

  /** The compiled arrays, to seed a builder for increments. */
  compiled(): CompiledMnp {
    return {
      meta: this.meta,
      operators: this.operators,
      directory: this.directory,
      codeIndex: this.codeIndex,
      subs: this.subs,
      ops: this.ops,
      days: this.days,
    };
  }
}
