import { afterAll, describe, expect, it } from 'vitest';
import { NuminfoError } from '../../src/errors.js';
import { openStore } from '../../src/store/openStore.js';
import type { ReportInput, Store, StoreChange } from '../../src/store/types.js';
import { dropFreshSchemas, freshSchemaUrl, pgClient, pgSkipReason, pgTestUrl } from '../helpers/pg.js';
import { waitFor } from '../helpers/proc.js';
import { describeStoreConformance } from './conformance.js';

const PG = await pgTestUrl();

const report = (reporter: string, number = '79991234567', at = Date.UTC(2025, 0, 1)): ReportInput => ({
  number,
  reporter,
  kind: 'ban',
  tags: [],
  comment: null,
  unwanted: null,
  at,
});

if (!PG) {
  console.warn(`PostgreSQL tests skipped: ${pgSkipReason()}`);
  describe.skip(`PostgreSQL driver (skipped: ${pgSkipReason()})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  const base = PG;
  afterAll(dropFreshSchemas);

  describeStoreConformance('postgres', async () => {
    const url = freshSchemaUrl(base);
    return { store: await openStore(url, '/nonexistent'), reopen: () => openStore(url, '/nonexistent') };
  });

  describe('PostgreSQL driver', () => {
    const open: Store[] = [];
    const track = (s: Store): Store => (open.push(s), s);
    afterAll(async () => {
      for (const s of open) await s.close().catch(() => undefined);
    });

    it('shares one schema between instances: writes and change events reach the other', async () => {
      const url = freshSchemaUrl(base);
      const a = track(await openStore(url, '/x'));
      const b = track(await openStore(url, '/x'));
      expect(a.driver).toBe('postgres');
      const seenByB: StoreChange[] = [];
      const seenByA: StoreChange[] = [];
      b.onChange((c) => seenByB.push(c));
      a.onChange((c) => seenByA.push(c));
      await a.addReports([report('r1'), report('r2', '79990000002')]);
      // A hears its own changes at once, in-process; B through NOTIFY.
      expect(seenByA).toEqual([
        { kind: 'number', number: '79991234567' },
        { kind: 'number', number: '79990000002' },
      ]);
      await waitFor('B to hear of A', () => (seenByB.length >= 2 ? true : undefined), 5000, 20);
      expect(seenByB).toEqual(seenByA);
      expect((await b.getAggregate('79991234567'))!.bans).toBe(1);
      await b.upsertTag({ type: 'CATEGORY', id: 1, name_ru: 'а', name_en: 'a' });
      await waitFor('A to hear of B', () => (seenByA.length >= 3 ? true : undefined), 5000, 20);
      expect(seenByA[2]).toEqual({ kind: 'tags' });
      expect(await a.listTags()).toEqual([{ type: 'CATEGORY', id: 1, name_ru: 'а', name_en: 'a' }]);
      // Events stay inside their schema.
      const other = track(await openStore(freshSchemaUrl(base), '/x'));
      const seenByOther: StoreChange[] = [];
      other.onChange((c) => seenByOther.push(c));
      await a.addReports([report('r3')]);
      await waitFor('B to hear of A again', () => (seenByB.length >= 4 ? true : undefined), 5000, 20);
      expect(seenByOther).toEqual([]);
    });

    it('counts exactly when two instances report the same numbers concurrently', async () => {
      const url = freshSchemaUrl(base);
      const a = track(await openStore(url, '/x'));
      const b = track(await openStore(url, '/x'));
      const numbers = ['79990000001', '79990000002', '79990000003'];
      // Each reporter reports every number once, in a rotating order, so batches overlap in every way.
      const batch = (who: string, i: number): ReportInput[] =>
        numbers.map((_, k) => ({
          ...report(`${who}${i}`, numbers[(k + i) % 3]!),
          tags: [{ type: 'CATEGORY', id: 1 }],
          comment: `c ${who} ${i}`,
          unwanted: i % 2 === 0,
        }));
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 20; i++) {
        work.push(a.addReports(batch('a', i)));
        work.push(b.addReports(batch('b', i).reverse()));
      }
      await Promise.all(work);
      for (const n of numbers) {
        const agg = await a.getAggregate(n);
        expect(agg).toMatchObject({
          bans: 40,
          unwanted_yes: 20,
          unwanted_no: 20,
          comments_count: 40,
          tags: [{ type: 'CATEGORY', id: 1, count: 40 }],
        });
      }
    });

    it('spends a quota exactly once across instances', async () => {
      const url = freshSchemaUrl(base);
      const a = track(await openStore(url, '/x'));
      const b = track(await openStore(url, '/x'));
      await a.createKey({
        id: 'k',
        token_hash: 'h',
        name: 'n',
        role: 'client',
        quota: 30,
        quota_period: 'day',
        at: Date.UTC(2025, 0, 1),
      });
      const at = Date.UTC(2025, 0, 2, 3);
      const spends = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).spendQuota('k', 1, at)),
      );
      expect(spends.filter((s) => s.ok).length).toBe(30);
      expect(await b.getKey('k')).toMatchObject({ quota_used: 30, quota_window_start: Date.UTC(2025, 0, 2) });
    });

    it('migrates once when several instances start at the same time', async () => {
      const url = freshSchemaUrl(base);
      const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(url, '/x')));
      stores.forEach(track);
      await stores[0]!.addReports([report('r')]);
      expect((await stores[3]!.getAggregate('79991234567'))!.bans).toBe(1);
      const c = await pgClient(base);
      try {
        const schema = new URL(url).searchParams.get('schema')!;
        const r = await c.query(`SELECT version FROM ${schema}.schema_migrations`);
        expect(r.rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
      } finally {
        await c.end();
      }
    });

    it("reconnects its listener and reports {kind:'all'} after the connection was cut", async () => {
      const url = freshSchemaUrl(base);
      const schema = new URL(url).searchParams.get('schema')!;
      const a = track(await openStore(url, '/x'));
      const b = track(await openStore(url, '/x'));
      const seen: StoreChange[] = [];
      b.onChange((c) => seen.push(c));
      const c = await pgClient(base);
      try {
        const killed = await c.query(
          'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1',
          [`numinfo-listener:${schema}`],
        );
        expect(killed.rows.length).toBe(2);
      } finally {
        await c.end();
      }
      await waitFor('the listener to come back', () =>
        seen.some((x) => x.kind === 'all') ? true : undefined,
      );
      expect(seen.filter((x) => x.kind === 'all').length).toBe(1);
      await a.addReports([report('after')]);
      await waitFor('a change after the reconnect', () =>
        seen.some((x) => x.kind === 'number') ? true : undefined,
      );
    });

    it('reports an unreachable server as STORE_UNAVAILABLE without the password', async () => {
      const err = await openStore('postgres://numinfo:s3cret@127.0.0.1:1/none', '/x').catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NuminfoError);
      expect((err as NuminfoError).code).toBe('STORE_UNAVAILABLE');
      expect((err as NuminfoError).message).toMatch(
        /^cannot connect to PostgreSQL at postgres:\/\/numinfo:\*\*\*@127\.0\.0\.1:1\/none: connect ECONNREFUSED 127\.0\.0\.1:1$/,
      );
      expect((err as NuminfoError).message).not.toContain('s3cret');
      const bad = new URL(base);
      bad.password = 'wrong-password';
      const auth = await openStore(bad.toString(), '/x').catch((e: unknown) => e);
      expect(auth).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect((auth as Error).message).not.toContain('wrong-password');
      expect((auth as Error).message).toContain('password authentication failed');
    });

    it('rejects a schema name that is not a plain identifier', async () => {
      const u = new URL(base);
      u.searchParams.set('schema', 'x;drop');
      await expect(openStore(u.toString(), '/x')).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: 'store: schema "x;drop" must be 1..63 of a-z, 0-9, _ (not starting with a digit)',
      });
    });

    it('fails calls on a closed store with STORE_UNAVAILABLE', async () => {
      const s = await openStore(freshSchemaUrl(base), '/x');
      await s.close();
      await expect(s.getAggregate('79991234567')).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: 'PostgreSQL: the store is closed',
      });
    });
  });
}
