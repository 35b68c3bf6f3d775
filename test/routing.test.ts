/**
 * Routing rules end to end: the rules file (YAML and JSON, line-numbered errors), first-match routing
 * over real lookups of a small registry built from CSV text, MNP, hot reload by RoutingManager,
 * `GET /v1/route` over a real listening server, and `numinfo serve` reloading on SIGHUP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupResult } from '../src/core/types.js';
import { importRegistry, type SourceFile } from '../src/data/registryImport.js';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { NuminfoError } from '../src/errors.js';
import { routePlugin } from '../src/http/native/route.js';
import { buildServer } from '../src/http/server.js';
import { NumberService } from '../src/services/numberService.js';
import { BlacklistService } from '../src/services/reputation/blacklistService.js';
import { CheckService } from '../src/services/reputation/checkService.js';
import { ReputationService } from '../src/services/reputation/reputationService.js';
import type { Logger } from '../src/services/registryManager.js';
import { routeChecked, Router } from '../src/services/routing/router.js';
import { routeNumber } from '../src/services/routing/routeNumber.js';
import { RoutingManager } from '../src/services/routing/routingManager.js';
import { parseRules, RulesError } from '../src/services/routing/rules.js';
import type { CallCheck, CallChecker } from '../src/services/routing/types.js';
import { openStore } from '../src/store/openStore.js';
import type { Store } from '../src/store/types.js';
import { csvText, row } from './helpers/registryData.js';
import {
  assertBuilt,
  CLI,
  cleanEnv,
  freePort,
  removeTempDirs,
  ROOT,
  stopChild,
  tempDir,
  waitFor,
} from './helpers/proc.js';

const RT = ['ПАО "Ростелеком"', '7707049388'] as const;
const MGTS = ['ПАО "МГТС"', '7710016640'] as const;
const MEGAFON = ['ПАО "МЕГАФОН"', '7812014560'] as const;
const MTS = ['ПАО "МТС"', '7740000076'] as const;
const T2 = ['ООО "Т2 МОБАЙЛ"', '7743895280'] as const;
const MSK_MO = ['Москва и Московская область', 'Город Москва, Московская область'] as const;

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const file = (name: string, rows: string[]): SourceFile => ({
  name,
  bytes: enc(csvText(rows)),
  modified: null,
});

/** Rows modelled on the real registry: Moscow fixed lines, a toll-free range, Samara, Moscow and regional mobiles. */
function registry(): RegistryIndex {
  const files = [
    file('ABC-4xx.csv', [
      row(495, 1000000, 1009999, RT[0], 'г. Москва', 'Город Москва', RT[1]),
      row(499, 1660022, 1673188, MGTS[0], 'г. Москва', 'Город Москва', MGTS[1]),
    ]),
    file('ABC-8xx.csv', [
      row(800, 1000000, 1009999, RT[0], 'Российская Федерация', 'Российская Федерация', RT[1]),
      row(
        846,
        2316000,
        2316999,
        'ООО "СИПАУТНЭТ"',
        'г. Самара|Самарская обл.',
        'г. Самара|Самарская область',
        '',
      ),
    ]),
    file('DEF-9xx.csv', [
      row(900, 0, 99999, T2[0], '-', 'Краснодарский край', T2[1]),
      row(916, 0, 9999999, MTS[0], ...MSK_MO, MTS[1]),
      row(926, 0, 9999999, MEGAFON[0], ...MSK_MO, MEGAFON[1]),
      row(927, 0, 299999, MEGAFON[0], 'Самарская обл.', 'Самарская область', MEGAFON[1]),
    ]),
  ];
  return new RegistryIndex(importRegistry(files).registry);
}

/** Numbers of the registry above, by what they are. */
const N = {
  moscowFixed: '+7 495 100-00-00', // Ростелеком, fixed, 77
  mgts: '8 (499) 166-30-50', // МГТС, fixed, 77
  tollFree: '8 800 100-00-00', // Ростелеком, toll_free, Российская Федерация
  samaraFixed: '8 846 231-60-00', // СИПАУТНЭТ (no INN), fixed, 63
  megafonMsk: '+79260000000', // МегаФон, mobile, 77+50, mnc 02
  megafonSamara: '89270000000', // МегаФон, mobile, 63
  mtsMsk: '89160000000', // МТС, mobile, 77+50, mnc 01
  ported: '89160000001', // МТС range, ported to МегаФон (override below)
  t2: '89000000000', // Т2, mobile, 23, mnc 20
  london: '+442079460958', // GB, fixed
  notInPlan: '+73000000000', // RU, NOT_IN_PLAN
} as const;

let service: NumberService;
const lk = (n: string): LookupResult => service.lookup(n);

beforeAll(() => {
  service = new NumberService(registry());
  service.setOverrides([
    { number: '9160000001', operator: 'MEGAFON', mnc: null, at: '2026-01-01T00:00:00Z' },
  ]);
});

afterAll(() => removeTempDirs());

interface Logged {
  readonly log: Logger;
  readonly lines: string[];
}

function logger(): Logged {
  const lines: string[] = [];
  return {
    lines,
    log: {
      info: (m) => lines.push(`info: ${m}`),
      warn: (m) => lines.push(`warn: ${m}`),
      error: (m) => lines.push(`error: ${m}`),
    },
  };
}

