import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NuminfoError } from '../../errors.js';
import { forEachLine, textSources, type TextSource } from './lines.js';
import { MnpBuilder, type CompiledMnp, type MnpMeta } from './mnpBuild.js';
import { classify, fileReader, type MnpFileKind, type MnpFileReport } from './mnpParse.js';
import { readMnpFile, writeMnpFile } from './mnpSnapshot.js';

export const MNP_FILE = 'mnp.snap';

export function mnpPath(dataDir: string): string {
  return join(dataDir, MNP_FILE);
}

export interface MnpImportOptions {
  readonly files: readonly string[];
  readonly dataDir: string;
  /** Accept a full list much smaller than the current one. */
  readonly force?: boolean;
  readonly maxRejectShare?: number;
  readonly minShare?: number;
  readonly onFile?: (report: MnpFileReport) => void;
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

/**
 * The current data, or null when there is none. A damaged snapshot counts as none when a full list
 * replaces it; increments alone cannot apply to it (the result would hold only their own numbers).
 */
function readPrevious(path: string, replaced: boolean): CompiledMnp | null {
  if (!existsSync(path)) return null;
  try {
    return readMnpFile(path);
  } catch (e) {
    if (replaced) return null;
    throw new NuminfoError(
      'UPDATE_REJECTED',
      `MNP import rejected: increments apply to the current data, and ${path} cannot be read ` +
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
 * The result replaces the MNP snapshot atomically, and only when every file passed validation.
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
    const replaced = classified.some((c) => c.kind === 'full' || c.kind === 'simple');
    const previous = readPrevious(path, replaced);
    const builder = new MnpBuilder();
    if (previous) {
      // A full list replaces the numbers but keeps the operator directory; increments are merged
      // onto the current data, which needs its operator entries under the same ids.
      if (replaced) for (const d of previous.directory) builder.directory.set(d.code, d);
      else builder.seedOperators(previous);
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
    const buildMeta = {
      builtAt: new Date().toISOString(),
      sources: reports.map((r) => ({ file: r.file, kind: r.kind, rows: r.rows, rejected: r.rejectedCount })),
    };
    const compiled =
      previous && !replaced ? builder.mergeOnto(previous, buildMeta) : builder.build(buildMeta);
    const problems = validateMnp(reports, compiled.meta, previous?.meta ?? null, replaced, opts);
    if (problems.length > 0) {
      throw new NuminfoError(
        'UPDATE_REJECTED',
        `MNP import rejected, current data kept:\n  - ${problems.join('\n  - ')}`,
      );
    }
    mkdirSync(opts.dataDir, { recursive: true });
    writeMnpFile(path, compiled);
    return { path, meta: compiled.meta, previous: previous?.meta ?? null, reports };
  } finally {
    for (const o of opened) o.close();
  }
}
