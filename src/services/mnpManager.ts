import { existsSync, readFileSync, statSync, unwatchFile, watchFile, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../data/container.js';
import {
  importMnp,
  mnpDeltaPath,
  mnpPath,
  type MnpImportOptions,
  type MnpImportResult,
} from '../data/mnp/mnpImport.js';
import { MnpIndex } from '../data/mnp/mnpIndex.js';
import { splitNumber } from '../data/mnp/mnpParse.js';
import { readMnpData } from '../data/mnp/mnpSnapshot.js';
import { NuminfoError } from '../errors.js';
import type { MnpOverride } from './mnpData.js';
import type { NumberService } from './numberService.js';
import { SILENT_LOGGER, type Logger } from './registryManager.js';

export const OVERRIDES_FILE = 'mnp-overrides.json';

/** 10-digit national number of a Russian number written any usual way; null if it is not one. */
export function nationalOf(text: string): string | null {
  const digits = text.replace(/[\s()+.-]/g, '');
  const n = splitNumber(digits);
  return n ? String(n.code).padStart(3, '0') + String(n.sub).padStart(7, '0') : null;
}

/**
 * Keeps a NumberService's MNP data in step with the data directory: the MNP snapshot (reloaded
 * when `numinfo mnp import` replaces it) and the overrides file (`PUT/DELETE /v1/mnp/{number}`).
 *
 * Overrides win over the snapshot until an import brings a port record for the same number dated
 * after the override was set: newer evidence replaces older, whichever way it came.
 */
export class MnpManager {
  private readonly snapPath: string;
  private readonly deltaPath: string;
  private readonly overridesPath: string;
  /** mtimes of mnp.snap and mnp-delta.snap as last loaded. */
  private lastStamp = '';
  private watching = false;
  private overrides: MnpOverride[] = [];
  private index: MnpIndex | null = null;

  constructor(
    private readonly service: NumberService,
    private readonly dataDir: string,
    private readonly log: Logger = SILENT_LOGGER,
  ) {
    this.snapPath = mnpPath(dataDir);
    this.deltaPath = mnpDeltaPath(dataDir);
    this.overridesPath = join(dataDir, OVERRIDES_FILE);
  }

  /** Loads the MNP snapshot and the overrides, whichever exist. */
  load(): void {
    this.loadOverrides();
    this.loadSnapshot();
  }

  private loadOverrides(): void {
    if (!existsSync(this.overridesPath)) return;
    try {
      const parsed = JSON.parse(readFileSync(this.overridesPath, 'utf8')) as MnpOverride[];
      if (!Array.isArray(parsed)) throw new Error('not a JSON array');
      this.overrides = parsed;
      this.service.setOverrides(this.overrides);
    } catch (e) {
      this.log.error(`cannot read ${this.overridesPath}: ${(e as Error).message}; overrides not applied`);
    }
  }

  private stamp(): string {
    const mtime = (p: string): number => (existsSync(p) ? statSync(p).mtimeMs : 0);
    return `${mtime(this.snapPath)}:${mtime(this.deltaPath)}`;
  }

  /** Loads mnp.snap with mnp-delta.snap applied (`readMnpData`). */
  loadSnapshot(): boolean {
    if (!existsSync(this.snapPath)) return false;
    try {
      const stamp = this.stamp();
      const data = readMnpData(this.dataDir);
      if (!data) return false;
      const index = new MnpIndex(data);
      this.service.setMnp(index);
      this.index = index;
      this.lastStamp = stamp;
      this.log.info(`MNP ${index.meta.version} loaded: ${index.size} ported numbers`);
      return true;
    } catch (e) {
      this.log.error(`cannot load ${this.snapPath}: ${(e as Error).message}`);
      return false;
    }
  }

  watch(intervalMs = 2000): void {
    if (this.watching) return;
    this.watching = true;
    // An increment rewrites only the delta, a full import the base (and removes the delta).
    const onChange = (): void => {
      if (existsSync(this.snapPath) && this.stamp() !== this.lastStamp && this.loadSnapshot()) {
        // An import in another process (`numinfo mnp import`) drops the overrides its data
        // supersedes from the file; follow it, and prune here too in case this ran first.
        this.loadOverrides();
        this.pruneOverrides();
      }
    };
    watchFile(this.snapPath, { interval: intervalMs, persistent: false }, onChange);
    watchFile(this.deltaPath, { interval: intervalMs, persistent: false }, onChange);
  }

  close(): void {
    if (this.watching) {
      unwatchFile(this.snapPath);
      unwatchFile(this.deltaPath);
    }
    this.watching = false;
  }

  /** Imports dumps, drops the overrides the new data supersedes, and swaps the data in. */
  async import(opts: Omit<MnpImportOptions, 'dataDir'>): Promise<MnpImportResult> {
    const result = await importMnp({ ...opts, dataDir: this.dataDir });
    this.loadSnapshot();
    this.loadOverrides();
    this.pruneOverrides();
    return result;
  }

  /** Drops overrides older than the port record the MNP data now holds for their number. */
  pruneOverrides(): number {
    const index = this.index;
    if (!index || this.overrides.length === 0) return 0;
    const kept = this.overrides.filter((o) => {
      const i = index.find(+o.number.slice(0, 3), +o.number.slice(3));
      const portedAt = i < 0 ? null : index.portDateAt(i);
      return !(portedAt !== null && portedAt > o.at.slice(0, 10));
    });
    const dropped = this.overrides.length - kept.length;
    if (dropped > 0) this.saveOverrides(kept);
    return dropped;
  }

  get overrideList(): readonly MnpOverride[] {
    return this.overrides;
  }

  setOverride(number: string, operator: string, mnc: string | null): MnpOverride {
    const national = nationalOf(number);
    if (!national) throw new NuminfoError('NOT_A_NUMBER', `"${number.slice(0, 40)}" is not a Russian number`);
    if (operator.trim() === '') throw new NuminfoError('BAD_REQUEST', 'operator must not be empty');
    if (mnc !== null && !/^\d{2,3}$/.test(mnc))
      throw new NuminfoError('BAD_REQUEST', 'mnc must be 2 or 3 digits');
    const o: MnpOverride = { number: national, operator: operator.trim(), mnc, at: new Date().toISOString() };
    this.saveOverrides([...this.overrides.filter((x) => x.number !== national), o]);
    return o;
  }

  /** Removes an override; false when there was none. */
  deleteOverride(number: string): boolean {
    const national = nationalOf(number);
    if (!national) throw new NuminfoError('NOT_A_NUMBER', `"${number.slice(0, 40)}" is not a Russian number`);
    const kept = this.overrides.filter((x) => x.number !== national);
    if (kept.length === this.overrides.length) return false;
    this.saveOverrides(kept);
    return true;
  }

  private saveOverrides(list: MnpOverride[]): void {
    mkdirSync(this.dataDir, { recursive: true });
    writeFileAtomic(this.overridesPath, Buffer.from(JSON.stringify(list, null, 1) + '\n'));
    this.overrides = list;
    this.service.setOverrides(list);
  }
}