/** The problems parseRules reports, as `line:col message`. */
function problemsOf(text: string, name = 'routes.yaml'): { line: number; col: number; message: string }[] {
  try {
    parseRules(text, name);
  } catch (e) {
    expect(e).toBeInstanceOf(RulesError);
    expect(e).toBeInstanceOf(NuminfoError);
    expect((e as NuminfoError).code).toBe('CONFIG_INVALID');
    return [...(e as RulesError).problems];
  }
  throw new Error('parseRules accepted the text');
}

describe('rules file: errors name the line', () => {
  it.each([
    {
      what: 'YAML syntax error',
      text: 'default: trunk\nrules:\n  - name: a\n    route: b: c\n  - name: d\n    route: e\n',
      line: 4,
      col: 12,
      message: /^YAML: Nested mappings are not allowed in compact mappings/,
    },
    {
      what: 'YAML tab indentation',
      text: 'default: trunk\nrules:\n  - name: a\n\troute: b\n',
      line: 4,
      col: 1,
      message: /^YAML: Tabs are not allowed as indentation/,
    },
    {
      what: 'unknown key in a rule',
      text: 'default: trunk\nrules:\n  - name: a\n    route: b\n    trunk: c\n',
      line: 5,
      col: 5,
      message: /unknown key "trunk" in a rule; expected name, direction, when, route/,
    },
    {
      what: 'unknown condition',
      text: 'default: trunk\nrules:\n  - name: a\n    when:\n      operator: МТС\n      regoin: Москва\n    route: b\n',
      line: 6,
      col: 7,
      message: /unknown condition "regoin"/,
    },
    {
      what: 'condition outside `when`',
      text: 'default: trunk\nrules:\n  - name: a\n    region: Москва\n    route: b\n',
      line: 4,
      message: /"region" is a condition: put it under `when:`/,
    },
    {
      what: 'unknown top-level key',
      text: 'default: trunk\nroutes: []\n',
      line: 2,
      col: 1,
      message: /unknown key "routes" at the top/,
    },
    {
      what: 'duplicate rule name',
      text: 'default: trunk\nrules:\n  - name: mobile\n    route: a\n  - name: other\n    route: b\n  - name: mobile\n    route: c\n',
      line: 7,
      col: 11,
      message: /duplicate rule name "mobile" \(first used at line 3\)/,
    },
    {
      what: 'missing default',
      text: '# no default here\nrules:\n  - name: a\n    route: b\n',
      line: 2,
      message: /`default` is missing/,
    },
    {
      what: 'wrong type for ported',
      text: 'default: trunk\nrules:\n  - name: a\n    route: b\n    when:\n      ported: "yes"\n',
      line: 6,
      col: 15,
      message: /`ported` must be true or false, not "yes"/,
    },
    {
      what: 'ported as a list of text',
      text: 'default: trunk\nrules:\n  - name: a\n    route: b\n    when:\n      ported: [true, maybe]\n',
      line: 6,
      col: 22,
      message: /`ported` must be true or false, not "maybe"/,
    },
    {
      what: 'empty rule name',
      text: 'default: trunk\nrules:\n  - name: ""\n    route: b\n',
      line: 3,
      message: /rule `name` must not be empty/,
    },
    {
      what: 'rule without route',
      text: 'default: trunk\nrules:\n  - name: a\n    when: { type: mobile }\n',
      line: 3,
      message: /rule "a" has no `route`/,
    },
    {
      what: 'unknown number type',
      text: 'default: trunk\nrules:\n  - name: a\n    route: b\n    when:\n      type: [mobile, cell]\n',
      line: 6,
      col: 22,
      message: /`type` must be one of mobile, fixed/,
    },
    {
      what: 'bad direction',
      text: 'default: trunk\nrules:\n  - name: a\n    direction: both\n    route: b\n',
      line: 4,
      message: /`direction` must be in or out, not "both"/,
    },
    {
      what: 'mnc that lost its leading zero in quotes',
      text: 'default: trunk\nrules:\n  - name: a\n    route: b\n    when:\n      mnc: "2"\n',
      line: 6,
      message: /`mnc` must be 2 or 3 digits/,
    },
    {
      what: 'region code that is no subject',
      text: 'default: trunk\nrules:\n  - name: a\n    route: b\n    when:\n      region: 100\n',
      line: 6,
      message: /region code 100 is not a subject/,
    },
    {
      what: 'empty list',
      text: 'default: trunk\nrules:\n  - name: a\n    route: b\n    when:\n      operator: []\n',
      line: 6,
      message: /`operator` has an empty list/,
    },
    {
      what: 'route with spaces',
      text: 'default: trunk\nrules:\n  - name: a\n    route: trunk one\n',
      line: 4,
      message: /`route` "trunk one" must not contain spaces/,
    },
    { what: 'empty file', text: '', line: 1, message: /the file is empty/ },
  ])('$what → line $line', ({ text, line, col, message }) => {
    const problems = problemsOf(text);
    expect(problems[0]).toMatchObject({ line, ...(col !== undefined ? { col } : {}) });
    expect(problems[0]!.message).toMatch(message);
  });

  it('reports every problem, in file order, each as file:line:col in the message', () => {
    const text = [
      'default: trunk', //            1
      'rules:', //                    2
      '  - name: a', //               3
      '    route: b', //              4
      '    when:', //                 5
      '      ported: 1', //           6
      '      country: RUS', //        7
      '  - name: c', //               8
      '    route: d', //              9
      '    colour: red', //          10
    ].join('\n');
    expect(problemsOf(text).map((p) => p.line)).toEqual([6, 7, 10]);
    expect(() => parseRules(text, '/etc/numinfo/routes.yaml')).toThrow(
      /^\/etc\/numinfo\/routes\.yaml:6:15: `ported` must be true or false, not 1\n\/etc\/numinfo\/routes\.yaml:7:16: /,
    );
  });

  it('JSON: wrong types and syntax errors name the line too; the format comes from the extension or the content', () => {
    const bad =
      '{\n  "default": "trunk",\n  "rules": [\n    { "name": "a", "route": "b",\n      "when": { "ported": "true" } }\n  ]\n}\n';
    for (const name of ['routes.json', 'routes.conf']) {
      expect(problemsOf(bad, name)[0]).toMatchObject({ line: 5, col: 27 });
    }
    const syntax = '{\n  "default": "trunk",\n  "rules": [\n    { "name": "a" "route": "b" }\n  ]\n}\n';
    const p = problemsOf(syntax, 'routes.json');
    expect(p[0]).toMatchObject({ line: 4 });
    expect(p[0]!.message).toMatch(/^JSON: /);
    // Duplicate keys, which JSON.parse would silently merge, are errors.
    expect(problemsOf('{\n  "default": "a",\n  "default": "b"\n}', 'r.json')[0]).toMatchObject({ line: 3 });
  });

  it('accepts the documented example, with values normalized', () => {
    const rules = parseRules(
      [
        'default: trunk-default',
        'rules:',
        '  - name: megafon-out',
        '    direction: OUT',
        '    when:',
        '      operator: ПАО "МегаФон"',
        '      region: [Москва, 50]',
        '      type: mobile',
        '      country: ru',
        '      prefix: +7 (9',
        '      ported: true',
        '      mnc: 02',
        '      decision: allow',
        '    route: trunk-megafon',
        '  - name: anything',
        '    route: trunk-b',
      ].join('\n'),
      'routes.yaml',
    );
    expect(rules.defaultRoute).toBe('trunk-default');
    expect(rules.rules).toEqual([
      {
        name: 'megafon-out',
        direction: 'out',
        when: {
          operator: ['ПАО "МегаФон"'],
          region: ['Москва', '50'],
          type: ['mobile'],
          country: ['RU'],
          prefix: ['+79'],
          ported: [true],
          mnc: ['02'],
          decision: ['allow'],
        },
        route: 'trunk-megafon',
        line: 3,
      },
      { name: 'anything', direction: null, when: {}, route: 'trunk-b', line: 15 },
    ]);
    expect(rules.warnings).toEqual([]);
  });

  it('warns about a region name that names no subject', () => {
    const rules = parseRules('default: a\nrules:\n  - name: x\n    route: b\n    when: { region: Масква }\n');
    expect(rules.warnings).toEqual([
      expect.objectContaining({ line: 5, message: expect.stringMatching(/Масква/) }),
    ]);
  });
});

