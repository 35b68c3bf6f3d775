import { Metadata, parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/max';
import { carrier, geocoder, timezones } from 'libphonenumber-geo-carrier';
import { countryInfo } from '../core/country.js';
import type { Country, NumberType } from '../core/types.js';

const TYPE_MAP: Readonly<Record<string, NumberType>> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed',
  FIXED_LINE_OR_MOBILE: 'fixed_or_mobile',
  TOLL_FREE: 'toll_free',
  PREMIUM_RATE: 'premium_rate',
  SHARED_COST: 'shared_cost',
  VOIP: 'voip',
  PERSONAL_NUMBER: 'personal',
  PAGER: 'pager',
  UAN: 'uan',
  VOICEMAIL: 'voicemail',
};

export interface InternationalBasics {
  readonly valid: boolean;
  readonly error: 'INVALID_COUNTRY_CODE' | 'INVALID_NUMBER' | null;
  readonly e164: string | null;
  readonly national: string | null;
  readonly country: Country | null;
  readonly type: NumberType;
  readonly phone: PhoneNumber | null;
}

/** Parse and classify with libphonenumber-js metadata: cheap, synchronous. */
export function parseInternational(digits: string): InternationalBasics {
  const phone = parsePhoneNumberFromString('+' + digits);
  if (!phone) {
    return {
      valid: false,
      error: 'INVALID_COUNTRY_CODE',
      e164: null,
      national: null,
      country: null,
      type: 'unknown',
      phone: null,
    };
  }
  const valid = phone.isValid();
  const iso = phone.country ?? null;
  return {
    valid,
    error: valid ? null : 'INVALID_NUMBER',
    e164: phone.number,
    national: phone.nationalNumber,
    country: iso ? countryInfo(iso, phone.countryCallingCode) : null,
    type: valid ? (TYPE_MAP[phone.getType() ?? ''] ?? 'unknown') : 'unknown',
    phone,
  };
}

export interface InternationalDetails {
  readonly location: string | null;
  readonly location_en: string | null;
  readonly carrier: string | null;
  readonly timezones: readonly string[];
}

/**
 * Geocoder, carrier and time-zone data from libphonenumber-geo-carrier. Each call reads BSON
 * files (about a millisecond or more), so answers are kept in a bounded cache keyed by number.
 */
export class InternationalDetailsCache {
  private readonly cache = new Map<string, Promise<InternationalDetails>>();
  constructor(private readonly maxEntries = 50_000) {}

  get(phone: PhoneNumber): Promise<InternationalDetails> {
    const key = phone.number;
    const hit = this.cache.get(key);
    if (hit) {
      // Re-insert to keep recently used entries at the end (Map iteration order = age).
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const p = load(phone).catch((): InternationalDetails => ({
      location: null,
      location_en: null,
      carrier: null,
      timezones: [],
    }));
    this.cache.set(key, p);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return p;
  }
}

async function load(phone: PhoneNumber): Promise<InternationalDetails> {
  const [ru, en, car, tz] = await Promise.all([
    geocoder(phone, 'ru'),
    geocoder(phone, 'en'),
    carrier(phone, 'en'),
    timezones(phone),
  ]);
  return { location: ru ?? en ?? null, location_en: en ?? null, carrier: car ?? null, timezones: tz ?? [] };
}

const lengthCache = new Map<string, { min: number; max: number } | null>();

/** Shortest and longest national number lengths for a country, from libphonenumber metadata. */
export function nationalLengths(iso: string): { min: number; max: number } | null {
  if (lengthCache.has(iso)) return lengthCache.get(iso) ?? null;
  let out: { min: number; max: number } | null = null;
  try {
    const m = new Metadata();
    m.selectNumberingPlan(iso as Parameters<Metadata['selectNumberingPlan']>[0]);
    const lengths = m.numberingPlan?.possibleLengths() ?? [];
    if (lengths.length > 0) out = { min: Math.min(...lengths), max: Math.max(...lengths) };
  } catch {
    out = null;
  }
  lengthCache.set(iso, out);
  return out;
}

/** `+44 20 7946 0958`: libphonenumber's international format, or the E.164 string if it cannot parse. */
export function formatInternational(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
