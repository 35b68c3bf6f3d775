/**
 * Finds phone numbers in free text: `раб 846)231.60.14 *139`, `тел. 8(499)166-30-50`,
 * `8 (912) 345-67-89 доб 12, 8-800-555-35-35`. Pure and allocation-light: one pass over the
 * characters, no regular expressions, so a million strings clean in seconds.
 */

/** Longest text the cleaner reads; longer input is rejected before any scanning. */
export const MAX_CLEAN_INPUT = 1000;

export interface FoundNumber {
  /** Digits of the number as written: may include a trunk prefix (`8`), a country code or an exit code. */
  readonly digits: string;
  /** The digit groups as written between separators (`8`, `912`, `345`, …). */
  readonly groups: readonly string[];
  /** Written with a leading `+`. */
  readonly plus: boolean;
  readonly extension: string | null;
  /** The part of the input the number was read from (without the extension). */
  readonly text: string;
}

export interface Recognition {
  /** `empty`: nothing but blanks; `garbage`: text without anything number-like; `found`: see numbers. */
  readonly kind: 'empty' | 'garbage' | 'found';
  readonly numbers: readonly FoundNumber[];
}

const EMPTY: Recognition = Object.freeze({ kind: 'empty', numbers: Object.freeze([]) });
const GARBAGE: Recognition = Object.freeze({ kind: 'garbage', numbers: Object.freeze([]) });

/** Fewer digits than this in a run is not a phone number (house numbers, dates' parts, codes). */
const MIN_DIGITS = 5;
/** E.164 allows 15 digits; with a trunk or exit prefix people write up to 18. More is digit soup. */
export const MAX_NUMBER_DIGITS = 18;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Characters allowed between the digits of one number. */
function isInnerSeparator(c: number): boolean {
  return (
    (c >= 0x2000 && c <= 0x200a) || // en/em/thin/hair spaces
    c === 0x202f || // narrow no-break space
    c === 0x205f ||
    c === 0x3000 ||
    c === 32 || // space
    c === 9 ||
    c === 160 || // no-break space
    c === 45 || // -
    c === 46 || // .
    c === 40 || // (
    c === 41 || // )
    c === 47 || // /
    c === 0x2010 ||
    c === 0x2011 ||
    c === 0x2012 ||
    c === 0x2013 ||
    c === 0x2014 ||
    c === 0x2212 // minus sign
  );
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 160 || c === 10 || c === 13;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0x400 && c <= 0x4ff);
}

/**
 * Extension markers, lower case. A marker must stand as a word of its own (or be `#`, `*`), and
 * digits must follow it, so `x` in `xerox` or `доб` in `добро` is no extension.
 */
const EXTENSION_WORDS = [
  'добавочный',
  'добавочн',
  'доп',
  'доб',
  'внутр',
  'вн',
  'extension',
  'ext',
  'x',
  'х', // Cyrillic х, which people type for x
];

/**
 * If an extension marker and digits start at `i` (after blanks), returns the extension digits and
 * where they end.
 */
function readExtension(s: string, i: number): { ext: string; end: number } | null {
  const n = s.length;
  let j = i;
  // `, доб. 12`, `(доб. 139)`: blanks, a comma or an opening bracket may stand before the marker.
  while (j < n && (isSpace(s.charCodeAt(j)) || s.charCodeAt(j) === 44 || s.charCodeAt(j) === 40)) j++;
  if (j >= n) return null;
  const c = s.charCodeAt(j);
  let k: number;
  if (c === 35 /* # */ || c === 42 /* * */) {
    k = j + 1;
  } else {
    if (!isLetter(c)) return null;
    let w = j;
    while (w < n && isLetter(s.charCodeAt(w))) w++;
    const word = s.slice(j, w).toLowerCase();
    if (!EXTENSION_WORDS.includes(word)) return null;
    k = w;
  }
  // Punctuation and blanks between the marker and the digits: `доб.`, `ext:`, `вн. -`.
  while (k < n) {
    const d = s.charCodeAt(k);
    if (isSpace(d) || d === 46 || d === 58 || d === 45 || d === 35 || d === 42) k++;
    else break;
  }
  let e = k;
  while (e < n && isDigit(s.charCodeAt(e))) e++;
  const digits = e - k;
  if (digits === 0 || digits > 6) return null;
  // The extension must end there: `доб 12, …` yes, `доб 12abc` no.
  if (e < n && isLetter(s.charCodeAt(e))) return null;
  return { ext: s.slice(k, e), end: e };
}

/**
 * Whether `digits` is a whole number people write in Russia (with or without the trunk prefix);
 * after a `+` only the country code 7 and ten digits.
 */
function isCompleteNational(digits: string, plus: boolean): boolean {
  const f = digits.charCodeAt(0);
  if (digits.length === 11) return f === 55 || (!plus && f === 56); // 7, or 8 without a plus
  if (digits.length === 10 && !plus) return f === 51 || f === 52 || f === 56 || f === 57; // 3, 4, 8, 9
  return false;
}

