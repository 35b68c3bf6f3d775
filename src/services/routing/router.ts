import type { LookupResult } from '../../core/types.js';
import { compileRule, type CompiledRule } from './conditions.js';
import { parseRules, type RuleSpec } from './rules.js';
import type { CallCheck, CallChecker, Direction, RouteDecision, RouteSource } from './types.js';

/** The route of a server without a rules file. */
export const DEFAULT_ROUTE = 'default';

/** What a number gets when no check is passed in: allowed, unknown trust. */
export const ALLOW_ALL: CallCheck = Object.freeze({
  decision: 'allow',
  reasons: Object.freeze([]),
  trust: 5,
});

/** The parts of a rules file a Router needs (a parsed `RulesFile` is one). */
export interface RouterRules {
  readonly defaultRoute: string;
  readonly rules: readonly RuleSpec[];
}

/**
 * Routing rules compiled for matching: the first rule whose direction and conditions all hold gives
 * the route, else the default route. Immutable; a reload builds a new Router and swaps it in
 * (RoutingManager). `route()` allocates nothing: decisions are built with the rules. It is
 * synchronous: the allow/block check (asynchronous, it may ask the store) is made by the caller
 * beforehand, only when `needsCheck`, and passed in (`routeChecked`).
 */
export class Router implements RouteSource {
  readonly defaultRoute: string;
  /** Rule names in file order. */
  readonly ruleNames: readonly string[];
  private readonly inbound: readonly CompiledRule[];
  private readonly outbound: readonly CompiledRule[];
  private readonly fallback: RouteDecision;
  /** Some rule has a `decision` condition: callers should pass a CallCheck. */
  readonly needsCheck: boolean;

  constructor(spec: RouterRules) {
    const compiled = spec.rules.map(compileRule);
    this.needsCheck = compiled.some((r) => r.decisions !== null);
    this.defaultRoute = spec.defaultRoute;
    this.ruleNames = compiled.map((r) => r.name);
    this.inbound = compiled.filter((r) => r.direction !== 'out');
    this.outbound = compiled.filter((r) => r.direction !== 'in');
    this.fallback = Object.freeze({ route: spec.defaultRoute, rule: null });
  }

  /** No rules: every call takes `defaultRoute`. */
  static empty(defaultRoute = DEFAULT_ROUTE): Router {
    return new Router({ defaultRoute, rules: [] });
  }

  /** Parses rules text (YAML or JSON) and compiles it; throws RulesError as `parseRules` does. */
  static fromText(text: string, file?: string): Router {
    return new Router(parseRules(text, file));
  }

  get size(): number {
    return this.ruleNames.length;
  }

  /** `check`: the number's allow/block decision; absent, `decision` conditions see it as allowed. */
  route(number: LookupResult, direction: Direction, check: CallCheck = ALLOW_ALL): RouteDecision {
    const rules = direction === 'in' ? this.inbound : this.outbound;
    next: for (const rule of rules) {
      for (const test of rule.tests) if (!test(number)) continue next;
      if (rule.decisions !== null && !rule.decisions.has(check.decision)) continue;
      return rule.decision;
    }
    return this.fallback;
  }
}

/**
 * Routes a call, asking the checker first only when the rules need its decision: synchronous (no
 * promise, no store) for rules without `decision` conditions or without a checker. (A reload while
 * the checker answers only means the new rules get the check, or see the number as allowed.)
 */
export function routeChecked(
  routes: RouteSource,
  checker: CallChecker | null,
  number: LookupResult,
  direction: Direction,
): RouteDecision | Promise<RouteDecision> {
  if (checker === null || routes.needsCheck !== true) return routes.route(number, direction);
  return checker.check(number).then((check) => routes.route(number, direction, check));
}
