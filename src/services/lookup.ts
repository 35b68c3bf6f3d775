import { RUSSIA } from '../core/country.js';
import { parsePhoneInput } from '../core/phoneInput.js';
import { timeZoneInfo } from '../core/timezones.js';
import type { LookupResult, NumberType, TimeZone } from '../core/types.js';
import type { RegistryIndex } from '../data/registryIndex.js';
import { sameOperator, type MnpData } from './mnpData.js';
import { parseInternational, type InternationalDetailsCache } from './international.js';

const NO_ZONES: readonly string[] = Object.freeze([]);

/** Number type implied by a Russian ABC/DEF code (Rossvyaz order on numbering resources). */
export function russianCodeType(code: number): NumberType {
  if (code >= 900) return 'mobile';
  if (code === 800 || code === 804) return 'toll_free';
  if (code === 803 || code === 809) return 'premium_rate';
  if (code >= 801 && code <= 808) return 'uan';
  return 'fixed';
}

/** `'000'`..`'999'`: the code part of a national number, without slicing a new string per lookup. */
const CODE_STRINGS: readonly string[] = Array.from({ length: 1000 }, (_, c) => String(c).padStart(3, '0'));
/** `'0000'`..`'9999'`: with CODE_STRINGS, a 7-digit range bound is one concatenation, not a number conversion. */
const DIGITS4: readonly string[] = Array.from({ length: 10000 }, (_, c) => String(c).padStart(4, '0'));

function pad7(n: number): string {
  if (n <= 9_999_999) return CODE_STRINGS[(n / 10000) | 0]! + DIGITS4[n % 10000]!;
  return String(n);
}

function zoneOf(iana: string | null): TimeZone | null {
  if (iana === null) return null;
  const z = timeZoneInfo(iana);
  return z && { iana: z.iana, utc: z.utc, msk: z.msk, name: z.name };
}

interface TerritoryZone {
  readonly timezone: TimeZone | null;
  readonly timezones: readonly string[];
}

/**
 * `timezone` and `timezones` of registry territories, built once per zone and shared (frozen) by
 * every result in it. Only fixed-offset zones (Russia's, the ones with a Russian name) are kept: any
 * other zone's offset follows its DST rules, so it is built afresh as `zoneOf` does.
 */
const territoryZones = new Map<string, TerritoryZone>();

function territoryZone(iana: string): TerritoryZone {
  const hit = territoryZones.get(iana);
  if (hit) return hit;
  const timezone = zoneOf(iana);
  if (timezone === null || timezone.name === null) return { timezone, timezones: [iana] };
  const z: TerritoryZone = Object.freeze({
    timezone: Object.freeze(timezone),
    timezones: Object.freeze([iana]),
  });
  territoryZones.set(iana, z);
  return z;
}

/** A result with nothing found: every field null, `error` saying why. */
export function errorResult(input: string, error: string): LookupResult {
  return {
    input,
    valid: false,
    error,
    e164: null,
    national: null,
    country: null,
    type: 'unknown',
    code: null,
    code_kind: null,
    subscriber: null,
    range: null,
    operator: null,
    range_operator: null,
    ported: false,
    ported_at: null,
    mnc: null,
    route: null,
    region: null,
    district: null,
    place: null,
    location: null,
    carrier: null,
    timezone: null,
    timezones: NO_ZONES,
    data: null,
  };
}

function russianResult(
  registry: RegistryIndex | null,
  mnp: MnpData | null,
  input: string,
  code: number,
  subscriber: number,
  national: string,
): LookupResult {
  const i = registry ? registry.find(code, subscriber) : -1;
  if (!registry || i < 0) {
    // Not the hot path: the shared empty result, with what the number itself tells.
    return {
      ...errorResult(input, registry ? 'NOT_IN_PLAN' : 'REGISTRY_NOT_LOADED'),
      e164: '+7' + national,
      national,
      country: RUSSIA,
      type: registry ? 'unknown' : russianCodeType(code),
      code: national.slice(0, 3),
      code_kind: code >= 900 ? 'DEF' : 'ABC',
      subscriber: national.slice(3),
      data: registry ? registry.dataVersion : null,
    };
  }
  const from = registry.rangeFrom(i);
  const to = registry.rangeTo(i);
  const territory = registry.territoryOf(i);
  const zone = territory.timezone === null ? null : territoryZone(territory.timezone);
  const holder = registry.operatorOf(i);
  const port = mnp === null ? null : mnp.portOf(national, code, subscriber);
  const ported = port !== null && !sameOperator(port.operator, holder);
  return {
    input,
    valid: true,
    error: null,
    e164: '+7' + national,
    national,
    country: RUSSIA,
    type: russianCodeType(code),
    code: CODE_STRINGS[code]!,
    code_kind: code >= 900 ? 'DEF' : 'ABC',
    subscriber: national.slice(3),
    range: { from: pad7(from), to: pad7(to), capacity: to - from + 1 },
    operator: port ? port.operator : holder,
    range_operator: holder,
    ported,
    ported_at: ported ? port.ported_at : null,
    mnc: port ? port.mnc : mnp === null ? null : mnp.mncOf(holder),
    route: port ? port.route : null,
    region: territory.region,
    district: territory.district,
    place: territory.place,
    location: territory.location,
    carrier: null,
    timezone: zone ? zone.timezone : null,
    timezones: zone ? zone.timezones : NO_ZONES,
    data: registry.dataVersion,
  };
}

/**
 * Looks one number up: Russian numbers in the registry, others through libphonenumber metadata.
 * Synchronous and free of I/O; international place, carrier and zones are added by `lookupDetailed`.
 */
export function lookup(
  registry: RegistryIndex | null,
  input: string,
  mnp: MnpData | null = null,
): LookupResult {
  const parsed = parsePhoneInput(input);
  if (parsed.kind === 'error') return errorResult(input, parsed.error);
  if (parsed.kind === 'ru')
    return russianResult(registry, mnp, input, parsed.code, parsed.subscriber, parsed.national);
  const intl = parseInternational(parsed.digits);
  return {
    ...errorResult(input, intl.error ?? ''),
    valid: intl.valid,
    error: intl.error,
    e164: intl.e164,
    national: intl.national,
    country: intl.country,
    type: intl.type,
    data: registry ? registry.dataVersion : null,
  };
}

/** `lookup`, plus location, carrier and time zones for international numbers (cached). */
export async function lookupDetailed(
  registry: RegistryIndex | null,
  details: InternationalDetailsCache,
  input: string,
  mnp: MnpData | null = null,
): Promise<LookupResult> {
  const r = lookup(registry, input, mnp);
  if (r.country === null || r.country.iso === 'RU' || !r.e164 || r.error === 'INVALID_COUNTRY_CODE') return r;
  const phone = parseInternational(r.e164.slice(1)).phone;
  if (!phone) return r;
  const d = await details.get(phone);
  return {
    ...r,
    location: d.location_en ?? d.location,
    carrier: d.carrier,
    timezone: zoneOf(d.timezones[0] ?? null),
    timezones: d.timezones,
  };
}
