import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { NuminfoError } from '../../src/errors.js';
import { openStore } from '../../src/store/openStore.js';
import { removeTempDirs, tempDir } from '../helpers/proc.js';
import { describeStoreConformance } from './conformance.js';

afterAll(removeTempDirs);

describeStoreConformance('sqlite', async () => {
  const dir = tempDir('store');
  const spec = `sqlite:${join(dir, 'db', 'test.db')}`;
  return { store: await openStore(spec, dir), reopen: () => openStore(spec, dir) };
});

describe('SQLite driver', () => {
  it('defaults to <dataDir>/numinfo.db, creating the directory, in WAL mode with the schema migrated (versions 1–3)', async () => {
    const dataDir = join(tempDir('store'), 'nested', 'data');
    const store = await openStore('', dataDir);
    expect(store.driver).toBe('sqlite');
    await store.close();
    const file = join(dataDir, 'numinfo.db');
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
    db.close();
  });

  it('accepts sync=full and rejects unknown options', async () => {
    const dir = tempDir('store');
    const store = await openStore(`sqlite:${join(dir, 'full.db')}?sync=full`, dir);
    await store.ping();
    await store.close();
    await expect(openStore(`sqlite:${join(dir, 'x.db')}?sync=maybe`, dir)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `store "sqlite:${join(dir, 'x.db')}?sync=maybe": unknown option sync=maybe (supported: sync=normal|full)`,
    });
  });

  it('resolves a relative sqlite: path against the working directory', async () => {
    const dir = tempDir('store');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = await openStore('sqlite:rel/here.db', '/nonexistent');
      await store.close();
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(join(dir, 'rel', 'here.db'))).toBe(true);
  });

  it('names an unknown scheme, without its password', async () => {
    const err = await openStore('mysql://root:hunter2@db/x', '/tmp').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NuminfoError);
    expect(err).toMatchObject({
      code: 'CONFIG_INVALID',
      message:
        'store "mysql://root:***@db/x": expected empty (SQLite in the data directory), sqlite:<path> or postgres://…',
    });
  });

  it('hides a password given as a URL parameter too', async () => {
    const err = await openStore('postgres://numinfo@127.0.0.1:1/db?password=S3CRET&schema=x', '/tmp').catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((err as Error).message).toBe(
      'cannot connect to PostgreSQL at postgres://numinfo@127.0.0.1:1/db?password=***: connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('reports an unusable file as STORE_UNAVAILABLE', async () => {
    const dir = tempDir('store');
    const notDb = join(dir, 'not.db');
    writeNotADatabase(notDb);
    await expect(openStore(`sqlite:${notDb}`, dir)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('fails calls on a closed store with STORE_UNAVAILABLE', async () => {
    const dir = tempDir('store');
    const store = await openStore('', dir);
    await store.close();
    await expect(store.getAggregate('79991234567')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: 'SQLite: the store is closed',
    });
  });

  it("lets two stores on one file see each other's writes", async () => {
    const dir = tempDir('store');
    const a = await openStore('', dir);
    const b = await openStore('', dir);
    await a.addReports([
      { number: '79991234567', reporter: 'a', kind: 'ban', tags: [], comment: null, unwanted: null, at: 1 },
    ]);
    await b.addReports([
      { number: '79991234567', reporter: 'b', kind: 'ban', tags: [], comment: null, unwanted: null, at: 2 },
    ]);
    expect((await a.getAggregate('79991234567'))!.bans).toBe(2);
    await a.close();
    await b.close();
  });

  it('tells its listeners when another connection commits to the file (kind all), not for its own writes', async () => {
    const dir = tempDir('store');
    const a = await openStore('', dir);
    const b = await openStore('', dir);
    const heard: string[] = [];
    b.onChange((c) => heard.push(c.kind));
    await b.addReports([
      { number: '79991234567', reporter: 'b', kind: 'ban', tags: [], comment: null, unwanted: null, at: 2 },
    ]);
    await new Promise((r) => setTimeout(r, 600));
    expect(heard).toEqual(['number']);
    await a.addListEntries(
      [{ list: 'spam', owner: '', number: '79991234567', comment: '', added_by: 'cli' }],
      3,
    );
    const until = Date.now() + 3000;
    while (!heard.includes('all') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(heard).toEqual(['number', 'all']);
    await a.close();
    await b.close();
  });
});

function writeNotADatabase(path: string): void {
  // A file that is not a database: SQLite refuses it when reading the header.
  writeFileSync(path, 'this is not an SQLite database, just some text long enough to have a header......');
  expect(readFileSync(path, 'utf8').length).toBeGreaterThan(50);
}
