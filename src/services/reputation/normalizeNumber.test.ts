import { describe, expect, it } from 'vitest';
import { importRegistry } from '../../data/registryImport.js';
import { RegistryIndex } from '../../data/registryIndex.js';
import { NuminfoError } from '../../errors.js';
import { csvText, row } from '../../../test/helpers/registryData.js';
import { NumberService } from '../numberService.js';
import { normalizeNumber } from './normalizeNumber.js';

function withRegistry(): NumberService {
  const bytes = new TextEncoder().encode(
    csvText([row(926, 0, 9999999, 'ПАО "МЕГАФОН"', 'г. Москва', 'Город Москва', '7812014560')]),
  );
  return new NumberService(
    new RegistryIndex(importRegistry([{ name: 'DEF-9xx.csv', bytes, modified: null }]).registry),
  );
}

const services = { 'no registry': new NumberService(null), registry: withRegistry() };

describe.each(Object.entries(services))('normalizeNumber (%s)', (_, service) => {
  it.each([
    ['+79260000000', '79260000000'],
    ['8 (926) 000-00-00', '79260000000'],
    ['9260000000', '79260000000'],
    ['79991234567', '79991234567'], // not in the tiny registry: still a number
    ['+7 000 000 00 00', '70000000000'], // invalid for its country: still normalizes
    ['+44 20 7946 0958', '442079460958'],
    ['+1 (202) 555-0100', '12025550100'],
  ])('%s → %s', (input, digits) => {
    expect(normalizeNumber(service, input)).toBe(digits);
  });

  it.each([
    ['', 'INPUT_EMPTY', 'the number is empty: ""'],
    ['abc', 'NOT_A_NUMBER', 'the input is not a phone number: "abc"'],
    ['123', 'TOO_SHORT', 'too few digits for a phone number: "123"'],
    ['+7999123456789', 'TOO_LONG', 'too many digits for a phone number: "+7999123456789"'],
    ['+99912345678', 'INVALID_COUNTRY_CODE', 'no country has this calling code: "+99912345678"'],
  ])('%j → %s (400)', (input, code, message) => {
    let caught: unknown;
    try {
      normalizeNumber(service, input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NuminfoError);
    expect(caught).toMatchObject({ code, status: 400, message });
  });
});
