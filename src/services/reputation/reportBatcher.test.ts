import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../../test/helpers/proc.js';
import { openStore } from '../../store/openStore.js';
import type { ReportInput } from '../../store/types.js';
import { ReportBatcher } from './reportBatcher.js';

afterAll(removeTempDirs);

const AT = Date.UTC(2026, 0, 15);

function ban(number: string, reporter: string): ReportInput {
  return { number, reporter, kind: 'ban', tags: [], comment: null, unwanted: null, at: AT };
}

describe('ReportBatcher (group commit)', () => {
  it('concurrent calls share a transaction and each gets its own outcomes', async () => {
    const store = await openStore('', tempDir('batcher'));
    const batcher = new ReportBatcher(store);
    const calls = Array.from({ length: 50 }, (_, i) =>
      batcher.add([ban('79990000001', `r${i}`), ban(String(79990000100 + i), `r${i}`)]),
    );
    const outs = await Promise.all(calls);
    expect(outs.map((o) => o.length)).toEqual(Array(50).fill(2));
    const ids = outs.flat().map((o) => o.id);
    expect(new Set(ids).size).toBe(100);
    // In call order: each call's ids are consecutive and increasing.
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(outs.flat().every((o) => o.counted)).toBe(true);
    expect((await store.getAggregate('79990000001'))?.bans).toBe(50);
    expect((await store.getAggregate('79990000149'))?.bans).toBe(1);
    await store.close();
  });

  it('a bad call in a group fails alone, naming its own index; the others are stored', async () => {
    const store = await openStore('', tempDir('batcher'));
    const batcher = new ReportBatcher(store);
    const good1 = batcher.add([ban('79990000001', 'a')]);
    const bad = batcher.add([ban('79990000002', 'b'), ban('not-digits', 'b')]);
    const good2 = batcher.add([ban('79990000001', 'c')]);
    await expect(good1).resolves.toHaveLength(1);
    await expect(bad).rejects.toThrow('reports[1].number: expected 1..15 digits, got "not-digits"');
    await expect(good2).resolves.toHaveLength(1);
    expect((await store.getAggregate('79990000001'))?.bans).toBe(2);
    // The bad call is all or nothing: its valid first report is not stored either.
    expect(await store.getAggregate('79990000002')).toBeNull();
    await store.close();
  });

  it('a group over the size cap is split into several transactions without losing a report', async () => {
    const store = await openStore('', tempDir('batcher'));
    const batcher = new ReportBatcher(store, 10);
    const outs = await Promise.all(
      Array.from({ length: 35 }, (_, i) => batcher.add([ban('79990000001', `r${i}`)])),
    );
    expect(outs.flat()).toHaveLength(35);
    expect((await store.getAggregate('79990000001'))?.bans).toBe(35);
    await store.close();
  });
});
