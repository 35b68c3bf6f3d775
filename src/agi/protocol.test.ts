import { describe, expect, it } from 'vitest';
import {
  headerArgs,
  headerKeyEnd,
  isResult1,
  parseCommandLine,
  parseHeaderLine,
  quote,
  ReplyReader,
  RESULT_1,
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

  it('headerKeyEnd reads the bytes of a line as parseHeaderLine reads the line', () => {
    const lines = [
      'agi_network: yes',
      'agi_calleridname: Иван Петров',
      'agi_accountcode: ',
      'agi_accountcode:',
      'agi_arg_1: a: b',
      'agi_arg_2:  two spaces',
      '',
      'agi_',
      'agi_x',
      'agi_: x',
      'agi_network yes',
      'AGI_NETWORK: yes',
      'agi_Network: yes',
      'agi_имя: x',
      'GET / HTTP/1.1',
    ];
    for (const line of lines) {
      // Inside a larger buffer, as the session scans it.
      const buf = Buffer.from(`xx${line}\r\n`);
      const end = buf.length - 2;
      const colon = headerKeyEnd(buf, 2, end);
      const got =
        colon < 0
          ? null
          : [
              buf.toString('latin1', 2, colon),
              buf.toString('utf8', buf[colon + 1] === 32 && colon + 1 < end ? colon + 2 : colon + 1, end),
            ];
      expect(got, line).toEqual(parseHeaderLine(line));
    }
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

describe('isResult1', () => {
  it('matches the bytes of exactly `200 result=1`, which ReplyReader reads as RESULT_1', () => {
    const buf = Buffer.from('x200 result=1\n200 result=10\n200 result=\n');
    expect(isResult1(buf, 1, 13)).toBe(true);
    expect(new ReplyReader().push(buf.toString('utf8', 1, 13))).toBe(RESULT_1);
    expect(isResult1(buf, 14, 27)).toBe(false);
    expect(isResult1(buf, 28, 39)).toBe(false);
    expect(isResult1(buf, 0, 12)).toBe(false);
  });

  it('inUsage is true inside a multi-line 520 only', () => {
    const r = new ReplyReader();
    expect(r.inUsage).toBe(false);
    r.push('520-Invalid command syntax.  Proper usage follows:');
    expect(r.inUsage).toBe(true);
    expect(r.push('200 result=1')).toBeNull();
    expect(r.push('520 End of proper usage.')).toMatchObject({ code: 520, usage: ['200 result=1'] });
    expect(r.inUsage).toBe(false);
  });
});
