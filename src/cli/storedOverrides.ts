import { existsSync } from 'node:fs';
import type { Config } from '../config.js';
import { openStore, redactUrl } from '../store/openStore.js';
import { parseSqliteSpec } from '../store/sqlite/sqliteSpec.js';
import type { Store } from '../store/types.js';

/**
 * The configured store when it holds MNP overrides, else null (the caller closes it). A missing
 * SQLite file holds none and is not created. A store that cannot be opened is not fatal to the
 * CLI commands that ask: `consequence` tells the user what they lose.
 */
export async function storeWithOverrides(
  config: Config,
  who: string,
  consequence: string,
): Promise<Store | null> {
  if (config.store === '' || config.store.startsWith('sqlite:')) {
    if (!existsSync(parseSqliteSpec(config.store, config.dataDir).path)) return null;
  }
  let store: Store;
  try {
    store = await openStore(config.store, config.dataDir);
  } catch (e) {
    process.stderr.write(
      `${who}: cannot open the store ${config.store === '' ? parseSqliteSpec('', config.dataDir).path : redactUrl(config.store)} ` +
        `(${(e as Error).message}); ${consequence}\n`,
    );
    return null;
  }
  try {
    if ((await store.listMnpOverrides()).length > 0) return store;
  } catch (e) {
    process.stderr.write(`${who}: cannot read the overrides in the store: ${(e as Error).message}\n`);
  }
  await store.close();
  return null;
}
