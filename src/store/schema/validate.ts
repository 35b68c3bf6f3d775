import { NuminfoError } from '../../errors.js';
import { TAG_TYPES, type MnpOverrideRow, type NewApiKey, type ReportInput } from '../types.js';

const KINDS: ReadonlySet<string> = new Set(['ban', 'complaint', 'not_spam']);
const TYPES: ReadonlySet<string> = new Set(TAG_TYPES);

function isDigits(s: string): boolean {
  if (s.length < 1 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The last line of defence before a report reaches the tables. Services validate first and with
 * friendlier messages; this check runs inside the write transaction so a bad item rolls back the
 * whole batch instead of storing half of it.
 */
export function validateReport(r: ReportInput, i: number): void {
  const at = `reports[${i}]`;
  if (typeof r.number !== 'string' || !isDigits(r.number))
    throw new NuminfoError(
      'BAD_REQUEST',
      `${at}.number: expected 1..15 digits, got ${JSON.stringify(r.number)}`,
    );
  if (typeof r.reporter !== 'string' || r.reporter === '')
    throw new NuminfoError('BAD_REQUEST', `${at}.reporter: empty`);
  if (r.kind !== null && !KINDS.has(r.kind))
    throw new NuminfoError('BAD_REQUEST', `${at}.kind: unknown kind ${JSON.stringify(r.kind)}`);
  if (r.unwanted !== null && typeof r.unwanted !== 'boolean')
    throw new NuminfoError('BAD_REQUEST', `${at}.unwanted: expected true, false or null`);
  if (!Number.isFinite(r.at)) throw new NuminfoError('BAD_REQUEST', `${at}.at: not a time`);
  for (let t = 0; t < r.tags.length; t++) {
    const tag = r.tags[t]!;
    if (!TYPES.has(tag.type) || !Number.isSafeInteger(tag.id))
      throw new NuminfoError(
        'BAD_REQUEST',
        `${at}.tags[${t}]: unknown tag ${String(tag.type)}/${String(tag.id)}`,
      );
  }
}

const ROLES: ReadonlySet<string> = new Set(['admin', 'client']);
const PERIODS: ReadonlySet<string> = new Set(['none', 'day', 'month']);

export function validateQuota(quota: number | null, period: string): void {
  if (quota !== null && (!Number.isSafeInteger(quota) || quota < 0))
    throw new NuminfoError('BAD_REQUEST', `quota: expected a whole number ≥ 0 or null, got ${String(quota)}`);
  if (!PERIODS.has(period))
    throw new NuminfoError(
      'BAD_REQUEST',
      `quota_period: expected none, day or month, got ${JSON.stringify(period)}`,
    );
}

export function validateNewKey(key: NewApiKey): void {
  if (typeof key.id !== 'string' || key.id === '') throw new NuminfoError('BAD_REQUEST', 'key id: empty');
  if (!ROLES.has(key.role))
    throw new NuminfoError('BAD_REQUEST', `role: expected admin or client, got ${JSON.stringify(key.role)}`);
  validateQuota(key.quota, key.quota_period);
}

export function validateUnits(units: number): void {
  if (!Number.isSafeInteger(units) || units < 0)
    throw new NuminfoError('BAD_REQUEST', `units: expected a whole number ≥ 0, got ${String(units)}`);
}

export function duplicateKey(key: NewApiKey): NuminfoError {
  return new NuminfoError('BAD_REQUEST', `key ${key.id}: a key with this id or token already exists`);
}

/** An MNP override as the overrides file held it: 10-digit number, operator text, optional MNC, ISO time. */
export function validateMnpOverride(o: MnpOverrideRow): void {
  if (typeof o.number !== 'string' || o.number.length !== 10 || !isDigits(o.number))
    throw new NuminfoError(
      'BAD_REQUEST',
      `mnp override number: expected 10 digits, got ${JSON.stringify(o.number)}`,
    );
  if (typeof o.operator !== 'string' || o.operator.trim() === '')
    throw new NuminfoError('BAD_REQUEST', 'mnp override operator: empty');
  if (o.mnc !== null && (typeof o.mnc !== 'string' || !/^\d{2,3}$/.test(o.mnc)))
    throw new NuminfoError(
      'BAD_REQUEST',
      `mnp override mnc: expected 2 or 3 digits, got ${JSON.stringify(o.mnc)}`,
    );
  if (typeof o.at !== 'string' || Number.isNaN(Date.parse(o.at)))
    throw new NuminfoError(
      'BAD_REQUEST',
      `mnp override at: not an ISO 8601 time, got ${JSON.stringify(o.at)}`,
    );
}
