import type { QuotaPeriod } from '../types.js';

/** Start of the quota period containing `at` (UTC day or UTC calendar month); 'none' never rolls over. */
export function periodStart(period: QuotaPeriod, at: number): number {
  if (period === 'none') return at;
  const d = new Date(at);
  return period === 'day'
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Whether a period that started at `windowStart` is over at `at`. */
export function rolledOver(period: QuotaPeriod, windowStart: number, at: number): boolean {
  return period !== 'none' && periodStart(period, at) > windowStart;
}
