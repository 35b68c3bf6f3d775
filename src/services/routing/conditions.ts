import { operatorNameKey } from '../../core/operatorName.js';
import { findSubjects } from '../../core/regions.js';
import type { LookupResult, Operator, Region } from '../../core/types.js';
import { KNOWN_MNP_OPERATORS } from '../../data/mnp/operators.js';
import { normalizeName, type Decision, type RuleSpec } from './rules.js';
import type { Direction, RouteDecision } from './types.js';

/** One condition of a rule, compiled: a test of a lookup result. */
export type NumberTest = (r: LookupResult) => boolean;

export interface CompiledRule {
  readonly name: string;
  readonly direction: Direction | null;
  /** The answer when the rule matches, built once. */
  readonly decision: RouteDecision;
  /** Every condition but `decision`; all must hold. */
  readonly tests: readonly NumberTest[];
  /** The `decision` condition, tested last against the check the caller passes in; null when the rule has none. */
  readonly decisions: ReadonlySet<Decision> | null;
}

/** Legal forms that may be left out of an operator name in a rule: `МегаФон` matches `ПАО "МегаФон"`. */
const LEGAL_FORMS = new Set([
  'ПАО',
  'ОАО',
  'ЗАО',
  'АО',
  'НАО',
  'ООО',
  'ОДО',
  'ИП',
  'ФГУП',
  'ГУП',
  'МУП',
  'МП',
  'АНО',
  'НКО',
  'ТОО',
  'ПК',
]);

const INN = /^(?:\d{10}|\d{12})$/;
const innByOrgCode = new Map(KNOWN_MNP_OPERATORS.map((o) => [o.code, o.inn]));

/** The name key of an operator, and the key without its legal form (`МЕГАФОН` for `ПАО "МЕГАФОН"`). */
function keysOf(op: Operator): readonly [string, string] {
  const full = operatorNameKey(op.name);
  const space = full.indexOf(' ');
  const bare = space > 0 && LEGAL_FORMS.has(full.slice(0, space)) ? full.slice(space + 1) : full;
  return [full, bare];
}

/**
 * Operator values: an INN (10 or 12 digits), an MNP OrgCode (`MEGAFON`, `MTS`, … as the ported-number
 * database names them), or a name compared case- and quote-insensitively, with or without its legal form.
 */
function operatorTest(values: readonly string[], pick: (r: LookupResult) => Operator | null): NumberTest {
  const inns = new Set<string>();
  const names = new Set<string>();
  for (const v of values) {
    if (INN.test(v)) {
      inns.add(v);
      continue;
    }
    const byCode = innByOrgCode.get(v.toUpperCase());
    if (byCode) inns.add(byCode);
    names.add(operatorNameKey(v));
  }
  // Operator objects are built once per registry (and per MNP binding): a name is compared once per object.
  const byName = new WeakMap<Operator, boolean>();
  return (r) => {
    const op = pick(r);
    if (op === null) return false;
    if (op.inn !== null && inns.has(op.inn)) return true;
    if (names.size === 0) return false;
    let hit = byName.get(op);
    if (hit === undefined) {
      const [full, bare] = keysOf(op);
      hit = names.has(full) || names.has(bare);
      byName.set(op, hit);
    }
    return hit;
  };
}

/** Region display names, normalized and padded for whole-word search; once per region object. */
const regionNames = new WeakMap<Region, string>();

/**
 * Region values: a KLADR code, or a name resolved to the subjects it names (`Москва`, `Самарская обл.`,
 * `Бурятия`) — a range spanning several subjects matches each of them. A name that names no subject
 * (`Российская Федерация`) matches a region whose display name contains its words.
 */
function regionTest(values: readonly string[]): NumberTest {
  const codes = new Set<string>();
  const needles: string[] = [];
  for (const v of values) {
    if (/^\d{2}$/.test(v)) {
      codes.add(v);
      continue;
    }
    const subjects = findSubjects(v);
    for (const s of subjects) codes.add(s.code);
    if (subjects.length === 0) needles.push(` ${normalizeName(v)} `);
  }
  return (r) => {
    const region = r.region;
    if (region === null) return false;
    for (const c of region.codes) if (codes.has(c)) return true;
    if (needles.length === 0) return false;
    let name = regionNames.get(region);
    if (name === undefined) {
      name = ` ${normalizeName(region.name)} `;
      regionNames.set(region, name);
    }
    for (const n of needles) if (name.includes(n)) return true;
    return false;
  };
}

/** `+…` prefixes test the E.164 form, bare digits the national number (`495`, `9`). */
function prefixTest(values: readonly string[]): NumberTest {
  const e164 = values.filter((v) => v.startsWith('+'));
  const national = values.filter((v) => !v.startsWith('+'));
  return (r) => {
    if (r.e164 !== null) for (const p of e164) if (r.e164.startsWith(p)) return true;
    if (r.national !== null) for (const p of national) if (r.national.startsWith(p)) return true;
    return false;
  };
}

function setTest<T>(values: readonly T[], pick: (r: LookupResult) => T | null): NumberTest {
  if (values.length === 1) {
    const only = values[0];
    return (r) => pick(r) === only;
  }
  const set = new Set(values);
  return (r) => {
    const v = pick(r);
    return v !== null && set.has(v);
  };
}

/** Compiles a parsed rule once: normalized names, sets and code lists built here, not per call. */
export function compileRule(spec: RuleSpec): CompiledRule {
  const w = spec.when;
  const tests: NumberTest[] = [];
  // Cheap tests first: a rule fails on its first false condition.
  if (w.type) tests.push(setTest(w.type, (r) => r.type));
  if (w.country) tests.push(setTest(w.country, (r) => r.country?.iso ?? null));
  if (w.ported) tests.push(setTest(w.ported, (r) => r.ported));
  if (w.mnc) tests.push(setTest(w.mnc, (r) => r.mnc));
  if (w.prefix) tests.push(prefixTest(w.prefix));
  if (w.region) tests.push(regionTest(w.region));
  if (w.operator) tests.push(operatorTest(w.operator, (r) => r.operator));
  if (w.range_operator) tests.push(operatorTest(w.range_operator, (r) => r.range_operator));
  return {
    name: spec.name,
    direction: spec.direction,
    decision: Object.freeze({ route: spec.route, rule: spec.name }),
    tests,
    decisions: w.decision ? new Set(w.decision) : null,
  };
}
