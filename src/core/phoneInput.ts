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

function russian(national: string): ParsedInput {
  const code = +national.slice(0, 3);
  if (!isRussianCode(code)) return { kind: 'intl', digits: '7' + national };
  return { kind: 'ru', code, subscriber: +national.slice(3), national };
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
  let digits = '';
  let plus = false;
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    if (c >= C_0 && c <= C_9) {
      digits += input[i];
    } else if (c === C_PLUS) {
      if (plus || digits.length > 0) return { kind: 'error', error: 'NOT_A_NUMBER' };
      plus = true;
    } else if (!isSeparator(c)) {
      return { kind: 'error', error: 'NOT_A_NUMBER' };
    }
  }
  const n = digits.length;
  if (n === 0) return { kind: 'error', error: plus ? 'NOT_A_NUMBER' : 'INPUT_EMPTY' };
  if (n > 17) return { kind: 'error', error: 'TOO_LONG' };

  if (plus) {
    if (digits.charCodeAt(0) === 55 /* 7 */) {
      if (n === 11) return russian(digits.slice(1));
      return { kind: 'error', error: n < 11 ? 'TOO_SHORT' : 'TOO_LONG' };
    }
    if (n < 7) return { kind: 'error', error: 'TOO_SHORT' };
    return { kind: 'intl', digits };
  }
  if (n === 11) {
    const first = digits.charCodeAt(0);
    if (first === 56 /* 8 */ || first === 55 /* 7 */) return russian(digits.slice(1));
  }
  if (n === 10 && isRussianCode(+digits.slice(0, 3))) return russian(digits);
  if (n > 11 && digits.startsWith('810')) return { kind: 'intl', digits: digits.slice(3) };
  if (n > 9 && digits.startsWith('00')) return { kind: 'intl', digits: digits.slice(2) };
  if (n < 10) return { kind: 'error', error: 'TOO_SHORT' };
  // Bare digits in no Russian form: read them as an international number without its `+`.
  return { kind: 'intl', digits };
}
