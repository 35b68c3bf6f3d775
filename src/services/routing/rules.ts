import { extname } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { NumberType } from '../../core/types.js';
import { findSubjects, subjectByCode } from '../../core/regions.js';
import { NuminfoError } from '../../errors.js';
import type { CallCheck, Direction } from './types.js';

/**
 * The routing rules file (`docs/routing.md`): YAML or JSON, parsed with `yaml` either way so that
 * every problem names its line and column. Parsing validates and normalizes values; compiling them
 * into predicates is `compileRule` (conditions.ts).
 */

export type Decision = CallCheck['decision'];

/** Every condition a rule may hold under `when:`; each is a list of values, any of which matches. */
export interface RuleConditions {
  /** Current operator (after MNP): INN, or a name key (`operatorNameKey`) — kept as written here. */
  readonly operator?: readonly string[];
  /** Range holder in the numbering plan; values as for `operator`. */
  readonly range_operator?: readonly string[];
  /** Subject names as written, or two-digit KLADR codes. */
  readonly region?: readonly string[];
  readonly type?: readonly NumberType[];
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country?: readonly string[];
  /** `+` and digits (an E.164 prefix) or digits (a national-number prefix). */
  readonly prefix?: readonly string[];
  readonly ported?: readonly boolean[];
  /** Two or three digits. */
  readonly mnc?: readonly string[];
  readonly decision?: readonly Decision[];
}

export type ConditionName = keyof RuleConditions;

export const CONDITION_NAMES: readonly ConditionName[] = [
  'operator',
  'range_operator',
  'region',
  'type',
  'country',
  'prefix',
  'ported',
  'mnc',
  'decision',
];

export interface RuleSpec {
  readonly name: string;
  /** null: the rule applies to both directions. */
  readonly direction: Direction | null;
  readonly when: RuleConditions;
  readonly route: string;
  /** Line of the rule in its file (1-based), for messages. */
  readonly line: number;
}

