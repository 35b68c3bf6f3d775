import { transliterate } from '../core/translit.js';
import type { LookupResult } from '../core/types.js';

/**
 * The channel variables the telephony faces (FastAGI and AMI) set for a looked-up number: one list,
 * one set of values, so a dialplan reads the same whichever way it asked.
 */

/**
 * NUMINFO_STATUS for a lookup: OK (found, or a valid foreign number), NOT_FOUND (a well-formed
 * number outside the plan), BAD_NUMBER (not a usable phone number), NO_NUMBER (nothing to look up),
 * NO_DATA (the Russian registry is not loaded).
 */
export function lookupStatus(r: LookupResult): string {
  if (r.error === null) return 'OK';
  switch (r.error) {
    case 'NOT_IN_PLAN':
    case 'INVALID_NUMBER':
      return 'NOT_FOUND';
    case 'INPUT_EMPTY':
      return 'NO_NUMBER';
    case 'REGISTRY_NOT_LOADED':
      return 'NO_DATA';
    default:
      return 'BAD_NUMBER';
  }
}

/** Punctuation the registry and caller names use, in ASCII. */
const PUNCTUATION: Readonly<Record<string, string>> = {
  '«': '"',
  '»': '"',
  '„': '"',
  '“': '"',
  '”': '"',
  '‘': "'",
  '’': "'",
  '—': '-',
  '–': '-',
  '№': 'N',
  '\u00a0': ' ',
};

/**
 * ASCII for older Asterisk: Cyrillic transliterated, quotes and dashes made plain, anything else
 * outside printable ASCII as `?`.
 */
export function latinSafe(value: string): string {
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 || c > 126) {
      ascii = false;
      break;
    }
  }
  if (ascii) return value;
  return transliterate(value).replace(/[^\x20-\x7e]/gu, (ch) => PUNCTUATION[ch] ?? '?');
}

/**
 * NUMINFO_OPERATOR (serving now, after MNP), its ASCII form, NUMINFO_REGION and its KLADR code,
 * NUMINFO_TYPE, NUMINFO_PORTED (1/0) and NUMINFO_MNC; empty strings where nothing applies.
 * NUMINFO_STATUS is left to the caller, which sends it last.
 */
export function callVariables(r: LookupResult): [name: string, value: string][] {
  const operator = r.operator?.name ?? r.carrier ?? '';
  return [
    ['NUMINFO_OPERATOR', operator],
    ['NUMINFO_OPERATOR_LAT', latinSafe(operator)],
    ['NUMINFO_REGION', r.region?.name ?? ''],
    ['NUMINFO_REGION_CODE', r.region?.code ?? ''],
    ['NUMINFO_TYPE', r.type],
    ['NUMINFO_PORTED', r.ported ? '1' : '0'],
    ['NUMINFO_MNC', r.mnc ?? ''],
  ];
}