interface SplitRun {
  readonly parts: string[][];
  /** A short group left after the last complete number: `8 846 231-60-14 (139)`. */
  readonly tail: string | null;
}

/**
 * Splits a run of digit groups that holds several numbers written one after another
 * (`8 912 345 67 89 8 800 555 35 35`), cutting only between groups where what came before is a
 * complete number. Fewer than 5 digits left after the last complete number are its tail (read as
 * an extension); a run that cannot be cut is returned whole.
 */
function splitRun(groups: readonly string[], plus: boolean): SplitRun {
  const parts: string[][] = [];
  let current: string[] = [];
  let digits = '';
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    current.push(group);
    digits += group;
    if (g < groups.length - 1 && isCompleteNational(digits, plus && parts.length === 0)) {
      parts.push(current);
      current = [];
      digits = '';
    }
  }
  if (current.length === 0) return { parts, tail: null };
  if (parts.length > 0 && digits.length < MIN_DIGITS) {
    return current.length === 1 && digits.length <= 4
      ? { parts, tail: digits }
      : { parts: merge(parts, current), tail: null };
  }
  parts.push(current);
  return { parts, tail: null };
}

function merge(parts: string[][], rest: string[]): string[][] {
  const last = parts[parts.length - 1]!;
  return [...parts.slice(0, -1), [...last, ...rest]];
}

/** `dd.mm.yyyy`, `d.m.yy` or `dd/mm/yyyy` as the first three groups of a run. */
function startsWithDate(groups: readonly string[], seps: readonly string[]): boolean {
  if (groups.length < 3) return false;
  const [d, m, y] = groups as [string, string, string];
  const sep = seps[1];
  if ((sep !== '.' && sep !== '/') || seps[2] !== sep) return false;
  if (d.length > 2 || m.length > 2 || (y.length !== 2 && y.length !== 4)) return false;
  const day = +d;
  const month = +m;
  return day >= 1 && day <= 31 && month >= 1 && month <= 12;
}

/** Finds every phone number in `input`, with its extension. */
export function recognize(input: string): Recognition {
  const s = input.length > MAX_CLEAN_INPUT ? input.slice(0, MAX_CLEAN_INPUT) : input;
  const n = s.length;
  let nonBlank = false;
  const numbers: FoundNumber[] = [];
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    const startsRun =
      isDigit(c) || ((c === 43 /* + */ || c === 40) /* ( */ && i + 1 < n && isDigit(s.charCodeAt(i + 1)));
    if (!startsRun) {
      if (!isSpace(c)) nonBlank = true;
      i++;
      continue;
    }
    nonBlank = true;
    const start = i;
    const plus = c === 43;
    if (plus) i++;
    let groups: string[] = [];
    /** The separators written before each group (`''` before the first). */
    const seps: string[] = [];
    let sep = '';
    let group = '';
    let end = i;
    while (i < n) {
      const d = s.charCodeAt(i);
      if (isDigit(d)) {
        if (group === '') {
          seps.push(sep);
          sep = '';
        }
        group += s[i];
        end = i + 1;
      } else if (isInnerSeparator(d)) {
        if (group) groups.push(group);
        group = '';
        sep += s[i];
      } else {
        break;
      }
      i++;
    }
    if (group) groups.push(group);
    // A date written before or as the run (`01.02.2023`) is no phone number.
    if (startsWithDate(groups, seps)) groups = groups.slice(3);
    let total = 0;
    for (const g of groups) total += g.length;
    if (total < MIN_DIGITS) continue;
    const text = s.slice(start, end);
    const ext = readExtension(s, end);
    if (ext) i = ext.end;
    // A `+` run is cut only after `+7` and ten digits: other countries' numbers run longer; so is
    // a run that starts with an exit code (`8 10 44 …`, `00 44 …`).
    const all = groups.join('');
    const exitCode = !plus && ((all.startsWith('810') && total > 12) || all.startsWith('00'));
    const split =
      total <= 11 || exitCode || (plus && groups[0]?.charCodeAt(0) !== 55)
        ? { parts: [groups], tail: null }
        : splitRun(groups, plus);
    const { parts } = split;
    for (let p = 0; p < parts.length; p++) {
      const digits = parts[p]!.join('');
      const last = p === parts.length - 1;
      numbers.push({
        digits,
        groups: parts[p]!,
        plus: plus && p === 0,
        // The extension belongs to the last number of the run.
        extension: last ? (ext?.ext ?? split.tail) : null,
        text: parts.length === 1 && !split.tail ? text : parts[p]!.join(' '),
      });
    }
  }
  if (numbers.length > 0) return { kind: 'found', numbers };
  return nonBlank ? GARBAGE : EMPTY;
}
