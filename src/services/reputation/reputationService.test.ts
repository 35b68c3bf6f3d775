import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../../test/helpers/proc.js';
import { NuminfoError } from '../../errors.js';
import { openStore } from '../../store/openStore.js';
import type { Store } from '../../store/types.js';
import { DEFAULT_TAGS } from './defaultTags.js';
import { ReputationService, type ReportRequest } from './reputationService.js';
import { TRUST_FORMULA } from './trustIndex.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const DAY = 86_400_000;
const N = '79991234567';

let store: Store;
let clock: number;
let svc: ReputationService;

beforeEach(async () => {
  store = await openStore('', tempDir('reputation'));
  clock = T0;
  svc = new ReputationService(store, { now: () => clock });
  await svc.seedDefaultTags();
});

afterEach(async () => {
  svc.close();
  await store.close();
});

afterAll(() => removeTempDirs());

async function rejection(p: Promise<unknown>): Promise<NuminfoError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NuminfoError);
    return e as NuminfoError;
  }
  throw new Error('expected a rejection');
}

describe('report validation', () => {
  const ok: ReportRequest = { number: N, kind: 'ban' };
  it.each<[string, unknown, string]>([
    [
      'a bad number',
      { number: '+79991234567', kind: 'ban' },
      'reports[1].number: expected E.164 digits (7..15, no +), got "+79991234567"',
    ],
    [
      'a short number',
      { number: '123456', kind: 'ban' },
      'reports[1].number: expected E.164 digits (7..15, no +), got "123456"',
    ],
    [
      'an unknown kind',
      { number: N, kind: 'spam' },
      'reports[1].kind: expected ban (or block), complaint, not_spam or null, got "spam"',
    ],
    [
      'an unknown tag',
      { number: N, tags: [{ type: 'CATEGORY', id: 99 }] },
      'reports[1].tags[0]: unknown tag CATEGORY/99',
    ],
    [
      'an unknown tag type',
      { number: N, tags: [{ type: 'COLOR', id: 1 }] },
      'reports[1].tags[0].type: expected one of CALLER_TYPE, CATEGORY, SUBCATEGORY, CALL_REASON, EMOTAG, got "COLOR"',
    ],
    [
      'a tag id that is not a number',
      { number: N, tags: [{ type: 'CATEGORY', id: '1145' }] },
      'reports[1].tags[0].id: expected a whole number, got "1145"',
    ],
    [
      '21 tags',
      { number: N, tags: Array(21).fill({ type: 'CATEGORY', id: 1145 }) },
      'reports[1].tags: 21 tags, at most 20',
    ],
    [
      'a long comment',
      { number: N, comment: 'я'.repeat(1001) },
      'reports[1].comment: longer than 1000 characters',
    ],
    [
      'an empty report',
      { number: N },
      'reports[1]: empty report; give at least one of kind, tags, comment, unwanted',
    ],
    [
      'only a blank comment',
      { number: N, comment: '   ' },
      'reports[1]: empty report; give at least one of kind, tags, comment, unwanted',
    ],
    [
      'unwanted that is not a boolean',
      { number: N, unwanted: 'yes' },
      'reports[1].unwanted: expected true, false or null, got "yes"',
    ],
  ])('%s: BAD_REQUEST, nothing stored', async (_, bad, message) => {
    const e = await rejection(svc.report('key1', [ok, bad as ReportRequest]));
    expect([e.code, e.message]).toEqual(['BAD_REQUEST', message]);
    expect(await store.getAggregate(N)).toBeNull();
  });

  it('rejects an empty list and an empty reporter', async () => {
    expect((await rejection(svc.report('key1', []))).message).toBe(
      'reports: expected a list of 1..1000 reports',
    );
    expect((await rejection(svc.report('', [ok]))).message).toBe('reporter: empty');
  });

  it('accepts a comment of exactly 1000 characters (code points, after trimming)', async () => {
    const out = await svc.report('key1', [{ number: N, comment: `  ${'😀'.repeat(1000)}  ` }]);
    expect(out).toEqual([{ id: 1, counted: false, commentId: 1 }]); // counted: the stance changed (none here)
    expect((await svc.comments(N, { offset: 0, limit: 10, includeHidden: false })).items[0]!.text).toBe(
      '😀'.repeat(1000),
    );
  });
});

