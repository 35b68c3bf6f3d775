import { describe, expect, it } from 'vitest';
import { ReplayGuard } from './replayGuard.js';

const SIG = (n: number): string => n.toString(16).padStart(8, '0') + '0'.repeat(56);

describe('ReplayGuard', () => {
  it('refuses a signature seen before, whatever its case', () => {
    const g = new ReplayGuard(300);
    expect(g.add('AB'.repeat(32), 1000, 1000)).toBe(true);
    expect(g.add('ab'.repeat(32), 1000, 1000)).toBe(false);
    expect(g.add(SIG(1), 1000, 1000)).toBe(true);
    expect(g.size).toBe(2);
  });

  it('keeps a signature until its timestamp is a window old, then drops its bucket', () => {
    const g = new ReplayGuard(300); // buckets of 38 s
    expect(g.add(SIG(1), 1000, 1000)).toBe(true);
    expect(g.add(SIG(2), 1300, 1000)).toBe(true); // from the future, within the window
    expect(g.add(SIG(1), 1000, 1300)).toBe(false);
    // 1000 lies in bucket [988, 1026): dropped once even 1025 is more than 300 s old.
    expect(g.add(SIG(3), 1326, 1326)).toBe(true);
    expect(g.size).toBe(3);
    expect(g.add(SIG(4), 1400, 1400)).toBe(true);
    expect(g.size).toBe(3);
    expect(g.add(SIG(2), 1300, 1400)).toBe(false);
  });

  it('holds at most 2 × window of accepted signatures', () => {
    const g = new ReplayGuard(60); // buckets of 8 s
    for (let t = 0; t < 10_000; t++) g.add(SIG(t), t, t);
    // Timestamps from now − 60 s, less up to two buckets (one partly stale, one not yet pruned), up to now.
    expect(g.size).toBeLessThanOrEqual(60 + 2 * 8);
    expect(g.size).toBeGreaterThanOrEqual(60);
  });
});
