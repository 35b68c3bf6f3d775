/**
 * Time decay of reputation signals, shared by both drivers so they store the same numbers.
 *
 * A vote cast at time t weighs 2^(-(now − t)/H) at `now`. Keeping S = Σ 2^((t − E)/H) per number
 * makes the decayed total at any time S·2^(-(now − E)/H): adding or withdrawing a vote is an exact
 * add or subtract of its own term, with no rescan of old votes. E is a fixed epoch so the terms
 * stay small (2^20 after ten years at H = 180 days).
 */
export const HALF_LIFE_DAYS = 180;
const HALF_LIFE_MS = HALF_LIFE_DAYS * 86_400_000;
/** 2024-01-01T00:00:00Z. */
export const DECAY_EPOCH = Date.UTC(2024, 0, 1);

/** The stored term of one vote cast at `at`. */
export function voteTerm(at: number): number {
  return 2 ** ((at - DECAY_EPOCH) / HALF_LIFE_MS);
}

/** The decayed weight at `now` of a stored sum of terms. Tiny negatives from float subtraction → 0. */
export function decayedWeight(sum: number, now: number): number {
  const w = sum * 2 ** (-(now - DECAY_EPOCH) / HALF_LIFE_MS);
  return w < 1e-9 ? 0 : w;
}
