/**
 * Remembers the signatures accepted within the signature window so each can be used once.
 *
 * A signed request is valid while its `timestamp` is within `window` seconds of the server clock, in
 * either direction, so a signature must be remembered until its timestamp is `window` seconds in the
 * past. Signatures go into buckets by their request's timestamp; a bucket is dropped as a whole once
 * every timestamp it can hold is stale. Memory is therefore bounded by the signed requests accepted
 * over at most 2 × window + two buckets, about 100 bytes each (e.g. 200 requests/s with the default
 * 300 s window: ~120,000 entries, ~12 MB). Only a 128-bit prefix of each signature is kept.
 */
export class ReplayGuard {
  private readonly buckets = new Map<number, Set<string>>();
  private readonly bucketSeconds: number;
  private lastPrunedBucket = -Infinity;
  private count = 0;

  constructor(private readonly windowSeconds: number) {
    // Eight or so buckets per window: pruning is cheap and at most one bucket's worth is kept too long.
    this.bucketSeconds = Math.max(1, Math.ceil(windowSeconds / 8));
  }

  /** Records a signature of a request stamped `timestamp` (Unix seconds); false when already recorded. */
  add(signature: string, timestamp: number, nowSeconds: number): boolean {
    this.prune(nowSeconds);
    const b = Math.floor(timestamp / this.bucketSeconds);
    const id = signature.slice(0, 32).toLowerCase();
    let set = this.buckets.get(b);
    if (!set) {
      set = new Set();
      this.buckets.set(b, set);
    }
    if (set.has(id)) return false;
    set.add(id);
    this.count++;
    return true;
  }

  /** Signatures remembered now. */
  get size(): number {
    return this.count;
  }

  private prune(nowSeconds: number): void {
    const current = Math.floor(nowSeconds / this.bucketSeconds);
    if (current === this.lastPrunedBucket) return;
    this.lastPrunedBucket = current;
    const oldest = nowSeconds - this.windowSeconds;
    for (const [b, set] of this.buckets) {
      // The newest timestamp bucket b can hold is (b + 1) × size − 1; older than the window: stale.
      if ((b + 1) * this.bucketSeconds - 1 < oldest) {
        this.count -= set.size;
        this.buckets.delete(b);
      }
    }
  }
}
