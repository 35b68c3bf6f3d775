import type { ErrorCode } from '../errors.js';

/** Longest input any face accepts for a single number; checked before any other work. */
export const MAX_INPUT_LENGTH = 64;

export type ParsedInput =
  | { readonly kind: 'ru'; readonly code: number; readonly subscriber: number; readonly national: string }
  | { readonly kind: 'intl'; readonly digits: string }
  | { readonly kind: 'error'; readonly error: ErrorCode };

const C_0 = 48;
const C_9 = 57;
const C_PLUS = 43;

/** Separators people put inside numbers; anything else (letters above all) makes the input not a number. */
function isSeparator(c: number): boolean {
  return (
    c === 32 || // space
    c === 40 || // (
    c === 41 || // )
    c === 45 || // -
    c === 46 || // .
    c === 47 || // /
    c === 9 || // tab
    c === 160 || // no-break space
    c === 0x2010 || // hyphen
    c === 0x2011 ||
    c === 0x2012 ||
    c === 0x2013 || // en dash
    c === 0x2014 // em dash
  );
}

/**
 * Codes 6xx and 7xx under +7 belong to Kazakhstan; only 3xx, 4xx, 8xx (ABC) and 9xx (DEF) are
 * Russian.
 */
function isRussianCode(code: number): boolean {
  const first = (code / 100) | 0;
  return first === 3 || first === 4 || first === 8 || first === 9;
}

/**
 * Character codes of the digits of the input being parsed. Parsing is synchronous and never
 * re-entered, so one buffer serves every call; it spares the hot path a string per digit.
 */
const digitBuf = new Uint8Array(MAX_INPUT_LENGTH);

/** Numeric value of the buffered digits `from`..`to - 1`. */
function bufValue(from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (digitBuf[i]! - C_0);
  return v;
}

/**
 * The input's digits from the `k`-th on, as a string: a slice of the input when no separator splits
 * them (`+79161234567`), otherwise built from the buffer in one allocation.
 */
function digitString(input: string, n: number, first: number, last: number, k: number): string {
  if (last - first + 1 === n) return input.slice(first + k, last + 1);
  const b = digitBuf;
  if (n - k === 10) {
    return String.fromCharCode(
      b[k]!,
      b[k + 1]!,
      b[k + 2]!,
      b[k + 3]!,
      b[k + 4]!,
      b[k + 5]!,
      b[k + 6]!,
      b[k + 7]!,
      b[k + 8]!,
      b[k + 9]!,
    );
  }
  return String.fromCharCode(...b.subarray(k, n));
}

/** The last 10 of `n` buffered digits (from the `k`-th) are a national number under +7. */
function russian(input: string, n: number, first: number, last: number, k: number): ParsedInput {
  const national = digitString(input, n, first, last, k);
  const code = bufValue(k, k + 3);
  if (!isRussianCode(code)) return { kind: 'intl', digits: '7' + national };
  return { kind: 'ru', code, subscriber: bufValue(k + 3, k + 10), national };
}

/**
 * Classifies one phone-number string: a Russian number (with `+7`, `7`, `8` or no prefix), an
 * international one (with `+`, `00` or the Russian `810` exit code, or bare digits that fit no
 * Russian form), or an error code. Accepts only digits, a leading `+` and the usual separators:
 * free text with words around the number is the cleaning engine's job.
 */
export function parsePhoneInput(input: string): ParsedInput {
  const len = input.length;
  if (len > MAX_INPUT_LENGTH) return { kind: 'error', error: 'INPUT_TOO_LONG' };
  // One pass that keeps the digits' codes and where they start and end: the hot path of every lookup.
  let n = 0;
  let first = -1;
  let last = -1;
  let plus = false;
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    if (c >= C_0 && c <= C_9) {
      if (n === 0) first = i;
      last = i;
      digitBuf[n++] = c;
    } else if (c === C_PLUS) {
      if (plus || n > 0) return { kind: 'error', error: 'NOT_A_NUMBER' };
      plus = true;
    } else if (!isSeparator(c)) {
      return { kind: 'error', error: 'NOT_A_NUMBER' };
    }
  }
  if (n === 0) return { kind: 'error', error: plus ? 'NOT_A_NUMBER' : 'INPUT_EMPTY' };
  if (n > 17) return { kind: 'error', error: 'TOO_LONG' };

  const d0 = digitBuf[0]!;
  if (plus) {
    if (d0 === 55 /* 7 */) {
      if (n === 11) return russian(input, n, first, last, 1);
      return { kind: 'error', error: n < 11 ? 'TOO_SHORT' : 'TOO_LONG' };
    }
    if (n < 7) return { kind: 'error', error: 'TOO_SHORT' };
    return { kind: 'intl', digits: digitString(input, n, first, last, 0) };
  }
  if (n === 11 && (d0 === 56 || d0 === 55) /* 8…, 7… */) return russian(input, n, first, last, 1);
  if (n === 10 && isRussianCode(bufValue(0, 3))) return russian(input, n, first, last, 0);
  const d1 = digitBuf[1]!;
  // `810…`: the Russian exit code; `00…`: the international one.
  if (n > 11 && d0 === 56 && d1 === 49 && digitBuf[2] === 48) return afterExitCode(input, n, first, last, 3);
  if (n > 9 && d0 === 48 && d1 === 48) return afterExitCode(input, n, first, last, 2);
  if (n < 10) return { kind: 'error', error: 'TOO_SHORT' };
  // Bare digits in no Russian form: read them as an international number without its `+`. Under +7
  // only 11 digits exist, so other lengths starting with 7 are wrong, not foreign.
  if (d0 === 55) return { kind: 'error', error: n < 11 ? 'TOO_SHORT' : 'TOO_LONG' };
  return { kind: 'intl', digits: digitString(input, n, first, last, 0) };
}

/** The number after an exit code at `k`: `00 7 912 …` is Russian like `+7 912 …`. */
function afterExitCode(input: string, n: number, first: number, last: number, k: number): ParsedInput {
  if (digitBuf[k] === 55 /* 7 */) {
    if (n - k === 11) return russian(input, n, first, last, k + 1);
    return { kind: 'error', error: n - k < 11 ? 'TOO_SHORT' : 'TOO_LONG' };
  }
  return { kind: 'intl', digits: digitString(input, n, first, last, k) };
}
