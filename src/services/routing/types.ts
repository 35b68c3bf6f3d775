import type { LookupResult } from '../../core/types.js';

export type Direction = 'in' | 'out';

/** What the routing rules decided for one call. */
export interface RouteDecision {
  /** Route (trunk) name from the matching rule, or the default route. */
  readonly route: string;
  /** Name of the rule that matched; null when the default route applied. */
  readonly rule: string | null;
}

/**
 * An allow/block decision for a number (blacklists, reputation). Provided by the reputation
 * service once it exists; until then routing and AGI treat every number as allowed.
 */
export interface CallCheck {
  readonly decision: 'allow' | 'block';
  readonly reasons: readonly string[];
  /** Trust index 0.00..10.00, 5.00 for an unknown number. */
  readonly trust: number;
}

export interface CallChecker {
  check(number: LookupResult): CallCheck;
}

/** The routing face every caller (HTTP, FastAGI, AMI) uses. */
export interface RouteSource {
  route(number: LookupResult, direction: Direction): RouteDecision;
}
