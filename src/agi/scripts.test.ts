import { describe, expect, it } from 'vitest';
import type { LookupResult } from '../core/types.js';
import { latinSafe, lookupStatus } from '../services/callVariables.js';
import { NumberService } from '../services/numberService.js';
import { Router } from '../services/routing/router.js';
import type { CallChecker } from '../services/routing/types.js';
import { parseRequest, runScript, type ScriptDeps, type ScriptRun } from './scripts.js';

describe('parseRequest', () => {
  const h = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));
  it.each([
    [
      { agi_network_script: 'lookup', agi_arg_1: '79161234567', agi_callerid: '74951234567' },
      { script: 'lookup', number: '79161234567', numberFrom: 'arg', direction: 'out', latin: null },
    ],
    [
      { agi_network_script: 'lookup', agi_callerid: ' 74951234567 ' },
      { script: 'lookup', number: '74951234567', numberFrom: 'callerid', direction: 'out', latin: null },
    ],
    [
      { agi_network_script: 'check', agi_arg_1: '', agi_callerid: 'unknown' },
      { script: 'check', number: '', numberFrom: 'none', direction: 'out', latin: null },
    ],
    [
      { agi_network_script: 'route', agi_extension: '89161234567', agi_callerid: '100' },
      { script: 'route', number: '89161234567', numberFrom: 'extension', direction: 'out', latin: null },
    ],
    [
      { agi_network_script: 'Route?latin=1&direction=in', agi_arg_1: '79161234567' },
      { script: 'route', number: '79161234567', numberFrom: 'arg', direction: 'in', latin: true },
    ],
    [
      {
        agi_network_script: '/numinfo/route/',
        agi_arg_1: '79161234567',
        agi_arg_2: 'in',
        agi_arg_3: 'latin=0',
      },
      { script: 'route', number: '79161234567', numberFrom: 'arg', direction: 'in', latin: false },
    ],
    [
      { agi_request: 'agi://pbx-helper:4573/lookup?latin', agi_arg_1: 'latin=yes', agi_arg_2: '79161234567' },
      { script: 'lookup', number: '79161234567', numberFrom: 'arg', direction: 'out', latin: true },
    ],
    [{ agi_network: 'yes' }, { script: '', number: '', numberFrom: 'none', direction: 'out', latin: null }],
  ])('%j', (header, want) => {
    expect(parseRequest(h(header))).toEqual(want);
  });
});

describe('values', () => {
  it.each([
    ['OOO "Rog"', 'OOO "Rog"'],
    ['ПАО "МегаФон"', 'PAO "MegaFon"'],
    ['Краснодарский край', 'Krasnodarskiy kray'],
    ['«Связь» — №1 ✓', '"Svyaz" - N1 ?'],
    ['tab\there', 'tab?here'],
  ])('latinSafe(%j) = %j', (value, want) => {
    expect(latinSafe(value)).toBe(want);
  });

  it.each([
    [null, 'OK'],
    ['NOT_IN_PLAN', 'NOT_FOUND'],
    ['INVALID_NUMBER', 'NOT_FOUND'],
    ['INPUT_EMPTY', 'NO_NUMBER'],
    ['REGISTRY_NOT_LOADED', 'NO_DATA'],
    ['TOO_SHORT', 'BAD_NUMBER'],
    ['NOT_A_NUMBER', 'BAD_NUMBER'],
    ['INVALID_COUNTRY_CODE', 'BAD_NUMBER'],
  ])('lookupStatus(error %s) = %s', (error, want) => {
    expect(lookupStatus({ error } as LookupResult)).toBe(want);
  });
});

describe('runScript: the checker is awaited only when needed', () => {
  const service = new NumberService(null);
  const h = (script: string): Map<string, string> =>
    new Map([
      ['agi_network_script', script],
      ['agi_arg_1', '79161234567'],
    ]);
  const asked: string[] = [];
  const checker: CallChecker = {
    check: (r) => {
      asked.push(r.e164 ?? '');
      return Promise.resolve({ decision: 'block', reasons: ['blacklist:spam'], trust: 1.5 });
    },
  };
  const deps = (rules: string): ScriptDeps => ({
    lookup: (input) => service.lookup(input),
    router: () => Router.fromText(rules),
    checker: () => checker,
    latin: false,
  });
  const plain = deps('default: trunk\nrules:\n  - { name: m, when: { type: mobile }, route: mob }\n');
  const deciding = deps(
    'default: trunk\nrules:\n  - { name: b, when: { decision: block }, route: reject }\n',
  );

  it('lookup, and route without `decision` rules, answer synchronously without asking the checker', () => {
    const lookup = runScript(h('lookup'), plain);
    const route = runScript(h('route'), plain);
    expect(lookup).not.toBeInstanceOf(Promise);
    expect(route).not.toBeInstanceOf(Promise);
    expect((route as ScriptRun).commands).toEqual([
      'SET VARIABLE "NUMINFO_ROUTE" "mob"\n',
      'SET VARIABLE "NUMINFO_ROUTE_RULE" "m"\n',
      'SET VARIABLE "NUMINFO_STATUS" "NO_DATA"\n',
    ]);
    expect(asked).toEqual([]);
  });

  it('check, and route with `decision` rules, wait for the checker', async () => {
    const check = runScript(h('check'), plain);
    expect(check).toBeInstanceOf(Promise);
    expect((await check).commands).toEqual([
      'SET VARIABLE "NUMINFO_DECISION" "block"\n',
      'SET VARIABLE "NUMINFO_TRUST" "1.50"\n',
      'SET VARIABLE "NUMINFO_REASONS" "blacklist:spam"\n',
      'SET VARIABLE "NUMINFO_STATUS" "NO_DATA"\n',
    ]);
    expect((await runScript(h('route'), deciding)).commands[0]).toBe(
      'SET VARIABLE "NUMINFO_ROUTE" "reject"\n',
    );
    expect(asked).toEqual(['+79161234567', '+79161234567']);
  });
});
