import { subjectByCode } from '../../core/regions.js';
import type { LookupResult, PlaceName } from '../../core/types.js';
import type { CleanedNumber, CleanResult } from '../../services/clean.js';

/** One field of an ahunter address, in the answer's key order. Empty fields are never written. */
export interface AhunterField {
  /** KLADR code of the object within its parent, without leading zeros; Region only (we have no others). */
  readonly c?: string;
  readonly level: 'Region' | 'District' | 'Place';
  readonly name: string;
  readonly type?: string;
}

export interface AhunterGeoItem {
  readonly address: { readonly fields: readonly AhunterField[] };
  readonly rel: number;
}

export interface AhunterTimeZone {
  readonly msk_zone: string;
  readonly name?: string;
  readonly utc_zone: string;
}

/** One element of `phones`, keys in the order ahunter's example has them. Absent keys are not written. */
export interface AhunterPhone {
  readonly canon_phone_number: string;
  readonly first_in_range?: string;
  readonly geo_items: readonly AhunterGeoItem[];
  readonly is_mobile: boolean;
  readonly last_in_range?: string;
  readonly operator_name?: string;
  readonly restored_zone?: true;
  readonly zone_of_range?: string;
  readonly time_zone?: AhunterTimeZone;
}

export interface AhunterAnswer {
  readonly check_info: { readonly alts: number; readonly query: string; readonly time: number };
  readonly phones: readonly AhunterPhone[];
  readonly request_process_time: number;
}

/** `ООО "Байкал Диалог"` → `ООО Байкал Диалог`: ahunter writes operator names without quotes. */
export function ahunterOperatorName(name: string): string {
  return name
    .replace(/["«»“”„‟]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Registry district types that are no KLADR district: an urban okrug is the city itself. */
const NOT_A_DISTRICT = new Set(['г.о', 'м.о']);
/** Registry type spellings to the FIAS short names ahunter shows. */
const DISTRICT_TYPES: Readonly<Record<string, string>> = { 'м.р': 'м.р-н' };

function districtField(d: PlaceName | null): AhunterField | null {
  if (!d || !d.name || NOT_A_DISTRICT.has(d.type)) return null;
  const type = DISTRICT_TYPES[d.type] ?? d.type;
  return type ? { level: 'District', name: d.name, type } : { level: 'District', name: d.name };
}

function placeField(p: PlaceName | null): AhunterField | null {
  if (!p || !p.name) return null;
  return p.type ? { level: 'Place', name: p.name, type: p.type } : { level: 'Place', name: p.name };
}

/**
 * One geo item per subject of the Federation the range is in. District and place belong to the
 * first subject named (the registry writes them before it); further subjects get the region alone.
 * `rel` splits 100 between the subjects and, for a restored zone, between the variants returned.
 */
function geoItems(r: LookupResult, share: number): AhunterGeoItem[] {
  const codes = r.region?.codes ?? [];
  if (codes.length === 0) return [];
  const rel = Math.max(1, Math.round(100 / codes.length / share));
  return codes.map((code, i) => {
    const subject = subjectByCode(code);
    const fields: AhunterField[] = [
      subject
        ? { c: String(Number(code)), level: 'Region', name: subject.shortName, type: subject.typeAbbr }
        : { c: String(Number(code)), level: 'Region', name: r.region?.name ?? '' },
    ];
    if (i === 0) {
      const district = districtField(r.district);
      if (district) fields.push(district);
      const place = placeField(r.place);
      // A federal city is its own region: `Москва г` once, not again as a place.
      if (place && !(subject && place.name === subject.shortName && place.type === subject.typeAbbr)) {
        fields.push(place);
      }
    }
    return { address: { fields: fields.filter((f) => f.name !== '') }, rel };
  });
}

function timeZone(r: LookupResult): AhunterTimeZone | undefined {
  const z = r.timezone;
  if (!z) return undefined;
  return z.name ? { msk_zone: z.msk, name: z.name, utc_zone: z.utc } : { msk_zone: z.msk, utc_zone: z.utc };
}

/** A Russian number, in the plan or not (then with its written zone but no range). */
function phoneOf(r: LookupResult, restored: boolean, share: number): AhunterPhone {
  const isMobile = r.code_kind === 'DEF';
  const zone = r.code ?? undefined;
  if (!r.valid || !r.range) {
    return {
      canon_phone_number: r.subscriber ?? '',
      geo_items: [],
      is_mobile: isMobile,
      ...(restored ? { restored_zone: true as const } : {}),
      zone_of_range: zone,
    };
  }
  const op = r.operator ? ahunterOperatorName(r.operator.name) : '';
  return {
    canon_phone_number: r.subscriber ?? '',
    first_in_range: r.range.from,
    geo_items: geoItems(r, share),
    is_mobile: isMobile,
    last_in_range: r.range.to,
    operator_name: op === '' ? undefined : op,
    restored_zone: restored ? true : undefined,
    zone_of_range: zone,
    time_zone: timeZone(r),
  };
}

function digitsOf(text: string): string {
  let d = '';
  for (const ch of text) if (ch >= '0' && ch <= '9') d += ch;
  return d;
}

const isRussian = (r: LookupResult): boolean =>
  r.country?.iso === 'RU' && r.code !== null && r.subscriber !== null;

/**
 * The phones of one found number: every Russian variant; a local number (7–9 digits) whose zone no
 * range completes gives one phone with an unknown zone, written `(***) NNNNNNN` in XML.
 */
function phonesOf(n: CleanedNumber): AhunterPhone[] {
  const russian = n.variants.filter(isRussian);
  if (russian.length > 0) {
    const share = n.restored_zone ? russian.length : 1;
    return russian.map((r) => phoneOf(r, n.restored_zone, share));
  }
  if (n.variants.length > 0) return []; // foreign, or not a number at all
  const d = digitsOf(n.text);
  const plus = n.text.trimStart().startsWith('+');
  if (plus || d.length < 7 || d.length > 9) return [];
  return [{ canon_phone_number: d.slice(d.length - 7), geo_items: [], is_mobile: false }];
}

/**
 * The phones of a cleaned query: those of the first number that reads as a Russian one. Runs of
 * 5–6 digits (a house number, a local number of a small town) and foreign numbers are passed over.
 */
export function ahunterPhones(result: CleanResult): AhunterPhone[] {
  for (const n of result.numbers) {
    const phones = phonesOf(n);
    if (phones.length > 0) return phones;
  }
  return [];
}

export function ahunterAnswer(
  phones: readonly AhunterPhone[],
  query: string,
  time: number,
  requestTime: number,
): AhunterAnswer {
  return {
    check_info: { alts: phones.length, query, time },
    phones,
    request_process_time: requestTime,
  };
}

/**
 * JSON as ahunter's `output=json|pretty` writes it: two-space indents and `"key" : value`. Keys whose
 * value is undefined are left out, as JSON.stringify does.
 */
export function prettyJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    const body = entries.map(([k, v]) => `${inner}${JSON.stringify(k)} : ${prettyJson(v, inner)}`);
    return `{\n${body.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
