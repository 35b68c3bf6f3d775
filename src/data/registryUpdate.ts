import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NuminfoError } from '../errors.js';
import type { SnapshotMeta } from './registryBuild.js';
import type { FileReport } from './registryCsv.js';
import { importRegistry } from './registryImport.js';
import { fetchRegistryFiles, type FetchOptions } from './registrySource.js';
import { readSnapshotFile, writeSnapshotFile } from './snapshot.js';

export const SNAPSHOT_FILE = 'registry.snap';

export function snapshotPath(dataDir: string): string {
  return join(dataDir, SNAPSHOT_FILE);
}

export interface UpdateOptions extends FetchOptions {
  readonly source: string;
  readonly dataDir: string;
  /** Replace the current data even if the new set is much smaller (an intentional shrink). */
  readonly force?: boolean;
  /** A new set must keep at least this share of the current rows, in total and per code group. */
  readonly minShare?: number;
  /** Largest share of rejected rows a file may have. */
  readonly maxRejectShare?: number;
}

export interface UpdateResult {
  readonly path: string;
  readonly meta: SnapshotMeta;
  readonly previous: SnapshotMeta | null;
  readonly reports: readonly FileReport[];
}

const GROUP_NAMES: Readonly<Record<string, string>> = {
  '3': 'ABC-3xx',
  '4': 'ABC-4xx',
  '8': 'ABC-8xx',
  '9': 'DEF-9xx',
};

/** Every reason the new data must not replace the current one; empty when it may. */
export function validateUpdate(
  meta: SnapshotMeta,
  reports: readonly FileReport[],
  previous: SnapshotMeta | null,
  opts: Pick<UpdateOptions, 'force' | 'minShare' | 'maxRejectShare'> = {},
): string[] {
  const problems: string[] = [];
  const maxReject = opts.maxRejectShare ?? 0.05;
  for (const r of reports) {
    const seen = r.accepted + r.rejectedCount;
    if (r.accepted === 0) {
      problems.push(`${r.file}: no valid rows (empty, truncated or not a registry file)`);
    } else if (r.rejectedCount / seen > maxReject) {
      problems.push(`${r.file}: ${r.rejectedCount} of ${seen} rows rejected, more than ${maxReject * 100}%`);
    }
  }
  if (meta.rows === 0) problems.push('no valid rows in any file');
  if (previous && !opts.force) {
    const share = opts.minShare ?? 0.5;
    if (meta.rows < previous.rows * share) {
      problems.push(
        `only ${meta.rows} rows against ${previous.rows} in the current data (below ${share * 100}%); ` +
          'use --force if the shrink is intended',
      );
    }
    for (const [g, name] of Object.entries(GROUP_NAMES)) {
      const before = previous.groups[g as keyof SnapshotMeta['groups']] ?? 0;
      const after = meta.groups[g as keyof SnapshotMeta['groups']] ?? 0;
      if (before > 0 && after < before * share) {
        problems.push(
          `${name}: ${after} rows against ${before} in the current data; use --force if intended`,
        );
      }
    }
  }
  return problems;
}

function readPrevious(path: string): SnapshotMeta | null {
  if (!existsSync(path)) return null;
  try {
    return readSnapshotFile(path).meta;
  } catch {
    // A damaged current snapshot is no reason to refuse good new data.
    return null;
  }
}

/**
 * Fetches, validates and compiles new registry data, and only then replaces the snapshot, with an
 * atomic rename: a failed update leaves the old snapshot untouched.
 */
export async function updateRegistry(opts: UpdateOptions): Promise<UpdateResult> {
  const files = await fetchRegistryFiles(opts.source, opts);
  const { registry, reports } = importRegistry(files);
  const path = snapshotPath(opts.dataDir);
  const previous = readPrevious(path);
  const problems = validateUpdate(registry.meta, reports, previous, opts);
  if (problems.length > 0) {
    throw new NuminfoError(
      'UPDATE_REJECTED',
      `update rejected, current data kept:\n  - ${problems.join('\n  - ')}`,
    );
  }
  mkdirSync(opts.dataDir, { recursive: true });
  writeSnapshotFile(path, registry);
  return { path, meta: registry.meta, previous, reports };
}