describe('the examples in the docs are valid rules', () => {
  const blocks = (path: string, lang: string): string[] =>
    [...readFileSync(join(ROOT, path), 'utf8').matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))]
      .map((m) => m[1]!)
      .filter((b) => /^\s*[{]?\s*"?default"?:/m.test(b));

  it('docs/routing.md: the YAML file routes as its comments say; the JSON one parses', () => {
    const [yaml] = blocks('docs/routing.md', 'yaml');
    const router = Router.fromText(yaml!, 'routes.yaml');
    expect(router.size).toBe(7);
    const r = (n: string, d: 'in' | 'out' = 'out'): string => router.route(lk(n), d).route;
    expect(r(N.tollFree)).toBe('trunk-rt');
    expect(r(N.megafonMsk)).toBe('trunk-megafon');
    expect(r(N.ported)).toBe('trunk-megafon');
    expect(r(N.mtsMsk)).toBe('trunk-mts-msk');
    expect(r(N.mgts)).toBe('trunk-msk-city');
    expect(r(N.samaraFixed, 'in')).toBe('queue-samara');
    expect(r(N.london)).toBe('trunk-default');
    const json = blocks('docs/routing.md', 'json');
    expect(parseRules(json[0]!, 'routes.json').rules).toHaveLength(2);
  });

  it('docs/routing.md: the error example reports what the page shows', () => {
    const page = readFileSync(join(ROOT, 'docs/routing.md'), 'utf8');
    const m = /For this file:\n\n```yaml\n([\s\S]*?)```\n\nnuminfo reports:\n\n```\n([\s\S]*?)\n```/.exec(
      page,
    );
    expect(m).not.toBeNull();
    expect(() => parseRules(m![1]!, '/etc/numinfo/routes.yaml')).toThrow(m![2]!);
    expect(problemsOf(m![1]!)).toHaveLength(5);
  });

  it('README.md: the Routing example parses', () => {
    const [yaml] = blocks('README.md', 'yaml');
    expect(parseRules(yaml!, 'routes.yaml').rules.map((x) => x.name)).toEqual([
      'megafon-out',
      'moscow-fixed',
    ]);
  });
});

