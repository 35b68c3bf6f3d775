import { readFileSync, readdirSync } from 'node:fs';
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
});