export interface RulesProblem {
  /** 1-based. */
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

export interface RulesFile {
  /** The route when no rule matches. */
  readonly defaultRoute: string;
  readonly rules: readonly RuleSpec[];
  /** Things that load but are probably mistakes (a region name that names no subject). */
  readonly warnings: readonly RulesProblem[];
}

export type RulesFormat = 'yaml' | 'json';

const NUMBER_TYPES: ReadonlySet<string> = new Set<NumberType>([
  'mobile',
  'fixed',
  'fixed_or_mobile',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'voip',
  'personal',
  'pager',
  'uan',
  'voicemail',
  'unknown',
]);

const TOP_KEYS = ['default', 'rules'] as const;
const RULE_KEYS = ['name', 'direction', 'when', 'route'] as const;
const MAX_REPORTED = 20;

/** Every problem of a rules file, each with `file:line:col:`; a CONFIG_INVALID error. */
export class RulesError extends NuminfoError {
  constructor(
    readonly file: string,
    readonly problems: readonly RulesProblem[],
  ) {
    super('CONFIG_INVALID', formatProblems(file, problems));
    this.name = 'RulesError';
  }
}

/** `routes.yaml:12:7: unknown condition "regoin"`, one line per problem. */
export function formatProblems(file: string, problems: readonly RulesProblem[]): string {
  const lines = problems.slice(0, MAX_REPORTED).map((p) => `${file}:${p.line}:${p.col}: ${p.message}`);
  if (problems.length > MAX_REPORTED) lines.push(`… and ${problems.length - MAX_REPORTED} more`);
  return lines.join('\n');
}

/** By extension (`.json`, `.yaml`, `.yml`), else by content: a file that opens with `{` or `[` is JSON. */
export function detectFormat(file: string, text: string): RulesFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  const first = /\S/.exec(text)?.[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

/** Words only, lower case, ё → е: how names are compared. */
export function normalizeName(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const CONTROL = /\p{Cc}/u;
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;

class Parser {
  readonly problems: RulesProblem[] = [];
  readonly warnings: RulesProblem[] = [];

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  pos(node: Node | null | undefined): { line: number; col: number } {
    const offset = node?.range?.[0] ?? 0;
    return this.lines.linePos(offset);
  }

  fail(node: Node | null | undefined, message: string): null {
    this.problems.push({ ...this.pos(node), message });
    return null;
  }

  warn(node: Node | null | undefined, message: string): void {
    this.warnings.push({ ...this.pos(node), message });
  }

  /** Follows `*alias` to its anchored node. */
  deref(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return node as Node;
  }

  /** The pairs of a mapping as (key text, key node, value node); a non-text key is a problem. */
  entries(map: Node & { items: unknown[] }): [string, Node, Node | null][] {
    const out: [string, Node, Node | null][] = [];
    for (const pair of map.items as { key: unknown; value: unknown }[]) {
      const key = this.deref(pair.key);
      if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
        this.fail(key, 'keys must be plain names');
        continue;
      }
      out.push([String(key.value), key, this.deref(pair.value)]);
    }
    return out;
  }

  /**
   * Text of a scalar: strings as they are, numbers as written in the file (`mnc: 02` is "02",
   * `region: 77` is "77"), so unquoted digits keep their leading zeros.
   */
  text(node: Node | null, what: string): string | null {
    if (!isScalar(node)) return this.fail(node, `${what} must be a single value, not a ${kindOf(node)}`);
    if (typeof node.value === 'string') return node.value.trim();
    if (typeof node.value === 'number' || typeof node.value === 'bigint') {
      return (node.source ?? String(node.value)).trim();
    }
    if (node.value === null) return this.fail(node, `${what} needs a value`);
    return this.fail(node, `${what} must be text, not ${JSON.stringify(node.value)}`);
  }

  routeName(node: Node | null, what: string): string | null {
    const t = this.text(node, what);
    if (t === null) return null;
    if (t === '') return this.fail(node, `${what} must not be empty`);
    if (WHITESPACE_OR_CONTROL.test(t)) {
      return this.fail(node, `${what} ${JSON.stringify(t)} must not contain spaces or control characters`);
    }
    return t;
  }

  top(root: Node | null): RulesFile | null {
    if (root === null) return this.fail(null, 'the file is empty; it needs at least `default: <route>`');
    if (!isMap(root)) {
      return this.fail(
        root,
        `the file must be a mapping with \`default\` and \`rules\`, not a ${kindOf(root)}`,
      );
    }
    let defaultRoute: string | null = null;
    let rules: RuleSpec[] = [];
    let sawDefault = false;
    for (const [key, keyNode, value] of this.entries(root)) {
      if (key === 'default') {
        sawDefault = true;
        defaultRoute = value
          ? this.routeName(value, '`default`')
          : this.fail(keyNode, '`default` needs a value');
      } else if (key === 'rules') {
        if (value) rules = this.rules(value);
      } else {
        this.fail(keyNode, `unknown key "${key}" at the top; expected ${list(TOP_KEYS)}`);
      }
    }
    if (!sawDefault) this.fail(root, '`default` is missing: the route for calls no rule matches');
    if (defaultRoute === null) return null;
    return { defaultRoute, rules, warnings: this.warnings };
  }

  rules(node: Node): RuleSpec[] {
    if (isScalar(node) && node.value === null) return [];
    if (!isSeq(node)) {
      this.fail(node, `\`rules\` must be a list of rules, not a ${kindOf(node)}`);
      return [];
    }
    const out: RuleSpec[] = [];
    const seen = new Map<string, number>();
    for (const item of node.items) {
      const rule = this.rule(this.deref(item));
      if (!rule) continue;
      const first = seen.get(rule.spec.name);
      if (first !== undefined) {
        this.fail(rule.nameNode, `duplicate rule name "${rule.spec.name}" (first used at line ${first})`);
        continue;
      }
      seen.set(rule.spec.name, rule.spec.line);
      out.push(rule.spec);
    }
    return out;
  }

  rule(node: Node | null): { spec: RuleSpec; nameNode: Node } | null {
    if (!isMap(node)) {
      return this.fail(node, `each rule must be a mapping (name, when, route), not a ${kindOf(node)}`);
    }
    const line = this.pos(node).line;
    const before = this.problems.length;
    let name: string | null = null;
    let nameNode: Node | null = null;
    let route: string | null = null;
    let direction: Direction | null = null;
    let when: RuleConditions = {};
    const seen = new Set<string>();
    for (const [key, keyNode, value] of this.entries(node)) {
      seen.add(key);
      const known = (RULE_KEYS as readonly string[]).includes(key);
      if (!known) {
        if ((CONDITION_NAMES as readonly string[]).includes(key)) {
          this.fail(keyNode, `"${key}" is a condition: put it under \`when:\``);
        } else {
          this.fail(keyNode, `unknown key "${key}" in a rule; expected ${list(RULE_KEYS)}`);
        }
      } else if (value === null) {
        this.fail(keyNode, `\`${key}\` needs a value`);
      } else if (key === 'name') {
        nameNode = value;
        name = this.text(value, 'rule `name`');
        if (name === '') name = this.fail(value, 'rule `name` must not be empty');
        else if (name !== null && CONTROL.test(name)) {
          name = this.fail(value, 'rule `name` must not contain control characters');
        }
      } else if (key === 'route') {
        route = this.routeName(value, '`route`');
      } else if (key === 'direction') {
        const d = this.text(value, '`direction`')?.toLowerCase() ?? null;
        if (d === 'in' || d === 'out') direction = d;
        else if (d !== null) this.fail(value, `\`direction\` must be in or out, not ${JSON.stringify(d)}`);
      } else {
        when = this.when(value) ?? {};
      }
    }
    const label = name !== null ? `rule "${name}"` : 'a rule';
    if (!seen.has('name')) this.fail(node, `${label} has no \`name\``);
    if (!seen.has('route')) this.fail(node, `${label} has no \`route\``);
    if (this.problems.length > before || name === null || route === null || nameNode === null) return null;
    return { spec: { name, direction, when, route, line }, nameNode };
  }

  when(node: Node): RuleConditions | null {
    if (isScalar(node) && node.value === null) return {};
    if (!isMap(node)) {
      return this.fail(node, `\`when\` must be a mapping of conditions, not a ${kindOf(node)}`);
    }
    const out: Partial<Record<ConditionName, unknown[]>> = {};
    for (const [key, keyNode, value] of this.entries(node)) {
      if (!(CONDITION_NAMES as readonly string[]).includes(key)) {
        this.fail(keyNode, `unknown condition "${key}"; expected ${list(CONDITION_NAMES)}`);
      } else if (value === null || (isScalar(value) && value.value === null)) {
        this.fail(value ?? keyNode, `\`${key}\` needs a value`);
      } else {
        const values = this.values(key as ConditionName, value);
        if (values !== null) out[key as ConditionName] = values;
      }
    }
    return out as RuleConditions;
  }

  /** One value or a non-empty list of values, each checked for its condition. */
  values(name: ConditionName, node: Node): unknown[] | null {
    const items = isSeq(node) ? node.items.map((i) => this.deref(i)) : [node];
    if (items.length === 0) return this.fail(node, `\`${name}\` has an empty list: it could never match`);
    const out: unknown[] = [];
    let ok = true;
    for (const item of items) {
      const v = this.value(name, item);
      if (v === null) ok = false;
      else out.push(v);
    }
    return ok ? out : null;
  }

  value(name: ConditionName, node: Node | null): string | boolean | null {
    const what = `\`${name}\``;
    if (name === 'ported') {
      if (isScalar(node) && typeof node.value === 'boolean') return node.value;
      return this.fail(node, `${what} must be true or false, not ${describe(node)}`);
    }
    const t = this.text(node, what);
    if (t === null) return null;
    if (t === '') return this.fail(node, `${what} must not be empty`);
    switch (name) {
      case 'operator':
      case 'range_operator':
        return t;
      case 'region': {
        if (/^\d+$/.test(t)) {
          const code = t.padStart(2, '0');
          if (!subjectByCode(code)) {
            return this.fail(node, `region code ${t} is not a subject of the Federation (KLADR codes 01–99)`);
          }
          return code;
        }
        if (findSubjects(t).length === 0) {
          this.warn(
            node,
            `region ${JSON.stringify(t)} names no subject of the Federation; it matches only a region whose name contains it`,
          );
        }
        return t;
      }
      case 'type':
        if (NUMBER_TYPES.has(t)) return t;
        return this.fail(node, `${what} must be one of ${list([...NUMBER_TYPES])}, not ${JSON.stringify(t)}`);
      case 'country':
        if (/^[A-Za-z]{2}$/.test(t)) return t.toUpperCase();
        return this.fail(node, `${what} must be a two-letter ISO code (RU, KZ), not ${JSON.stringify(t)}`);
      case 'prefix': {
        const p = t.replace(/[\s()-]/g, '');
        if (/^\+?\d+$/.test(p)) return p;
        return this.fail(
          node,
          `${what} must be digits, with a leading + for an E.164 prefix, not ${JSON.stringify(t)}`,
        );
      }
      case 'mnc':
        if (/^\d{2,3}$/.test(t)) return t;
        return this.fail(node, `${what} must be 2 or 3 digits ("02"), not ${JSON.stringify(t)}`);
      case 'decision':
        if (t === 'allow' || t === 'block') return t;
        return this.fail(node, `${what} must be allow or block, not ${JSON.stringify(t)}`);
    }
  }
}

function kindOf(node: Node | null): string {
  if (isMap(node)) return 'mapping';
  if (isSeq(node)) return 'list';
  if (isScalar(node))
    return node.value === null ? 'empty value' : typeof node.value === 'string' ? 'text' : typeof node.value;
  return 'missing value';
}

function describe(node: Node | null): string {
  if (isScalar(node)) return node.value === null ? 'an empty value' : JSON.stringify(node.value);
  return `a ${kindOf(node)}`;
}

function list(items: readonly string[]): string {
  return items.join(', ');
}

/**
 * Parses and validates a rules file. Throws a RulesError (CONFIG_INVALID) naming the line and
 * column of every problem: syntax, unknown keys, wrong types, empty or duplicate names, a missing
 * default.
 */
export function parseRules(
  text: string,
  file = 'routes',
  format: RulesFormat = detectFormat(file, text),
): RulesFile {
  const lines = new LineCounter();
  // A byte-order mark is skipped by the parser; columns on line 1 count it.
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    schema: format === 'json' ? 'json' : 'core',
  });
  if (doc.errors.length > 0) {
    const label = format === 'json' ? 'JSON' : 'YAML';
    throw new RulesError(
      file,
      doc.errors.map((e) => ({ ...lines.linePos(e.pos[0]), message: `${label}: ${e.message}` })),
    );
  }
  const parser = new Parser(doc, lines);
  const result = parser.top(parser.deref(doc.contents));
  if (parser.problems.length > 0 || result === null) {
    const problems = [...parser.problems].sort((a, b) => a.line - b.line || a.col - b.col);
    throw new RulesError(file, problems);
  }
  return result;
}
