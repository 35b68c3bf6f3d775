/**
 * The one lookup model every face renders. Field names are the native API's JSON names, so the
 * native face serializes this object as it is; dialects map it to their own shapes.
 */

export type NumberType =
  | 'mobile'
  | 'fixed'
  | 'fixed_or_mobile'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'voip'
  | 'personal'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

export interface Country {
  /** ISO 3166-1 alpha-2, upper case. */
  readonly iso: string;
  readonly calling_code: string;
  readonly name_ru: string;
  readonly name_en: string;
  readonly flag: string;
}

export interface Operator {
  readonly name: string;
  /** Taxpayer number; null in old registry layouts that lack it and where no later file names it. */
  readonly inn: string | null;
}

export interface PlaceName {
  /** Abbreviated type as the registry writes it: `г`, `пгт`, `р-н`, `г.о.` */
  readonly type: string;
  readonly name: string;
}

export interface Region {
  /** Display name: `Самарская область`, `Москва и Московская область`, `Российская Федерация`. */
  readonly name: string;
  /** KLADR code of the first subject named, or null for federal / unparsed areas. */
  readonly code: string | null;
  /** KLADR codes of every subject the range covers. */
  readonly codes: readonly string[];
}

export interface Territory {
  readonly region: Region | null;
  readonly district: PlaceName | null;
  readonly place: PlaceName | null;
  /** `г. Самара, Самарская область`: region, district and place joined for people. */
  readonly location: string | null;
  /** The registry text it was parsed from (`Регион`, then `Территория ГАР` when present). */
  readonly raw: string;
  /** IANA zone for this territory, or null when it spans zones or is unknown. */
  readonly timezone: string | null;
}

export interface TimeZone {
  readonly iana: string;
  readonly utc: string;
  readonly msk: string;
  readonly name: string | null;
}

export interface NumberRange {
  /** First and last subscriber numbers of the range, 7 digits each. */
  readonly from: string;
  readonly to: string;
  readonly capacity: number;
}

export interface DataVersion {
  readonly version: string;
  readonly date: string;
}

export interface LookupResult {
  readonly input: string;
  /** True when the number exists: in the Russian plan, or valid for its country. */
  readonly valid: boolean;
  /** Machine code of why not, e.g. `NOT_IN_PLAN`; null when valid. */
  readonly error: string | null;
  readonly e164: string | null;
  /** National significant number: 10 digits for Russia. */
  readonly national: string | null;
  readonly country: Country | null;
  readonly type: NumberType;
  /** ABC/DEF code and subscriber part, Russian numbers only. */
  readonly code: string | null;
  readonly code_kind: 'ABC' | 'DEF' | null;
  readonly subscriber: string | null;
  readonly range: NumberRange | null;
  /** The operator serving the number now: the range holder, or the recipient if it was ported. */
  readonly operator: Operator | null;
  /** The operator holding the number's range in the numbering plan. */
  readonly range_operator: Operator | null;
  /** True when MNP data says the number moved to another operator than its range holder. */
  readonly ported: boolean;
  /** Date of the port, YYYY-MM-DD, when ported and known. */
  readonly ported_at: string | null;
  /** Mobile network code of the serving operator, when known (`02`). */
  readonly mnc: string | null;
  /** Routing number of a ported number as the MNP database gives it (`D2502`). */
  readonly route: string | null;
  readonly region: Region | null;
  readonly district: PlaceName | null;
  readonly place: PlaceName | null;
  readonly location: string | null;
  /** Carrier name from libphonenumber data, international numbers only. */
  readonly carrier: string | null;
  readonly timezone: TimeZone | null;
  /** Every IANA zone the number may be in (one for most). */
  readonly timezones: readonly string[];
  readonly data: DataVersion | null;
}
