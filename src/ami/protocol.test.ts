import { describe, expect, it } from 'vitest';
import { AmiParser, AmiProtocolError, buildAction, field, type AmiFrame } from './protocol.js';

const SESSION =
  'Asterisk Call Manager/7.0.3\r\n' +
  'Response: Success\r\nActionID: numinfo-1\r\nMessage: Authentication accepted\r\n\r\n' +
  'Event: Newchannel\r\nChannel: PJSIP/trunk-00000001\r\nCallerIDNum: 79000000000\r\nAccountCode: \r\n' +
  'Context: from-trunk\r\n\r\n';

function plain(frames: AmiFrame[]): unknown[] {
  return frames.map((f) => (f.kind === 'banner' ? f.text : Object.fromEntries(f.message)));
}

const EXPECTED = [
  'Asterisk Call Manager/7.0.3',
  { response: 'Success', actionid: 'numinfo-1', message: 'Authentication accepted' },
  {
    event: 'Newchannel',
    channel: 'PJSIP/trunk-00000001',
    calleridnum: '79000000000',
    accountcode: '',
    context: 'from-trunk',
  },
];

describe('AmiParser', () => {
  it('reads the banner and messages from one chunk', () => {
    expect(plain(new AmiParser().feed(SESSION))).toEqual(EXPECTED);
  });

  it('reads the same from chunks cut anywhere, CR and LF included', () => {
    for (const size of [1, 2, 3, 7, 50]) {
      const parser = new AmiParser();
      const frames: AmiFrame[] = [];
      for (let i = 0; i < SESSION.length; i += size) frames.push(...parser.feed(SESSION.slice(i, i + size)));
      expect(plain(frames), `chunks of ${size}`).toEqual(EXPECTED);
    }
  });

  it('accepts bare LF line ends, extra blank lines and values with colons', () => {
    const text =
      'Asterisk Call Manager/2.10.6\n\nEvent: Hangup\nChannel: SIP/a-1\nCause-txt: Normal: ok\n\n\n';
    expect(plain(new AmiParser().feed(text))).toEqual([
      'Asterisk Call Manager/2.10.6',
      { event: 'Hangup', channel: 'SIP/a-1', 'cause-txt': 'Normal: ok' },
    ]);
  });

  it('finds fields by name in any case; the first of repeated keys wins', () => {
    const [frame] = new AmiParser(false).feed('Event: X\r\nChanVariable: a=1\r\nChanVariable: b=2\r\n\r\n');
    const m = frame!.kind === 'message' ? frame!.message : new Map<string, string>();
    expect([field(m, 'EVENT'), field(m, 'chanvariable'), field(m, 'Missing')]).toEqual([
      'X',
      'a=1',
      undefined,
    ]);
  });

  it('refuses a line longer than 64 KiB', () => {
    expect(() => new AmiParser().feed('x'.repeat(70_000))).toThrow(AmiProtocolError);
  });
});

describe('buildAction', () => {
  it('writes Action, ActionID and the fields as CRLF lines ended by a blank line', () => {
    expect(
      buildAction('Setvar', 'numinfo-7', [
        ['Channel', 'PJSIP/trunk-00000001'],
        ['Variable', 'NUMINFO_OPERATOR'],
        ['Value', 'ООО "Т2 Мобайл"'],
      ]),
    ).toBe(
      'Action: Setvar\r\nActionID: numinfo-7\r\nChannel: PJSIP/trunk-00000001\r\n' +
        'Variable: NUMINFO_OPERATOR\r\nValue: ООО "Т2 Мобайл"\r\n\r\n',
    );
  });

  it('keeps line breaks in values from ending the message', () => {
    expect(buildAction('Setvar', '1', [['Value', 'a\r\nAction: Command\r\n\r\nb']])).toBe(
      'Action: Setvar\r\nActionID: 1\r\nValue: a Action: Command b\r\n\r\n',
    );
  });
});
