import { Metadata, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { formatInternationalRu, withExtension } from '../../core/format.js';
import { timeZoneInfo } from '../../core/timezones.js';
import type { LookupResult } from '../../core/types.js';
import type { CleanResult, PhoneKind, Qc, QcConflict } from '../../services/clean.js';

/** One standardized phone of DaData's `POST /api/v1/clean/phone` answer, fields in DaData's order. */
export interface DadataPhone {
  readonly source: string;
  readonly type: PhoneKind | null;
  readonly phone: string | null;
  readonly country_code: string | null;
  readonly city_code: string | null;
  readonly number: string | null;
  readonly extension: string | null;
  readonly provider: string | null;
  readonly country: string | null;
  readonly region: string | null;
  readonly city: string | null;
  readonly timezone: string | null;
  readonly qc_conflict: QcConflict;
  readonly qc: Qc;
}

/** The answer's keys in DaData's order (the tests and the docs hold to it). */
export const DADATA_FIELDS: readonly (keyof DadataPhone)[] = [
  'source',
  'type',
  'phone',
  'country_code',
  'city_code',
  'number',
  'extension',
  'provider',
  'country',
  'region',
  'city',
  'timezone',
  'qc_conflict',
  'qc',
];

/** Cities of federal significance: their own subject, so the subject's name is the city's. */
const FEDERAL_CITIES: ReadonlySet<string> = new Set(['Москва', 'Санкт-Петербург', 'Севастополь']);

/** What the registry calls a range valid anywhere in the country: not a region. */
const WHOLE_COUNTRY = 'Российская Федерация';

function empty(source: string, qc: Qc, qcConflict: QcConflict, type: PhoneKind | null): DadataPhone {
  return {
    source,
    type,
    phone: null,
    country_code: null,
    city_code: null,
    number: null,
    extension: null,
    provider: null,
    country: null,
    region: null,
    city: null,
    timezone: null,
    qc_conflict: qcConflict,
    qc,
  };
}

/**
 * `UTC+4` for one offset; `UTC+5/UTC+6` (least and greatest) when the zones differ, as DaData writes
 * countries with several zones; null when no zone is known.
 */
export function dadataTimezone(zones: readonly string[]): string | null {
  let min: { minutes: number; utc: string } | null = null;
  let max: { minutes: number; utc: string } | null = null;
  for (const iana of zones) {
    const z = timeZoneInfo(iana);
    if (z === null) continue;
    if (min === null || z.offsetMinutes < min.minutes) min = { minutes: z.offsetMinutes, utc: z.utc };
    if (max === null || z.offsetMinutes > max.minutes) max = { minutes: z.offsetMinutes, utc: z.utc };
  }
  if (min === null || max === null) return null;
  return min.minutes === max.minutes ? min.utc : `${min.utc}/${max.utc}`;
}

const prefixCache = new Map<string, boolean>();

/** Whether a country dials a national (trunk) prefix, as `0` or `8`: a plan without one has no area codes. */
function hasNationalPrefix(iso: string): boolean {
  const hit = prefixCache.get(iso);
  if (hit !== undefined) return hit;
  let out = false;
  try {
    const m = new Metadata();
    m.selectNumberingPlan(iso as CountryCode);
    // Present at run time, missing from the type declarations.
    const plan = m.numberingPlan as unknown as { nationalPrefix?: () => string | undefined } | undefined;
    out = Boolean(plan?.nationalPrefix?.());
  } catch {
    out = false;
  }
  prefixCache.set(iso, out);
  return out;
}

/**
 * National destination code and the rest of a foreign number, the way libphonenumber's
 * `getLengthOfNationalDestinationCode` finds it: the first group of the international format when the
 * national number is written in two groups or more. A closed plan (no national prefix, as in Hong Kong
 * or Singapore) has no such code, unless the number keeps a leading zero (Italy).
 */
function foreignParts(e164: string): { intl: string; ndc: string | null; rest: string } | null {
  const p = parsePhoneNumberFromString(e164);
  if (!p) return null;
  const intl = p.formatInternational();
  const national = String(p.nationalNumber);
  const groups = intl.split(/\D+/).filter((g) => g !== '');
  const open = national.startsWith('0') || (p.country !== undefined && hasNationalPrefix(p.country));
  // groups[0] is the calling code; the national number must be written in at least two groups.
  const ndc = open && groups.length >= 3 ? (groups[1] ?? null) : null;
  if (ndc !== null && national.startsWith(ndc) && ndc.length < national.length) {
    return { intl, ndc, rest: national.slice(ndc.length) };
  }
  return { intl, ndc: null, rest: national };
}

function russian(base: DadataPhone, r: LookupResult, kind: PhoneKind, ext: string | null): DadataPhone {
  const national = r.national ?? '';
  const geographic = kind === 'Стационарный' || kind === 'Прямой мобильный';
  const regionName = r.region && r.region.name !== WHOLE_COUNTRY ? r.region.name : null;
  const city =
    !r.valid || !geographic
      ? null
      : (r.place?.name ?? (regionName && FEDERAL_CITIES.has(regionName) ? regionName : null));
  return {
    ...base,
    phone: national.length === 10 ? withExtension(formatInternationalRu(national), ext) : null,
    country_code: '7',
    city_code: r.code,
    number: r.subscriber,
    extension: ext,
    provider: r.operator?.name ?? null,
    country: r.country?.name_ru ?? null,
    region: regionName,
    city,
    timezone: dadataTimezone(r.timezones),
  };
}

function foreign(base: DadataPhone, r: LookupResult, ext: string | null): DadataPhone {
  const parts = r.e164 ? foreignParts(r.e164) : null;
  return {
    ...base,
    phone: parts ? withExtension(parts.intl, ext) : null,
    country_code: r.country?.calling_code ?? null,
    city_code: parts?.ndc ?? null,
    number: parts?.rest ?? r.national,
    extension: ext,
    country: r.country?.name_ru ?? null,
    timezone: dadataTimezone(r.timezones),
  };
}

/**
 * The DaData object for a cleaned string: the first number found, its best interpretation. Fields
 * that do not apply are null, as DaData answers them; empty or garbage input keeps only `source`.
 */
export function toDadataPhone(c: CleanResult): DadataPhone {
  const first = c.numbers[0];
  if (c.qc === 2 || first === undefined) return empty(c.source, c.qc, c.qc_conflict, null);
  const base = empty(c.source, c.qc, c.qc_conflict, first.kind);
  const best = first.variants[0];
  if (best === undefined || best.country === null) return { ...base, extension: first.extension };
  return best.country.iso === 'RU'
    ? russian(base, best, first.kind, first.extension)
    : foreign(base, best, first.extension);
}
