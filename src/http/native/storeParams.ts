import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isNuminfoError, NuminfoError } from '../../errors.js';
import type { NumberService } from '../../services/numberService.js';
import { normalizeNumber } from '../../services/reputation/normalizeNumber.js';

/**
 * Request parsing shared by the store-backed native routes (reports, tags, blacklists, checks):
 * every failure is a 400 whose message starts with the name of the field that was wrong.
 */

/** The store-backed routes are registered on every server; without a store they answer 503. */
export function needStore<T>(deps: T | null | undefined): T {
  if (deps === null || deps === undefined) {
    throw new NuminfoError(
      'STORE_UNAVAILABLE',
      'reports, tags, blacklists and checks need a store; this server runs without one',
    );
  }
  return deps;
}

/**
 * JSON bodies whatever their label (`curl -d` sends a form label), with messages that say what was
 * wrong. An empty body parses as undefined so a route can name what it expected; `text/csv` stays
 * text for the blacklist import.
 */
export function registerBodyParsers(app: FastifyInstance, opts: { csv: boolean }): void {
  // Fastify's own JSON parser: it refuses `__proto__` and `constructor.prototype` keys.
  const strictJson = app.getDefaultJsonParser('error', 'error');
  const parseJson = (
    request: FastifyRequest,
    body: string,
    done: (e: Error | null, v?: unknown) => void,
  ): void => {
    if (body.trim() === '') {
      done(null, undefined);
      return;
    }
    strictJson(request, body, (e, value) => {
      if (e) done(new NuminfoError('BAD_REQUEST', `body is not valid JSON: ${e.message}`));
      else done(null, value);
    });
  };
  app.removeContentTypeParser(['application/json', 'text/plain']);
  for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (request, body, done) => {
      // A CSV import sent with `curl --data-binary @file.csv` arrives labelled as a form or text.
      if (opts.csv && type !== 'application/json' && !/^\s*[[{]/.test(body as string)) {
        done(null, body);
        return;
      }
      parseJson(request, body as string, done);
    });
  }
  if (opts.csv) {
    app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
  }
}

export function queryOf(request: { query: unknown }): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

/** One optional query string value; repeated parameters are an error, not a silent pick. */
export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new NuminfoError('BAD_REQUEST', `${name} must be given once`);
  return value;
}

export function requiredString(value: unknown, name: string): string {
  const s = optionalString(value, name);
  if (s === undefined) throw new NuminfoError('MISSING_PARAMETER', `${name} is required`);
  return s;
}

/** An integer query or path value within [min, max]; `fallback` when absent. */
export function intValue(
  value: unknown,
  name: string,
  range: { min: number; max: number; fallback?: number },
): number {
  const s = optionalString(value, name);
  if (s === undefined || s === '') {
    if (range.fallback !== undefined) return range.fallback;
    throw new NuminfoError('MISSING_PARAMETER', `${name} is required`);
  }
  const n = /^-?\d{1,15}$/.test(s.trim()) ? Number(s.trim()) : NaN;
  if (!Number.isInteger(n) || n < range.min || n > range.max) {
    throw new NuminfoError(
      'BAD_REQUEST',
      `${name} must be an integer ${range.min}..${range.max}, got ${JSON.stringify(s.slice(0, 40))}`,
    );
  }
  return n;
}

export function booleanValue(value: unknown, name: string, fallback: boolean): boolean {
  const s = optionalString(value, name);
  if (s === undefined || s === '') return fallback;
  const v = s.trim().toLowerCase();
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  throw new NuminfoError(
    'BAD_REQUEST',
    `${name} must be true or false, got ${JSON.stringify(s.slice(0, 40))}`,
  );
}

/**
 * Any phone input (string, or digits as a JSON number) → E.164 digits, with the lookup's error code
 * and a message that names the field (`reports[2].number: the input is not a phone number`).
 */
export function numberValue(service: NumberService, input: unknown, field: string): string {
  if (typeof input === 'number' && Number.isSafeInteger(input) && input > 0) input = String(input);
  if (typeof input !== 'string') {
    throw new NuminfoError(
      input === undefined ? 'MISSING_PARAMETER' : 'BAD_REQUEST',
      input === undefined ? `${field} is required` : `${field} must be a string`,
    );
  }
  try {
    return normalizeNumber(service, input);
  } catch (e) {
    if (isNuminfoError(e) && e.status === 400) {
      throw new NuminfoError(e.code, `${field}: ${e.message}`);
    }
    throw e;
  }
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