describe('Router: first match wins over real lookups', () => {
  const router = Router.fromText(
    [
      'default: trunk-default',
      'rules:',
      '  - name: emergency-free',
      '    when: { type: toll_free }',
      '    route: trunk-free',
      '  - name: megafon-moscow-out',
      '    direction: out',
      '    when: { operator: MEGAFON, region: Москва }',
      '    route: trunk-megafon',
      '  - name: any-megafon',
      '    when: { operator: \'ПАО "МегаФон"\' }',
      '    route: trunk-megafon-2',
      '  - name: mobile',
      '    when: { type: mobile }',
      '    route: trunk-mobile',
      '  - name: inbound-moscow',
      '    direction: in',
      '    when: { region: "77" }',
      '    route: reception-moscow',
    ].join('\n'),
  );

  it.each([
    { n: N.tollFree, direction: 'out', rule: 'emergency-free', route: 'trunk-free' },
    { n: N.megafonMsk, direction: 'out', rule: 'megafon-moscow-out', route: 'trunk-megafon' },
    // The first rule is outbound only; inbound, the next match is the second.
    { n: N.megafonMsk, direction: 'in', rule: 'any-megafon', route: 'trunk-megafon-2' },
    { n: N.megafonSamara, direction: 'out', rule: 'any-megafon', route: 'trunk-megafon-2' },
    { n: N.t2, direction: 'out', rule: 'mobile', route: 'trunk-mobile' },
    { n: N.moscowFixed, direction: 'in', rule: 'inbound-moscow', route: 'reception-moscow' },
    { n: N.moscowFixed, direction: 'out', rule: null, route: 'trunk-default' },
    { n: N.london, direction: 'out', rule: null, route: 'trunk-default' },
    { n: N.notInPlan, direction: 'in', rule: null, route: 'trunk-default' },
  ] as const)('$n $direction → $route', ({ n, direction, rule, route: r }) => {
    expect(router.route(lk(n), direction)).toEqual({ route: r, rule });
  });

  it('answers the same decision object for every call (built once)', () => {
    expect(router.route(lk(N.t2), 'out')).toBe(router.route(lk(N.t2), 'in'));
    expect(router.size).toBe(5);
    expect(router.ruleNames[0]).toBe('emergency-free');
  });

  it('with no rules, everything takes the default route', () => {
    expect(Router.empty().route(lk(N.megafonMsk), 'out')).toEqual({ route: 'default', rule: null });
  });
});

/** One rule with the given `when` (YAML flow text), routed for each number. */
function matches(when: string, numbers: readonly string[]): string[] {
  const router = Router.fromText(`default: none\nrules:\n  - name: r\n    when: ${when}\n    route: hit\n`);
  return numbers.filter((n) => router.route(lk(n), 'out').rule === 'r');
}

const ALL = Object.values(N);

