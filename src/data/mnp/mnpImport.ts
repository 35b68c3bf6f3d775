import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { NuminfoError } from '../../errors.js';
import { forEachLine, textSources, type TextSource } from './lines.js';
import {
  applyDelta,
  countMerged,
  MnpBuilder,
  mergedMeta,
  type CompiledMnp,
  type MnpMeta,
} from './mnpBuild.js';
import { classify, fileReader, type MnpFileKind, type MnpFileReport } from './mnpParse.js';
import {
  deltaMatches,
  mnpDeltaPath,
  mnpPath,
  readMnpFile,
  readMnpHeader,
  readMnpNumbers,
  writeMnpFile,
  type MnpHeader,
} from './mnpSnapshot.js';

export { MNP_DELTA_FILE, MNP_FILE, mnpDeltaPath, mnpPath } from './mnpSnapshot.js';

/** Delta entries past which an increment compacts the delta into a new base. */
export function defaultCompactAt(baseNumbers: number): number {
  return Math.min(5_000_000, Math.max(100_000, Math.ceil(baseNumbers * 0.1)));
}

export interface MnpImportOptions {
  readonly files: readonly string[];
  readonly dataDir: string;
  /** Accept a full list much smaller than the current one. */
  readonly force?: boolean;
  readonly maxRejectShare?: number;
  readonly minShare?: number;
  readonly onFile?: (report: MnpFileReport) => void;
  /**
   * Delta entries (ports and returns) past which increments are compacted into a new `mnp.snap`
   * instead of written to `mnp-delta.snap`; default `defaultCompactAt(base numbers)`: 10% of the
   * base, at least 100,000 and at most 5,000,000.
   */
  readonly compactAt?: number;
}

export interface MnpImportResult {
  readonly path: string;
  readonly meta: MnpMeta;
  readonly previous: MnpMeta | null;
  readonly reports: readonly MnpFileReport[];
}

interface Classified {
  readonly source: TextSource;
  readonly kind: MnpFileKind;
  readonly header: boolean;
}

const ORDER: Readonly<Record<MnpFileKind, number>> = {
  operators: 0,
  full: 1,
  simple: 1,
  increment: 2,
  return: 2,
};

/**
 * The timestamp in a dump's name (`Return_Increment_202401160300.csv` → `202401160300`), '' if none.
 * Increments and returns apply in this order: by name alone, every Port_Increment would sort before
 * every Return_Increment, and an older return would undo a newer port of the same number.
 */
function nameStamp(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  return /(?:^|\D)(\d{12})/.exec(base)?.[1] ?? '';
}

async function firstLine(source: TextSource): Promise<string> {
  const stream = await source.open();
  let first = '';
  try {
    await forEachLine(stream, (line) => {
      if (line.trim() === '') return;
      first = line;
      throw STOP;
    });
  } catch (e) {
    if (e !== STOP) throw e;
  } finally {
    stream.destroy();
  }
  return first;
}
const STOP = Symbol('stop');

/**
 * An error met while reading an input file: a damaged zip or deflate stream fails validation
 * (UPDATE_REJECTED), an I/O error is SOURCE_UNAVAILABLE; the current data stays either way.
 */
function unreadable(name: string, e: unknown): unknown {
  if (e instanceof NuminfoError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof (e as NodeJS.ErrnoException | null)?.syscall === 'string') {
    return new NuminfoError('SOURCE_UNAVAILABLE', `cannot read ${name}: ${message}`, { cause: e });
  }
  return new NuminfoError(
    'UPDATE_REJECTED',
    `MNP import rejected, current data kept: ${name} is damaged (${message})`,
    { cause: e },
  );
}

interface Current {
  /** META/OPER/DIRC of mnp.snap (number arrays not read, checksum not verified). */
  readonly base: MnpHeader;
  /** The delta that applies to this base, fully read and checksummed; null if none. */
  readonly delta: CompiledMnp | null;
  /** The merged meta readers see. */
  readonly meta: MnpMeta;
}

