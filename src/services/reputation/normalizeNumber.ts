import { ERRORS, NuminfoError, type ErrorCode } from '../../errors.js';
import type { NumberService } from '../numberService.js';
import { ROUTE_INPUT_ERRORS } from '../routing/routeNumber.js';

/**
 * Any phone input (`8 (999) 123-45-67`, `+7 999 1234567`, `+44 20 7946 0000`) → E.164 digits
 * without `+` (`79991234567`), the key reputation and blacklists are stored under.
 *
 * Uses the same lookup as `/v1/lookup` and the same input errors (400: not a number, too short, …).
 * A number that is well formed but not in the numbering plan, or looked up without registry data,
 * still normalizes: people report numbers whatever the plan says.
 */
export function normalizeNumber(service: Pick<NumberService, 'lookup'>, input: string): string {
  const r = service.lookup(input);
  if (r.error !== null && ROUTE_INPUT_ERRORS.has(r.error)) {
    const code = r.error as ErrorCode;
    throw new NuminfoError(code, `${ERRORS[code].message}: ${JSON.stringify(input.slice(0, 80))}`);
  }
  if (r.e164 === null) {
    throw new NuminfoError(
      'NOT_A_NUMBER',
      `${ERRORS.NOT_A_NUMBER.message}: ${JSON.stringify(input.slice(0, 80))}`,
    );
  }
  return r.e164.slice(1);
}
