import type { LookupResult } from '../../core/types.js';
import { ERRORS, NuminfoError, type ErrorCode } from '../../errors.js';
import type { NumberService } from '../numberService.js';
import type { Direction, RouteSource } from './types.js';

/** The answer of every routing face: the decision, the direction it was made for, the number. */
export interface RouteAnswer {
  readonly route: string;
  readonly rule: string | null;
  readonly direction: Direction;
  readonly number: LookupResult;
}

/**
 * Lookup errors that mean the input is no phone number at all. A well-formed number that is not
 * assigned (`NOT_IN_PLAN`, `INVALID_NUMBER`), or one looked up without registry data, is still
 * routed: prefix, country and type rules apply to it, and the default route catches the rest.
 */
export const ROUTE_INPUT_ERRORS: ReadonlySet<string> = new Set<ErrorCode>([
  'INPUT_EMPTY',
  'INPUT_TOO_LONG',
  'NOT_A_NUMBER',
  'TOO_SHORT',
  'TOO_LONG',
  'INVALID_COUNTRY_CODE',
]);

/** `in` or `out` (any case); absent: `fallback`. Anything else is BAD_REQUEST. */
export function parseDirection(value: unknown, fallback: Direction = 'out'): Direction {
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'string') {
    const d = value.trim().toLowerCase();
    if (d === 'in' || d === 'out') return d;
  }
  throw new NuminfoError('BAD_REQUEST', 'direction must be in or out');
}

/**
 * Looks the number up (synchronously, MNP applied) and routes it. Throws a NuminfoError with the
 * lookup's code when the input is not a phone number (ROUTE_INPUT_ERRORS).
 */
export function routeNumber(
  service: Pick<NumberService, 'lookup'>,
  routes: RouteSource,
  input: string,
  direction: Direction,
): RouteAnswer {
  const number = service.lookup(input);
  if (number.error !== null && ROUTE_INPUT_ERRORS.has(number.error)) {
    const code = number.error as ErrorCode;
    throw new NuminfoError(code, `${ERRORS[code].message}: ${JSON.stringify(input.slice(0, 80))}`);
  }
  const d = routes.route(number, direction);
  return { route: d.route, rule: d.rule, direction, number };
}