function currentOf(dataDir: string): Current | null {
  const path = mnpPath(dataDir);
  if (!existsSync(path)) return null;
  const base = readMnpHeader(path);
  const deltaPath = mnpDeltaPath(dataDir);
  let delta: CompiledMnp | null = existsSync(deltaPath) ? readMnpFile(deltaPath) : null;
  if (delta && !deltaMatches(base, delta)) delta = null;
  const meta = delta ? mergedMeta(base.meta, delta.meta, delta.meta.total ?? base.meta.numbers) : base.meta;
  return { base, delta, meta };
}

/**
 * The current data (base header and its delta), or null when there is none. Damaged data counts
 * as none when a full list replaces it; increments alone cannot apply to it (the result would hold
 * only their own numbers). Only the base's header is read here: its checksum is verified by every
 * full load (the server, `mnp info`, compaction).
 */
function readPrevious(dataDir: string, replaced: boolean): Current | null {
  try {
    return currentOf(dataDir);
  } catch (e) {
    if (replaced) return null;
    throw new NuminfoError(
      'UPDATE_REJECTED',
      `MNP import rejected: increments apply to the current data, and ${mnpPath(dataDir)} cannot be read ` +
        `(${e instanceof Error ? e.message : String(e)}); import a full list`,
      { cause: e },
    );
  }
}

/** Every reason the result must not replace the current data; empty when it may. */
export function validateMnp(
  reports: readonly MnpFileReport[],
  meta: MnpMeta,
  previous: MnpMeta | null,
  replaced: boolean,
  opts: Pick<MnpImportOptions, 'force' | 'maxRejectShare' | 'minShare'>,
): string[] {
  const problems: string[] = [];
  const maxReject = opts.maxRejectShare ?? 0.05;
  for (const r of reports) {
    const seen = r.rows + r.rejectedCount;
    if (seen === 0) problems.push(`${r.file}: no data rows (empty or truncated)`);
    else if (r.rejectedCount / seen > maxReject) {
      problems.push(`${r.file}: ${r.rejectedCount} of ${seen} rows rejected, more than ${maxReject * 100}%`);
    }
    if (r.declaredRows !== null && r.declaredRows !== seen) {
      problems.push(
        `${r.file}: RowCount says ${r.declaredRows} rows, the file has ${seen} (truncated or damaged)`,
      );
    }
  }
  const share = opts.minShare ?? 0.5;
  if (replaced && previous && !opts.force && meta.numbers < previous.numbers * share) {
    problems.push(
      `the new full list has ${meta.numbers} ported numbers against ${previous.numbers} now ` +
        `(below ${share * 100}%); use --force if that is intended`,
    );
  }
  return problems;
}

/**
 * Imports ported-number files (plain or zipped, any mix of layouts, detected from their header
 * rows): operator directories first, then a full list (which replaces the current data), then
 * increments and returns in the order of the timestamps their names carry (then by name, so a
 * day's Port_Increment comes before its Return_Increment). Without a full
 * list the increments apply on top of the current data, so applying one twice changes nothing.
 * The result is written atomically, and only when every file passed validation: a full list
 * writes a new `mnp.snap` and removes `mnp-delta.snap`; increments alone are merged onto the delta
 * of the current base and rewrite only `mnp-delta.snap` (past `compactAt` entries, base + delta
 * become the new `mnp.snap`). `meta` is the merged data's, as `readMnpData` gives it.
 */
