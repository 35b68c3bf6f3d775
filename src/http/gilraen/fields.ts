import type { LookupResult } from '../../core/types.js';
import { NuminfoError } from '../../errors.js';
import type { Reputation, TagCount } from '../../services/reputation/reputationService.js';
import { TAG_TYPES, type Tag } from '../../store/types.js';

/** What `/v1/limits` (and `limits` in `/v1/number`) answers for a key without a quota, and in open mode. */
export const UNLIMITED = 2147483647;

/** The `opt_fields` of `/v1/number`, each named as the method answering the same data. */
export const OPT_FIELDS = [
  'bans',
  'index',
  'tags_top',
  'unwanted',
  'comments',
  'limits',
  'carrier_region',
] as const;
export type OptField = (typeof OPT_FIELDS)[number];

const OPT_FIELD_SET: ReadonlySet<string> = new Set(OPT_FIELDS);

/**
 * `bans,index,unwanted` → the fields in the order asked, each once. Spaces around names are
 * tolerated; an empty list or an unknown name is a 400 naming it.
 */
export function parseOptFields(raw: string): OptField[] {
  const out: OptField[] = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    if (!OPT_FIELD_SET.has(name)) {
      throw new NuminfoError(
        'BAD_REQUEST',
        `opt_fields: unknown field ${JSON.stringify(name.slice(0, 40))}; known: ${OPT_FIELDS.join(', ')}`,
      );
    }
    if (!out.includes(name as OptField)) out.push(name as OptField);
  }
  if (out.length === 0) {
    throw new NuminfoError('MISSING_PARAMETER', `opt_fields is empty; known: ${OPT_FIELDS.join(', ')}`);
  }
  return out;
}

/** Units `/v1/number` spends: one per field but `limits`, as the original documents. */
export function unitsFor(fields: readonly OptField[]): number {
  let n = 0;
  for (const f of fields) if (f !== 'limits') n++;
  return n;
}

export interface GilraenTagCount {
  readonly id: number;
  readonly count: number;
}

export interface GilraenTags {
  /** `{}` when nobody gave the number a caller type: the original types it as an object, never null. */
  readonly callerType: GilraenTagCount | Record<string, never>;
  readonly categories: readonly GilraenTagCount[];
  readonly subcategories: readonly GilraenTagCount[];
  readonly callReasons: readonly GilraenTagCount[];
  readonly emotags: readonly GilraenTagCount[];
}

const counts = (list: readonly TagCount[]): GilraenTagCount[] =>
  list.map((t) => ({ id: t.id, count: t.count }));

export function tagsTop(r: Reputation): GilraenTags {
  const t = r.tags;
  return {
    callerType: t.callerType ? { id: t.callerType.id, count: t.callerType.count } : {},
    categories: counts(t.categories),
    subcategories: counts(t.subcategories),
    callReasons: counts(t.callReasons),
    emotags: counts(t.emotags),
  };
}

export interface CarrierRegion {
  readonly carrier: string;
  readonly region: string;
}

/** What the registry calls a range valid anywhere in the country (8-800…): no region to name. */
const WHOLE_COUNTRY = 'Российская Федерация';

/**
 * `carrier`: the operator serving the number now (after MNP), as the registry spells it; for other
 * countries libphonenumber's carrier name. `region`: `Россия, <subject>` for Russian numbers
 * (`Россия` alone for nationwide or unknown ranges), the country's Russian name for others. Both are
 * always strings (`""` when unknown): the original types them as strings.
 */
export function carrierRegion(r: LookupResult): CarrierRegion {
  if (r.country === null || r.country.iso === 'RU') {
    const name = r.region?.name ?? null;
    const region = name === null || name.startsWith(WHOLE_COUNTRY) ? 'Россия' : `Россия, ${name}`;
    return { carrier: r.operator?.name ?? '', region };
  }
  return { carrier: r.carrier ?? '', region: r.country.name_ru };
}

export interface GilraenTagEntry {
  readonly type: string;
  readonly id: number;
  readonly name: string;
}

export type TagLang = 'en' | 'ru';

export function parseLang(raw: unknown): TagLang {
  if (raw === undefined || raw === 'en') return 'en';
  if (raw === 'ru') return 'ru';
  throw new NuminfoError('BAD_REQUEST', 'lang must be en (the default) or ru');
}

const TYPE_ORDER: ReadonlyMap<string, number> = new Map(TAG_TYPES.map((t, i) => [t, i]));

/** The dictionary in a stable order: by type as the original lists the types, then by id. */
export function tagsList(tags: readonly Tag[], lang: TagLang): GilraenTagEntry[] {
  return [...tags]
    .sort((a, b) => (TYPE_ORDER.get(a.type) ?? 99) - (TYPE_ORDER.get(b.type) ?? 99) || a.id - b.id)
    .map((t) => ({ type: t.type, id: t.id, name: lang === 'ru' ? t.name_ru : t.name_en }));
}
