import { existsSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { RegistryIndex } from '../data/registryIndex.js';
import { snapshotPath, updateRegistry, type UpdateResult } from '../data/registryUpdate.js';
import { readSnapshotFile } from '../data/snapshot.js';
import type { NumberService } from './numberService.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const SILENT_LOGGER: Logger = { info() {}, warn() {}, error() {} };

/**
 * Keeps a NumberService's registry in step with the snapshot on disk: loads it at start, reloads it
 * when another process (`numinfo update`) replaces the file, and runs the first-start download.
 */
export class RegistryManager {
  private readonly path: string;
  private lastMtime = 0;
  private watching = false;

  constructor(
    private readonly service: NumberService,
    private readonly dataDir: string,
    private readonly log: Logger = SILENT_LOGGER,
  ) {
    this.path = snapshotPath(dataDir);
  }

  get snapshotPath(): string {
    return this.path;
  }

  /** Loads the snapshot if there is one. Returns false when there is none or it is unusable. */
  loadSnapshot(): boolean {
    if (!existsSync(this.path)) return false;
    try {
      const started = performance.now();
      const mtime = statSync(this.path).mtimeMs;
      const index = new RegistryIndex(readSnapshotFile(this.path));
      this.service.setRegistry(index);
      this.lastMtime = mtime;
      this.log.info(
        `registry ${index.meta.version} loaded: ${index.meta.rows} ranges, ${index.meta.operators} operators ` +
          `(${Math.round(performance.now() - started)} ms)`,
      );
      return true;
    } catch (e) {
      this.log.error(`cannot load ${this.path}: ${(e as Error).message}`);
      return false;
    }
  }

  /** Downloads, validates and installs new data, then swaps it in. */
  async update(source: string): Promise<UpdateResult> {
    const result = await updateRegistry({ source, dataDir: this.dataDir });
    this.loadSnapshot();
    return result;
  }

  /** Reload when the snapshot file changes; polling survives the atomic rename that replaces it. */
  watch(intervalMs = 2000): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.path, { interval: intervalMs, persistent: false }, (cur) => {
      if (cur.mtimeMs > 0 && cur.mtimeMs !== this.lastMtime) this.loadSnapshot();
    });
  }

  close(): void {
    if (this.watching) unwatchFile(this.path);
    this.watching = false;
  }
}
