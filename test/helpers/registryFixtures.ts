import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceFile } from '../../src/data/registryImport.js';

/** Root of the repository (the folder holding package.json). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The hand-written registry sets in test/fixtures/registry/ (see the README there). */
export type FixtureSet =
  'current' | 'legacy-6col' | 'legacy-6col-noheader' | 'legacy-cp1251-crlf' | 'seven-col';

export function fixtureDir(set: FixtureSet): string {
  return path.join(repoRoot, 'test', 'fixtures', 'registry', set);
}

/** Every `.csv` in a folder, sorted by name, as the importer takes them (no modification date). */
export function readSourceFolder(dir: string, modified: Date | null = null): SourceFile[] {
  return readdirSync(dir)
    .filter((name) => name.toLowerCase().endsWith('.csv'))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(path.join(dir, name)), modified }));
}

export function readFixtureSet(set: FixtureSet, modified: Date | null = null): SourceFile[] {
  return readSourceFolder(fixtureDir(set), modified);
}

export function readFixtureFile(set: FixtureSet, name: string): Buffer {
  return readFileSync(path.join(fixtureDir(set), name));
}
