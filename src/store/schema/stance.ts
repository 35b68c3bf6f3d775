import { voteTerm } from '../reputationMath.js';
import type { ReportInput, ReportKind } from '../types.js';

/** One reporter's current stance on one number (a row of `votes`). */
export interface VoteState {
  kind: ReportKind | null;
  kind_at: number;
  unwanted: boolean | null;
  unwanted_at: number;
}

/** The counters of a row of `aggregates`, mutated in place by `applyStance`. */
export interface AggregateState {
  bans: number;
  complaints: number;
  not_spam: number;
  unwanted_yes: number;
  unwanted_no: number;
  comments_count: number;
  ban_w: number;
  complaint_w: number;
  not_spam_w: number;
  first_at: number;
  last_at: number;
}

export function emptyAggregate(at: number): AggregateState {
  return {
    bans: 0,
    complaints: 0,
    not_spam: 0,
    unwanted_yes: 0,
    unwanted_no: 0,
    comments_count: 0,
    ban_w: 0,
    complaint_w: 0,
    not_spam_w: 0,
    first_at: at,
    last_at: at,
  };
}

const COUNT = { ban: 'bans', complaint: 'complaints', not_spam: 'not_spam' } as const;
const WEIGHT = { ban: 'ban_w', complaint: 'complaint_w', not_spam: 'not_spam_w' } as const;

function addKind(agg: AggregateState, kind: ReportKind, count: number, term: number): void {
  const c = (agg[COUNT[kind]] += count);
  const w = agg[WEIGHT[kind]] + term;
  // With no votes left the sum is exactly 0; otherwise float subtraction may leave a tiny negative.
  agg[WEIGHT[kind]] = c === 0 || w < 0 ? 0 : w;
}

/**
 * Applies a report's kind and unwanted vote to the number's aggregate (in place) given the
 * reporter's previous stance. Returns the stance to store (null: the report carried neither) and
 * whether any counter changed. Both drivers call this so they store the same numbers.
 */
export function applyStance(
  agg: AggregateState,
  prev: VoteState | null,
  r: ReportInput,
): { vote: VoteState | null; counted: boolean } {
  if (agg.first_at > r.at) agg.first_at = r.at;
  if (agg.last_at < r.at) agg.last_at = r.at;
  if (r.kind === null && r.unwanted === null) return { vote: null, counted: false };
  const vote: VoteState = prev ? { ...prev } : { kind: null, kind_at: 0, unwanted: null, unwanted_at: 0 };
  let counted = false;
  if (r.kind !== null) {
    if (vote.kind === r.kind) {
      // A repeat refreshes the vote's time (and so its decayed term) without adding a count.
      addKind(agg, r.kind, 0, voteTerm(r.at) - voteTerm(vote.kind_at));
    } else {
      if (vote.kind !== null) addKind(agg, vote.kind, -1, -voteTerm(vote.kind_at));
      addKind(agg, r.kind, 1, voteTerm(r.at));
      counted = true;
    }
    vote.kind = r.kind;
    vote.kind_at = r.at;
  }
  if (r.unwanted !== null) {
    if (vote.unwanted !== r.unwanted) {
      if (vote.unwanted === true) agg.unwanted_yes--;
      else if (vote.unwanted === false) agg.unwanted_no--;
      if (r.unwanted) agg.unwanted_yes++;
      else agg.unwanted_no++;
      counted = true;
    }
    vote.unwanted = r.unwanted;
    vote.unwanted_at = r.at;
  }
  return { vote, counted };
}

/** Distinct tags of a report, in first-seen order. */
export function distinctTags<T extends { readonly type: string; readonly id: number }>(
  tags: readonly T[],
): T[] {
  if (tags.length < 2) return tags.slice();
  const seen = new Set<string>();
  const out: T[] = [];
  for (const t of tags) {
    const k = `${t.type}/${t.id}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(t);
    }
  }
  return out;
}

/** A comment replaces the reporter's previous one on the number when it came within this window. */
export const COMMENT_REPLACE_MS = 86_400_000;
