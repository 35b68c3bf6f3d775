import type { LookupResult } from '../core/types.js';
import { ERRORS, NuminfoError, type ErrorCode } from '../errors.js';
import { configFrom } from './common.js';
import { loadService } from './loadService.js';
import type { CliValues } from './main.js';
import { renderTable, type Column } from './table.js';

const COLUMNS: readonly Column<LookupResult>[] = [
  ['INPUT', (r) => r.input],
  ['E164', (r) => r.e164 ?? ''],
  ['COUNTRY', (r) => (r.country ? `${r.country.flag} ${r.country.iso}` : '')],
  ['TYPE', (r) => (r.error ? `${r.type} (${r.error})` : r.type)],
  ['OPERATOR', (r) => r.operator?.name ?? r.carrier ?? ''],
  [
    'PORTED FROM',
    (r) =>
      r.ported && r.range_operator ? `${r.range_operator.name}${r.ported_at ? ` (${r.ported_at})` : ''}` : '',
  ],
  ['REGION', (r) => r.location ?? r.region?.name ?? ''],
  ['TIME ZONE', (r) => (r.timezone ? `${r.timezone.utc} ${r.timezone.iana}` : '')],
];

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
  const service = await loadService(configFrom(values));
  const results = await Promise.all(numbers.map((n) => service.lookupDetailed(n)));
  process.stdout.write(
    values.json
      ? JSON.stringify(results, null, 2) + '\n'
      : renderTable(
          // The porting column only when some number was ported.
          results.some((r) => r.ported) ? COLUMNS : COLUMNS.filter(([t]) => t !== 'PORTED FROM'),
          results,
        ),
  );
  return exitCodeOf(results);
}
