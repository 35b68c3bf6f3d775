import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { RegistryIndex } from '../data/registryIndex.js';
import { snapshotPath } from '../data/registryUpdate.js';
import { readSnapshotFile } from '../data/snapshot.js';
import { isNuminfoError, NuminfoError } from '../errors.js';
import { openStoreServices, type StoreServices } from '../http/server.js';
import { NumberService } from '../services/numberService.js';
import { normalizeNumber } from '../services/reputation/normalizeNumber.js';
import { GLOBAL_OWNER } from '../store/types.js';

/** Flags every store command takes (`numinfo reputation | check | blacklist`). */
export const STORE_OPTIONS = {
  'data-dir': { type: 'string' },
  store: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;

export const STORE_FLAGS_USAGE =
  '[--data-dir DIR] [--store SPEC] [--config FILE] (NUMINFO_STORE, NUMINFO_DATA_DIR)';

type Parsed<O extends ParseArgsOptions> = ReturnType<
  typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>
>;

/**
 * parseArgs for a store command. A number means "done, exit with it": a bad flag printed its message
 * and the command's usage (2), `--help` printed the usage (0).
 */
export function parseStoreArgs<O extends ParseArgsOptions>(
  argv: readonly string[],
  options: O,
  name: string,
  usage: string,
): number | { values: Parsed<O>['values']; args: string[] } {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`numinfo ${name}: ${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage);
    return 0;
  }
  return { values: parsed.values, args: parsed.positionals };
}

export function storeConfig(v: { 'data-dir'?: string; store?: string; config?: string }): Config {
  return loadConfig(
    { dataDir: v['data-dir'], store: v.store },
    process.env,
    v.config ?? process.env.NUMINFO_CONFIG,
  );
}

/**
 * A NumberService to read number inputs with, over the registry snapshot when there is one. No
 * snapshot is no warning here: inputs normalize without it (normalizeNumber). MNP is not loaded:
 * it changes who serves a number, never its digits, and its file can be hundreds of megabytes.
 */
export function inputService(config: Config): NumberService {
  const service = new NumberService();
  const path = snapshotPath(config.dataDir);
  if (existsSync(path)) service.setRegistry(new RegistryIndex(readSnapshotFile(path)));
  return service;
}

/** Runs `fn` over the store services and closes them whatever happens. */
export async function withStoreServices<T>(config: Config, fn: (s: StoreServices) => Promise<T>): Promise<T> {
  const stores = await openStoreServices(config);
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}

/**
 * Each input normalized, or its error written to stderr. Returns the good ones in input order and
 * the exit code the bad ones call for (0 when there were none).
 */
export function normalizeAll(
  service: NumberService,
  inputs: readonly string[],
  name: string,
): { numbers: { input: string; number: string }[]; code: number } {
  const numbers: { input: string; number: string }[] = [];
  let code = 0;
  for (const input of inputs) {
    try {
      numbers.push({ input, number: normalizeNumber(service, input) });
    } catch (e) {
      if (!isNuminfoError(e)) throw e;
      process.stderr.write(`numinfo ${name}: ${e.message}\n`);
      code = Math.max(code, e.exitCode);
    }
  }
  return { numbers, code };
}

/** The owner `--owner` names: an existing API key's id (a typo would make an orphan list), else global. */
export async function ownerOf(stores: StoreServices, owner: string | undefined): Promise<string> {
  if (owner === undefined || owner === GLOBAL_OWNER) return GLOBAL_OWNER;
  return (await stores.keys.get(owner)).id;
}

export function usageError(message: string, usage: string): NuminfoError {
  return new NuminfoError('BAD_REQUEST', `${message}\n\n${usage}`);
}
