import { formatInternationalRu, withExtension } from '../core/format.js';
import { MAX_CLEAN_INPUT } from '../core/recognize.js';
import type { LookupResult } from '../core/types.js';
import type { CleanedNumber, CleanResult, PhoneKind, Qc, QcConflict } from './clean.js';
import { formatInternational } from './international.js';
import { errorResult } from './lookup.js';

/** One number found in the text, with its best interpretation's lookup fields. */
export type CleanedNumberView = LookupResult & {
  readonly text: string;
  readonly extension: string | null;
  readonly restored_zone: boolean;
  readonly kind: PhoneKind | null;
  /** `+7 846 231-60-14 доб. 139` */
  readonly phone: string | null;
};

/** The native answer for one input string: the first number's fields, plus every number and variant. */
export type CleanView = LookupResult & {
  readonly source: string;
  readonly qc: Qc;
  readonly qc_conflict: QcConflict;
  readonly extension: string | null;
  readonly restored_zone: boolean;
  readonly kind: PhoneKind | null;
  readonly phone: string | null;
  /** Interpretations of the first number, best first (several only when its zone was restored). */
  readonly variants: readonly LookupResult[];
  readonly numbers: readonly CleanedNumberView[];
};

/** The written form of a looked-up number with its extension, DaData style. */
export function phoneText(r: LookupResult, extension: string | null): string | null {
  // An invalid foreign number has no standard form: libphonenumber would reshape it differently
  // each time it is read back.
  if (!r.e164 || (!r.valid && r.country?.iso !== 'RU')) return null;
  const base =
    r.country?.iso === 'RU' && r.national ? formatInternationalRu(r.national) : formatInternational(r.e164);
  return withExtension(base, extension);
}

function numberView(n: CleanedNumber): CleanedNumberView {
  const best = n.variants[0] ?? errorResult(n.text, 'NOT_A_NUMBER');
  return {
    ...best,
    text: n.text,
    extension: n.extension,
    restored_zone: n.restored_zone,
    kind: n.variants.length > 0 ? n.kind : null,
    phone: n.variants[0] ? phoneText(best, n.extension) : null,
  };
}

export function cleanView(r: CleanResult): CleanView {
  const numbers = r.numbers.map(numberView);
  const first = numbers[0];
  const error = r.source.trim() === '' ? 'INPUT_EMPTY' : 'NOT_A_NUMBER';
  const base: CleanedNumberView = first ?? {
    ...errorResult(r.source, error),
    text: '',
    extension: null,
    restored_zone: false,
    kind: null,
    phone: null,
  };
  return {
    ...base,
    input: base.input,
    source: r.source,
    qc: r.qc,
    qc_conflict: r.qc_conflict,
    variants: r.numbers[0]?.variants ?? [],
    numbers,
  };
}

/** The answer for an input longer than the cleaner reads. */
export function tooLongView(source: string): CleanView {
  return {
    ...errorResult(source.slice(0, 100), 'INPUT_TOO_LONG'),
    source: source.slice(0, MAX_CLEAN_INPUT),
    qc: 2,
    qc_conflict: 0,
    extension: null,
    restored_zone: false,
    kind: null,
    phone: null,
    variants: [],
    numbers: [],
  };
}
