import type { LookupResult } from '../core/types.js';
import type { RegistryIndex } from '../data/registryIndex.js';
import { clean, cleanDetailed, type CleanOptions, type CleanResult } from './clean.js';
import { InternationalDetailsCache } from './international.js';
import { lookup, lookupDetailed } from './lookup.js';

export interface RegistryStatus {
  readonly loaded: boolean;
  readonly version: string | null;
  readonly date: string | null;
  readonly rows: number;
  readonly groups: Readonly<Record<string, number>> | null;
  readonly operators: number;
  readonly loadedAt: string | null;
}

/**
 * Binds the current registry to the lookup functions. `setRegistry` swaps data atomically: a
 * lookup already running keeps the index it started with, the next one sees the new one.
 */
export class NumberService {
  private current: RegistryIndex | null;
  private loadedAt: Date | null;
  private readonly details = new InternationalDetailsCache();

  constructor(registry: RegistryIndex | null = null) {
    this.current = registry;
    this.loadedAt = registry ? new Date() : null;
  }

  get registry(): RegistryIndex | null {
    return this.current;
  }

  setRegistry(registry: RegistryIndex): void {
    this.current = registry;
    this.loadedAt = new Date();
  }

  lookup(input: string): LookupResult {
    return lookup(this.current, input);
  }

  lookupDetailed(input: string): Promise<LookupResult> {
    return lookupDetailed(this.current, this.details, input);
  }

  clean(source: string, opts?: CleanOptions): CleanResult {
    return clean(this.current, source, opts);
  }

  cleanDetailed(source: string, opts?: CleanOptions): Promise<CleanResult> {
    return cleanDetailed(this.current, this.details, source, opts);
  }

  status(): RegistryStatus {
    const r = this.current;
    return {
      loaded: r !== null,
      version: r?.meta.version ?? null,
      date: r?.meta.dataDate ?? null,
      rows: r?.meta.rows ?? 0,
      groups: r?.meta.groups ?? null,
      operators: r?.meta.operators ?? 0,
      loadedAt: this.loadedAt?.toISOString() ?? null,
    };
  }
}
