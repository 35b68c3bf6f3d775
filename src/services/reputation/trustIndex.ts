/**
 * The trust index: a Bayesian average of a number's signals, 0.00 (certainly unwanted) to 10.00
 * (certainly fine), 5.00 when nothing is known. Pure: the aggregate and the clock come in.
 *
 * Every number starts with PRIOR_WEIGHT imaginary votes of PRIOR_MEAN. A ban is a vote of 0 with
 * weight 1, a complaint a vote of 0 with weight 0.5, a "not spam" mark a vote of 10 with weight 1,
 * each weight decayed by age (half-life HALF_LIFE_DAYS, `reputationMath.ts`):
 *
 *   index = (m·5 + 10·P) / (m + P + N),  P = not_spam_w,  N = ban_w + 0.5·complaint_w
 *
 * The prior keeps one report from swinging a number to an extreme (one ban: 3.33, not 0), and
 * lets old signals fade back towards 5.00 instead of condemning a number forever.
 */
import type { NumberAggregate } from '../../store/types.js';
import { decayedWeight, HALF_LIFE_DAYS } from '../../store/reputationMath.js';

export const PRIOR_MEAN = 5;
export const PRIOR_WEIGHT = 2;
export const POSITIVE_VALUE = 10;
export const BAN_WEIGHT = 1;
export const COMPLAINT_WEIGHT = 0.5;
export const NOT_SPAM_WEIGHT = 1;
/** A number is unwanted when at least this many distinct reporters say so and yes votes outnumber no. */
export const UNWANTED_MIN_VOTES = 2;

export const TRUST_FORMULA =
  `index = (${PRIOR_WEIGHT} × ${PRIOR_MEAN.toFixed(2)} + ${POSITIVE_VALUE} × P) / (${PRIOR_WEIGHT} + P + N), ` +
  `P = ${NOT_SPAM_WEIGHT} × not_spam weight, N = ${BAN_WEIGHT} × ban weight + ${COMPLAINT_WEIGHT} × complaint weight; ` +
  `a vote's weight halves every ${HALF_LIFE_DAYS} days; clamped to 0..10, two decimals`;

export type TrustSignalName = 'ban' | 'complaint' | 'not_spam';

export interface TrustSignal {
  readonly signal: TrustSignalName;
  /** Reporters whose current stance is this signal. */
  readonly count: number;
  /** Their votes' total weight now, after decay (two decimals). */
  readonly weight: number;
  /** Index with every signal minus the index without this one: negative lowers it. */
  readonly effect: number;
}

export interface TrustExplanation {
  readonly formula: string;
  readonly prior: { readonly mean: number; readonly weight: number };
  readonly half_life_days: number;
  readonly signals: readonly TrustSignal[];
  readonly summary: string;
}

/** Decayed signal weights at one moment. */
export interface TrustWeights {
  readonly ban: number;
  readonly complaint: number;
  readonly not_spam: number;
}

const NO_WEIGHTS: TrustWeights = Object.freeze({ ban: 0, complaint: 0, not_spam: 0 });

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function weightsAt(agg: NumberAggregate | null, now: number): TrustWeights {
  if (agg === null) return NO_WEIGHTS;
  return {
    ban: decayedWeight(agg.ban_w, now),
    complaint: decayedWeight(agg.complaint_w, now),
    not_spam: decayedWeight(agg.not_spam_w, now),
  };
}

/** The index of decayed weights, clamped to 0..10 and rounded to two decimals. */
export function indexOf(w: TrustWeights): number {
  const p = NOT_SPAM_WEIGHT * w.not_spam;
  const n = BAN_WEIGHT * w.ban + COMPLAINT_WEIGHT * w.complaint;
  const x = (PRIOR_WEIGHT * PRIOR_MEAN + POSITIVE_VALUE * p) / (PRIOR_WEIGHT + p + n);
  return round2(Math.min(10, Math.max(0, x)));
}

export function trustIndex(agg: NumberAggregate | null, now: number): number {
  return indexOf(weightsAt(agg, now));
}

/** The unwanted-calls flag: enough distinct reporters, and more yes than no. */
export function isUnwanted(yes: number, no: number): boolean {
  return yes >= UNWANTED_MIN_VOTES && yes > no;
}

const NOUNS: Record<TrustSignalName, readonly [string, string]> = {
  ban: ['ban', 'bans'],
  complaint: ['complaint', 'complaints'],
  not_spam: ['"not spam" mark', '"not spam" marks'],
};

/** Why the index is what it is: each signal's count, decayed weight and effect, and one sentence. */
export function explainTrust(agg: NumberAggregate | null, now: number): TrustExplanation {
  const w = weightsAt(agg, now);
  const index = indexOf(w);
  const counts: Record<TrustSignalName, number> = {
    ban: agg?.bans ?? 0,
    complaint: agg?.complaints ?? 0,
    not_spam: agg?.not_spam ?? 0,
  };
  const signals: TrustSignal[] = (['ban', 'complaint', 'not_spam'] as const).map((signal) => ({
    signal,
    count: counts[signal],
    weight: round2(w[signal]),
    effect: round2(index - indexOf({ ...w, [signal]: 0 })),
  }));
  const parts = signals
    .filter((s) => s.count > 0)
    .map(
      (s) => `${s.count} ${NOUNS[s.signal][s.count === 1 ? 0 : 1]} (decayed weight ${s.weight.toFixed(2)})`,
    );
  const prior = PRIOR_MEAN.toFixed(2);
  let summary: string;
  if (parts.length === 0) {
    summary = `No bans, complaints or "not spam" marks: the index is the prior ${prior}.`;
  } else {
    const what = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
    const verb = index < PRIOR_MEAN ? 'lowered' : index > PRIOR_MEAN ? 'raised' : 'left';
    summary =
      verb === 'left'
        ? `${what} left the index at ${prior}.`
        : `${what} ${verb} the index from ${prior} to ${index.toFixed(2)}.`;
  }
  return {
    formula: TRUST_FORMULA,
    prior: { mean: PRIOR_MEAN, weight: PRIOR_WEIGHT },
    half_life_days: HALF_LIFE_DAYS,
    signals,
    summary,
  };
}
