import { existsSync, readFileSync, renameSync, statSync, unwatchFile, watchFile, mkdirSync } from 'node:fs';
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
import type { Store, StoreChange } from '../store/types.js';
import type { MnpOverride } from './mnpData.js';
import type { NumberService } from './numberService.js';
import { SILENT_LOGGER, type Logger } from './registryManager.js';

export const OVERRIDES_FILE = 'mnp-overrides.json';
/** What the overrides file is renamed to once its overrides were copied into the store. */
export const IMPORTED_OVERRIDES_FILE = 'mnp-overrides.json.imported';

export interface MnpManagerOptions {
  /**
   * Where the overrides live. With a store, every instance sharing it applies the same overrides:
   * writes go to the store, its changes (`mnp`, `all`) reload them. Without one, the overrides
   * file in the data directory (library users, tests).
   */
  readonly store?: Store | null;
}

/** 10-digit national number of a Russian number written any usual way; null if it is not one. */
export function nationalOf(text: string): string | null {
  const digits = text.replace(/[\s()+.-]/g, '');
  const n = splitNumber(digits);
  return n ? String(n.code).padStart(3, '0') + String(n.sub).padStart(7, '0') : null;
}

/**
 * Keeps a NumberService's MNP data in step with the data directory: the MNP snapshot (reloaded
 * when `numinfo mnp import` replaces it) and the overrides (`PUT/DELETE /v1/mnp/{number}`), kept
 * in the store when there is one, else in the overrides file.
 *
 * Overrides win over the snapshot until an import brings a port record for the same number dated
 * after the override was set: newer evidence replaces older, whichever way it came.
 *
 * With a store, lookups and `GET /v1/mnp/{number}` answer from the local copy; writes go to the
 * store first and then apply here at once; other instances' writes arrive as store changes and
 * reload the copy (PostgreSQL NOTIFY, or SQLite's data_version watch for another process).
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
  private readonly store: Store | null;
  private unsubscribe: (() => void) | null = null;
  /** The reload from the store under way, if any; `reloadAgain` asks it for one more round. */
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  /** Bumped by every local write, so a reload that read the store before it does not undo it. */
  private writes = 0;

  constructor(
    private readonly service: NumberService,
    private readonly dataDir: string,
    private readonly log: Logger = SILENT_LOGGER,
    opts: MnpManagerOptions = {},
  ) {
    this.snapPath = mnpPath(dataDir);
    this.deltaPath = mnpDeltaPath(dataDir);
    this.overridesPath = join(dataDir, OVERRIDES_FILE);
    this.store = opts.store ?? null;
  }

  /**
   * Loads the MNP snapshot and, without a store, the overrides file. With a store the overrides
   * come from `start()` (or `import()`), which are async.
   */
  load(): void {
    if (!this.store) this.loadOverrides();
    this.loadSnapshot();
  }

  /**
   * `load()`, and with a store: copies a leftover overrides file into an empty store once, loads
   * the overrides from the store and follows its changes. Errors reading the store are logged, not
   * thrown: the server still starts, and the next store change loads the overrides.
   */
  async start(): Promise<void> {
    const store = this.store;
    if (!store) {
      this.load();
      return;
    }
    try {
      await this.migrateFile(store);
    } catch (e) {
      this.log.error(`cannot copy ${this.overridesPath} into the store: ${(e as Error).message}`);
    }
    this.unsubscribe ??= store.onChange((c) => this.onStoreChange(c));
    await this.reloadFromStore();
    this.loadSnapshot();
  }

  /** First start with a store: the overrides of `<dataDir>/mnp-overrides.json` move into it. */
  private async migrateFile(store: Store): Promise<void> {
    if (!existsSync(this.overridesPath)) return;
    if ((await store.listMnpOverrides()).length > 0) {
      this.log.warn(
        `${this.overridesPath} is not used: the store already holds MNP overrides (remove or rename the file)`,
      );
      return;
    }
    const list = this.readOverridesFile();
    for (const o of list) await store.putMnpOverride(o);
    const to = join(this.dataDir, IMPORTED_OVERRIDES_FILE);
    renameSync(this.overridesPath, to);
    this.log.info(
      `MNP overrides: copied ${list.length} from ${this.overridesPath} into the store; file renamed to ${to}`,
    );
  }

  private onStoreChange(c: StoreChange): void {
    if (c.kind !== 'mnp' && c.kind !== 'all') return;
    void this.reloadFromStore();
  }

  /**
   * Replaces the local copy with the store's overrides. Calls while one runs share it and make it
   * read once more, so the last change is never missed; a read that a local write overtook is
   * read again rather than applied.
   */
  private reloadFromStore(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    const run = async (): Promise<void> => {
      do {
        this.reloadAgain = false;
        const writes = this.writes;
        let rows;
        try {
          rows = await store.listMnpOverrides();
        } catch (e) {
          this.log.error(`cannot read the MNP overrides from the store: ${(e as Error).message}`);
          return;
        }
        if (writes !== this.writes) this.reloadAgain = true;
        else this.applyOverrides(rows);
      } while (this.reloadAgain);
    };
    this.reloading = run().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  private applyOverrides(list: MnpOverride[]): void {
    this.overrides = list;
    this.service.setOverrides(list);
  }

  private readOverridesFile(): MnpOverride[] {
    const parsed = JSON.parse(readFileSync(this.overridesPath, 'utf8')) as MnpOverride[];
    if (!Array.isArray(parsed)) throw new Error('not a JSON array');
    return parsed;
  }

  private loadOverrides(): void {
    if (!existsSync(this.overridesPath)) return;
    try {
      this.applyOverrides(this.readOverridesFile());
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
        // supersedes (from the file, or the store); follow it, and prune here too in case this ran first.
        void this.refreshOverrides()
          .then(() => this.pruneOverrides())
          .catch((e: unknown) => this.log.error(`cannot prune the MNP overrides: ${(e as Error).message}`));
      }
    };
    watchFile(this.snapPath, { interval: intervalMs, persistent: false }, onChange);
    watchFile(this.deltaPath, { interval: intervalMs, persistent: false }, onChange);
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
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
    await this.refreshOverrides();
    await this.pruneOverrides();
    return result;
  }

  /** Reads the overrides again from where they live (the store, else the file). */
  private async refreshOverrides(): Promise<void> {
    if (this.store) await this.reloadFromStore();
    else this.loadOverrides();
  }

  /** Drops overrides older than the port record the MNP data now holds for their number. */
  async pruneOverrides(): Promise<number> {
    const index = this.index;
    if (!index || this.overrides.length === 0) return 0;
    const stale = new Set(
      this.overrides
        .filter((o) => {
          const i = index.find(+o.number.slice(0, 3), +o.number.slice(3));
          const portedAt = i < 0 ? null : index.portDateAt(i);
          return portedAt !== null && portedAt > o.at.slice(0, 10);
        })
        .map((o) => o.number),
    );
    if (stale.size === 0) return 0;
    if (!this.store) {
      this.saveOverrides(this.overrides.filter((o) => !stale.has(o.number)));
      return stale.size;
    }
    const dropped = await this.store.deleteMnpOverrides([...stale]);
    this.applyLocal(this.overrides.filter((o) => !stale.has(o.number)));
    return dropped;
  }

  get overrideList(): readonly MnpOverride[] {
    return this.overrides;
  }

  /** Sets (or replaces) a number's override; with a store, resolves once the store has it. */
  async setOverride(number: string, operator: string, mnc: string | null): Promise<MnpOverride> {
    const national = nationalOf(number);
    if (!national) throw new NuminfoError('NOT_A_NUMBER', `"${number.slice(0, 40)}" is not a Russian number`);
    if (operator.trim() === '') throw new NuminfoError('BAD_REQUEST', 'operator must not be empty');
    if (mnc !== null && !/^\d{2,3}$/.test(mnc))
      throw new NuminfoError('BAD_REQUEST', 'mnc must be 2 or 3 digits');
    const o: MnpOverride = { number: national, operator: operator.trim(), mnc, at: new Date().toISOString() };
    const others = (): MnpOverride[] => this.overrides.filter((x) => x.number !== national);
    if (!this.store) {
      this.saveOverrides([...others(), o]);
      return o;
    }
    await this.store.putMnpOverride(o);
    // The copy as it is now: a reload may have replaced it while the write ran.
    this.applyLocal([...others(), o].sort(byNumber));
    return o;
  }

  /** Removes an override; false when there was none (with a store: none in the store). */
  async deleteOverride(number: string): Promise<boolean> {
    const national = nationalOf(number);
    if (!national) throw new NuminfoError('NOT_A_NUMBER', `"${number.slice(0, 40)}" is not a Russian number`);
    const kept = (): MnpOverride[] => this.overrides.filter((x) => x.number !== national);
    if (!this.store) {
      const list = kept();
      if (list.length === this.overrides.length) return false;
      this.saveOverrides(list);
      return true;
    }
    const gone = (await this.store.deleteMnpOverrides([national])) > 0;
    this.applyLocal(kept());
    return gone;
  }

  /** A write this instance made to the store, applied here at once (not waiting for the reload). */
  private applyLocal(list: MnpOverride[]): void {
    this.writes++;
    this.applyOverrides(list);
  }

  private saveOverrides(list: MnpOverride[]): void {
    mkdirSync(this.dataDir, { recursive: true });
    writeFileAtomic(this.overridesPath, Buffer.from(JSON.stringify(list, null, 1) + '\n'));
    this.applyOverrides(list);
  }
}

/** The store lists overrides by number; the local copy keeps the same order. */
function byNumber(a: MnpOverride, b: MnpOverride): number {
  return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
}
