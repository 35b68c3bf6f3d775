import { isAbsolute, join, resolve } from 'node:path';
import { NuminfoError } from '../../errors.js';
import type { SqliteOptions } from './sqliteStore.js';

/** The default store file inside the data directory. */
export const SQLITE_FILE = 'numinfo.db';

/**
 * `''` → `<dataDir>/numinfo.db`; `sqlite:<path>[?sync=normal|full]` → that file (relative to the
 * working directory); `sqlite::memory:` → a private in-memory database (tests).
 */
export function parseSqliteSpec(spec: string, dataDir: string): { path: string; opts: SqliteOptions } {
  if (spec === '') return { path: resolve(join(dataDir, SQLITE_FILE)), opts: {} };
  const rest = spec.slice('sqlite:'.length);
  const q = rest.indexOf('?');
  const file = q < 0 ? rest : rest.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
  if (file === '')
    throw new NuminfoError('CONFIG_INVALID', `store ${JSON.stringify(spec)}: no file path after sqlite:`);
  const opts: { sync?: 'normal' | 'full' } = {};
  for (const [k, v] of params) {
    if (k === 'sync' && (v === 'normal' || v === 'full')) opts.sync = v;
    else
      throw new NuminfoError(
        'CONFIG_INVALID',
        `store ${JSON.stringify(spec)}: unknown option ${k}=${v} (supported: sync=normal|full)`,
      );
  }
  return { path: file === ':memory:' || isAbsolute(file) ? file : resolve(file), opts };
}