export async function importMnp(opts: MnpImportOptions): Promise<MnpImportResult> {
  if (opts.files.length === 0) throw new NuminfoError('MISSING_PARAMETER', 'no MNP files given');
  const opened = [];
  const classified: Classified[] = [];
  try {
    for (const f of opts.files) {
      if (!existsSync(f)) throw new NuminfoError('SOURCE_UNAVAILABLE', `cannot read ${f}: no such file`);
      const o = await textSources(f).catch((e: unknown) => {
        throw unreadable(f, e);
      });
      opened.push(o);
      for (const source of o.sources) {
        const kind = classify(
          await firstLine(source).catch((e: unknown) => {
            throw unreadable(source.name, e);
          }),
        );
        if (!kind) {
          throw new NuminfoError(
            'UPDATE_REJECTED',
            `${source.name}: not a known MNP layout (Port_All, Port_All_Full, Port_Increment, ` +
              'Return_Increment, Operators, or number;operator)',
          );
        }
        classified.push({ source, ...kind });
      }
    }
    classified.sort(
      (a, b) =>
        ORDER[a.kind] - ORDER[b.kind] ||
        (ORDER[a.kind] === 2 ? nameStamp(a.source.name).localeCompare(nameStamp(b.source.name)) : 0) ||
        a.source.name.localeCompare(b.source.name),
    );

    const path = mnpPath(opts.dataDir);
    const deltaPath = mnpDeltaPath(opts.dataDir);
    const replaced = classified.some((c) => c.kind === 'full' || c.kind === 'simple');
    const previous = readPrevious(opts.dataDir, replaced);
    const builder = new MnpBuilder();
    if (previous) {
      // A full list replaces the numbers but keeps the operator directory. Increments go to the
      // delta: seeded with the base's operator entries under the same ids (the delta's list extends
      // the base's), then with the delta so far, so the new delta holds both.
      const current = previous.delta ?? previous.base;
      if (replaced) for (const d of current.directory) builder.directory.set(d.code, d);
      else {
        builder.seedOperators(previous.base);
        if (previous.delta) builder.seed(previous.delta);
      }
    }
    const reports: MnpFileReport[] = [];
    for (const c of classified) {
      const reader = fileReader(c.source.name, c.kind, c.header, builder);
      try {
        await forEachLine(await c.source.open(), reader.onLine);
      } catch (e) {
        throw unreadable(c.source.name, e);
      }
      const report = reader.finish();
      reports.push(report);
      opts.onFile?.(report);
    }
    const sources = reports.map((r) => ({
      file: r.file,
      kind: r.kind,
      rows: r.rows,
      rejected: r.rejectedCount,
    }));
    const builtAt = new Date().toISOString();
    let write: () => string;
    let meta: MnpMeta;
    if (previous && !replaced) {
      const base = previous.base;
      const delta0 = builder.buildDelta({
        builtAt,
        sources: [...(previous.delta?.meta.sources ?? []), ...sources],
        base: base.meta.version,
      });
      // The merged count, without merging: which delta numbers the base holds.
      const total = countMerged(readMnpNumbers(path), delta0);
      const delta: CompiledMnp = { ...delta0, meta: { ...delta0.meta, total } };
      meta = mergedMeta(base.meta, delta.meta, total);
      const compactAt = opts.compactAt ?? defaultCompactAt(base.meta.numbers);
      write =
        delta.subs.length > compactAt
          ? () => {
              // Compaction: base + delta become the new base (checksummed on the way in).
              const full = readMnpFile(path);
              if (full.meta.version !== base.meta.version) {
                throw new NuminfoError('UPDATE_REJECTED', `${path} changed during the import; run it again`);
              }
              writeMnpFile(path, applyDelta(full, delta));
              rmSync(deltaPath, { force: true });
              return path;
            }
          : () => {
              writeMnpFile(deltaPath, delta);
              return deltaPath;
            };
    } else {
      const compiled = builder.build({ builtAt, sources });
      meta = compiled.meta;
      write = () => {
        writeMnpFile(path, compiled);
        // The old delta's `base` no longer matches; remove it anyway.
        rmSync(deltaPath, { force: true });
        return path;
      };
    }
    const problems = validateMnp(reports, meta, previous?.meta ?? null, replaced, opts);
    if (problems.length > 0) {
      throw new NuminfoError(
        'UPDATE_REJECTED',
        `MNP import rejected, current data kept:\n  - ${problems.join('\n  - ')}`,
      );
    }
    mkdirSync(opts.dataDir, { recursive: true });
    const written = write();
    return { path: written, meta, previous: previous?.meta ?? null, reports };
  } finally {
    for (const o of opened) o.close();
  }
}