describe('every condition kind', () => {
  it.each([
    // operator: name (any case, any quotes, with or without legal form), INN, MNP OrgCode, lists
    { when: '{ operator: \'ПАО "МегаФон"\' }', hits: [N.megafonMsk, N.megafonSamara, N.ported] },
    { when: '{ operator: «пао мегафон» }', hits: [N.megafonMsk, N.megafonSamara, N.ported] },
    { when: '{ operator: МегаФон }', hits: [N.megafonMsk, N.megafonSamara, N.ported] },
    { when: '{ operator: 7812014560 }', hits: [N.megafonMsk, N.megafonSamara, N.ported] },
    { when: '{ operator: [MTS, МГТС] }', hits: [N.mgts, N.mtsMsk] },
    { when: '{ operator: \'ООО "СИПАУТНЭТ"\' }', hits: [N.samaraFixed] },
    { when: '{ operator: \'ООО "МегаФон"\' }', hits: [] },
    // range_operator: the holder of the range, not the current operator
    { when: '{ range_operator: MTS }', hits: [N.mtsMsk, N.ported] },
    { when: '{ range_operator: 7707049388 }', hits: [N.moscowFixed, N.tollFree] },
    // region: code, subject name in any form, any part of a multi-subject range, non-subject names
    { when: '{ region: 77 }', hits: [N.moscowFixed, N.mgts, N.megafonMsk, N.mtsMsk, N.ported] },
    { when: '{ region: Московская обл. }', hits: [N.megafonMsk, N.mtsMsk, N.ported] },
    { when: '{ region: москва }', hits: [N.moscowFixed, N.mgts, N.megafonMsk, N.mtsMsk, N.ported] },
    { when: '{ region: [Самарская область, Краснодарский] }', hits: [N.samaraFixed, N.megafonSamara, N.t2] },
    { when: '{ region: "63" }', hits: [N.samaraFixed, N.megafonSamara] },
    { when: '{ region: Российская Федерация }', hits: [N.tollFree] },
    // type
    { when: '{ type: fixed }', hits: [N.moscowFixed, N.mgts, N.samaraFixed, N.london] },
    { when: '{ type: [toll_free, unknown] }', hits: [N.tollFree, N.notInPlan] },
    // country
    { when: '{ country: gb }', hits: [N.london] },
    { when: '{ country: [RU] }', hits: ALL.filter((n) => n !== N.london) },
    // prefix: E.164 with +, national digits without
    { when: '{ prefix: "+7495" }', hits: [N.moscowFixed] },
    { when: '{ prefix: [+7 (92, "+44"] }', hits: [N.megafonMsk, N.megafonSamara, N.london] },
    { when: '{ prefix: 916 }', hits: [N.mtsMsk, N.ported] },
    { when: '{ prefix: "20794" }', hits: [N.london] },
    // ported
    { when: '{ ported: true }', hits: [N.ported] },
    { when: '{ ported: false, operator: MEGAFON }', hits: [N.megafonMsk, N.megafonSamara] },
    { when: '{ ported: [true, false], type: toll_free }', hits: [N.tollFree] },
    // mnc (unquoted 02 keeps its zero)
    { when: '{ mnc: 02 }', hits: [N.megafonMsk, N.megafonSamara, N.ported] },
    { when: '{ mnc: ["01", "20"] }', hits: [N.mtsMsk, N.t2] },
    // decision without a CallChecker: every number is allowed
    { when: '{ decision: allow, country: GB }', hits: [N.london] },
    { when: '{ decision: block }', hits: [] },
    // every condition must hold
    {
      when: '{ operator: MEGAFON, region: Самарская, type: mobile, prefix: "+7927" }',
      hits: [N.megafonSamara],
    },
    // no condition: every number
    { when: '{}', hits: ALL },
  ])('$when', ({ when, hits }) => {
    expect(matches(when, ALL)).toEqual(hits);
  });

  it('decision: the router uses the check passed in; routeChecked asks the CallChecker only when a rule needs it', async () => {
    const asked: string[] = [];
    const checker: CallChecker = {
      check(number: LookupResult): Promise<CallCheck> {
        asked.push(number.e164 ?? '');
        const block = number.e164 === '+79000000000';
        return Promise.resolve({
          decision: block ? 'block' : 'allow',
          reasons: block ? ['blacklist'] : [],
          trust: block ? 1 : 5,
        });
      },
    };
    const text = [
      'default: trunk',
      'rules:',
      '  - name: fixed',
      '    when: { type: fixed }',
      '    route: trunk-fixed',
      '  - name: blocked',
      '    when: { decision: block }',
      '    route: reject',
      '  - name: blocked-mobile',
      '    when: { decision: [block], type: mobile }',
      '    route: reject-2',
      '  - name: allowed',
      '    when: { decision: allow }',
      '    route: trunk-ok',
    ].join('\n');
    const router = Router.fromText(text, 'routes.yaml');
    expect(router.needsCheck).toBe(true);
    const block: CallCheck = { decision: 'block', reasons: ['x'], trust: 0 };
    expect(router.route(lk(N.moscowFixed), 'out', block)).toEqual({ route: 'trunk-fixed', rule: 'fixed' });
    expect(router.route(lk(N.t2), 'out', block)).toEqual({ route: 'reject', rule: 'blocked' });
    // Without a check: allowed.
    expect(router.route(lk(N.t2), 'out')).toEqual({ route: 'trunk-ok', rule: 'allowed' });

    expect(await routeChecked(router, checker, lk(N.t2), 'out')).toEqual({
      route: 'reject',
      rule: 'blocked',
    });
    expect(await routeChecked(router, checker, lk(N.megafonMsk), 'in')).toEqual({
      route: 'trunk-ok',
      rule: 'allowed',
    });
    expect(asked).toEqual(['+79000000000', '+79260000000']);
    // Without a checker: synchronous, nothing blocked.
    expect(routeChecked(router, null, lk(N.t2), 'out')).toEqual({ route: 'trunk-ok', rule: 'allowed' });

    // Rules without `decision`: the checker is not asked, the answer is not a promise.
    const plain = Router.fromText(
      'default: trunk\nrules:\n  - { name: fixed, when: { type: fixed }, route: f }',
    );
    expect(plain.needsCheck).toBe(false);
    expect(routeChecked(plain, checker, lk(N.t2), 'out')).toEqual({ route: 'trunk', rule: null });
    expect(asked).toHaveLength(2);
  });
});

describe('MNP', () => {
  it('a ported number matches the recipient as operator and the holder as range_operator', () => {
    const r = lk(N.ported);
    expect(r).toMatchObject({
      ported: true,
      operator: { inn: MEGAFON[1] },
      range_operator: { inn: MTS[1] },
      mnc: '02',
    });
    const router = Router.fromText(
      [
        'default: trunk-default',
        'rules:',
        '  - name: to-megafon',
        '    when: { operator: ПАО "МегаФон", ported: true }',
        '    route: trunk-megafon',
        '  - name: mts-range',
        '    when: { range_operator: ПАО "МТС" }',
        '    route: trunk-mts',
      ].join('\n'),
    );
    expect(router.route(r, 'out')).toEqual({ route: 'trunk-megafon', rule: 'to-megafon' });
    // Its neighbour in the same range is not ported: the holder's trunk.
    expect(router.route(lk(N.mtsMsk), 'out')).toEqual({ route: 'trunk-mts', rule: 'mts-range' });
    // Without the first rule, the ported number still belongs to the МТС range.
    const holderOnly = Router.fromText(
      'default: d\nrules:\n  - name: mts-range\n    when: { range_operator: MTS }\n    route: trunk-mts\n',
    );
    expect(holderOnly.route(r, 'out').route).toBe('trunk-mts');
  });

  it('an override set later moves the number to another rule on the next lookup', () => {
    const svc = new NumberService(registry());
    const router = Router.fromText(
      'default: d\nrules:\n  - name: t2\n    when: { operator: TELE2 }\n    route: trunk-t2\n',
    );
    expect(router.route(svc.lookup(N.megafonMsk), 'out').route).toBe('d');
    svc.setOverrides([{ number: '9260000000', operator: T2[1], mnc: null, at: '2026-02-01T00:00:00Z' }]);
    expect(router.route(svc.lookup(N.megafonMsk), 'out')).toEqual({ route: 'trunk-t2', rule: 't2' });
  });
});

