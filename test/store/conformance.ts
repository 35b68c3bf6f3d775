/**
 * The behaviour every Store driver must have. Each driver's test file calls
 * `describeStoreConformance` with a factory that opens a fresh, empty, migrated store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NuminfoError } from '../../src/errors.js';
import { decayedWeight, voteTerm } from '../../src/store/reputationMath.js';
import {
  GLOBAL_OWNER,
  type ReportInput,
  type ReportKind,
  type Store,
  type StoreChange,
  type Tag,
  type TagRef,
} from '../../src/store/types.js';

export interface StoreUnderTest {
  readonly store: Store;
  /** Opens the same storage again (a new Store, migrated), e.g. after `store.close()`. */
  reopen(): Promise<Store>;
}

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const N1 = '79991234567';
const N2 = '79990000002';
const N3 = '74951234567';

function rep(
  reporter: string,
  over: Partial<Omit<ReportInput, 'reporter'>> & { kind?: ReportKind | null } = {},
): ReportInput {
  return {
    number: N1,
    reporter,
    kind: null,
    tags: [],
    comment: null,
    unwanted: null,
    at: T0,
    ...over,
  };
}

const cat = (id: number): TagRef => ({ type: 'CATEGORY', id });

export function describeStoreConformance(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`Store conformance: ${name}`, () => {
    const opened: Store[] = [];
    let sut: StoreUnderTest;
    let store: Store;

    async function fresh(): Promise<Store> {
      sut = await makeStore();
      store = sut.store;
      opened.push(store);
      return store;
    }

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    });

    describe('reports and aggregates', () => {
      it('has no aggregate for a number nobody reported', async () => {
        const s = await fresh();
        expect(await s.getAggregate(N1)).toBeNull();
      });

      it('counts each kind once per reporter with its decayed term', async () => {
        const s = await fresh();
        const out = await s.addReports([
          rep('a', { kind: 'ban' }),
          rep('b', { kind: 'complaint', at: T0 + HOUR }),
          rep('c', { kind: 'not_spam', at: T0 + 2 * HOUR }),
          rep('d', { kind: 'ban', at: T0 + 3 * HOUR }),
        ]);
        expect(out.map((o) => o.counted)).toEqual([true, true, true, true]);
        expect(out.map((o) => o.commentId)).toEqual([null, null, null, null]);
        expect(out[1]!.id).toBe(out[0]!.id + 1);
        expect(out[3]!.id).toBe(out[0]!.id + 3);
        expect(await s.getAggregate(N1)).toEqual({
          number: N1,
          bans: 2,
          complaints: 1,
          not_spam: 1,
          unwanted_yes: 0,
          unwanted_no: 0,
          comments_count: 0,
          ban_w: voteTerm(T0) + voteTerm(T0 + 3 * HOUR),
          complaint_w: voteTerm(T0 + HOUR),
          not_spam_w: voteTerm(T0 + 2 * HOUR),
          first_at: T0,
          last_at: T0 + 3 * HOUR,
          tags: [],
        });
        expect(await s.getAggregate(N2)).toBeNull();
      });

      it("replaces a reporter's stance: the old kind and its term are withdrawn", async () => {
        const s = await fresh();
        await s.addReports([rep('a', { kind: 'ban' }), rep('b', { kind: 'ban', at: T0 + HOUR })]);
        const [o] = await s.addReports([rep('a', { kind: 'not_spam', at: T0 + DAY })]);
        expect(o!.counted).toBe(true);
        const agg = await s.getAggregate(N1);
        expect(agg).toMatchObject({ bans: 1, complaints: 0, not_spam: 1, first_at: T0, last_at: T0 + DAY });
        expect(agg!.ban_w).toBe(voteTerm(T0) + voteTerm(T0 + HOUR) - voteTerm(T0));
        expect(agg!.ban_w).toBeCloseTo(voteTerm(T0 + HOUR), 12);
        expect(agg!.not_spam_w).toBe(voteTerm(T0 + DAY));
      });

      it('leaves exactly 0 weight when the last vote of a kind is withdrawn', async () => {
        const s = await fresh();
        await s.addReports([
          rep('a', { kind: 'ban', at: T0 }),
          rep('b', { kind: 'ban', at: T0 + 7 * DAY + 13 }),
          rep('c', { kind: 'ban', at: T0 + 33 * DAY + 7 }),
        ]);
        await s.addReports([
          rep('b', { kind: 'complaint', at: T0 + 40 * DAY }),
          rep('a', { kind: 'complaint', at: T0 + 41 * DAY }),
          rep('c', { kind: 'complaint', at: T0 + 42 * DAY }),
        ]);
        const agg = await s.getAggregate(N1);
        expect(agg).toMatchObject({ bans: 0, ban_w: 0, complaints: 3 });
        expect(agg!.complaint_w).toBe(
          voteTerm(T0 + 40 * DAY) + voteTerm(T0 + 41 * DAY) + voteTerm(T0 + 42 * DAY),
        );
      });

      it('does not inflate on a repeated kind: the vote time is refreshed, the count stays', async () => {
        const s = await fresh();
        const first = await s.addReports([rep('a', { kind: 'ban' })]);
        const again = await s.addReports([
          rep('a', { kind: 'ban', at: T0 + 10 * DAY }),
          rep('a', { kind: 'ban', at: T0 + 20 * DAY }),
        ]);
        expect(first[0]!.counted).toBe(true);
        expect(again.map((o) => o.counted)).toEqual([false, false]);
        const agg = await s.getAggregate(N1);
        expect(agg).toMatchObject({
          bans: 1,
          complaints: 0,
          not_spam: 0,
          first_at: T0,
          last_at: T0 + 20 * DAY,
        });
        const t0 = voteTerm(T0);
        const t10 = voteTerm(T0 + 10 * DAY);
        expect(agg!.ban_w).toBe(t0 + (t10 - t0) + (voteTerm(T0 + 20 * DAY) - t10));
        expect(agg!.ban_w).toBeCloseTo(voteTerm(T0 + 20 * DAY), 12);
        // Decayed at the vote's own time a single vote weighs 1.
        expect(decayedWeight(agg!.ban_w, T0 + 20 * DAY)).toBeCloseTo(1, 12);
      });

      it('keeps one unwanted vote per reporter', async () => {
        const s = await fresh();
        const a = await s.addReports([
          rep('a', { unwanted: true }),
          rep('b', { unwanted: true }),
          rep('c', { unwanted: false }),
        ]);
        expect(a.map((o) => o.counted)).toEqual([true, true, true]);
        expect(await s.getAggregate(N1)).toMatchObject({ unwanted_yes: 2, unwanted_no: 1, bans: 0 });
        const b = await s.addReports([
          rep('a', { unwanted: false, at: T0 + HOUR }),
          rep('a', { unwanted: false, at: T0 + 2 * HOUR }),
          rep('c', { unwanted: null, kind: 'ban', at: T0 + 3 * HOUR }),
        ]);
        expect(b.map((o) => o.counted)).toEqual([true, false, true]);
        expect(await s.getAggregate(N1)).toMatchObject({
          unwanted_yes: 1,
          unwanted_no: 2,
          bans: 1,
          ban_w: voteTerm(T0 + 3 * HOUR),
        });
      });

      it('stores a report that carries neither kind nor vote without counting it', async () => {
        const s = await fresh();
        const [o] = await s.addReports([rep('a', { tags: [cat(1)], at: T0 + 5 })]);
        expect(o).toEqual({ id: o!.id, counted: false, commentId: null });
        expect(await s.getAggregate(N1)).toEqual({
          number: N1,
          bans: 0,
          complaints: 0,
          not_spam: 0,
          unwanted_yes: 0,
          unwanted_no: 0,
          comments_count: 0,
          ban_w: 0,
          complaint_w: 0,
          not_spam_w: 0,
          first_at: T0 + 5,
          last_at: T0 + 5,
          tags: [{ type: 'CATEGORY', id: 1, count: 1 }],
        });
      });

      it('keeps first_at and last_at as the earliest and latest report times', async () => {
        const s = await fresh();
        await s.addReports([rep('a', { kind: 'ban', at: T0 + DAY })]);
        await s.addReports([rep('b', { kind: 'ban', at: T0 })]);
        await s.addReports([rep('c', { kind: 'ban', at: T0 + HOUR })]);
        expect(await s.getAggregate(N1)).toMatchObject({ first_at: T0, last_at: T0 + DAY, bans: 3 });
      });

      it('counts each tag once per reporter, forever, and orders tags by type, count, id', async () => {
        const s = await fresh();
        await s.addReports([
          rep('a', { tags: [cat(1), cat(1), { type: 'EMOTAG', id: 2 }] }),
          rep('a', { tags: [cat(1)], at: T0 + 10 * DAY }),
          rep('b', { tags: [cat(1), { type: 'CALLER_TYPE', id: 5 }, cat(7)] }),
          rep('c', { tags: [cat(7), cat(3)] }),
          rep('d', { tags: [cat(3), { type: 'SUBCATEGORY', id: 4 }, { type: 'CALL_REASON', id: 9 }] }),
          rep('e', { tags: [cat(9)], number: N2 }),
          rep('f', { tags: [cat(7)] }),
        ]);
        expect((await s.getAggregate(N1))!.tags).toEqual([
          { type: 'CALLER_TYPE', id: 5, count: 1 },
          { type: 'CATEGORY', id: 7, count: 3 },
          { type: 'CATEGORY', id: 1, count: 2 },
          { type: 'CATEGORY', id: 3, count: 2 },
          { type: 'SUBCATEGORY', id: 4, count: 1 },
          { type: 'CALL_REASON', id: 9, count: 1 },
          { type: 'EMOTAG', id: 2, count: 1 },
        ]);
        expect((await s.getAggregate(N2))!.tags).toEqual([{ type: 'CATEGORY', id: 9, count: 1 }]);
      });

      it('applies a batch atomically: an invalid item stores nothing', async () => {
        const s = await fresh();
        await s.addReports([rep('z', { kind: 'ban', number: N3 })]);
        const bad = [
          rep('a', { kind: 'ban', number: N1, comment: 'first' }),
          rep('b', { kind: 'complaint', number: N3, tags: [cat(2)] }),
          rep('c', { kind: 'bogus' as ReportKind, number: N2 }),
        ];
        const err = await s.addReports(bad).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NuminfoError);
        expect(err).toMatchObject({ code: 'BAD_REQUEST', message: 'reports[2].kind: unknown kind "bogus"' });
        expect(await s.getAggregate(N1)).toBeNull();
        expect(await s.getAggregate(N2)).toBeNull();
        expect(await s.getAggregate(N3)).toMatchObject({ bans: 1, complaints: 0, tags: [] });
        expect(await s.listComments(N1, { offset: 0, limit: 10, includeHidden: true })).toEqual({
          items: [],
          total: 0,
        });
        const badNumber = await s.addReports([rep('a', { number: '+7999' })]).catch((e: unknown) => e);
        expect(badNumber).toMatchObject({
          code: 'BAD_REQUEST',
          message: 'reports[0].number: expected 1..15 digits, got "+7999"',
        });
        expect(await s.addReports([])).toEqual([]);
      });
    });

    describe('comments', () => {
      it('replaces a comment from the same reporter within 24 h, adds one after', async () => {
        const s = await fresh();
        const [c1] = await s.addReports([rep('a', { comment: 'first', kind: 'ban' })]);
        const [c2] = await s.addReports([rep('a', { comment: 'edited', at: T0 + 23 * HOUR })]);
        const [c3] = await s.addReports([rep('a', { comment: 'next day', at: T0 + 25 * HOUR })]);
        const [c4] = await s.addReports([rep('b', { comment: 'other', at: T0 + 2 * HOUR })]);
        const [c5] = await s.addReports([rep('b', { comment: 'elsewhere', number: N2, at: T0 + 3 * HOUR })]);
        expect(c2!.commentId).toBe(c1!.commentId);
        expect(c3!.commentId).not.toBe(c1!.commentId);
        expect(new Set([c1!.commentId, c3!.commentId, c4!.commentId, c5!.commentId]).size).toBe(4);
        expect((await s.getAggregate(N1))!.comments_count).toBe(3);
        expect((await s.getAggregate(N2))!.comments_count).toBe(1);
        const page = await s.listComments(N1, { offset: 0, limit: 10, includeHidden: false });
        expect(page).toEqual({
          total: 3,
          items: [
            {
              id: c3!.commentId,
              number: N1,
              reporter: 'a',
              text: 'next day',
              created_at: T0 + 25 * HOUR,
              updated_at: T0 + 25 * HOUR,
              hidden: false,
            },
            {
              id: c4!.commentId,
              number: N1,
              reporter: 'b',
              text: 'other',
              created_at: T0 + 2 * HOUR,
              updated_at: T0 + 2 * HOUR,
              hidden: false,
            },
            {
              id: c1!.commentId,
              number: N1,
              reporter: 'a',
              text: 'edited',
              created_at: T0,
              updated_at: T0 + 23 * HOUR,
              hidden: false,
            },
          ],
        });
        const p2 = await s.listComments(N1, { offset: 1, limit: 1, includeHidden: false });
        expect(p2.total).toBe(3);
        expect(p2.items.map((c) => c.text)).toEqual(['other']);
        expect((await s.listComments(N1, { offset: 3, limit: 5, includeHidden: false })).items).toEqual([]);
      });

      it('ignores an empty comment', async () => {
        const s = await fresh();
        const [o] = await s.addReports([rep('a', { comment: '', kind: 'ban' })]);
        expect(o!.commentId).toBeNull();
        expect((await s.getAggregate(N1))!.comments_count).toBe(0);
      });

      it('hides and shows comments, keeping comments_count to visible ones', async () => {
        const s = await fresh();
        const out = await s.addReports([
          rep('a', { comment: 'one' }),
          rep('b', { comment: 'two', at: T0 + 1 }),
          rep('c', { comment: 'three', at: T0 + 2 }),
        ]);
        const id2 = out[1]!.commentId!;
        expect(await s.setCommentHidden(id2, true)).toBe(true);
        expect(await s.setCommentHidden(id2, true)).toBe(true);
        expect((await s.getAggregate(N1))!.comments_count).toBe(2);
        const visible = await s.listComments(N1, { offset: 0, limit: 10, includeHidden: false });
        expect(visible.total).toBe(2);
        expect(visible.items.map((c) => c.text)).toEqual(['three', 'one']);
        const all = await s.listComments(N1, { offset: 0, limit: 10, includeHidden: true });
        expect(all.total).toBe(3);
        expect(all.items.map((c) => [c.text, c.hidden])).toEqual([
          ['three', false],
          ['two', true],
          ['one', false],
        ]);
        // The reporter editing within 24 h does not un-hide what a moderator hid.
        const [edit] = await s.addReports([rep('b', { comment: 'two again', at: T0 + HOUR })]);
        expect(edit!.commentId).toBe(id2);
        expect((await s.getAggregate(N1))!.comments_count).toBe(2);
        expect(await s.setCommentHidden(id2, false)).toBe(true);
        expect((await s.getAggregate(N1))!.comments_count).toBe(3);
        expect(await s.setCommentHidden(999_999, true)).toBe(false);
      });
    });

    describe('tags dictionary', () => {
      const t = (type: Tag['type'], id: number, ru: string, en: string): Tag => ({
        type,
        id,
        name_ru: ru,
        name_en: en,
      });

      it('upserts, lists in type then id order, deletes', async () => {
        const s = await fresh();
        expect(await s.listTags()).toEqual([]);
        await s.upsertTag(t('EMOTAG', 1, 'злость', 'anger'));
        await s.upsertTag(t('CATEGORY', 10, 'банк', 'bank'));
        await s.upsertTag(t('CATEGORY', 2, 'коллектор', 'collector'));
        await s.upsertTag(t('CALLER_TYPE', 3, 'компания', 'company'));
        await s.upsertTag(t('CATEGORY', 10, 'банки', 'banks'));
        expect(await s.listTags()).toEqual([
          t('CALLER_TYPE', 3, 'компания', 'company'),
          t('CATEGORY', 2, 'коллектор', 'collector'),
          t('CATEGORY', 10, 'банки', 'banks'),
          t('EMOTAG', 1, 'злость', 'anger'),
        ]);
        expect(await s.deleteTag('CATEGORY', 2)).toBe(true);
        expect(await s.deleteTag('CATEGORY', 2)).toBe(false);
        expect(await s.deleteTag('EMOTAG', 10)).toBe(false);
        expect((await s.listTags()).map((x) => `${x.type}/${x.id}`)).toEqual([
          'CALLER_TYPE/3',
          'CATEGORY/10',
          'EMOTAG/1',
        ]);
      });

      it('seeds only missing tags and keeps edited names', async () => {
        const s = await fresh();
        await s.upsertTag(t('CATEGORY', 1, 'свой', 'own'));
        const seed = [
          t('CATEGORY', 1, 'банк', 'bank'),
          t('CATEGORY', 2, 'мошенники', 'fraud'),
          t('EMOTAG', 1, 'а', 'a'),
        ];
        expect(await s.seedTags(seed)).toBe(2);
        expect(await s.seedTags(seed)).toBe(0);
        expect(await s.listTags()).toEqual([
          t('CATEGORY', 1, 'свой', 'own'),
          t('CATEGORY', 2, 'мошенники', 'fraud'),
          t('EMOTAG', 1, 'а', 'a'),
        ]);
      });

      it('keeps counts on numbers after a tag is deleted', async () => {
        const s = await fresh();
        await s.upsertTag(t('CATEGORY', 4, 'x', 'x'));
        await s.addReports([rep('a', { tags: [cat(4)] })]);
        await s.deleteTag('CATEGORY', 4);
        expect((await s.getAggregate(N1))!.tags).toEqual([{ type: 'CATEGORY', id: 4, count: 1 }]);
      });
    });

    describe('API keys and quotas', () => {
      const key = (id: string, over: Partial<Parameters<Store['createKey']>[0]> = {}) => ({
        id,
        token_hash: `hash-${id}`,
        name: `key ${id}`,
        role: 'client' as const,
        quota: null,
        quota_period: 'none' as const,
        at: T0,
        ...over,
      });

      it('creates, finds, lists and revokes keys', async () => {
        const s = await fresh();
        expect(await s.hasKeys()).toBe(false);
        expect(await s.listKeys()).toEqual([]);
        const rec = await s.createKey(key('k1', { role: 'admin', quota: 100, quota_period: 'day' }));
        expect(rec).toEqual({
          id: 'k1',
          token_hash: 'hash-k1',
          name: 'key k1',
          role: 'admin',
          created_at: T0,
          revoked_at: null,
          quota: 100,
          quota_period: 'day',
          quota_used: 0,
          quota_window_start: Date.UTC(2025, 0, 1),
        });
        await s.createKey(key('k0', { at: T0 + 1 }));
        expect(await s.hasKeys()).toBe(true);
        expect(await s.getKey('k1')).toEqual(rec);
        expect(await s.getKeyByHash('hash-k1')).toEqual(rec);
        expect(await s.getKey('nope')).toBeNull();
        expect(await s.getKeyByHash('nope')).toBeNull();
        expect((await s.listKeys()).map((k) => k.id)).toEqual(['k1', 'k0']);
        await expect(s.createKey(key('k1'))).rejects.toMatchObject({
          code: 'BAD_REQUEST',
          message: 'key k1: a key with this id or token already exists',
        });
        await expect(s.createKey(key('k9', { token_hash: 'hash-k1' }))).rejects.toMatchObject({
          code: 'BAD_REQUEST',
          message: 'key k9: a key with this id or token already exists',
        });
        expect((await s.listKeys()).length).toBe(2);
        await expect(s.createKey(key('k8', { role: 'root' as 'admin' }))).rejects.toMatchObject({
          code: 'BAD_REQUEST',
          message: 'role: expected admin or client, got "root"',
        });
        await expect(s.setQuota('k0', -1, 'day', T0)).rejects.toMatchObject({
          code: 'BAD_REQUEST',
          message: 'quota: expected a whole number ≥ 0 or null, got -1',
        });
        expect(await s.revokeKey('k1', T0 + DAY)).toBe(true);
        expect(await s.revokeKey('k1', T0 + 2 * DAY)).toBe(false);
        expect(await s.revokeKey('nope', T0)).toBe(false);
        expect(await s.getKey('k1')).toEqual({ ...rec, revoked_at: T0 + DAY });
        expect(await s.hasKeys()).toBe(true);
      });

      it('claims a nonce once until it expires', async () => {
        const s = await fresh();
        expect(await s.claimNonce('sig-a', T0 + 1000, T0)).toBe(true);
        expect(await s.claimNonce('sig-a', T0 + 1000, T0 + 500)).toBe(false);
        expect(await s.claimNonce('sig-b', T0 + 1000, T0 + 500)).toBe(true);
        // Once expired, the same value may be claimed again (its request would be stale by then).
        expect(await s.claimNonce('sig-a', T0 + 5000, T0 + 1000)).toBe(true);
        expect(await s.claimNonce('sig-a', T0 + 5000, T0 + 2000)).toBe(false);
      });

      it('refunds spent units, never below zero used, not into a period that rolled over', async () => {
        const s = await fresh();
        await s.createKey(key('r', { quota: 10, quota_period: 'day' }));
        expect(await s.spendQuota('r', 6, T0)).toEqual({ ok: true, remaining: 4 });
        await s.refundQuota('r', 2, T0);
        expect(await s.getKey('r')).toMatchObject({ quota_used: 4 });
        await s.refundQuota('r', 9, T0);
        expect(await s.getKey('r')).toMatchObject({ quota_used: 0 });
        const nextDay = Date.UTC(2025, 0, 2);
        expect(await s.spendQuota('r', 3, nextDay)).toEqual({ ok: true, remaining: 7 });
        // Units spent yesterday do not come back into today's period.
        await s.refundQuota('r', 3, T0);
        expect(await s.getKey('r')).toMatchObject({ quota_used: 3 });
        await s.createKey(key('u', { quota: null }));
        await s.refundQuota('u', 5, T0);
        expect(await s.getKey('u')).toMatchObject({ quota_used: 0 });
        await expect(s.refundQuota('r', -1, T0)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      });

      it('spends a daily quota and rolls over at the UTC day', async () => {
        const s = await fresh();
        await s.createKey(key('d', { quota: 10, quota_period: 'day' }));
        expect(await s.spendQuota('d', 4, T0)).toEqual({ ok: true, remaining: 6 });
        expect(await s.spendQuota('d', 7, T0 + 1)).toEqual({ ok: false, remaining: 6 });
        expect(await s.spendQuota('d', 6, T0 + 2)).toEqual({ ok: true, remaining: 0 });
        expect(await s.spendQuota('d', 1, T0 + 3)).toEqual({ ok: false, remaining: 0 });
        expect(await s.spendQuota('d', 0, T0 + 4)).toEqual({ ok: true, remaining: 0 });
        const nextDay = Date.UTC(2025, 0, 2);
        expect(await s.spendQuota('d', 1, nextDay - 1)).toEqual({ ok: false, remaining: 0 });
        expect(await s.spendQuota('d', 1, nextDay)).toEqual({ ok: true, remaining: 9 });
        expect(await s.getKey('d')).toMatchObject({ quota_used: 1, quota_window_start: nextDay });
        // A call stamped before the current window (another instance's clock) does not roll back.
        expect(await s.spendQuota('d', 2, nextDay - 5)).toEqual({ ok: true, remaining: 7 });
        expect(await s.getKey('d')).toMatchObject({ quota_used: 3, quota_window_start: nextDay });
      });

      it('rolls a monthly quota over at the UTC calendar month', async () => {
        const s = await fresh();
        const jan31 = Date.UTC(2025, 0, 31, 23, 59, 59, 999);
        await s.createKey(key('m', { quota: 5, quota_period: 'month', at: Date.UTC(2025, 0, 15) }));
        expect(await s.getKey('m')).toMatchObject({ quota_window_start: Date.UTC(2025, 0, 1) });
        expect(await s.spendQuota('m', 5, jan31)).toEqual({ ok: true, remaining: 0 });
        expect(await s.spendQuota('m', 1, Date.UTC(2025, 1, 1))).toEqual({ ok: true, remaining: 4 });
        expect(await s.spendQuota('m', 4, Date.UTC(2025, 1, 28, 23))).toEqual({ ok: true, remaining: 0 });
        expect(await s.spendQuota('m', 2, Date.UTC(2025, 2, 1))).toEqual({ ok: true, remaining: 3 });
        expect(await s.getKey('m')).toMatchObject({
          quota_used: 2,
          quota_window_start: Date.UTC(2025, 2, 1),
        });
      });

      it('never rolls a period "none" quota over', async () => {
        const s = await fresh();
        await s.createKey(key('n', { quota: 3, quota_period: 'none' }));
        expect(await s.spendQuota('n', 3, T0)).toEqual({ ok: true, remaining: 0 });
        expect(await s.spendQuota('n', 1, T0 + 400 * DAY)).toEqual({ ok: false, remaining: 0 });
      });

      it('lets unlimited keys spend, refuses revoked and unknown ones', async () => {
        const s = await fresh();
        await s.createKey(key('u'));
        await s.createKey(key('r', { quota: 10, quota_period: 'day' }));
        expect(await s.spendQuota('u', 1_000_000, T0)).toEqual({ ok: true, remaining: null });
        expect(await s.spendQuota('u', 1, T0)).toEqual({ ok: true, remaining: null });
        await s.revokeKey('r', T0);
        expect(await s.spendQuota('r', 1, T0)).toEqual({ ok: false, remaining: 0 });
        expect(await s.spendQuota('ghost', 1, T0)).toEqual({ ok: false, remaining: 0 });
        await expect(s.spendQuota('u', -1, T0)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      });

      it('setQuota changes the quota and starts a new period with nothing used', async () => {
        const s = await fresh();
        await s.createKey(key('q', { quota: 10, quota_period: 'day' }));
        await s.spendQuota('q', 8, T0);
        expect(await s.setQuota('q', 20, 'month', Date.UTC(2025, 0, 20, 5))).toBe(true);
        expect(await s.getKey('q')).toMatchObject({
          quota: 20,
          quota_period: 'month',
          quota_used: 0,
          quota_window_start: Date.UTC(2025, 0, 1),
        });
        expect(await s.spendQuota('q', 20, Date.UTC(2025, 0, 21))).toEqual({ ok: true, remaining: 0 });
        expect(await s.setQuota('q', null, 'none', T0)).toBe(true);
        expect(await s.spendQuota('q', 5, T0)).toEqual({ ok: true, remaining: null });
        expect(await s.setQuota('ghost', 5, 'day', T0)).toBe(false);
      });

      it('spends atomically under concurrent calls', async () => {
        const s = await fresh();
        await s.createKey(key('c', { quota: 10, quota_period: 'day' }));
        const results = await Promise.all(Array.from({ length: 25 }, () => s.spendQuota('c', 1, T0)));
        expect(results.filter((r) => r.ok).length).toBe(10);
        expect(await s.getKey('c')).toMatchObject({ quota_used: 10 });
      });
    });

    describe('blacklists', () => {
      const e = (list: string, owner: string, number: string, comment = '', by = 'admin') => ({
        list,
        owner,
        number,
        comment,
        added_by: by,
      });

      it('adds, updates comments, pages by number, removes', async () => {
        const s = await fresh();
        expect(
          await s.addListEntries(
            [e('spam', 'k1', N1, 'one'), e('spam', 'k1', N3, 'three'), e('spam', 'k1', N2, 'two')],
            T0,
          ),
        ).toBe(3);
        expect(
          await s.addListEntries(
            [e('spam', 'k1', N1, 'one!', 'other'), e('spam', 'k1', '79990000009', '')],
            T0 + DAY,
          ),
        ).toBe(1);
        const first = await s.listEntries('spam', 'k1', { after: null, limit: 2 });
        expect(first).toEqual({
          total: 4,
          items: [
            { list: 'spam', owner: 'k1', number: N3, comment: 'three', added_at: T0, added_by: 'admin' },
            { list: 'spam', owner: 'k1', number: N2, comment: 'two', added_at: T0, added_by: 'admin' },
          ],
        });
        const next = await s.listEntries('spam', 'k1', { after: N2, limit: 2 });
        expect(next).toEqual({
          total: 4,
          items: [
            {
              list: 'spam',
              owner: 'k1',
              number: '79990000009',
              comment: '',
              added_at: T0 + DAY,
              added_by: 'admin',
            },
            { list: 'spam', owner: 'k1', number: N1, comment: 'one!', added_at: T0, added_by: 'admin' },
          ],
        });
        expect(await s.listEntries('spam', 'k1', { after: N1, limit: 2 })).toEqual({ total: 4, items: [] });
        expect(await s.listEntries('spam', 'k2', { after: null, limit: 2 })).toEqual({ total: 0, items: [] });
        expect(await s.removeListEntry('spam', 'k1', N2)).toBe(true);
        expect(await s.removeListEntry('spam', 'k1', N2)).toBe(false);
        expect(await s.removeListEntry('spam', 'k2', N1)).toBe(false);
        expect((await s.listEntries('spam', 'k1', { after: null, limit: 10 })).total).toBe(3);
      });

      it('counts the same number twice in one call once, the later comment winning', async () => {
        const s = await fresh();
        expect(await s.addListEntries([e('l', 'k', N1, 'a'), e('l', 'k', N1, 'b')], T0)).toBe(1);
        expect(
          (await s.listEntries('l', 'k', { after: null, limit: 5 })).items.map((x) => x.comment),
        ).toEqual(['b']);
      });

      it("lists an owner's lists with counts and finds a number's listings", async () => {
        const s = await fresh();
        await s.addListEntries(
          [
            e('spam', GLOBAL_OWNER, N1),
            e('fraud', GLOBAL_OWNER, N1),
            e('fraud', GLOBAL_OWNER, N2),
            e('spam', 'k1', N1),
            e('mine', 'k1', N3),
            e('spam', 'k2', N1),
          ],
          T0,
        );
        expect(await s.listLists([GLOBAL_OWNER, 'k1'])).toEqual([
          { list: 'fraud', owner: GLOBAL_OWNER, count: 2 },
          { list: 'spam', owner: GLOBAL_OWNER, count: 1 },
          { list: 'mine', owner: 'k1', count: 1 },
          { list: 'spam', owner: 'k1', count: 1 },
        ]);
        expect(await s.listLists([])).toEqual([]);
        expect(await s.listLists(['nobody'])).toEqual([]);
        expect(await s.findListings(N1, [GLOBAL_OWNER, 'k1'], null)).toEqual([
          { list: 'fraud', owner: GLOBAL_OWNER },
          { list: 'spam', owner: GLOBAL_OWNER },
          { list: 'spam', owner: 'k1' },
        ]);
        expect(await s.findListings(N1, [GLOBAL_OWNER], null)).toEqual([
          { list: 'fraud', owner: GLOBAL_OWNER },
          { list: 'spam', owner: GLOBAL_OWNER },
        ]);
        expect(await s.findListings(N1, [GLOBAL_OWNER, 'k1', 'k2'], ['spam'])).toEqual([
          { list: 'spam', owner: GLOBAL_OWNER },
          { list: 'spam', owner: 'k1' },
          { list: 'spam', owner: 'k2' },
        ]);
        expect(await s.findListings(N3, [GLOBAL_OWNER], null)).toEqual([]);
        expect(await s.findListings(N1, [], null)).toEqual([]);
        expect(await s.findListings(N1, ['k1'], [])).toEqual([]);
      });
    });

    describe('change events', () => {
      it('emits what changed once the write has committed', async () => {
        const s = await fresh();
        const seen: StoreChange[] = [];
        const off = s.onChange((c) => seen.push(c));
        await s.addReports([
          rep('a', { kind: 'ban' }),
          rep('b', { number: N2, kind: 'ban' }),
          rep('c', { kind: 'ban' }),
        ]);
        expect(seen).toEqual([
          { kind: 'number', number: N1 },
          { kind: 'number', number: N2 },
        ]);
        seen.length = 0;
        await s.addListEntries([e2('spam', 'k1', N1)], T0);
        await s.removeListEntry('spam', 'k1', N1);
        await s.removeListEntry('spam', 'k1', N1);
        await s.createKey({
          id: 'k1',
          token_hash: 'h',
          name: 'n',
          role: 'client',
          quota: 1,
          quota_period: 'day',
          at: T0,
        });
        await s.setQuota('k1', 2, 'day', T0);
        await s.revokeKey('k1', T0);
        await s.upsertTag({ type: 'CATEGORY', id: 1, name_ru: 'а', name_en: 'a' });
        await s.deleteTag('CATEGORY', 1);
        await s.deleteTag('CATEGORY', 1);
        expect(seen).toEqual([
          { kind: 'list', list: 'spam', owner: 'k1', number: N1 },
          { kind: 'list', list: 'spam', owner: 'k1', number: N1 },
          { kind: 'key', id: 'k1' },
          { kind: 'key', id: 'k1' },
          { kind: 'key', id: 'k1' },
          { kind: 'tags' },
          { kind: 'tags' },
        ]);
        seen.length = 0;
        const [o] = await s.addReports([rep('a', { comment: 'x', number: N3 })]);
        seen.length = 0;
        await s.setCommentHidden(o!.commentId!, true);
        expect(seen).toEqual([{ kind: 'number', number: N3 }]);
        seen.length = 0;
        const many = Array.from({ length: 30 }, (_, i) => e2('big', GLOBAL_OWNER, String(79990000100 + i)));
        await s.addListEntries(many, T0);
        expect(seen).toEqual([{ kind: 'list', list: 'big', owner: GLOBAL_OWNER, number: null }]);
        seen.length = 0;
        off();
        await s.addReports([rep('a', { kind: 'complaint' })]);
        await s.upsertTag({ type: 'CATEGORY', id: 1, name_ru: 'а', name_en: 'a' });
        expect(seen).toEqual([]);
      });

      it('emits nothing for a failed batch', async () => {
        const s = await fresh();
        const seen: StoreChange[] = [];
        s.onChange((c) => seen.push(c));
        await s
          .addReports([rep('a', { kind: 'ban' }), rep('b', { kind: 'x' as ReportKind })])
          .catch(() => undefined);
        expect(seen).toEqual([]);
      });
    });

    describe('MNP overrides', () => {
      // Numbers and times exactly as the overrides file held them: 10-digit national, ISO text.
      const O1 = { number: '9161234567', operator: 'MEGAFON', mnc: '02', at: '2026-03-01T10:00:00.123Z' };
      const O2 = {
        number: '4951234567',
        operator: 'ПАО "МегаФон"',
        mnc: null,
        at: '2026-03-02T11:00:00.000Z',
      };
      const O3 = { number: '9990000001', operator: '7812014560', mnc: '020', at: '2026-03-03T12:00:00.000Z' };

      it('starts empty, stores rows as given and lists them ordered by number', async () => {
        const s = await fresh();
        expect(await s.listMnpOverrides()).toEqual([]);
        await s.putMnpOverride(O1);
        await s.putMnpOverride(O2);
        await s.putMnpOverride(O3);
        expect(await s.listMnpOverrides()).toEqual([O2, O1, O3]);
      });

      it('replaces the override of a number that has one (upsert), the others untouched', async () => {
        const s = await fresh();
        await s.putMnpOverride(O1);
        await s.putMnpOverride(O2);
        const newer = { number: O1.number, operator: 'MTS', mnc: null, at: '2026-04-01T00:00:00.000Z' };
        await s.putMnpOverride(newer);
        expect(await s.listMnpOverrides()).toEqual([O2, newer]);
      });

      it('deletes the given numbers and counts only those that existed', async () => {
        const s = await fresh();
        await s.putMnpOverride(O1);
        await s.putMnpOverride(O2);
        await s.putMnpOverride(O3);
        // A repeated number is one override; an unknown one is not counted.
        expect(await s.deleteMnpOverrides([O1.number, O3.number, O1.number, '9000000000'])).toBe(2);
        expect(await s.listMnpOverrides()).toEqual([O2]);
        expect(await s.deleteMnpOverrides([O1.number])).toBe(0);
        expect(await s.deleteMnpOverrides([])).toBe(0);
        expect(await s.listMnpOverrides()).toEqual([O2]);
      });

      it('refuses a malformed row (BAD_REQUEST) and stores nothing', async () => {
        const s = await fresh();
        for (const bad of [
          { ...O1, number: '79161234567' },
          { ...O1, number: '916123456x' },
          { ...O1, operator: '  ' },
          { ...O1, mnc: '2' },
          { ...O1, at: 'yesterday' },
        ])
          await expect(s.putMnpOverride(bad), JSON.stringify(bad)).rejects.toMatchObject({
            code: 'BAD_REQUEST',
          });
        expect(await s.listMnpOverrides()).toEqual([]);
      });

      it('keeps overrides across a reopen', async () => {
        const s = await fresh();
        await s.putMnpOverride(O1);
        await s.close();
        const again = await sut.reopen();
        opened.push(again);
        expect(await again.listMnpOverrides()).toEqual([O1]);
      });

      it("emits {kind: 'mnp'} after a put and after a delete that removed something, nothing else", async () => {
        const s = await fresh();
        const seen: StoreChange[] = [];
        const off = s.onChange((c) => seen.push(c));
        await s.putMnpOverride(O1);
        // Seen by the time the write resolves: the change follows the commit.
        expect(seen).toEqual([{ kind: 'mnp' }]);
        expect(await s.listMnpOverrides()).toEqual([O1]);
        await s.putMnpOverride(O1);
        await s.deleteMnpOverrides([O2.number]);
        await s.deleteMnpOverrides([O1.number]);
        await s.putMnpOverride({ ...O1, mnc: 'x' }).catch(() => undefined);
        expect(seen).toEqual([{ kind: 'mnp' }, { kind: 'mnp' }, { kind: 'mnp' }]);
        off();
        await s.putMnpOverride(O2);
        expect(seen).toHaveLength(3);
      });
    });

    describe('lifecycle', () => {
      it('answers ping and migrates again as a no-op', async () => {
        const s = await fresh();
        await s.ping();
        await s.addReports([rep('a', { kind: 'ban', tags: [cat(1)], comment: 'c' })]);
        await s.migrate();
        await s.migrate();
        expect(await s.getAggregate(N1)).toMatchObject({ bans: 1, comments_count: 1 });
      });

      it('keeps every kind of data across close and reopen', async () => {
        const s = await fresh();
        const [o] = await s.addReports([
          rep('a', { kind: 'ban', tags: [cat(1)], comment: 'kept', unwanted: true }),
        ]);
        await s.upsertTag({ type: 'CATEGORY', id: 1, name_ru: 'а', name_en: 'a' });
        await s.createKey({
          id: 'k',
          token_hash: 'th',
          name: 'n',
          role: 'admin',
          quota: 5,
          quota_period: 'day',
          at: T0,
        });
        await s.spendQuota('k', 2, T0);
        await s.addListEntries([e2('spam', 'k', N2)], T0);
        const before = await s.getAggregate(N1);
        await s.close();
        const r = await sut.reopen();
        opened.push(r);
        expect(await r.getAggregate(N1)).toEqual(before);
        expect(before).toMatchObject({ bans: 1, unwanted_yes: 1, comments_count: 1, ban_w: voteTerm(T0) });
        expect((await r.listComments(N1, { offset: 0, limit: 5, includeHidden: false })).items).toEqual([
          {
            id: o!.commentId,
            number: N1,
            reporter: 'a',
            text: 'kept',
            created_at: T0,
            updated_at: T0,
            hidden: false,
          },
        ]);
        expect(await r.listTags()).toEqual([{ type: 'CATEGORY', id: 1, name_ru: 'а', name_en: 'a' }]);
        expect(await r.getKey('k')).toMatchObject({ quota_used: 2, role: 'admin' });
        expect(await r.findListings(N2, ['k'], null)).toEqual([{ list: 'spam', owner: 'k' }]);
        const [next] = await r.addReports([rep('b', { kind: 'ban' })]);
        expect(next!.id).toBe(o!.id + 1);
      });
    });
  });
}

function e2(list: string, owner: string, number: string) {
  return { list, owner, number, comment: '', added_by: 'admin' };
}
