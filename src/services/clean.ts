import { findSubjects, normalizeWords } from '../core/regions.js';
import { MAX_NUMBER_DIGITS, recognize, type FoundNumber } from '../core/recognize.js';
import type { LookupResult } from '../core/types.js';
import type { RegistryIndex } from '../data/registryIndex.js';
import type { InternationalDetailsCache } from './international.js';
import type { MnpData } from './mnpData.js';
import { lookup, lookupDetailed } from './lookup.js';

/** DaData's phone types. */
export type PhoneKind = 'Мобильный' | 'Стационарный' | 'Прямой мобильный' | 'Колл-центр' | 'Неизвестный';

/** DaData's quality codes: 0 Russian sure, 7 foreign sure, 2 empty/garbage, 1 assumptions or unknown, 3 several numbers. */
export type Qc = 0 | 1 | 2 | 3 | 7;
export type QcConflict = 0 | 2 | 3;

/** Looks one number up against the loaded data (registry and MNP). */
type Look = (input: string) => LookupResult;

export interface CleanOptions {
  /** Ported numbers to apply; without it numbers show their range holder. */
  readonly mnp?: MnpData | null;
  /** Region, city or whole address the number should belong to: ranks restored zones, sets qc_conflict. */
  readonly hint?: string | null;
  /** Most interpretations to return for a number whose zone had to be restored. */
  readonly variantLimit?: number;
}

export interface CleanedNumber {
  /** The part of the input this number was read from. */
  readonly text: string;
  readonly extension: string | null;
  /** True when the area code was missing or partial and was completed from the numbering plan. */
  readonly restored_zone: boolean;
  /** True when reading the digits took a guess other than the zone (`+8 …`, digits glued in front). */
  readonly assumed: boolean;
  /** Interpretations, best first; a complete number has exactly one. */
  readonly variants: readonly LookupResult[];
  readonly kind: PhoneKind;
}

export interface CleanResult {
  readonly source: string;
  readonly qc: Qc;
  readonly qc_conflict: QcConflict;
  /** Every number found, in the order written. */
  readonly numbers: readonly CleanedNumber[];
}

const DEFAULT_VARIANT_LIMIT = 5;

/**
 * DaData's type of a looked-up number: DEF codes are mobile; 8-800 and other non-geographic codes
 * are call centres; a geographic (ABC) number whose range belongs to a mobile network is a direct
 * mobile number; other ABC numbers are fixed; anything not in the plan is unknown.
 */
export function phoneKind(r: LookupResult, registry: RegistryIndex | null): PhoneKind {
  if (r.country === null) return 'Неизвестный';
  if (r.country.iso !== 'RU') {
    if (r.type === 'mobile') return 'Мобильный';
    if (r.type === 'fixed' || r.type === 'fixed_or_mobile') return 'Стационарный';
    if (r.type === 'toll_free' || r.type === 'shared_cost' || r.type === 'uan') return 'Колл-центр';
    return 'Неизвестный';
  }
  if (!r.valid) return 'Неизвестный';
  if (r.type === 'mobile') return 'Мобильный';
  if (r.type === 'toll_free' || r.type === 'premium_rate' || r.type === 'uan') return 'Колл-центр';
  if (registry && r.operator && registry.isMobileNetwork(r.operator)) return 'Прямой мобильный';
  return 'Стационарный';
}

interface Hint {
  readonly subjects: ReadonlySet<string>;
  readonly words: ReadonlySet<string>;
  readonly city: string | null;
}

/** A city the hint names: after `г.`/`город`, or else any registry city among its words. */
function cityIn(
  text: string,
  words: readonly string[],
  cities: ReadonlyMap<string, ReadonlySet<string>> | null,
): string | null {
  const marked = hintCity(text);
  if (marked) return marked;
  if (!cities) return null;
  for (let i = 0; i < words.length; i++) {
    const pair = i + 1 < words.length ? `${words[i]} ${words[i + 1]}` : null;
    if (pair && cities.has(pair)) return pair;
    if (cities.has(words[i]!)) return words[i]!;
  }
  return null;
}

function parseHint(hint: string | null | undefined, registry: RegistryIndex | null): Hint | null {
  if (!hint || hint.trim() === '') return null;
  const text = hint.slice(0, 500);
  const words = normalizeWords(text);
  const cities = registry ? registry.cityRegions() : null;
  const city = cityIn(text, words, cities);
  const subjects = new Set(findSubjects(text).map((s) => s.code));
  // A city alone (`г. Самара`) names its region too.
  if (subjects.size === 0 && city) for (const c of cities?.get(city) ?? []) subjects.add(c);
  return { subjects, words: new Set(words), city };
}