describe('reputation', () => {
  it('an unknown number: index 5.00, nothing counted', async () => {
    expect(await svc.get('79990000000')).toStrictEqual({
      number: '79990000000',
      index: 5,
      bans: 0,
      complaints: 0,
      not_spam: 0,
      comments_count: 0,
      is_unwanted: false,
      unwanted_votes: { yes: 0, no: 0 },
      tags: { callerType: null, categories: [], subcategories: [], callReasons: [], emotags: [] },
      first_reported_at: null,
      last_reported_at: null,
      explanation: {
        formula: TRUST_FORMULA,
        prior: { mean: 5, weight: 2 },
        half_life_days: 180,
        signals: [
          { signal: 'ban', count: 0, weight: 0, effect: 0 },
          { signal: 'complaint', count: 0, weight: 0, effect: 0 },
          { signal: 'not_spam', count: 0, weight: 0, effect: 0 },
        ],
        summary: 'No bans, complaints or "not spam" marks: the index is the prior 5.00.',
      },
    });
  });

  it('"block" counts as a ban and "not-spam" as not_spam', async () => {
    await svc.report('a', [{ number: N, kind: 'block' as never }]);
    await svc.report('b', [{ number: N, kind: 'not-spam' as never }]);
    expect(await svc.get(N)).toMatchObject({ bans: 1, not_spam: 1, index: 5 });
  });

  it('reports from several reporters: counts, index, unwanted flag, top tags, times', async () => {
    await svc.report('a', [
      {
        number: N,
        kind: 'ban',
        unwanted: true,
        tags: [
          { type: 'CALLER_TYPE', id: 11 },
          { type: 'CATEGORY', id: 1132 },
          { type: 'CALL_REASON', id: 100005 },
        ],
        comment: 'Коллекторы, звонят каждый день',
      },
    ]);
    clock += DAY;
    await svc.report('b', [
      {
        number: N,
        kind: 'ban',
        unwanted: true,
        tags: [
          { type: 'CATEGORY', id: 1132 },
          { type: 'CALLER_TYPE', id: 10 },
        ],
      },
    ]);
    await svc.report('c', [
      { number: N, kind: 'complaint', unwanted: false, tags: [{ type: 'CALLER_TYPE', id: 11 }] },
    ]);
    // A reporter repeating the same stance adds nothing.
    await svc.report('a', [{ number: N, kind: 'ban' }]);
    const r = await svc.get(N);
    expect(r).toMatchObject({
      number: N,
      bans: 2,
      complaints: 1,
      not_spam: 0,
      comments_count: 1,
      is_unwanted: true,
      unwanted_votes: { yes: 2, no: 1 },
      tags: {
        callerType: { id: 11, count: 2 },
        categories: [{ id: 1132, count: 2 }],
        subcategories: [],
        callReasons: [{ id: 100005, count: 1 }],
        emotags: [],
      },
      first_reported_at: '2026-01-15T12:00:00.000Z',
      last_reported_at: '2026-01-16T12:00:00.000Z',
    });
    // Two bans (one a day old) and a complaint: (2·5) / (2 + 2 + 0.5) ≈ 2.22.
    expect(r.index).toBe(2.22);
    expect(r.explanation.summary).toBe(
      '2 bans (decayed weight 2.00) and 1 complaint (decayed weight 1.00) lowered the index from 5.00 to 2.22.',
    );
  });

  it('top 5 tags per type by count, then id', async () => {
    const counts = [
      [1130, 1],
      [1131, 3],
      [1132, 3],
      [1133, 2],
      [1134, 1],
      [1135, 4],
      [1136, 2],
    ] as const;
    const reporters = ['r1', 'r2', 'r3', 'r4'];
    for (const [i, who] of reporters.entries()) {
      const tags = counts.filter(([, c]) => c > i).map(([id]) => ({ type: 'CATEGORY' as const, id }));
      await svc.report(who, [{ number: N, tags }]);
    }
    expect((await svc.get(N)).tags.categories).toEqual([
      { id: 1135, count: 4 },
      { id: 1131, count: 3 },
      { id: 1132, count: 3 },
      { id: 1133, count: 2 },
      { id: 1136, count: 2 },
    ]);
  });

  it('the cache: a report invalidates the number; the index decays with the clock', async () => {
    await svc.report('a', [{ number: N, kind: 'ban' }]);
    const first = await svc.get(N);
    expect(first.index).toBe(3.33);
    expect(await svc.get(N)).toBe(first); // the cached object
    await svc.report('b', [{ number: N, kind: 'ban' }]);
    expect((await svc.get(N)).index).toBe(2.5);
    // 180 days later both bans weigh half: 10 / (2 + 1) = 3.33, recomputed from the cached aggregate.
    clock += 180 * DAY;
    expect((await svc.get(N)).index).toBe(3.33);
    // Another service on the same store sees the change through onChange as well.
    const other = new ReputationService(store, { now: () => clock });
    expect((await other.get(N)).bans).toBe(2);
    await svc.report('c', [{ number: N, kind: 'not_spam' }]);
    expect((await other.get(N)).not_spam).toBe(1);
    other.close();
  });
});

