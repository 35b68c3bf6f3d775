import { createInterface } from 'node:readline';
import { MAX_CLEAN_INPUT } from '../core/recognize.js';
import { cleanView, tooLongView, type CleanView } from '../services/cleanView.js';
import { configFrom } from './common.js';
import { loadService } from './loadService.js';
import type { CliValues } from './main.js';
import { renderTable, type Column } from './table.js';

const COLUMNS: readonly Column<CleanView>[] = [
  ['SOURCE', (r) => (r.source.length > 40 ? r.source.slice(0, 39) + '…' : r.source)],
  ['QC', (r) => String(r.qc)],
  ['PHONE', (r) => r.phone ?? ''],
  ['TYPE', (r) => r.kind ?? ''],
  ['OPERATOR', (r) => r.operator?.name ?? r.carrier ?? ''],
  ['REGION', (r) => r.location ?? r.region?.name ?? ''],
  ['TIME ZONE', (r) => r.timezone?.utc ?? ''],
  [
    'NOTE',
    (r) =>
      r.numbers.length > 1
        ? `${r.numbers.length} numbers`
        : r.restored_zone
          ? `zone restored, ${r.variants.length} variants`
          : '',
  ],
];

async function readStdinLines(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) lines.push(line);
  return lines;
}

/**
 * `numinfo clean STRING...` (or one string per line on stdin): recognize and standardize messy
 * phone strings. Exit code 0 when every string held a number recognized with confidence (qc 0 or
 * 7), 3 otherwise.
 */
export async function runClean(values: CliValues, args: readonly string[]): Promise<number> {
  const inputs = args.length > 0 ? [...args] : await readStdinLines();
  const service = await loadService(configFrom(values));
  const hint = values.hint;
  const views: CleanView[] = [];
  for (const s of inputs) {
    views.push(
      s.length > MAX_CLEAN_INPUT ? tooLongView(s) : cleanView(await service.cleanDetailed(s, { hint })),
    );
  }
  process.stdout.write(values.json ? JSON.stringify(views, null, 2) + '\n' : renderTable(COLUMNS, views));
  return views.every((v) => v.qc === 0 || v.qc === 7) ? 0 : 3;
}
