import { describe, expect, it } from 'vitest';
import { MAX_INPUT_LENGTH, parsePhoneInput, type ParsedInput } from './phoneInput.js';

const ru = (code: number, subscriber: number, national: string): ParsedInput => ({
  kind: 'ru',
  code,
  subscriber,
  national,
});
const intl = (digits: string): ParsedInput => ({ kind: 'intl', digits });
const err = (error: string): ParsedInput => ({ kind: 'error', error }) as ParsedInput;

describe('parsePhoneInput: Russian numbers', () => {
  it.each<[string, ParsedInput]>([
    // +7, 8, 7 and bare 10 digits
    ['+78462316014', ru(846, 2316014, '8462316014')],
    ['88462316014', ru(846, 2316014, '8462316014')],
    ['78462316014', ru(846, 2316014, '8462316014')],
    ['8462316014', ru(846, 2316014, '8462316014')],
    // separators people type
    ['+7 (846) 231-60-14', ru(846, 2316014, '8462316014')],
    ['8 (846) 231 60 14', ru(846, 2316014, '8462316014')],
    ['+7.846.231.60.14', ru(846, 2316014, '8462316014')],
    ['+7/846/2316014', ru(846, 2316014, '8462316014')],
    ['\t+7 846 231 60 14 ', ru(846, 2316014, '8462316014')],
    ['+7\u00a0846\u00a02316014', ru(846, 2316014, '8462316014')],
    ['8\u2013846\u2014231\u20106014', ru(846, 2316014, '8462316014')],
    ['+7\u2011846\u20122316014', ru(846, 2316014, '8462316014')],
    // leading zeros of the subscriber part survive in `national`
    ['+7 900 000-00-00', ru(900, 0, '9000000000')],
    ['8 (900) 006-19-99', ru(900, 61999, '9000061999')],
    ['+7 499 166-30-50', ru(499, 1663050, '4991663050')],
    ['+7 301 304-99-01', ru(301, 3049901, '3013049901')],
    ['8 800 100-00-00', ru(800, 1000000, '8001000000')],
    ['9161234567', ru(916, 1234567, '9161234567')],
    ['3012110000', ru(301, 2110000, '3012110000')],
    ['4012200000', ru(401, 2200000, '4012200000')],
    // `8 10…` is 810 as an ABC code when the whole number has 10 or 11 digits
    ['8101234567', ru(810, 1234567, '8101234567')],
    ['88101234567', ru(810, 1234567, '8101234567')],
  ])('%j → %j', (input, expected) => {
    expect(parsePhoneInput(input)).toEqual(expected);
  });
});

describe('parsePhoneInput: international numbers', () => {
  it.each<[string, ParsedInput]>([
    // Kazakhstan shares +7: codes 6xx and 7xx are not Russian
    ['+7 777 123 45 67', intl('77771234567')],
    ['+7 (727) 250-00-00', intl('77272500000')],
    ['+76001234567', intl('76001234567')],
    ['87771234567', intl('77771234567')],
    ['77771234567', intl('77771234567')],
    // with a plus
    ['+44 20 7946 0958', intl('442079460958')],
    ['+358 18 1201235', intl('358181201235')],
    ['+1 (212) 555-01-23', intl('12125550123')],
    ['+3801234', intl('3801234')],
    // bare digits that fit no Russian form
    ['358181201235', intl('358181201235')],
    ['5551234567', intl('5551234567')],
    ['12125550123', intl('12125550123')],
    ['1234567890123456', intl('1234567890123456')],
    // exit codes: Russian 8 10 and international 00
    ['8 10 44 20 7946 0958', intl('442079460958')],
    ['810358181201235', intl('358181201235')],
    ['00 44 20 7946 0958', intl('442079460958')],
    ['00358181201235', intl('358181201235')],
    ['0012345678', intl('12345678')],
  ])('%j → %j', (input, expected) => {
    expect(parsePhoneInput(input)).toEqual(expected);
  });
});

describe('parsePhoneInput: errors', () => {
  const tooLong = '1'.repeat(MAX_INPUT_LENGTH + 1);
  it.each<[string, ParsedInput]>([
    ['', err('INPUT_EMPTY')],
    ['   ', err('INPUT_EMPTY')],
    ['( ) - .', err('INPUT_EMPTY')],
    ['+', err('NOT_A_NUMBER')],
    ['+ ( )', err('NOT_A_NUMBER')],
    ['abc', err('NOT_A_NUMBER')],
    ['8-800-САМАРА', err('NOT_A_NUMBER')],
    ['+7 846 231 60 14 доб. 5', err('NOT_A_NUMBER')],
    ['tel:+78462316014', err('NOT_A_NUMBER')],
    ['+7 846 231 60 14, +7 846 231 60 15', err('NOT_A_NUMBER')],
    ['++78462316014', err('NOT_A_NUMBER')],
    ['7+8462316014', err('NOT_A_NUMBER')],
    ['8_846_2316014', err('NOT_A_NUMBER')],
    ['\uff18\uff14\uff16', err('NOT_A_NUMBER')], // full-width digits
    [tooLong, err('INPUT_TOO_LONG')],
    [' '.repeat(MAX_INPUT_LENGTH + 1), err('INPUT_TOO_LONG')],
    ['+7 846 231', err('TOO_SHORT')],
    ['+7846231601', err('TOO_SHORT')],
    ['+784623160145', err('TOO_LONG')],
    ['+123456', err('TOO_SHORT')],
    ['2316014', err('TOO_SHORT')],
    ['123456789', err('TOO_SHORT')],
    ['00123', err('TOO_SHORT')],
    ['123456789012345678', err('TOO_LONG')],
    ['+123456789012345678', err('TOO_LONG')],
  ])('%j → %j', (input, expected) => {
    expect(parsePhoneInput(input)).toEqual(expected);
  });

  it('checks the length before anything else, at exactly MAX_INPUT_LENGTH characters', () => {
    expect(MAX_INPUT_LENGTH).toBe(64);
    const padded = '+7 846 231 60 14'.padEnd(MAX_INPUT_LENGTH, ' ');
    expect(padded).toHaveLength(64);
    expect(parsePhoneInput(padded)).toEqual(ru(846, 2316014, '8462316014'));
    expect(parsePhoneInput(padded + ' ')).toEqual(err('INPUT_TOO_LONG'));
    expect(parsePhoneInput('x'.repeat(65))).toEqual(err('INPUT_TOO_LONG'));
  });
});
