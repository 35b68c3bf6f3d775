import { callVariables, lookupStatus } from '../services/callVariables.js';
import type { LookupResult } from '../core/types.js';
import type { RouteDecision } from '../services/routing/types.js';

/**
 * The channel variables the AMI client sets on a call, as `[name, value]` in the order they are
 * sent: the names and values of the FastAGI scripts `lookup` (and `route`), whose status codes and
 * ASCII form it shares. Empty values are empty strings. NUMINFO_STATUS comes last, so once the
 * dialplan sees it every other variable is set too (Asterisk runs one session's actions in order).
 *
 * - NUMINFO_OPERATOR: the operator serving the number now (after MNP), as the registry writes it.
 * - NUMINFO_OPERATOR_LAT: the same in printable ASCII (transliterated), for dialplans and CDRs.
 * - NUMINFO_REGION, NUMINFO_REGION_CODE: region name (`Краснодарский край`) and KLADR code (`23`).
 * - NUMINFO_TYPE: `mobile`, `fixed`, `toll_free` … as in the native API.
 * - NUMINFO_PORTED: `1` when the number moved to another operator, else `0`.
 * - NUMINFO_MNC: mobile network code of the serving operator, when known.
 * - NUMINFO_ROUTE, NUMINFO_ROUTE_RULE: route and matching rule for an incoming call (with a router).
 * - NUMINFO_STATUS: `OK`, `NOT_FOUND`, `BAD_NUMBER`, `NO_DATA` (see docs/asterisk.md).
 */
export function numinfoVariables(
  result: LookupResult,
  route: RouteDecision | null = null,
): [string, string][] {
  const vars: [string, string][] = callVariables(result);
  if (route !== null) vars.push(['NUMINFO_ROUTE', route.route], ['NUMINFO_ROUTE_RULE', route.rule ?? '']);
  vars.push(['NUMINFO_STATUS', lookupStatus(result)]);
  return vars;
}