function placeMatches(r: LookupResult, hint: Hint): boolean {
  const name = r.place?.name;
  if (!name) return false;
  const words = normalizeWords(name);
  return words.length > 0 && words.every((w) => hint.words.has(w));
}

function regionMatches(r: LookupResult, hint: Hint): boolean {
  return (r.region?.codes ?? []).some((c) => hint.subjects.has(c));
}

/**
 * How likely a restored zone is meant: the zone of a number written just before in the same text
 * (`8 (495) 608-12-34, 608-12-35`), then the hint, then a fixed line in a big range.
 */
function plausibility(r: LookupResult, hint: Hint | null, contextCode: string | null): number {
  let score = 0;
  if (contextCode !== null && r.code === contextCode) score += 200;
  if (hint) {
    if (regionMatches(r, hint)) score += 100;
    if (placeMatches(r, hint)) score += 50;
  }
  // A number written without its zone is a local landline number far more often than anything else.
  if (r.code_kind === 'ABC' && !(r.code ?? '').startsWith('80')) score += 10;
  if (r.range) score += Math.log10(r.range.capacity);
  return score;
}

function restore(
  registry: RegistryIndex,
  look: Look,
  subscriber: string,
  zoneSuffix: string,
  hint: Hint | null,
  limit: number,
  contextCode: string | null,
): LookupResult[] {
  const sub = Number(subscriber);
  const candidates: LookupResult[] = [];
  for (const code of registry.codesContaining(sub)) {
    const zone = String(code);
    if (!zone.endsWith(zoneSuffix)) continue;
    candidates.push(look(zone + subscriber));
  }
  const scored = candidates.map((r) => ({ r, s: plausibility(r, hint, contextCode) }));
  scored.sort((a, b) => b.s - a.s || Number(a.r.code) - Number(b.r.code));
  return scored.slice(0, limit).map((x) => x.r);
}

/**
 * Where a run of digits reads as no valid number, a complete Russian number at its end may still
 * be there, glued to digits that belong to something else (`№1 4991663050`, `кв. 12 …`, a date).
 */
function russianTail(look: Look, groups: readonly string[]): LookupResult | null {
  // Only whole groups are dropped: `12 4991663050` is junk and a number, `124991663050` is neither.
  let tail = groups.join('');
  for (let g = 0; g < groups.length - 1; g++) {
    tail = tail.slice(groups[g]!.length);
    if (tail.length > 11) continue;
    if (tail.length < 10) break;
    const f = tail.charCodeAt(0);
    if (tail.length === 11 && f !== 55 && f !== 56) continue;
    const r = look(tail);
    if (r.valid && r.country?.iso === 'RU') return r;
  }
  return null;
}

/** What the digits of a found number are; `assumed` when reading them took a guess. */
function interpret(
  registry: RegistryIndex | null,
  look: Look,
  found: FoundNumber,
  hint: Hint | null,
  limit: number,
  contextCode: string | null,
): { variants: LookupResult[]; restored: boolean; assumed: boolean } {
  const d = found.digits;
  if (d.length > MAX_NUMBER_DIGITS) {
    const tail = russianTail(look, found.groups);
    return { variants: tail ? [tail] : [], restored: false, assumed: tail !== null };
  }
  if (found.plus) {
    const r = look('+' + d);
    // `+8 499 …`: the trunk prefix written as a country code.
    if (!r.valid && d.length === 11 && d.charCodeAt(0) === 56) {
      const ru = look(d);
      if (ru.valid) return { variants: [ru], restored: false, assumed: true };
    }
    return { variants: [r], restored: false, assumed: false };
  }
  if (d.length >= 10) {
    const r = look(d);
    if (!r.valid && d.length > 10) {
      const tail = russianTail(look, found.groups);
      if (tail) return { variants: [tail], restored: false, assumed: true };
    }
    return { variants: [r], restored: false, assumed: false };
  }
  if (d.length >= 7 && registry) {
    // 7 digits: a local number; 8–9: a local number with the end of its zone (`991663050` → 499).
    const subscriber = d.slice(d.length - 7);
    const suffix = d.slice(0, d.length - 7);
    return {
      variants: restore(registry, look, subscriber, suffix, hint, limit, contextCode),
      restored: true,
      assumed: false,
    };
  }
  return { variants: [], restored: false, assumed: false };
}

