import type { LookupResult } from '../core/types.js';
import type { MnpIndex } from '../data/mnp/mnpIndex.js';
import type { RegistryIndex } from '../data/registryIndex.js';
import { clean, cleanDetailed, type CleanOptions, type CleanResult } from './clean.js';
import { InternationalDetailsCache } from './international.js';
import { lookup, lookupDetailed } from './lookup.js';
import { MnpData, type MnpOverride } from './mnpData.js';

export interface RegistryStatus {
  readonly loaded: boolean;
  readonly version: string | null;
  readonly date: string | null;
  readonly rows: number;
  readonly groups: Readonly<Record<string, number>> | null;
  readonly operators: number;
  readonly loadedAt: string | null;
}

export interface MnpStatus {
  readonly loaded: boolean;
  readonly version: string | null;
  readonly date: string | null;
  readonly numbers: number;
  readonly overrides: number;
}

/**
 * Binds the current registry and MNP data to the lookup functions. The setters swap data
 * atomically: a lookup already running keeps the data it started with, the next one sees the new.
 */
export class NumberService {
  private current: RegistryIndex | null;
  private loadedAt: Date | null;
  private mnpIndex: MnpIndex | null = null;
  private overrides: readonly MnpOverride[] = [];
  private mnp: MnpData | null = null;
  private readonly details = new InternationalDetailsCache();

  constructor(registry: RegistryIndex | null = null) {
    this.current = registry;
    this.loadedAt = registry ? new Date() : null;
  }

  get registry(): RegistryIndex | null {
    return this.current;
  }

  get mnpData(): MnpData | null {
    return this.mnp;
  }

  get mnpOverrides(): readonly MnpOverride[] {
    return this.overrides;
  }

  setRegistry(registry: RegistryIndex): void {
    this.current = registry;
    this.loadedAt = new Date();
    this.rebindMnp();
  }

  setMnp(index: MnpIndex | null): void {
    this.mnpIndex = index;
    this.rebindMnp();
  }

  setOverrides(overrides: readonly MnpOverride[]): void {
    this.overrides = overrides;
    this.rebindMnp();
  }

  /** MNP operators resolve to registry names, so either change rebuilds the binding. */
  private rebindMnp(): void {
    this.mnp =
      this.mnpIndex === null && this.overrides.length === 0
        ? null
        : new MnpData(this.mnpIndex, this.current, this.overrides);
  }

  lookup(input: string): LookupResult {
    return lookup(this.current, input, this.mnp);
  }

  lookupDetailed(input: string): Promise<LookupResult> {
    return lookupDetailed(this.current, this.details, input, this.mnp);
  }

  clean(source: string, opts?: CleanOptions): CleanResult {
    return clean(this.current, source, { ...opts, mnp: this.mnp });
  }

  cleanDetailed(source: string, opts?: CleanOptions): Promise<CleanResult> {
    return cleanDetailed(this.current, this.details, source, { ...opts, mnp: this.mnp });
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

  mnpStatus(): MnpStatus {
    const m = this.mnpIndex;
    return {
      loaded: m !== null,
      version: m?.meta.version ?? null,
      date: m?.meta.dataDate ?? null,
      numbers: m?.size ?? 0,
      overrides: this.overrides.length,
    };
  }
}
