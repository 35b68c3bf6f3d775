import { existsSync } from 'node:fs';
import { snapshotPath } from '../data/registryUpdate.js';
import { readSnapshotFile } from '../data/snapshot.js';
import { NuminfoError } from '../errors.js';
import { configFrom } from './common.js';
import type { CliValues } from './main.js';

export async function runInfo(values: CliValues): Promise<number> {
  const config = configFrom(values);
  const path = snapshotPath(config.dataDir);
  if (!existsSync(path)) {
    throw new NuminfoError(
      'REGISTRY_NOT_LOADED',
      `no snapshot at ${path}; run \`numinfo update\` to create it`,
    );
  }
  const meta = readSnapshotFile(path).meta;
  if (values.json) {
    process.stdout.write(JSON.stringify({ snapshot: path, ...meta }, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `snapshot:   ${path}`,
    `version:    ${meta.version}`,
    `data date:  ${meta.dataDate}`,
    `built at:   ${meta.builtAt}`,
    `ranges:     ${meta.rows} (ABC-3xx ${meta.groups['3']}, ABC-4xx ${meta.groups['4']}, ABC-8xx ${meta.groups['8']}, DEF-9xx ${meta.groups['9']})`,
    `operators:  ${meta.operators}`,
    `territories: ${meta.territories}`,
    `sources:`,
    ...meta.sources.map(
      (s) => `  ${s.file}: ${s.layout}, ${s.encoding}, ${s.rows} rows, ${s.rejected} rejected`,
    ),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
