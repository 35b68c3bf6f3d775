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
 * An allow/block decision for a number (blacklists, reputation): the reputation service's
 * CheckService. Without a checker, routing and AGI treat every number as allowed.
 */
export interface CallCheck {
  readonly decision: 'allow' | 'block';
  readonly reasons: readonly string[];
  /** Trust index 0.00..10.00, 5.00 for an unknown number. */
  readonly trust: number;
}

/** Asynchronous: it may ask the store. Callers ask it only when they need a decision. */
export interface CallChecker {
  check(number: LookupResult): Promise<CallCheck>;
}

/**
 * The routing face every caller (HTTP, FastAGI, AMI) uses. Routing itself is synchronous: a caller
 * that has a CallChecker asks it first when `needsCheck` (a rule has a `decision` condition) and
 * passes the answer in; without `check` such rules see the number as allowed.
 */
export interface RouteSource {
  /** Whether some rule has a `decision` condition; absent: false. */
  readonly needsCheck?: boolean;
  route(number: LookupResult, direction: Direction, check?: CallCheck): RouteDecision;
}
