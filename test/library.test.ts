import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as numinfo from '../src/index.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/registry/legacy-6col');

describe('the library entry point', () => {
  it('exports the data-as-argument functions and the services', () => {
    for (const name of [
      'lookup',
      'clean',
      'importRegistry',
      'RegistryIndex',
      'NumberService',
      'MnpIndex',
      'Router',
      'startAgiServer',
      'openStore',
      'ReputationService',
      'BlacklistService',
      'CheckService',
      'KeyService',
      'normalizeNumber',
    ]) {
      expect(typeof (numinfo as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('looks a number up and cleans a string over a registry it imported itself', () => {
    const files = readdirSync(FIXTURE)
      .filter((f) => f.endsWith('.csv'))
      .map((name) => ({ name, bytes: readFileSync(join(FIXTURE, name)), modified: null }));
    const { registry } = numinfo.importRegistry(files);
    const index = new numinfo.RegistryIndex(registry);
    const service = new numinfo.NumberService(index);
    const some = numinfo.lookup(index, '+7 (846) 231-60-14');
    expect(some.country?.iso).toBe('RU');
    expect(service.lookup('+7 (846) 231-60-14')).toEqual(some);
    expect(numinfo.clean(index, 'тел. qwerty').qc).toBe(2);
    expect(numinfo.parsePhoneInput('abc')).toEqual({ kind: 'error', error: 'NOT_A_NUMBER' });
  });

  it('keeps reputation in an embedded store: a report, then the trust index and the check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'numinfo-lib-'));
    try {
      const store = await numinfo.openStore('', dir);
      const reputation = new numinfo.ReputationService(store);
      const blacklists = new numinfo.BlacklistService(store);
      const checker = new numinfo.CheckService(reputation, blacklists, {
        trustThreshold: 3,
        blockUnwanted: true,
      });
      await reputation.report('crm', [{ number: '79991234567', kind: 'ban' }]);
      // One ban against the prior of two votes at 5.00: (2 × 5) / (2 + 1) = 3.33.
      expect((await reputation.get('79991234567')).index).toBe(3.33);
      await blacklists.add(numinfo.GLOBAL_OWNER, 'spam', [{ number: '79991234567' }], 'crm');
      expect(await checker.check('79991234567')).toMatchObject({
        decision: 'block',
        reasons: ['blacklist:spam'],
        trust: 3.33,
      });
      reputation.close();
      blacklists.close();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
