import type { LookupResult } from '../../core/types.js';
import { compileRule, type CompiledRule } from './conditions.js';
import { parseRules, type RuleSpec } from './rules.js';
import type { CallCheck, CallChecker, Direction, RouteDecision, RouteSource } from './types.js';

/** The route of a server without a rules file. */
export const DEFAULT_ROUTE = 'default';

/** What a number gets while no CallChecker is set: allowed, unknown trust. */
const ALLOW_ALL: CallCheck = Object.freeze({ decision: 'allow', reasons: Object.freeze([]), trust: 5 });

/** The parts of a rules file a Router needs (a parsed `RulesFile` is one). */
export interface RouterRules {
  readonly defaultRoute: string;
  readonly rules: readonly RuleSpec[];
}

/**
 * Routing rules compiled for matching: the first rule whose direction and conditions all hold gives
 * the route, else the default route. Immutable; a reload builds a new Router and swaps it in
 * (RoutingManager). `route()` allocates nothing: decisions are built with the rules, and the
 * CallChecker is asked only when a candidate rule has a `decision` condition, at most once per call.
 */
export class Router implements RouteSource {
  readonly defaultRoute: string;
  /** Rule names in file order. */
  readonly ruleNames: readonly string[];
  private readonly inbound: readonly CompiledRule[];
  private readonly outbound: readonly CompiledRule[];
  private readonly fallback: RouteDecision;

  constructor(
    private readonly spec: RouterRules,
    private readonly checker: CallChecker | null = null,
  ) {
    const compiled = spec.rules.map(compileRule);
    this.defaultRoute = spec.defaultRoute;
    this.ruleNames = compiled.map((r) => r.name);
    this.inbound = compiled.filter((r) => r.direction !== 'out');
    this.outbound = compiled.filter((r) => r.direction !== 'in');
    this.fallback = Object.freeze({ route: spec.defaultRoute, rule: null });
  }

  /** No rules: every call takes `defaultRoute`. */
  static empty(defaultRoute = DEFAULT_ROUTE, checker: CallChecker | null = null): Router {
    return new Router({ defaultRoute, rules: [] }, checker);
  }

  /** Parses rules text (YAML or JSON) and compiles it; throws RulesError as `parseRules` does. */
  static fromText(text: string, file?: string, checker: CallChecker | null = null): Router {
    return new Router(parseRules(text, file), checker);
  }

  get size(): number {
    return this.ruleNames.length;
  }

  /** The same rules with another CallChecker (the reputation service, when it exists). */
  withChecker(checker: CallChecker | null): Router {
    return new Router(this.spec, checker);
  }

  route(number: LookupResult, direction: Direction): RouteDecision {
    const rules = direction === 'in' ? this.inbound : this.outbound;
    let check: CallCheck | null = null;
    next: for (const rule of rules) {
      for (const test of rule.tests) if (!test(number)) continue next;
      if (rule.decisions !== null) {
        check ??= this.checker ? this.checker.check(number) : ALLOW_ALL;
        if (!rule.decisions.has(check.decision)) continue;
      }
      return rule.decision;
    }
    return this.fallback;
  }
}
