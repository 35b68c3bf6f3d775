import type { Country } from './types.js';

const namesRu = new Intl.DisplayNames(['ru'], { type: 'region' });
const namesEn = new Intl.DisplayNames(['en'], { type: 'region' });

/** Regional-indicator emoji for an ISO 3166-1 alpha-2 code: `RU` → 🇷🇺. */
export function flagEmoji(iso: string): string {
  const up = iso.toUpperCase();
  if (!/^[A-Z]{2}$/.test(up)) return '';
  return String.fromCodePoint(0x1f1e6 + up.charCodeAt(0) - 65, 0x1f1e6 + up.charCodeAt(1) - 65);
}

const cache = new Map<string, Country>();

/** Country facts from the runtime's ICU data, built once per country. */
export function countryInfo(iso: string, callingCode: string): Country {
  const key = `${iso}+${callingCode}`;
  let c = cache.get(key);
  if (!c) {
    c = Object.freeze({
      iso,
      calling_code: callingCode,
      name_ru: iso === 'RU' ? 'Россия' : (namesRu.of(iso) ?? iso),
      name_en: namesEn.of(iso) ?? iso,
      flag: flagEmoji(iso),
    });
    cache.set(key, c);
  }
  return c;
}

export const RUSSIA: Country = countryInfo('RU', '7');