/** A city named in the hint (`г. Самара`, `город Тольятти`), normalized. */
function hintCity(text: string): string | null {
  const m =
    /(?:^|[\s,;])(?:г\.|г\s|город\s)\s*([А-ЯЁа-яёA-Za-z][А-ЯЁа-яёA-Za-z-]*(?:\s[А-ЯЁ][а-яё-]+)?)/u.exec(text);
  return m?.[1] ? normalizeWords(m[1]).join(' ') : null;
}

/**
 * DaData's qc_conflict against a hint: 3 when the number's region is not the hint's, 2 when the
 * region agrees (or is not named) but the hint names another city than a fixed number's own.
 */
function qcConflict(r: LookupResult | undefined, hint: Hint | null): QcConflict {
  if (!hint || !r || r.country?.iso !== 'RU' || !r.valid) return 0;
  // Nationwide ranges (8-800, `Российская Федерация`) agree with every region.
  const codes = r.region?.codes ?? [];
  if (hint.subjects.size > 0 && codes.length > 0 && !codes.some((c) => hint.subjects.has(c))) return 3;
  const city = hint.city;
  if (city && r.place && r.type !== 'mobile' && normalizeWords(r.place.name).join(' ') !== city) return 2;
  return 0;
}

function qcOf(numbers: readonly CleanedNumber[]): Qc {
  const first = numbers[0];
  const best = first?.variants[0];
  if (!first || !best) return numbers.length > 0 ? 1 : 2;
  if (numbers.length > 1) return 3;
  if (first.restored_zone || first.assumed || first.variants.length > 1 || !best.valid) return 1;
  return best.country?.iso === 'RU' ? 0 : 7;
}

/**
 * Recognizes and standardizes every number in a messy string. One engine for every face: the
 * native API shows all numbers, the DaData and ahunter dialects the first one.
 */
export function clean(registry: RegistryIndex | null, source: string, opts: CleanOptions = {}): CleanResult {
  const rec = recognize(source);
  if (rec.kind !== 'found') return { source, qc: 2, qc_conflict: 0, numbers: [] };
  const hint = parseHint(opts.hint, registry);
  const mnp = opts.mnp ?? null;
  const look: Look = (input) => lookup(registry, input, mnp);
  const limit = Math.max(1, opts.variantLimit ?? DEFAULT_VARIANT_LIMIT);
  let contextCode: string | null = null;
  const numbers: CleanedNumber[] = rec.numbers.map((found) => {
    const { variants, restored, assumed } = interpret(registry, look, found, hint, limit, contextCode);
    const best = variants[0];
    if (best?.valid && best.country?.iso === 'RU' && !restored) contextCode = best.code;
    return {
      text: found.text,
      extension: found.extension,
      restored_zone: restored && variants.length > 0,
      assumed,
      variants,
      kind: best ? phoneKind(best, registry) : 'Неизвестный',
    };
  });
  // Digit soup (too many digits to be a number) alone is garbage, as DaData treats it.
  if (
    numbers.every((n) => n.variants.length === 0) &&
    rec.numbers.every((f) => f.digits.length > MAX_NUMBER_DIGITS)
  ) {
    return { source, qc: 2, qc_conflict: 0, numbers };
  }
  return { source, qc: qcOf(numbers), qc_conflict: qcConflict(numbers[0]?.variants[0], hint), numbers };
}

/** `clean`, with location, carrier and time zones added to international numbers. */
export async function cleanDetailed(
  registry: RegistryIndex | null,
  details: InternationalDetailsCache,
  source: string,
  opts: CleanOptions = {},
): Promise<CleanResult> {
  const r = clean(registry, source, opts);
  const needs = r.numbers.some((n) => n.variants.some((v) => v.country !== null && v.country.iso !== 'RU'));
  if (!needs) return r;
  const numbers = await Promise.all(
    r.numbers.map(async (n) => ({
      ...n,
      variants: await Promise.all(
        n.variants.map((v) =>
          v.country !== null && v.country.iso !== 'RU' && v.e164
            ? lookupDetailed(registry, details, v.e164, opts.mnp ?? null).then((d) => ({
                ...d,
                input: v.input,
              }))
            : v,
        ),
      ),
    })),
  );
  return { ...r, numbers };
}
