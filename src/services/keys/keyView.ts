import { periodStart, rolledOver } from '../../store/schema/quotaPeriod.js';
import type { ApiKeyRecord } from '../../store/types.js';

/** A key as the CLI (`--json`) and `GET /v1/keys` show it: never the token hash, never a secret. */
export interface KeyView {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly created_at: string;
  readonly revoked_at: string | null;
  /** null: unlimited. */
  readonly quota: number | null;
  readonly period: string;
  /** Units spent in the current period. */
  readonly used: number;
  /** Start of the current period (ISO 8601, UTC). */
  readonly period_start: string;
}

/** `now` matters: the store resets a period's count on the first spend after it ends, the view at once. */
export function keyView(r: ApiKeyRecord, now: number): KeyView {
  const over = rolledOver(r.quota_period, r.quota_window_start, now);
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    created_at: new Date(r.created_at).toISOString(),
    revoked_at: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(),
    quota: r.quota,
    period: r.quota_period,
    used: over ? 0 : r.quota_used,
    period_start: new Date(over ? periodStart(r.quota_period, now) : r.quota_window_start).toISOString(),
  };
}
