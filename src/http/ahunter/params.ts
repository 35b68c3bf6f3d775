import iconv from 'iconv-lite';
import { NuminfoError } from '../../errors.js';

/** What the answer is written as: `output=json|xml`, with `pretty` (JSON) and `cp1251` (XML). */
export interface OutputOptions {
  readonly format: 'json' | 'xml';
  readonly pretty: boolean;
  readonly cp1251: boolean;
}

export interface AhunterRequest {
  readonly user: string | undefined;
  readonly output: OutputOptions;
  /** The decoded query; undefined when the parameter is missing. */
  readonly query: string | undefined;
  readonly phonelim: number;
  /** numinfo extension: region, city or address that ranks restored zones. */
  readonly region: string | undefined;
}

/** ahunter takes the limit from the user's profile; ours is fixed. */
export const DEFAULT_PHONELIM = 5;
const MAX_PHONELIM_DIGITS = 9;

/** Parameters read once each; a second occurrence is a malformed request. */
const SINGLE = ['user', 'input', 'query', 'phonelim', 'region'] as const;

const HEX = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;

/**
 * Percent-decodes a query-string part to bytes: `%XX` is one byte, `+` a space. A `%` that starts no
 * valid escape is kept as it is. Node's HTTP parser rejects raw non-ASCII bytes in the request line,
 * so the input is ASCII in practice; a character below 256 is taken as one byte, any other as UTF-8.
 */
export function percentDecodeBytes(s: string): Buffer {
  const out = Buffer.allocUnsafe(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */ && i + 2 < s.length) {
      const hi = HEX(s.charCodeAt(i + 1));
      const lo = HEX(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    if (c === 43 /* + */) out[n++] = 32;
    else if (c < 256) out[n++] = c;
    else {
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      n += out.write(ch, n, 'utf8');
      i += ch.length - 1;
    }
  }
  return out.subarray(0, n);
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

type Encoding = 'utf8' | 'cp1251' | 'auto';

function decode(bytes: Buffer, enc: Encoding): string {
  if (enc === 'cp1251') return iconv.decode(bytes, 'win1251');
  if (enc === 'utf8') return utf8Lenient.decode(bytes);
  try {
    return utf8Strict.decode(bytes);
  } catch {
    // Not UTF-8 and no `input=` given: Windows clients send their ANSI code page.
    return iconv.decode(bytes, 'win1251');
  }
}

function inputEncoding(value: string | undefined): Encoding {
  if (value === undefined) return 'auto';
  const v = value.trim().toLowerCase();
  if (v === 'utf8' || v === 'utf-8') return 'utf8';
  if (v === 'cp1251' || v === 'windows-1251' || v === 'win1251') return 'cp1251';
  throw new NuminfoError('BAD_REQUEST', 'input must be utf8 or cp1251');
}

/** Splits a raw query string on `;` and `&`, each part on its first `=`, names and values still percent-encoded. */
export function splitQuery(rawQuery: string): [name: string, value: Buffer][] {
  const out: [string, Buffer][] = [];
  for (const part of rawQuery.split(/[;&]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = percentDecodeBytes(eq < 0 ? part : part.slice(0, eq)).toString('latin1');
    out.push([name, percentDecodeBytes(eq < 0 ? '' : part.slice(eq + 1))]);
  }
  return out;
}

/**
 * `output` flags, from every `output=` given (`output=json|pretty` or `output=json;output=pretty`).
 * Unknown flags are ignored, as a client written for ahunter may send options numinfo lacks.
 */
export function parseOutput(values: readonly string[]): OutputOptions {
  let format: 'json' | 'xml' | null = null;
  let pretty = false;
  let cp1251 = false;
  for (const v of values) {
    for (const raw of v.split(/[|,]/)) {
      const flag = raw.trim().toLowerCase();
      if (flag === 'json' || flag === 'xml') {
        if (format !== null && format !== flag)
          throw new NuminfoError('BAD_REQUEST', 'output names both json and xml');
        format = flag;
      } else if (flag === 'pretty') pretty = true;
      else if (flag === 'cp1251') cp1251 = true;
    }
  }
  return { format: format ?? 'json', pretty, cp1251 };
}

/** The output options alone, for answering an error in the requested format; JSON when they are unusable. */
export function outputOf(rawQuery: string): OutputOptions {
  try {
    return parseOutput(
      splitQuery(rawQuery)
        .filter(([n]) => n === 'output')
        .map(([, v]) => v.toString('latin1')),
    );
  } catch {
    return { format: 'json', pretty: false, cp1251: false };
  }
}

/** The first `user=` value (the API token), read before anything else is validated. */
export function userOf(parts: readonly [string, Buffer][]): string | undefined {
  const hit = parts.find(([n]) => n === 'user');
  if (!hit) return undefined;
  let enc: Encoding = 'auto';
  try {
    enc = inputEncoding(parts.find(([n]) => n === 'input')?.[1].toString('latin1'));
  } catch {
    /* a bad input= is answered after the token check */
  }
  return decode(hit[1], enc);
}

function parsePhonelim(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PHONELIM;
  const v = value.trim();
  if (!/^\d+$/.test(v) || v.replace(/^0+/, '').length > MAX_PHONELIM_DIGITS || Number(v) < 1) {
    throw new NuminfoError('BAD_REQUEST', 'phonelim must be a positive integer');
  }
  return Number(v);
}

/**
 * Reads an ahunter request from the raw query string (the part after `?`). Fastify's own parser
 * splits only on `&`, and decodes as UTF-8 only; ahunter clients separate with `;` and may send
 * Windows-1251 (`input=cp1251`).
 */
export function parseAhunterQuery(rawQuery: string): AhunterRequest {
  const parts = splitQuery(rawQuery);
  const bytes = new Map<string, Buffer>();
  const outputs: string[] = [];
  for (const [name, value] of parts) {
    if (name === 'output') {
      outputs.push(value.toString('latin1'));
      continue;
    }
    if (!(SINGLE as readonly string[]).includes(name)) continue;
    if (bytes.has(name)) throw new NuminfoError('BAD_REQUEST', `parameter "${name}" must be given once`);
    bytes.set(name, value);
  }
  const output = parseOutput(outputs);
  const enc = inputEncoding(bytes.get('input')?.toString('latin1'));
  const text = (name: (typeof SINGLE)[number]): string | undefined => {
    const b = bytes.get(name);
    return b === undefined ? undefined : decode(b, enc);
  };
  return {
    user: text('user'),
    output,
    query: text('query'),
    phonelim: parsePhonelim(bytes.get('phonelim')?.toString('latin1')),
    region: text('region'),
  };
}
