import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalString, rfc3986, signRequest, SignatureVerifier } from './signature.js';

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

describe('rfc3986', () => {
  it.each([
    ['abc-._~XYZ019', 'abc-._~XYZ019'],
    ["it's (a) test!*", 'it%27s%20%28a%29%20test%21%2A'],
    ['a+b=c&d', 'a%2Bb%3Dc%26d'],
    ['Иван', '%D0%98%D0%B2%D0%B0%D0%BD'],
    ['/v1?x', '%2Fv1%3Fx'],
  ])('%j → %s', (input, encoded) => expect(rfc3986(input)).toBe(encoded));
});

describe('canonicalString', () => {
  it.each<[string, Parameters<typeof canonicalString>, string]>([
    [
      'the document example (key and secret our own)',
      [
        'GET',
        'api.gilraen.biz',
        '/v1/limits',
        [
          ['timestamp', '1616541199'],
          ['key', 'abc'],
        ],
        'test',
      ],
      'GETapi.gilraen.biz/v1/limitskey=abc&timestamp=1616541199test',
    ],
    [
      'signature is left out, names sorted, repeated names by value',
      [
        'get',
        'h:8080',
        '/p',
        [
          ['signature', 'ff'],
          ['b', '2'],
          ['a', 'y'],
          ['a', 'x'],
        ],
        's',
      ],
      'GETh:8080/pa=x&a=y&b=2s',
    ],
    [
      'sorted by raw name, then encoded',
      [
        'POST',
        'h',
        '/p',
        [
          ['z', "O'Brien (x)"],
          ['Ä', 'Иван'],
          ['number', '+7 999'],
        ],
        'k',
      ],
      'POSTh/pnumber=%2B7%20999&z=O%27Brien%20%28x%29&%C3%84=%D0%98%D0%B2%D0%B0%D0%BDk',
    ],
    ['no parameters', ['GET', 'h', '/p', [], 's'], 'GETh/ps'],
  ])('%s', (_name, args, expected) => {
    expect(canonicalString(...args)).toBe(expected);
    expect(signRequest(...args)).toBe(sha256(expected));
  });

  it('the example in docs/keys.md', () => {
    const params: [string, string][] = [
      ['key', 'ni_3f9a0c1b2d4e_Q7mXk2PzR9vLwT4nY8cHbJ5sD1fG6aE3'],
      ['timestamp', '1735689600'],
      ['number', '79991234567'],
    ];
    const secret = 'mC0o9Qy7v3Jr4bTnXhZp2sWq8LkE5dFg1aUi6oYtR0c';
    expect(canonicalString('GET', 'numinfo.example.com:8080', '/gilraen/v1/index', params, secret)).toBe(
      'GETnuminfo.example.com:8080/gilraen/v1/indexkey=ni_3f9a0c1b2d4e_Q7mXk2PzR9vLwT4nY8cHbJ5sD1fG6aE3' +
        '&number=79991234567&timestamp=1735689600mC0o9Qy7v3Jr4bTnXhZp2sWq8LkE5dFg1aUi6oYtR0c',
    );
    expect(signRequest('GET', 'numinfo.example.com:8080', '/gilraen/v1/index', params, secret)).toBe(
      'ae9af301c18495ae0c676462e3c468d6fa57270d8270ca071c47f7a305f66ac7',
    );
  });
});

describe('SignatureVerifier', () => {
  const NOW = 1_700_000_000;
  let clock = NOW * 1000;
  const verifier = () => new SignatureVerifier({ windowSeconds: 300, now: () => clock });
  const SECRET = 'sekret';

  function signed(
    ts: number | string,
    extra: [string, string][] = [],
    host = 'h.test:8080',
    path = '/gilraen/v1/index',
  ) {
    const params: [string, string][] = [
      ['key', 'K'],
      ['number', '79991234567'],
      ['timestamp', String(ts)],
      ...extra,
    ];
    return [...params, ['signature', signRequest('GET', host, path, params, SECRET)] as [string, string]];
  }
  const req = (params: readonly (readonly [string, string])[], secret = SECRET) => ({
    method: 'GET',
    hosts: ['h.test:8080', 'h.test'],
    paths: ['/gilraen/v1/index', '/v1/index'],
    params,
    secret,
  });

  it('accepts a fresh signature once, then calls it a replay', () => {
    clock = NOW * 1000;
    const v = verifier();
    const p = signed(NOW);
    expect(v.verify(req(p))).toBe('ok');
    expect(v.verify(req(p))).toBe('replayed');
    expect(v.remembered).toBe(1);
  });

  it.each<[string, () => readonly (readonly [string, string])[], string, string?]>([
    ['signed over the host without its port', () => signed(NOW, [], 'h.test'), 'ok'],
    ['signed over the path without the prefix', () => signed(NOW, [], 'h.test', '/v1/index'), 'ok'],
    ['signed over another host', () => signed(NOW, [], 'evil.test'), 'mismatch'],
    ['signed over another path', () => signed(NOW, [], 'h.test', '/v1/bans'), 'mismatch'],
    ['no signature', () => signed(NOW).filter(([n]) => n !== 'signature'), 'missing'],
    ['no timestamp', () => signed(NOW).filter(([n]) => n !== 'timestamp'), 'missing'],
    ['an empty signature', () => [...signed(NOW).slice(0, -1), ['signature', '']], 'missing'],
    ['timestamp 301 s old', () => signed(NOW - 301), 'stale'],
    ['timestamp 300 s old', () => signed(NOW - 300), 'ok'],
    ['timestamp 300 s ahead', () => signed(NOW + 300), 'ok'],
    ['timestamp 301 s ahead', () => signed(NOW + 301), 'stale'],
    ['timestamp in milliseconds', () => signed(NOW * 1000), 'stale'],
    ['timestamp not a number', () => signed('soon'), 'stale'],
    [
      'a changed parameter',
      () => signed(NOW).map(([n, v]) => [n, n === 'number' ? '79990000000' : v] as const),
      'mismatch',
    ],
    ['an added parameter', () => [...signed(NOW), ['extra', '1']], 'mismatch'],
    [
      'a signature that is not hex',
      () => [...signed(NOW).slice(0, -1), ['signature', 'zz'.repeat(32)]],
      'mismatch',
    ],
    ['the right request with another secret', () => signed(NOW), 'mismatch', 'other'],
    ['a key without a secret', () => signed(NOW), 'mismatch', ''],
    [
      'the signature in upper case',
      () => signed(NOW).map(([n, v]) => [n, n === 'signature' ? v.toUpperCase() : v] as const),
      'ok',
    ],
  ])('%s → %s', (_name, params, verdict, secret) => {
    clock = NOW * 1000;
    expect(verifier().verify(req(params(), secret ?? SECRET))).toBe(verdict);
  });

  it('forgets signatures once they could only be stale, so memory stays bounded', () => {
    clock = NOW * 1000;
    const v = verifier();
    for (let i = 0; i < 100; i++) expect(v.verify(req(signed(NOW, [['i', String(i)]])))).toBe('ok');
    expect(v.remembered).toBe(100);
    // Within the window a replay is still caught …
    clock = (NOW + 300) * 1000;
    expect(v.verify(req(signed(NOW, [['i', '5']])))).toBe('replayed');
    // … after it the timestamp is stale, and the bucket that held it is gone.
    clock = (NOW + 400) * 1000;
    expect(v.verify(req(signed(NOW + 400, [['i', 'x']])))).toBe('ok');
    expect(v.verify(req(signed(NOW, [['i', '5']])))).toBe('stale');
    expect(v.remembered).toBe(1);
  });
});
