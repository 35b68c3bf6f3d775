import { transliterate } from '../../core/translit.js';
import type { LookupResult, NumberType } from '../../core/types.js';
import { nationalLengths } from '../../services/international.js';

export interface VoxlinkV1 {
  readonly code: string;
  readonly num: string;
  readonly full_num: string;
  readonly operator: string;
  readonly old_operator: string | null;
  readonly region: string;
}

export const V1_FIELDS: ReadonlySet<string> = new Set([
  'code',
  'num',
  'full_num',
  'operator',
  'old_operator',
  'region',
]);

/** v1 answer for a Russian number found in the plan: `operator` serves it now; `old_operator` held its range before it was ported. */
export function toVoxlinkV1(r: LookupResult, translit: ((s: string) => string) | null): VoxlinkV1 {
  const t = translit ?? ((s: string) => s);
  return {
    code: r.code ?? '',
    num: r.subscriber ?? '',
    full_num: r.national ?? '',
    operator: t(r.operator?.name ?? ''),
    old_operator: r.ported && r.range_operator ? t(r.range_operator.name) : null,
    region: t(r.region?.name ?? ''),
  };
}

export interface VoxlinkV2 {
  readonly cns: string;
  readonly country_code: string;
  readonly destination: string;
  readonly type_id: number;
  readonly description: string;
  readonly location: string;
  readonly registrar: string;
  readonly min_subscr_nr_length: number;
  readonly max_subscr_nr_length: number;
  readonly flag_iso: string;
  readonly flag_icon: string;
}

/** Numeric line-type ids of the v2 answer; `docs/dialects/voxlink.md` lists them. */
export const V2_TYPES: Readonly<Record<NumberType, [id: number, description: string]>> = {
  unknown: [0, 'Unknown'],
  fixed: [1, 'Fixed line'],
  mobile: [2, 'Mobile'],
  fixed_or_mobile: [3, 'Fixed line or mobile'],
  toll_free: [4, 'Toll free'],
  premium_rate: [5, 'Premium rate'],
  shared_cost: [6, 'Shared cost'],
  voip: [7, 'VoIP'],
  personal: [8, 'Personal number'],
  pager: [9, 'Pager'],
  uan: [10, 'Universal access number'],
  voicemail: [11, 'Voicemail'],
};

/**
 * v2 answer, Latin script. `cns` is the number as dialled internationally, digits only; lengths
 * count digits including the country code, as the v2 description says.
 */
export function toVoxlinkV2(r: LookupResult): VoxlinkV2 {
  const cc = r.country?.calling_code ?? '';
  const [typeId, description] = V2_TYPES[r.type];
  const isRu = r.country?.iso === 'RU';
  const lengths = isRu ? { min: 10, max: 10 } : r.country ? nationalLengths(r.country.iso) : null;
  const location = isRu ? [r.place?.name, r.region?.name].filter(Boolean).join(', ') : (r.location ?? '');
  const registrar = isRu ? (r.operator?.name ?? '') : (r.carrier ?? '');
  return {
    cns: r.e164 ? r.e164.slice(1) : '',
    country_code: cc,
    destination: r.country?.name_en ?? '',
    type_id: typeId,
    description,
    location: transliterate(location),
    registrar: transliterate(registrar),
    min_subscr_nr_length: lengths ? lengths.min + cc.length : 0,
    max_subscr_nr_length: lengths ? lengths.max + cc.length : 0,
    flag_iso: r.country?.iso ?? '',
    flag_icon: r.country?.flag ?? '',
  };
}
