import { describe, expect, it } from 'vitest';
import {
  headerArgs,
  parseCommandLine,
  parseHeaderLine,
  quote,
  ReplyReader,
  setVariable,
  verbose,
} from './protocol.js';

describe('parseHeaderLine', () => {
  it.each([
    ['agi_network: yes', ['agi_network', 'yes']],
    ['agi_callerid: 79161234567', ['agi_callerid', '79161234567']],
    ['agi_calleridname: Иван Петров', ['agi_calleridname', 'Иван Петров']],
    ['agi_accountcode: ', ['agi_accountcode', '']],
    ['agi_accountcode:', ['agi_accountcode', '']],
    ['agi_arg_1: a: b', ['agi_arg_1', 'a: b']],
    ['agi_arg_2:  two spaces', ['agi_arg_2', ' two spaces']],
  ])('%j → %j', (line, want) => {
    expect(parseHeaderLine(line)).toEqual(want);
  });

  it.each([
    '',
    'agi_: x',
    'agi_network yes',
    'AGI_NETWORK: yes',
    'network: yes',
    'agi_Network: yes',
    'GET / HTTP/1.1',
  ])('%j is not a header line', (line) => {
    expect(parseHeaderLine(line)).toBeNull();
  });

  it('headerArgs reads agi_arg_1..N in order up to the first gap', () => {
    const h = new Map([
      ['agi_arg_2', 'b'],
      ['agi_arg_1', 'a'],
      ['agi_arg_4', 'd'],
    ]);
    expect(headerArgs(h)).toEqual(['a', 'b']);
  });
});

describe('command lines', () => {
  it.each([
    ['plain', '"plain"'],
    ['', '""'],
    ['ООО "Т2 Мобайл"', '"ООО \\"Т2 Мобайл\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['two\nlines\r', '"two lines "'],
    ['\\"', '"\\\\\\""'],
  ])('quote(%j) = %s and parses back', (value, quoted) => {
    expect(quote(value)).toBe(quoted);
    expect(parseCommandLine(`SET VARIABLE "X" ${quoted}`)).toEqual([
      'SET',
      'VARIABLE',
      'X',
      value.replace(/[\r\n]/g, ' '),
    ]);
  });

  it('SET VARIABLE and VERBOSE', () => {
    expect(setVariable('NUMINFO_TYPE', 'mobile')).toBe('SET VARIABLE "NUMINFO_TYPE" "mobile"\n');
    expect(verbose('say "hi"', 3)).toBe('VERBOSE "say \\"hi\\"" 3\n');
  });
});

describe('ReplyReader', () => {
  it.each([
    ['200 result=1', { kind: 'result', code: 200, result: '1', data: '' }],
    ['200 result=-1', { kind: 'result', code: 200, result: '-1', data: '' }],
    ['200 result=0 (timeout)', { kind: 'result', code: 200, result: '0', data: '(timeout)' }],
    ['200 result=1 (ok) endpos=1234', { kind: 'result', code: 200, result: '1', data: '(ok) endpos=1234' }],
    [
      '510 Invalid or unknown command',
      { kind: 'error', code: 510, message: 'Invalid or unknown command', usage: [] },
    ],
    [
      '511 Command Not Permitted on a dead channel or intercept routine',
      {
        kind: 'error',
        code: 511,
        message: 'Command Not Permitted on a dead channel or intercept routine',
        usage: [],
      },
    ],
    [
      '520 Invalid command syntax.  Proper usage not available.',
      {
        kind: 'error',
        code: 520,
        message: 'Invalid command syntax.  Proper usage not available.',
        usage: [],
      },
    ],
    ['HANGUP', { kind: 'hangup' }],
    ['hello', { kind: 'invalid', line: 'hello' }],
    ['200 ok', { kind: 'invalid', line: '200 ok' }],
    ['2000 result=1', { kind: 'invalid', line: '2000 result=1' }],
    ['', { kind: 'invalid', line: '' }],
  ])('%j', (line, want) => {
    expect(new ReplyReader().push(line)).toEqual(want);
  });

  it('a multi-line 520 is one reply, its usage lines kept', () => {
    const r = new ReplyReader();
    expect(r.push('520-Invalid command syntax.  Proper usage follows:')).toBeNull();
    expect(r.push(' Usage: SET VARIABLE <variablename> <value>')).toBeNull();
    expect(r.push('')).toBeNull();
    expect(r.usageLines).toBe(2);
    expect(r.push('520 End of proper usage.')).toEqual({
      kind: 'error',
      code: 520,
      message: 'Invalid command syntax.  Proper usage follows:',
      usage: [' Usage: SET VARIABLE <variablename> <value>', ''],
    });
    expect(r.usageLines).toBe(0);
    expect(r.push('200 result=1')).toEqual({ kind: 'result', code: 200, result: '1', data: '' });
  });
});