const RULES_V1 =
  'default: trunk-a\nrules:\n  - name: mobile\n    when: { type: mobile }\n    route: trunk-mobile\n';
const RULES_V2 =
  'default: trunk-b\nrules:\n  - name: megafon\n    when: { operator: MEGAFON }\n    route: trunk-megafon\n  - name: mobile\n    when: { type: mobile }\n    route: trunk-mobile-2\n';
const RULES_BROKEN = 'default: trunk-c\nrules:\n  - name: x\n    when: { ported: maybe }\n    route: y\n';

/** Writes `text` and moves the file's mtime forward, so a poll sees a change even within one clock tick. */
let tick = 0;
function writeRules(path: string, text: string): void {
  writeFileSync(path, text);
  const t = new Date(Date.now() + ++tick * 1000);
  utimesSync(path, t, t);
}

describe('RoutingManager', () => {
  it('without a file: no rules, route "default"', () => {
    const m = new RoutingManager(null);
    m.load();
    expect(m.route(lk(N.megafonMsk), 'out')).toEqual({ route: 'default', rule: null });
    expect(m.info).toMatchObject({ file: null, rules: 0, defaultRoute: 'default', error: null });
    expect(m.info.loadedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('a bad file at start throws CONFIG_INVALID naming the line; a missing one too', () => {
    const dir = tempDir('routing-start');
    const path = join(dir, 'routes.yaml');
    writeRules(path, RULES_BROKEN);
    const m = new RoutingManager(path);
    expect(() => m.load()).toThrow(NuminfoError);
    try {
      m.load();
    } catch (e) {
      expect((e as NuminfoError).code).toBe('CONFIG_INVALID');
      expect((e as Error).message).toBe(`${path}:4:21: \`ported\` must be true or false, not "maybe"`);
    }
    const missing = new RoutingManager(join(dir, 'nope.yaml'));
    expect(() => missing.load()).toThrow(/cannot read the routing rules .*nope\.yaml/);
  });

  it('hot reload: a changed file is picked up; a broken one keeps the old rules and records the error', async () => {
    const dir = tempDir('routing-watch');
    const path = join(dir, 'routes.yaml');
    writeRules(path, RULES_V1);
    const { log, lines } = logger();
    const m = new RoutingManager(path, log);
    m.load();
    m.watch(20);
    try {
      // A RouteSource taken once (as the AGI server and HTTP hold it) sees every reload.
      const source = m;
      const loadedAt = m.info.loadedAt;
      expect(source.route(lk(N.megafonMsk), 'out')).toEqual({ route: 'trunk-mobile', rule: 'mobile' });
      expect(lines).toContain(`info: routing: 1 rules loaded from ${path}; default route "trunk-a"`);

      writeRules(path, RULES_V2);
      await waitFor('the new rules', () => (m.info.rules === 2 ? true : undefined), 5000, 10);
      expect(source.route(lk(N.megafonMsk), 'out')).toEqual({ route: 'trunk-megafon', rule: 'megafon' });
      expect(source.route(lk(N.moscowFixed), 'out')).toEqual({ route: 'trunk-b', rule: null });
      expect(m.info.loadedAt! >= loadedAt!).toBe(true);

      const before = m.router;
      writeRules(path, RULES_BROKEN);
      await waitFor('the reload error', () => m.info.error ?? undefined, 5000, 10);
      expect(m.router).toBe(before);
      expect(source.route(lk(N.megafonMsk), 'out').route).toBe('trunk-megafon');
      expect(m.info).toMatchObject({ file: path, rules: 2, defaultRoute: 'trunk-b' });
      expect(m.info.error).toBe(`${path}:4:21: \`ported\` must be true or false, not "maybe"`);
      expect(m.info.errorAt).not.toBeNull();
      expect(
        lines.some((l) => l.startsWith(`error: routing: cannot reload ${path}; keeping the 2 rules`)),
      ).toBe(true);

      // Fixed again: the error clears.
      writeRules(path, RULES_V1);
      await waitFor('the fixed rules', () => (m.info.error === null ? true : undefined), 5000, 10);
      expect(source.route(lk(N.megafonMsk), 'out').route).toBe('trunk-mobile');

      // Removed: the rules stay; back again: loaded again.
      rmSync(path);
      await waitFor('the removal', () => m.info.error ?? undefined, 5000, 10);
      expect(m.info.error).toMatch(/^cannot read .*routes\.yaml: ENOENT/);
      expect(source.route(lk(N.megafonMsk), 'out').route).toBe('trunk-mobile');
      writeRules(path, RULES_V2);
      await waitFor('the file back', () => (m.info.error === null ? true : undefined), 5000, 10);
      expect(source.route(lk(N.megafonMsk), 'out').route).toBe('trunk-megafon');
    } finally {
      m.close();
    }
  });

  it('reload() answers whether the new rules are in use', () => {
    const dir = tempDir('routing-reload');
    const path = join(dir, 'routes.json');
    writeRules(path, JSON.stringify({ default: 'j1', rules: [] }));
    const m = new RoutingManager(path);
    m.load();
    writeRules(path, '{\n  "default": "j2",\n  "rules": [{ "name": "a", "route": "b", "colour": 1 }]\n}');
    expect(m.reload()).toBe(false);
    expect(m.info.error).toMatch(/routes\.json:3:42: unknown key "colour"/);
    expect(m.router.defaultRoute).toBe('j1');
    writeRules(path, JSON.stringify({ default: 'j3', rules: [{ name: 'a', route: 'b' }] }));
    expect(m.reload()).toBe(true);
    expect(m.info).toMatchObject({ defaultRoute: 'j3', rules: 1, error: null });
  });
});

describe('routeNumber', () => {
  it('routes a well-formed number, throws the lookup code for garbage', () => {
    const m = new RoutingManager(null);
    expect(routeNumber(service, m, N.t2, 'in')).toMatchObject({
      route: 'default',
      rule: null,
      direction: 'in',
      number: { e164: '+79000000000' },
    });
    expect(() => routeNumber(service, m, 'hello', 'out')).toThrow(
      expect.objectContaining({ code: 'NOT_A_NUMBER' }),
    );
  });
});

describe('GET /v1/route', () => {
  let app: FastifyInstance;
  let base: string;
  let bare: FastifyInstance;
  let bareBase: string;

  const listen = async (a: FastifyInstance): Promise<string> => {
    await a.listen({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${(a.server.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    const dir = tempDir('routing-http');
    const path = join(dir, 'routes.yaml');
    writeRules(
      path,
      [
        'default: trunk-default',
        'rules:',
        '  - name: megafon',
        '    direction: out',
        '    when: { operator: MEGAFON }',
        '    route: trunk-megafon',
        '  - name: inbound-mobile',
        '    direction: in',
        '    when: { type: mobile }',
        '    route: reception-mobile',
      ].join('\n'),
    );
    const routing = new RoutingManager(path);
    routing.load();
    const config = { batchLimit: 1000, logLevel: 'silent' } as const;
    app = buildServer({ service, config, routing });
    base = await listen(app);
    bare = buildServer({ service, config });
    bareBase = await listen(bare);
  });

  afterAll(async () => {
    await app.close();
    await bare.close();
  });

  const get = async (path: string, at = base) => {
    const res = await fetch(at + path);
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text };
  };

  it('JSON: route, rule, direction and the lookup result (MNP applied)', async () => {
    const r = await get('/v1/route?number=%2B7%20916%20000-00-01&direction=out');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    const body = JSON.parse(r.text) as {
      route: string;
      rule: string;
      direction: string;
      number: LookupResult;
    };
    expect(body).toMatchObject({ route: 'trunk-megafon', rule: 'megafon', direction: 'out' });
    expect(body.number).toEqual(JSON.parse(JSON.stringify(lk('+7 916 000-00-01'))));
    expect(body.number).toMatchObject({ ported: true, range_operator: { inn: MTS[1] } });
  });

  it.each([
    {
      q: 'number=89260000000&direction=in',
      route: 'reception-mobile',
      rule: 'inbound-mobile',
      direction: 'in',
    },
    { q: 'number=89260000000', route: 'trunk-megafon', rule: 'megafon', direction: 'out' },
    { q: 'number=84951000000&direction=IN', route: 'trunk-default', rule: null, direction: 'in' },
    { q: 'number=%2B73000000000&direction=out', route: 'trunk-default', rule: null, direction: 'out' },
  ])('$q → $route', async ({ q, route: r, rule, direction }) => {
    const res = await get(`/v1/route?${q}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ route: r, rule, direction });
  });

  it('format=text: the route name alone, for Asterisk CURL()', async () => {
    const r = await get('/v1/route?number=89260000000&direction=out&format=text');
    expect(r).toEqual({ status: 200, type: 'text/plain; charset=utf-8', text: 'trunk-megafon' });
    const d = await get('/v1/route?number=+44%2020%207946%200958&format=text');
    expect(d).toMatchObject({ status: 200, text: 'trunk-default' });
  });

  it.each([
    { q: '', code: 'MISSING_PARAMETER' },
    { q: 'number=', code: 'INPUT_EMPTY' },
    { q: 'number=hello', code: 'NOT_A_NUMBER' },
    { q: 'number=12', code: 'TOO_SHORT' },
    { q: 'number=1&number=2', code: 'BAD_REQUEST' },
    { q: 'number=89260000000&direction=both', code: 'BAD_REQUEST' },
    { q: 'number=89260000000&format=xml', code: 'BAD_REQUEST' },
  ])('400 $code for "$q" (JSON envelope; empty text with format=text)', async ({ q, code }) => {
    const r = await get(`/v1/route?${q}`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ error: { code, message: expect.any(String) } });
    if (q.includes('format=')) return;
    const t = await get(`/v1/route?${q}${q ? '&' : ''}format=text`);
    expect(t).toEqual({ status: 400, type: 'text/plain; charset=utf-8', text: '' });
  });

  it('a server without routing rules answers the route "default"', async () => {
    const r = await get('/v1/route?number=89260000000&format=text', bareBase);
    expect(r).toMatchObject({ status: 200, text: 'default' });
  });
});

describe('GET /v1/route with a CallChecker (the routePlugin `checker` option, a real CheckService)', () => {
  let app: FastifyInstance;
  let base: string;
  let store: Store;
  let reputation: ReputationService;
  let blacklists: BlacklistService;

  beforeAll(async () => {
    store = await openStore('', tempDir('routing-check'));
    reputation = new ReputationService(store);
    blacklists = new BlacklistService(store);
    await blacklists.add('', 'spam', [{ number: '79260000000' }], 'admin');
    const checker = new CheckService(reputation, blacklists, { trustThreshold: 3, blockUnwanted: true });
    const routes = Router.fromText(
      'default: trunk\nrules:\n  - { name: spam, when: { decision: block }, route: reject }\n',
    );
    app = Fastify({ logger: false });
    await app.register(routePlugin, { service, routes, checker });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
    reputation.close();
    blacklists.close();
    await store.close();
  });

  it.each([
    { q: 'number=89260000000', route: 'reject', rule: 'spam' },
    { q: 'number=89260000000&format=text', text: 'reject' },
    { q: 'number=89160000000', route: 'trunk', rule: null },
    { q: 'number=89160000000&format=text', text: 'trunk' },
  ])('$q', async ({ q, route, rule, text }) => {
    const res = await fetch(`${base}/v1/route?${q}`);
    expect(res.status).toBe(200);
    if (text !== undefined) expect(await res.text()).toBe(text);
    else expect(await res.json()).toMatchObject({ route, rule, direction: 'out' });
  });

  it('input errors are still 400', async () => {
    const res = await fetch(`${base}/v1/route?number=hello`);
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'NOT_A_NUMBER',
    ]);
  });
});

describe('numinfo serve: routesFile, SIGHUP', () => {
  const children: ChildProcess[] = [];

  beforeAll(() => assertBuilt());
  afterAll(async () => {
    await Promise.all(children.map((c) => stopChild(c)));
  });

  const start = async (
    routes: string,
  ): Promise<{ child: ChildProcess; base: string; stderr: () => string }> => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: cleanEnv({
        NUMINFO_PORT: String(port),
        NUMINFO_HOST: '127.0.0.1',
        NUMINFO_DATA_DIR: tempDir('routing-serve-data'),
        NUMINFO_AUTO_UPDATE: '0',
        NUMINFO_ROUTES: routes,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let err = '';
    child.stdout!.resume();
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
    return { child, base: `http://127.0.0.1:${port}`, stderr: () => err };
  };

  it('a bad rules file stops the start with exit code 2 and the line', async () => {
    const path = join(tempDir('routing-serve-bad'), 'routes.yaml');
    writeRules(path, RULES_BROKEN);
    const s = await start(path);
    const code = await new Promise<number | null>((r) => s.child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(s.stderr()).toContain(`${path}:4:21: \`ported\` must be true or false`);
  });

  it('SIGHUP reloads the rules; /healthz shows them', async () => {
    const path = join(tempDir('routing-serve'), 'routes.yaml');
    // Without registry data a number still routes by prefix, country and type.
    const v1 =
      'default: trunk-a\nrules:\n  - name: msk\n    when: { prefix: "+7495" }\n    route: trunk-msk\n';
    const v2 =
      'default: trunk-b\nrules:\n  - name: spb\n    when: { prefix: "+7812" }\n    route: trunk-spb\n';
    expect(v2.length).toBe(v1.length);
    writeRules(path, v1);
    const { mtime } = statSync(path);
    const s = await start(path);
    const text = async (q: string): Promise<string> =>
      (await fetch(`${s.base}/v1/route?${q}&format=text`)).text();
    await waitFor(
      'the server',
      async () => ((await fetch(s.base + '/healthz')).ok ? true : undefined),
      10_000,
      50,
    );
    expect(await text('number=84951234567')).toBe('trunk-msk');
    // Same size, same mtime: the file watcher sees no change, so only the signal brings the new rules in.
    writeFileSync(path, v2);
    utimesSync(path, mtime, mtime);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await text('number=84951234567')).toBe('trunk-msk');
    s.child.kill('SIGHUP');
    await waitFor(
      'SIGHUP reload',
      async () => ((await text('number=84951234567')) === 'trunk-b' ? true : undefined),
      10_000,
      50,
    );
    expect(await text('number=88121234567')).toBe('trunk-spb');
    const health = (await (await fetch(s.base + '/healthz')).json()) as { routing: unknown };
    expect(health.routing).toMatchObject({ file: path, rules: 1, defaultRoute: 'trunk-b', error: null });
    expect(s.child.exitCode).toBeNull();
  });
});
