#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isNuminfoError } from '../errors.js';
import { runBlacklist } from './blacklist.js';
import { runCheck } from './check.js';
import { runClean } from './clean.js';
import { runInfo } from './info.js';
import { runKeys } from './keys.js';
import { runLookup } from './lookup.js';
import { runMnp } from './mnp.js';
import { runReputation } from './reputation.js';
import { runServe } from './serve.js';
import { runUpdate } from './update.js';

const USAGE = `numinfo — phone-number intelligence over the Russian numbering plan

Usage:
  numinfo serve  [--port N] [--host H] [--data-dir DIR] [--source URL|DIR] [--no-auto-update] [--config FILE]
                 [--agi]   (also a FastAGI server: NUMINFO_AGI_PORT, default 4573; NUMINFO_AGI_HOST)
  numinfo update [--source URL|DIR] [--data-dir DIR] [--force] [--quiet]
  numinfo lookup NUMBER... [--json] [--data-dir DIR]
  numinfo clean  STRING... [--hint REGION] [--json] [--data-dir DIR]   (no STRING: one per line from stdin)
  numinfo info   [--json] [--data-dir DIR]
  numinfo mnp    import FILE... | info | generate --out DIR   (ported numbers; numinfo mnp --help)
  numinfo keys   create --name NAME [--role admin|client] [--quota N] [--period none|day|month]
                 | list | revoke ID | quota ID N|unlimited   (API keys; numinfo keys --help)
  numinfo reputation NUMBER... [--json]   (trust index, reports, tags; numinfo reputation --help)
  numinfo check  NUMBER... [--lists a,b] [--owner KEYID] [--json]   (allow or block; numinfo check --help)
  numinfo blacklist import LIST FILE | export LIST [FILE] | add LIST NUMBER... [--comment TEXT]
                 | remove LIST NUMBER | list   [--owner KEYID]   (numinfo blacklist --help)

Environment: NUMINFO_PORT, NUMINFO_HOST, NUMINFO_DATA_DIR, NUMINFO_REGISTRY_SOURCE,
NUMINFO_AUTO_UPDATE, NUMINFO_LOG_LEVEL, NUMINFO_BATCH_LIMIT, NUMINFO_CONFIG (JSON file),
NUMINFO_STORE, NUMINFO_TRUST_THRESHOLD, NUMINFO_BLOCK_UNWANTED.
`;

export const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  source: { type: 'string' },
  config: { type: 'string' },
  'no-auto-update': { type: 'boolean' },
  agi: { type: 'boolean' },
  force: { type: 'boolean' },
  quiet: { type: 'boolean' },
  json: { type: 'boolean' },
  hint: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliValues = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

async function main(argv: string[]): Promise<number> {
  // These commands have subcommands or options of their own.
  if (argv[0] === 'mnp') return runMnp(argv.slice(1));
  if (argv[0] === 'keys') return runKeys(argv.slice(1));
  if (argv[0] === 'reputation') return runReputation(argv.slice(1));
  if (argv[0] === 'check') return runCheck(argv.slice(1));
  if (argv[0] === 'blacklist') return runBlacklist(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`numinfo: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  const values = parsed.values;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  switch (command) {
    case 'serve':
      return runServe(values);
    case 'update':
      return runUpdate(values);
    case 'lookup':
      return runLookup(values, rest);
    case 'clean':
      return runClean(values, rest);
    case 'info':
      return runInfo(values);
    default:
      process.stderr.write(`numinfo: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
  },
  (e: unknown) => {
    if (isNuminfoError(e)) {
      process.stderr.write(`numinfo: ${e.message}\n`);
      process.exitCode = e.exitCode;
    } else {
      process.stderr.write(`numinfo: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
