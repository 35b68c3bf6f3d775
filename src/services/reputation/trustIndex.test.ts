import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { voteTerm } from '../../store/reputationMath.js';
import type { NumberAggregate } from '../../store/types.js';
import { explainTrust, isUnwanted, trustIndex, TRUST_FORMULA } from './trustIndex.js';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

/** An aggregate of votes cast `days` ago each. */
function agg(votes: { bans?: number[]; complaints?: number[]; notSpam?: number[] }): NumberAggregate {
  const sum = (days: number[] = []): number => days.reduce((s, d) => s + voteTerm(NOW - d * DAY), 0);
  return {
    number: '79991234567',
    bans: votes.bans?.length ?? 0,
    complaints: votes.complaints?.length ?? 0,
    not_spam: votes.notSpam?.length ?? 0,
    unwanted_yes: 0,
    unwanted_no: 0,
    comments_count: 0,
    ban_w: sum(votes.bans),
    complaint_w: sum(votes.complaints),
    not_spam_w: sum(votes.notSpam),
    first_at: NOW,
    last_at: NOW,
    tags: [],
  };
}

describe('trustIndex', () => {
  it.each([
    { what: 'unknown number', a: null, index: 5 },
    { what: 'one fresh ban', a: agg({ bans: [0] }), index: 3.33 },
    { what: 'three fresh bans', a: agg({ bans: [0, 0, 0] }), index: 2 },
    { what: 'ten fresh bans', a: agg({ bans: Array<number>(10).fill(0) }), index: 0.83 },
    { what: 'one fresh complaint', a: agg({ complaints: [0] }), index: 4 },
    { what: 'one fresh "not spam"', a: agg({ notSpam: [0] }), index: 6.67 },
    { what: 'a ban 180 days old (half weight)', a: agg({ bans: [180] }), index: 4 },
    { what: 'a ban 10 years old', a: agg({ bans: [3650] }), index: 5 },
    { what: 'one ban and one "not spam"', a: agg({ bans: [0], notSpam: [0] }), index: 5 },
    {
      what: 'two bans, one complaint, one "not spam"',
      a: agg({ bans: [0, 0], complaints: [0], notSpam: [0] }),
      index: 3.64,
    },
    // The worked examples of docs/reputation.md:
    { what: 'two bans and a complaint', a: agg({ bans: [0, 0], complaints: [0] }), index: 2.22 },
    { what: 'three bans and a "not spam"', a: agg({ bans: [0, 0, 0], notSpam: [0] }), index: 3.33 },
    { what: 'three bans 180 days old', a: agg({ bans: [180, 180, 180] }), index: 2.86 },
    { what: 'three bans a year old', a: agg({ bans: [365, 365, 365] }), index: 3.66 },
    { what: 'three bans two years old', a: agg({ bans: [730, 730, 730] }), index: 4.59 },
    {
      what: 'the explanation example',
      a: agg({ bans: [0, 0, 180], complaints: [30], notSpam: [0] }),
      index: 3.36,
    },
  ])('$what → $index', ({ a, index }) => {
    expect(trustIndex(a, NOW)).toBe(index);
  });

  it('explains each signal: count, decayed weight, effect, and one sentence', () => {
    expect(explainTrust(agg({ bans: [0, 0, 180], notSpam: [0] }), NOW)).toStrictEqual({
      formula: TRUST_FORMULA,
      prior: { mean: 5, weight: 2 },
      half_life_days: 180,
      signals: [
        { signal: 'ban', count: 3, weight: 2.5, effect: -3.03 },
        { signal: 'complaint', count: 0, weight: 0, effect: 0 },
        { signal: 'not_spam', count: 1, weight: 1, effect: 1.42 },
      ],
      summary:
        '3 bans (decayed weight 2.50) and 1 "not spam" mark (decayed weight 1.00) lowered the index from 5.00 to 3.64.',
    });
    expect(explainTrust(null, NOW).summary).toBe(
      'No bans, complaints or "not spam" marks: the index is the prior 5.00.',
    );
    expect(explainTrust(agg({ notSpam: [0, 0] }), NOW).summary).toBe(
      '2 "not spam" marks (decayed weight 2.00) raised the index from 5.00 to 7.50.',
    );
    expect(TRUST_FORMULA).toBe(
      'index = (2 × 5.00 + 10 × P) / (2 + P + N), P = 1 × not_spam weight, N = 1 × ban weight + 0.5 × complaint weight; ' +
        "a vote's weight halves every 180 days; clamped to 0..10, two decimals",
    );
  });

  it.each([
    { yes: 0, no: 0, unwanted: false },
    { yes: 1, no: 0, unwanted: false },
    { yes: 2, no: 0, unwanted: true },
    { yes: 2, no: 2, unwanted: false },
    { yes: 3, no: 2, unwanted: true },
    { yes: 5, no: 9, unwanted: false },
  ])('isUnwanted($yes yes, $no no) → $unwanted', ({ yes, no, unwanted }) => {
    expect(isUnwanted(yes, no)).toBe(unwanted);
  });
});

describe('trustIndex properties', () => {
  const ages = fc.array(fc.integer({ min: 0, max: 3650 }), { maxLength: 30 });
  const votes = fc.record({ bans: ages, complaints: ages, notSpam: ages });

  it('stays within 0..10 with two decimals', () => {
    fc.assert(
      fc.property(votes, (v) => {
        const x = trustIndex(agg(v), NOW);
        return x >= 0 && x <= 10 && Number(x.toFixed(2)) === x;
      }),
    );
  });

  it('a ban never raises it, a "not spam" never lowers it', () => {
    fc.assert(
      fc.property(votes, fc.integer({ min: 0, max: 3650 }), (v, age) => {
        const before = trustIndex(agg(v), NOW);
        const banned = trustIndex(agg({ ...v, bans: [...v.bans, age] }), NOW);
        const complained = trustIndex(agg({ ...v, complaints: [...v.complaints, age] }), NOW);
        const cleared = trustIndex(agg({ ...v, notSpam: [...v.notSpam, age] }), NOW);
        return banned <= before && complained <= before && cleared >= before;
      }),
    );
  });

  it('an older signal weighs less than a newer one', () => {
    fc.assert(
      fc.property(votes, fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 0, max: 3650 }), (v, a, b) => {
        const [newer, older] = a <= b ? [a, b] : [b, a];
        const banNewer = trustIndex(agg({ ...v, bans: [...v.bans, newer] }), NOW);
        const banOlder = trustIndex(agg({ ...v, bans: [...v.bans, older] }), NOW);
        const okNewer = trustIndex(agg({ ...v, notSpam: [...v.notSpam, newer] }), NOW);
        const okOlder = trustIndex(agg({ ...v, notSpam: [...v.notSpam, older] }), NOW);
        return banNewer <= banOlder && okNewer >= okOlder;
      }),
    );
  });
});
