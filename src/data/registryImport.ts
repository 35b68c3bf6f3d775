import { compileRegistry, type CompiledRegistry } from './registryBuild.js';
import { parseRegistryCsv, type FileReport, type RegistryRow } from './registryCsv.js';

export interface SourceFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Modification date of the file as its source states it (HTTP Last-Modified, file mtime). */
  readonly modified: Date | null;
}

export interface ImportResult {
  readonly registry: CompiledRegistry;
  readonly reports: readonly FileReport[];
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Parses every file (each detected on its own bytes) and compiles them into one registry. */
export function importRegistry(files: readonly SourceFile[]): ImportResult {
  const rows: RegistryRow[] = [];
  const reports: FileReport[] = [];
  let newest: Date | null = null;
  for (const f of files) {
    const parsed = parseRegistryCsv(f.bytes, f.name);
    for (const r of parsed.rows) rows.push(r);
    reports.push(parsed.report);
    if (f.modified && (!newest || f.modified > newest)) newest = f.modified;
  }
  const registry = compileRegistry(rows, reports, isoDate(newest ?? new Date()));
  return { registry, reports };
}
