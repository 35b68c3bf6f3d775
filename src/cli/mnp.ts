import { parseArgs } from 'node:util';
import { MNP_GENERATE_OPTIONS, runMnpGenerate } from '../data/mnp/generate.js';
import { deltaMatches, mnpDeltaPath, mnpPath, readMnpData, readMnpHeader } from '../data/mnp/mnpSnapshot.js';
import { existsSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { NuminfoError } from '../errors.js';
import { MnpManager } from '../services/mnpManager.js';
import { NumberService } from '../services/numberService.js';
import { SILENT_LOGGER } from '../services/registryManager.js';
import { storeWithOverrides } from './storedOverrides.js';

export const MNP_USAGE = `numinfo mnp — ported numbers (mobile number portability)

  numinfo mnp import FILE... [--force] [--data-dir DIR] [--store SPEC]
      Full lists (Port_All_…, Port_All_Full_…) replace the data; increments (Port_Increment_…) and
      returns (Return_Increment_…) apply on top of it in order; Operators_… name the operators; a
      simple number;operator CSV replaces the data. Plain or zipped; layouts are read from headers.
      Overrides the new data supersedes are dropped, in the store when it holds them.
  numinfo mnp info [--json] [--data-dir DIR]
  numinfo mnp generate --out DIR [--count N] [--seed N] [--days N] [--ports N] [--returns N]
      [--zip] [--bom] [--crlf] [--full] [--when ISO]      (realistic test dumps of any size)
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  store: { type: 'string' },
  config: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...MNP_GENERATE_OPTIONS,
} as const;

export async function runMnp(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`numinfo mnp: ${(e as Error).message}\n\n${MNP_USAGE}`);
    return 2;
  }
  const [sub, ...files] = parsed.positionals;
  const v = parsed.values;
  if (v.help || sub === undefined) {
    process.stdout.write(MNP_USAGE);
    return sub === undefined && !v.help ? 2 : 0;
  }
  const config = loadConfig(
    { dataDir: v['data-dir'], store: v.store },
    process.env,
    v.config ?? process.env.NUMINFO_CONFIG,
  );
  switch (sub) {
    case 'import': {
      if (files.length === 0)
        throw new NuminfoError('MISSING_PARAMETER', 'give the files: numinfo mnp import FILE...');
      // The overrides the import supersedes are pruned where they live: the store when it holds
      // them (the running server hears of it through the store), else the overrides file.
      const store = await storeWithOverrides(
        config,
        'numinfo mnp',
        'the server drops the overrides the import supersedes when it loads the new data',
      );
      const manager = new MnpManager(new NumberService(), config.dataDir, SILENT_LOGGER, { store });
      manager.load();
      const started = performance.now();
      const result = await manager
        .import({
          files,
          force: v.force ?? false,
          onFile: v.quiet
            ? undefined
            : (r) => {
                process.stderr.write(`  ${r.file}: ${r.kind}, ${r.rows} rows, ${r.rejectedCount} rejected\n`);
                for (const x of r.rejected.slice(0, 10))
                  process.stderr.write(`    line ${x.line}: ${x.reason}\n`);
              },
        })
        .finally(() => store?.close());
      const m = result.meta;
      const was = result.previous ? ` (was ${result.previous.numbers})` : '';
      process.stdout.write(
        `MNP ${m.version}: ${m.numbers} ported numbers${was}, written to ${result.path} ` +
          `in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
      return 0;
    }
    case 'info': {
      const path = mnpPath(config.dataDir);
      if (!existsSync(path)) {
        throw new NuminfoError(
          'REGISTRY_NOT_LOADED',
          `no MNP data at ${path}; run \`numinfo mnp import FILE...\``,
        );
      }
      // The merged data, as the server loads it (both files checksummed).
      const data = readMnpData(config.dataDir)!;
      const meta = data.meta;
      const deltaPath = mnpDeltaPath(config.dataDir);
      const base = readMnpHeader(path).meta;
      const deltaMeta = existsSync(deltaPath) ? readMnpHeader(deltaPath).meta : null;
      const delta = deltaMeta
        ? {
            path: deltaPath,
            applied: deltaMatches({ meta: base }, { meta: deltaMeta }),
            base: deltaMeta.base ?? null,
            entries: deltaMeta.numbers,
            builtAt: deltaMeta.builtAt,
          }
        : null;
      const baseInfo = { version: base.version, builtAt: base.builtAt, numbers: base.numbers };
      if (v.json) {
        const extra = delta ? { base: baseInfo, delta } : {};
        process.stdout.write(JSON.stringify({ path, ...meta, ...extra }, null, 2) + '\n');
      } else {
        process.stdout.write(
          [
            `snapshot:  ${path}`,
            `version:   ${meta.version}`,
            `data date: ${meta.dataDate ?? 'unknown'}`,
            `built at:  ${meta.builtAt}`,
            `numbers:   ${meta.numbers}`,
            ...(delta
              ? [
                  `base:      ${base.version}, ${base.numbers} numbers, built at ${base.builtAt}`,
                  `delta:     ${delta.path}: ${delta.entries} entries, built at ${delta.builtAt}` +
                    (delta.applied ? '' : ` (ignored: made for base ${delta.base ?? 'unknown'})`),
                ]
              : []),
            'sources:',
            ...meta.sources.map((s) => `  ${s.file}: ${s.kind}, ${s.rows} rows, ${s.rejected} rejected`),
          ].join('\n') + '\n',
        );
      }
      return 0;
    }
    case 'generate':
      return runMnpGenerate(v, (line) => process.stdout.write(line + '\n'));
    default:
      process.stderr.write(`numinfo mnp: unknown subcommand "${sub}"\n\n${MNP_USAGE}`);
      return 2;
  }
}
