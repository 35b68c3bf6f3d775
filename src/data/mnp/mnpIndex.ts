import type { CompiledMnp, MnpMeta, MnpOperatorEntry } from './mnpBuild.js';
import { dayToIso } from './mnpBuild.js';

/** Numbers per block of the fence: a block is 512 bytes of subscriber numbers, a few cache lines. */
const BLOCK = 128;

/**
 * The loaded ported-number set: a binary search per code over sorted subscriber numbers. The
 * arrays run to hundreds of megabytes, so a plain binary search would miss the CPU cache on nearly
 * every step; a small fence (every 128th number, built at load) is searched first and stays cached,
 * leaving one short search within a block.
 */
export class MnpIndex {
  readonly meta: MnpMeta;
  readonly operators: readonly MnpOperatorEntry[];
  readonly directory: CompiledMnp['directory'];
  private readonly codeIndex: Uint32Array;
  private readonly subs: Uint32Array;
  private readonly ops: Uint16Array;
  private readonly days: Uint16Array;
  /** Every BLOCK-th subscriber number of each code, and where each code's fence starts. */
  private readonly fence: Uint32Array;
  private readonly fenceIndex: Uint32Array;

  constructor(m: CompiledMnp) {
    this.meta = m.meta;
    this.operators = m.operators;
    this.directory = m.directory;
    this.codeIndex = m.codeIndex;
    this.subs = m.subs;
    this.ops = m.ops;
    this.days = m.days;
    const fenceIndex = new Uint32Array(1001);
    let total = 0;
    for (let c = 0; c < 1000; c++) {
      fenceIndex[c] = total;
      total += Math.ceil((m.codeIndex[c + 1]! - m.codeIndex[c]!) / BLOCK);
    }
    fenceIndex[1000] = total;
    const fence = new Uint32Array(total);
    for (let c = 0; c < 1000; c++) {
      let f = fenceIndex[c]!;
      for (let i = m.codeIndex[c]!; i < m.codeIndex[c + 1]!; i += BLOCK) fence[f++] = m.subs[i]!;
    }
    this.fence = fence;
    this.fenceIndex = fenceIndex;
  }

  get size(): number {
    return this.subs.length;
  }

  /** Position of a ported number, or -1 when it is not ported. */
  find(code: number, sub: number): number {
    const fStart = this.fenceIndex[code]!;
    let n = this.fenceIndex[code + 1]! - fStart;
    if (n === 0) return -1;
    const fence = this.fence;
    // Branch-free searches (the comparison picks a value, it does not steer a jump): a mispredicted
    // branch per step cost more than the memory reads.
    let base = fStart;
    while (n > 1) {
      const half = n >>> 1;
      base = fence[base + half]! <= sub ? base + half : base;
      n -= half;
    }
    if (fence[base]! > sub) return -1;
    const start = this.codeIndex[code]! + (base - fStart) * BLOCK;
    let m = Math.min(BLOCK, this.codeIndex[code + 1]! - start);
    const subs = this.subs;
    let at = start;
    while (m > 1) {
      const half = m >>> 1;
      at = subs[at + half]! <= sub ? at + half : at;
      m -= half;
    }
    return subs[at] === sub ? at : -1;
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