describe('comments', () => {
  it('pages, hides and shows comments; an unknown id is ITEM_NOT_FOUND', async () => {
    await svc.report('a', [{ number: N, comment: 'first' }]);
    await svc.report('b', [{ number: N, comment: 'second' }]);
    const page = await svc.comments(N, { offset: 0, limit: 10, includeHidden: false });
    expect(page.total).toBe(2);
    expect(page.items.map((c) => c.text).sort()).toEqual(['first', 'second']);
    const id = page.items.find((c) => c.text === 'first')!.id;
    await svc.hideComment(id, true);
    expect(
      (await svc.comments(N, { offset: 0, limit: 10, includeHidden: false })).items.map((c) => c.text),
    ).toEqual(['second']);
    expect((await svc.get(N)).comments_count).toBe(1);
    expect((await svc.comments(N, { offset: 0, limit: 10, includeHidden: true })).total).toBe(2);
    const e = await rejection(svc.hideComment(999, true));
    expect([e.code, e.message]).toEqual(['ITEM_NOT_FOUND', 'no comment with id 999']);
    expect((await rejection(svc.comments(N, { offset: 0, limit: 0, includeHidden: false }))).message).toBe(
      'limit: expected 1..1000, got 0',
    );
  });
});

describe('tag dictionary', () => {
  it('seeds the defaults once; putTag and deleteTag change it at once', async () => {
    expect(await svc.seedDefaultTags()).toBe(0);
    expect((await svc.tags()).length).toBe(DEFAULT_TAGS.length);
    await svc.putTag({ type: 'CATEGORY', id: 1199, name_ru: ' Кооперативы ', name_en: 'Cooperatives' });
    expect((await svc.tags()).find((t) => t.id === 1199)).toEqual({
      type: 'CATEGORY',
      id: 1199,
      name_ru: 'Кооперативы',
      name_en: 'Cooperatives',
    });
    await svc.report('a', [{ number: N, tags: [{ type: 'CATEGORY', id: 1199 }] }]);
    await svc.deleteTag('CATEGORY', 1199);
    expect(
      (await rejection(svc.report('a', [{ number: N, tags: [{ type: 'CATEGORY', id: 1199 }] }]))).message,
    ).toBe('reports[0].tags[0]: unknown tag CATEGORY/1199');
    // Counts already given stay on the number.
    expect((await svc.get(N)).tags.categories).toEqual([{ id: 1199, count: 1 }]);
    const e = await rejection(svc.deleteTag('CATEGORY', 1199));
    expect([e.code, e.message]).toEqual(['ITEM_NOT_FOUND', 'no tag CATEGORY/1199']);
  });

  it.each<[unknown, string]>([
    [
      { type: 'COLOR', id: 1, name_ru: 'а', name_en: 'a' },
      'type: expected one of CALLER_TYPE, CATEGORY, SUBCATEGORY, CALL_REASON, EMOTAG, got "COLOR"',
    ],
    [
      { type: 'EMOTAG', id: 0, name_ru: 'а', name_en: 'a' },
      'id: expected a whole number 1..2147483647, got 0',
    ],
    [
      { type: 'EMOTAG', id: 1.5, name_ru: 'а', name_en: 'a' },
      'id: expected a whole number 1..2147483647, got 1.5',
    ],
    [{ type: 'EMOTAG', id: 200099, name_ru: ' ', name_en: 'a' }, 'name_ru: must not be empty'],
    [{ type: 'EMOTAG', id: 200099, name_ru: 'а' }, 'name_en: must not be empty'],
  ])('putTag(%j): BAD_REQUEST', async (tag, message) => {
    const e = await rejection(svc.putTag(tag as never));
    expect([e.code, e.message]).toEqual(['BAD_REQUEST', message]);
  });
});
