/**
 * Two numinfo instances on one PostgreSQL: a report or a blacklist entry written through one reaches
 * the other's caches through LISTEN/NOTIFY. Skips visibly without NUMINFO_TEST_PG_URL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dropFreshSchemas, freshSchemaUrl, pgSkipReason, pgTestUrl } from '../../../test/helpers/pg.js';
import { openStore } from '../../store/openStore.js';
import type { Store } from '../../store/types.js';
import { BlacklistService } from './blacklistService.js';
import { CheckService } from './checkService.js';
import { ReputationService } from './reputationService.js';

const PG = await pgTestUrl();
if (!PG) console.warn(`PostgreSQL tests skipped: ${pgSkipReason()}`);

async function eventually<T>(read: () => Promise<T>, want: T, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const got = await read();
    if (JSON.stringify(got) === JSON.stringify(want) || Date.now() > until) return got;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!PG)('caches across instances (PostgreSQL NOTIFY)', () => {
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await dropFreshSchemas();
  });

  it('a report and a blacklist entry made on instance A reach the caches of instance B', async () => {
    const url = freshSchemaUrl(PG!);
    const a = await openStore(url, '');
    const b = await openStore(url, '');
    stores.push(a, b);
    const repA = new ReputationService(a);
    const repB = new ReputationService(b);
    const listsA = new BlacklistService(a);
    const listsB = new BlacklistService(b);
    const checkB = new CheckService(repB, listsB, { trustThreshold: 3, blockUnwanted: true });
    const n = '79990000077';
    // B caches "unknown, allowed" first.
    expect(await checkB.check(n)).toMatchObject({ decision: 'allow', trust: 5 });
    await repA.report('r1', [{ number: n, kind: 'ban' }]);
    await repA.report('r2', [{ number: n, kind: 'ban' }]);
    expect(await eventually(async () => (await repB.get(n)).bans, 2)).toBe(2);
    expect(await eventually(async () => (await checkB.check(n)).reasons, ['trust 2.50 < 3.00'])).toEqual([
      'trust 2.50 < 3.00',
    ]);
    await listsA.add('', 'spam', [{ number: n }], 'admin');
    expect(
      await eventually(async () => (await checkB.check(n)).reasons, ['blacklist:spam', 'trust 2.50 < 3.00']),
    ).toEqual(['blacklist:spam', 'trust 2.50 < 3.00']);
    for (const s of [repA, repB, listsA, listsB]) s.close();
  });
});
