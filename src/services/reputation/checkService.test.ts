import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../../test/helpers/proc.js';
import { NuminfoError } from '../../errors.js';
import { openStore } from '../../store/openStore.js';
import type { Store } from '../../store/types.js';
import { NumberService } from '../numberService.js';
import { routeChecked, Router } from '../routing/router.js';
import { BlacklistService } from './blacklistService.js';
import { CheckService } from './checkService.js';
import { ReputationService } from './reputationService.js';

const T0 = Date.UTC(2026, 3, 1);
const numbers = new NumberService(null);

let store: Store;
let reputation: ReputationService;
let blacklists: BlacklistService;
let check: CheckService;

beforeEach(async () => {
  store = await openStore('', tempDir('check'));
  reputation = new ReputationService(store, { now: () => T0 });
  blacklists = new BlacklistService(store, { now: () => T0 });
  check = new CheckService(reputation, blacklists, { trustThreshold: 3, blockUnwanted: true });
});

afterEach(async () => {
  reputation.close();
  blacklists.close();
  await store.close();
});

afterAll(() => removeTempDirs());

describe('CheckService', () => {
  it('an unknown number is allowed with trust 5.00', async () => {
    expect(await check.check('79990000001')).toStrictEqual({
      number: '79990000001',
      decision: 'allow',
      reasons: [],
      trust: 5,
      blacklists: [],
      threshold: 3,
      is_unwanted: false,
    });
  });

  it('blacklists: global always, the caller’s own only with its owner, `lists` limits by name', async () => {
    await blacklists.add('', 'spam', [{ number: '79990000001' }], 'admin');
    await blacklists.add('k1', 'mine', [{ number: '79990000001' }], 'k1');
    await blacklists.add('k2', 'theirs', [{ number: '79990000001' }], 'k2');
    expect(await check.check('+79990000001')).toMatchObject({
      decision: 'block',
      reasons: ['blacklist:spam'],
      blacklists: [{ list: 'spam', owner: '' }],
    });
    const own = await check.check('79990000001', { owner: 'k1' });
    expect(own.reasons.sort()).toEqual(['blacklist:mine@key', 'blacklist:spam']);
    expect(await check.check('79990000001', { owner: 'k1', lists: ['mine'] })).toMatchObject({
      decision: 'block',
      reasons: ['blacklist:mine@key'],
    });
    expect(await check.check('79990000001', { owner: 'k1', lists: ['other'] })).toMatchObject({
      decision: 'allow',
      reasons: [],
    });
  });

  it('trust below the threshold and the unwanted flag block; both reasons are given', async () => {
    await reputation.report('a', [{ number: '79990000002', kind: 'ban', unwanted: true }]);
    await reputation.report('b', [{ number: '79990000002', kind: 'ban', unwanted: true }]);
    expect(await check.check('79990000002')).toStrictEqual({
      number: '79990000002',
      decision: 'block',
      reasons: ['trust 2.50 < 3.00', 'unwanted'],
      trust: 2.5,
      blacklists: [],
      threshold: 3,
      is_unwanted: true,
    });
    const lenient = new CheckService(reputation, blacklists, { trustThreshold: 2, blockUnwanted: false });
    expect(await lenient.check('79990000002')).toMatchObject({
      decision: 'allow',
      reasons: [],
      is_unwanted: true,
    });
  });

  it('a lookup result: its E.164 number; no number at all is allowed', async () => {
    await blacklists.add('', 'spam', [{ number: '79990000001' }], 'admin');
    expect((await check.check(numbers.lookup('8 999 000-00-01'))).decision).toBe('block');
    expect(await check.check(numbers.lookup('anonymous'))).toMatchObject({
      number: '',
      decision: 'allow',
      trust: 5,
    });
  });

  it('a bad number string, a bad list name and a bad threshold are errors', async () => {
    await expect(check.check('+7 999')).rejects.toThrow(
      new NuminfoError('BAD_REQUEST', 'number: expected E.164 digits, got "+7 999"'),
    );
    await expect(check.check('79990000001', { lists: ['a b'] })).rejects.toThrow(/list name/);
    expect(
      () => new CheckService(reputation, blacklists, { trustThreshold: 11, blockUnwanted: true }),
    ).toThrow('trustThreshold must be 0..10, not 11');
  });

  it('as the CallChecker of routing: a `decision: block` rule matches a blacklisted number', async () => {
    await blacklists.add('', 'spam', [{ number: '79990000001' }], 'admin');
    const router = Router.fromText(
      'default: trunk\nrules:\n  - { name: spam, when: { decision: block }, route: reject }\n',
    );
    expect(await routeChecked(router, check, numbers.lookup('+79990000001'), 'in')).toEqual({
      route: 'reject',
      rule: 'spam',
    });
    expect(await routeChecked(router, check, numbers.lookup('+79990000009'), 'in')).toEqual({
      route: 'trunk',
      rule: null,
    });
  });
});
