import { existsSync } from 'node:fs';
import type { LookupResult } from '../core/types.js';
import { RegistryIndex } from '../data/registryIndex.js';
import { snapshotPath } from '../data/registryUpdate.js';
import { readSnapshotFile } from '../data/snapshot.js';
import { ERRORS, NuminfoError, type ErrorCode } from '../errors.js';
import { NumberService } from '../services/numberService.js';
import { configFrom } from './common.js';
import type { CliValues } from './main.js';

const COLUMNS: readonly [title: string, get: (r: LookupResult) => string][] = [
  ['INPUT', (r) => r.input],
  ['E164', (r) => r.e164 ?? ''],
  ['COUNTRY', (r) => (r.country ? `${r.country.flag} ${r.country.iso}` : '')],
  ['TYPE', (r) => (r.error ? `${r.type} (${r.error})` : r.type)],
  ['OPERATOR', (r) => r.operator?.name ?? r.carrier ?? ''],
  ['REGION', (r) => r.location ?? r.region?.name ?? ''],
  ['TIME ZONE', (r) => (r.timezone ? `${r.timezone.utc} ${r.timezone.iana}` : '')],
];

function table(results: readonly LookupResult[]): string {
  const cells = results.map((r) => COLUMNS.map(([, get]) => get(r)));
  const widths = COLUMNS.map(([title], i) =>
    Math.max(title.length, ...cells.map((row) => [...(row[i] ?? '')].length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...c].length)))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS.map(([t]) => t)), ...cells.map(line)].join('\n') + '\n';
}

/** Exit code for a set of answers: 0 all found, 2 some input was not a number, 3 some number unknown. */
function exitCodeOf(results: readonly LookupResult[]): number {
  let code = 0;
  for (const r of results) {
    if (r.error === null) continue;
    const spec = ERRORS[r.error as ErrorCode];
    code = Math.max(code, spec ? spec.exitCode : 1);
  }
  return code;
}

export async function runLookup(values: CliValues, numbers: readonly string[]): Promise<number> {
  if (numbers.length === 0)
    throw new NuminfoError('MISSING_PARAMETER', 'give at least one number: numinfo lookup NUMBER...');
  const config = configFrom(values);
  const path = snapshotPath(config.dataDir);
  const service = new NumberService();
  if (existsSync(path)) {
    service.setRegistry(new RegistryIndex(readSnapshotFile(path)));
  } else {
    process.stderr.write(
      `numinfo: no registry snapshot at ${path}; Russian numbers cannot be resolved (run \`numinfo update\`)\n`,
    );
  }
  const results = await Promise.all(numbers.map((n) => service.lookupDetailed(n)));
  process.stdout.write(values.json ? JSON.stringify(results, null, 2) + '\n' : table(results));
  return exitCodeOf(results);
}
