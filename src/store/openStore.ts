import { redact } from './postgres/pgSpec.js';
import { NuminfoError } from '../errors.js';
import { SqliteStore } from './sqlite/sqliteStore.js';
import { parseSqliteSpec } from './sqlite/sqliteSpec.js';
import type { Store } from './types.js';

/**
 * Opens the store the `store` setting names and brings its schema up to date:
 * `''` → SQLite `<dataDir>/numinfo.db` (the directory is created); `sqlite:<path>[?sync=full]`;
 * `postgres://…` or `postgresql://…` (optionally `?schema=<name>`) → PostgreSQL.
 * Throws CONFIG_INVALID for anything else and STORE_UNAVAILABLE when the database cannot be reached.
 */
export async function openStore(spec: string, dataDir: string): Promise<Store> {
  let store: Store;
  if (spec === '' || spec.startsWith('sqlite:')) {
    const { path, opts } = parseSqliteSpec(spec, dataDir);
    store = SqliteStore.open(path, opts);
  } else if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    // Loaded on demand: SQLite deployments never load pg.
    const { PostgresStore } = await import('./postgres/postgresStore.js');
    store = await PostgresStore.open(spec);
  } else {
    throw new NuminfoError(
      'CONFIG_INVALID',
      `store ${JSON.stringify(redactUrl(spec))}: expected empty (SQLite in the data directory), sqlite:<path> or postgres://…`,
    );
  }
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return store;
}

/** The spec as it may appear in messages and logs: any password replaced by `***`. */
export function redactUrl(spec: string): string {
  return redact(spec);
}
