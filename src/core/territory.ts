import { findSubjects as findSubjectsUncached, type Subject } from './regions.js';

/**
 * Thousands of territories repeat a few hundred region spellings; matching them is most of the
 * registry's load time, so each spelling is matched once per process.
 */
const subjectsByText = new Map<string, Subject[]>();

function findSubjects(text: string): Subject[] {
  let hit = subjectsByText.get(text);
  if (!hit) {
    hit = findSubjectsUncached(text);
    if (subjectsByText.size < 50_000) subjectsByText.set(text, hit);
  }
  return hit;
}
import { zoneForTerritory } from './timezones.js';
import type { PlaceName, Region, Territory } from './types.js';

/** Prefixes of municipal districts and okrugs, longest first so `м.р-н` wins over `р-н`. */
const DISTRICT_TYPES = ['м.р-н', 'р-н', 'г.о.', 'м.о.', 'м.р.', 'улус', 'у.', 'р-он', 'район'];
/** Prefixes of settlements. */
const PLACE_TYPES = [
  'пгт.',
  'рп.',
  'р.п.',
  'г.п.',
  'с.п.',
  'пос.',
  'ст-ца',
  'г.',
  'п.',
  'с.',
  'д.',
  'ст.',
  'х.',
  'аул',
  'город',
];

const EMPTY_MARKERS = new Set(['', '-', '*', '—']);

const TYPE_ALIASES: Readonly<Record<string, string>> = {
  город: 'г',
  пос: 'п',
  'р-он': 'р-н',
  район: 'р-н',
  'р.п': 'рп',
  у: 'улус',
};

function typeName(prefix: string): string {
  const bare = prefix.replace(/\.$/, '');
  return TYPE_ALIASES[bare] ?? bare;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `г. Самара` → {type: 'г', name: 'Самара'}; `Лысьвенский р-н` → {type: 'р-н', name: 'Лысьвенский'}. */
function splitTyped(part: string, types: readonly string[]): PlaceName | null {
  const lower = part.toLowerCase();
  for (const t of types) {
    if (lower.startsWith(t) && (t.endsWith('.') || lower.charAt(t.length) === ' ')) {
      const name = collapse(part.slice(t.length));
      if (name) return { type: typeName(t), name };
    }
    if (lower.endsWith(' ' + t)) {
      const name = collapse(part.slice(0, part.length - t.length));
      if (name) return { type: typeName(t), name };
    }
  }
  return null;
}

function regionFrom(subjects: readonly Subject[], text: string): Region {
  if (subjects.length === 0) return { name: collapse(text), code: null, codes: [] };
  const codes = subjects.map((s) => s.code);
  const name = subjects.map((s) => s.name).join(' и ');
  return { name, code: codes[0] ?? null, codes };
}

const FEDERAL_CITIES = new Set(['77', '78', '92', '99']);

/** Place types written without an abbreviation dot: `ст-ца Каневская`, `аул Хабез`. */
const UNDOTTED_TYPES = new Set(['ст-ца', 'аул']);

/**
 * Autonomous okrugs inside another subject. Old files name the okrug as a local part and its parent
 * as the region (`Ханты - Мансийский - Югра АО |Тюменская область`); the okrug is the subject meant.
 */
const OKRUG_PARENT: Readonly<Record<string, string>> = { '86': '72', '89': '72', '83': '29' };

interface Parsed {
  subjects: Subject[];
  regionText: string | null;
  district: PlaceName | null;
  place: PlaceName | null;
  localParts: string[];
}

function parseOne(text: string | null): Parsed {
  const out: Parsed = { subjects: [], regionText: null, district: null, place: null, localParts: [] };
  if (text === null) return out;
  const parts = text
    .split('|')
    .map(collapse)
    .filter((p) => !EMPTY_MARKERS.has(p));
  if (parts.length === 0) return out;
  // The registry writes from the smallest unit to the largest; the last part is the region.
  const last = parts[parts.length - 1] ?? '';
  out.subjects = findSubjects(last);
  // A last part that names no subject but a district or settlement (`г.о. Люберцы`, `г. Когалым`)
  // is local, not a region.
  const lastIsLocal =
    out.subjects.length === 0 && (splitTyped(last, DISTRICT_TYPES) ?? splitTyped(last, PLACE_TYPES)) !== null;
  out.regionText = lastIsLocal ? null : last;
  const local = lastIsLocal || (out.subjects.length === 0 && parts.length === 1) ? parts : parts.slice(0, -1);
  const parent = out.subjects.length === 1 ? out.subjects[0]?.code : undefined;
  if (parent) {
    for (const part of local) {
      const named = findSubjects(part);
      const okrug = named.length === 1 ? named[0] : undefined;
      if (okrug && OKRUG_PARENT[okrug.code] === parent) {
        out.subjects = [okrug];
        break;
      }
    }
  }
  out.localParts = local;
  for (const part of local) {
    const d = splitTyped(part, DISTRICT_TYPES);
    if (d) {
      out.district ??= d;
      continue;
    }
    const p = splitTyped(part, PLACE_TYPES);
    if (p) out.place ??= p;
  }
  return out;
}

/**
 * Parses the registry's region columns into region, district and place. `regionColumn` is `Регион`
 * (`г. Улан-Удэ|Республика Бурятия`, `-`, `*`, `г. Москва и Московская область`), `garColumn` is
 * `Территория ГАР` of the current layout (null in older ones). The GAR column names the subject more
 * reliably; the `Регион` column names the settlement more often, so each is preferred for its part.
 */
export function parseTerritory(regionColumn: string, garColumn: string | null): Territory {
  const reg = parseOne(regionColumn);
  const gar = parseOne(garColumn);
  const main = gar.subjects.length > 0 ? gar : reg.subjects.length > 0 ? reg : gar.regionText ? gar : reg;
  let region: Region | null = main.regionText === null ? null : regionFrom(main.subjects, main.regionText);
  const district = reg.district ?? gar.district;
  let place = reg.place ?? gar.place;
  // An urban okrug (`г.о. Самара`, `г.о. город Улан-Удэ`) is named after its city.
  if (!place && district?.type === 'г.о')
    place = { type: 'г', name: district.name.replace(/^город\s+/u, '') };
  const first = main.subjects[0];
  if (!place && first && main.subjects.length === 1 && FEDERAL_CITIES.has(first.code)) {
    place = { type: 'г', name: first.shortName };
  }
  if (region && region.name === '') region = null;
  const localParts = [...reg.localParts, ...gar.localParts];
  const timezone =
    first && main.subjects.every((s) => s.timezone === first.timezone)
      ? zoneForTerritory(first.code, first.timezone, localParts)
      : null;
  const bits: string[] = [];
  if (place) bits.push(`${place.type}${UNDOTTED_TYPES.has(place.type) ? '' : '.'} ${place.name}`);
  if (district && district.type !== 'г.о') bits.push(`${district.type} ${district.name}`);
  if (region && !(place && first && FEDERAL_CITIES.has(first.code) && main.subjects.length === 1)) {
    bits.push(region.name);
  }
  const raw =
    garColumn && !EMPTY_MARKERS.has(garColumn.trim()) ? `${regionColumn} / ${garColumn}` : regionColumn;
  return {
    region,
    district,
    place,
    location: bits.length > 0 ? bits.join(', ') : null,
    raw,
    timezone,
  };
}
