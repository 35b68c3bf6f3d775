/**
 * `GET /v1/check` (and the `decision` routing condition through `/v1/route`): allow or block, with
 * reasons, over a real server and a real SQLite store, driven with fetch.
 */
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NumberService } from '../src/services/numberService.js';
import { RoutingManager } from '../src/services/routing/routingManager.js';
import { assertBuilt, freePort, removeTempDirs, stopChild, tempDir, startServe } from './helpers/proc.js';
import { call, expectedIndex, newKey, startStoreServer, type Served } from './helpers/storeServer.js';

let s: Served;
let admin: string;
let alice: string;
let bob: string;
let carol: string;

const BLACKLISTED = '79000000100';
const BANNED = '79000000200';
const UNWANTED = '79000000300';
const OWN = '79000000400';
const UNKNOWN = '79000000999';

beforeAll(async () => {
  const dir = tempDir('check-routes');
  const rules = join(dir, 'routes.yaml');
  writeFileSync(
    rules,
    [
      'default: trunk-default',
      'rules:',
      '  - name: blocked',
      '    when:',
      '      decision: block',
      '    route: reject',
      '',
    ].join('\n'),
  );
  const routing = new RoutingManager(rules);
  routing.load();
  s = await startStoreServer({ trustThreshold: 3 }, new NumberService(), { routing });
  admin = await newKey(s, 'ops', 'admin');
  alice = await newKey(s, 'alice');
  bob = await newKey(s, 'bob');
  carol = await newKey(s, 'carol');
  const ok = (r: { status: number; text: string }): void => expect(r.status, r.text).toBeLessThan(300);
  ok(
    await call(s.base, '/v1/blacklists/spam/numbers?scope=global', {
      body: { numbers: [BLACKLISTED] },
      token: admin,
    }),
  );
  ok(await call(s.base, '/v1/blacklists/mine/numbers', { body: { numbers: [OWN] }, token: alice }));
  // Two bans: index (2·5)/(2+2) = 2.50, below the threshold 3.
  ok(await call(s.base, '/v1/reports', { body: { number: BANNED, kind: 'ban' }, token: alice }));
  ok(await call(s.base, '/v1/reports', { body: { number: BANNED, kind: 'ban' }, token: bob }));
  // Two "unwanted" votes and no ban: the flag without a low index.
  ok(await call(s.base, '/v1/reports', { body: { number: UNWANTED, unwanted: true }, token: alice }));
  ok(await call(s.base, '/v1/reports', { body: { number: UNWANTED, unwanted: true }, token: carol }));
});

afterAll(async () => {
  await s?.close();
  removeTempDirs();
});

const check = async (query: string, token: string | null = alice): Promise<Record<string, unknown>> => {
  const r = await call(s.base, `/v1/check?${query}`, { token });
  expect(r.status, r.text).toBe(200);
  return r.json as Record<string, unknown>;
};

describe('GET /v1/check', () => {
  it('an unknown number is allowed with trust 5', async () => {
    expect(await check(`number=${UNKNOWN}`)).toEqual({
      number: UNKNOWN,
      decision: 'allow',
      reasons: [],
      trust: 5,
      blacklists: [],
      is_unwanted: false,
      threshold: 3,
    });
  });

  it('a number on a global blacklist is blocked, with the list as the reason', async () => {
    expect(await check(`number=${encodeURIComponent('+7 900 000-01-00')}`, bob)).toEqual({
      number: BLACKLISTED,
      decision: 'block',
      reasons: ['blacklist:spam'],
      trust: 5,
      blacklists: [{ list: 'spam', scope: 'global' }],
      is_unwanted: false,
      threshold: 3,
    });
  });

  it('low trust blocks', async () => {
    const r = await check(`number=${BANNED}`);
    expect(r).toMatchObject({ decision: 'block', trust: expectedIndex(2), blacklists: [] });
    expect(r.reasons).toEqual([`trust ${expectedIndex(2).toFixed(2)} < 3.00`]);
  });

  it('the unwanted flag blocks', async () => {
    expect(await check(`number=${UNWANTED}`)).toMatchObject({
      decision: 'block',
      reasons: ['unwanted'],
      trust: 5,
      is_unwanted: true,
    });
  });

  it("a key's own list blocks for that key only", async () => {
    expect(await check(`number=${OWN}`, alice)).toMatchObject({
      decision: 'block',
      reasons: ['blacklist:mine@key'],
      blacklists: [{ list: 'mine', scope: 'key' }],
    });
    expect(await check(`number=${OWN}`, bob)).toMatchObject({ decision: 'allow', reasons: [] });
  });

  it('lists= limits the lists searched', async () => {
    expect(await check(`number=${BLACKLISTED}&lists=other`)).toMatchObject({
      decision: 'allow',
      blacklists: [],
    });
    expect(await check(`number=${BLACKLISTED}&lists=other,spam`)).toMatchObject({ decision: 'block' });
  });

  it('format=text answers allow or block as plain text', async () => {
    for (const [n, want] of [
      [UNKNOWN, 'allow'],
      [BLACKLISTED, 'block'],
      [BANNED, 'block'],
    ] as const) {
      const r = await call(s.base, `/v1/check?number=${n}&format=text`, { token: alice });
      expect(r.status).toBe(200);
      expect(r.type).toMatch(/^text\/plain/);
      expect(r.text).toBe(want);
    }
  });

  it('errors: JSON with the field named, or with format=text an empty plain body', async () => {
    const bad = await call(s.base, '/v1/check?number=abc', { token: alice });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: { code: 'NOT_A_NUMBER', message: expect.stringMatching(/^number: /) },
    });
    const missing = await call(s.base, '/v1/check', { token: alice });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({
      error: { code: 'MISSING_PARAMETER', message: 'number is required' },
    });
    const text = await call(s.base, '/v1/check?number=abc&format=text', { token: alice });
    expect(text.status).toBe(400);
    expect(text.type).toMatch(/^text\/plain/);
    expect(text.text).toBe('');
    const list = await call(s.base, `/v1/check?number=${UNKNOWN}&lists=bad%20name`, { token: alice });
    expect(list.status).toBe(400);
    expect(list.json).toMatchObject({ error: { message: expect.stringMatching(/^list name: /) } });
    const format = await call(s.base, `/v1/check?number=${UNKNOWN}&format=xml`, { token: alice });
    expect(format.status).toBe(400);
    const noKey = await call(s.base, `/v1/check?number=${UNKNOWN}&format=text`);
    expect(noKey.status).toBe(401);
    expect(noKey.text).toBe('');
  });

  it('a change shows at once (the cached answer is dropped)', async () => {
    const n = '79000000555';
    expect(await check(`number=${n}`)).toMatchObject({ decision: 'allow' });
    await call(s.base, '/v1/blacklists/late/numbers?scope=global', { body: { numbers: [n] }, token: admin });
    expect(await check(`number=${n}`)).toMatchObject({ decision: 'block', reasons: ['blacklist:late'] });
    await call(s.base, `/v1/blacklists/late/numbers/${n}?scope=global`, { method: 'DELETE', token: admin });
    expect(await check(`number=${n}`)).toMatchObject({ decision: 'allow' });
  });
});

describe('GET /v1/route with a decision rule', () => {
  it('routes blocked numbers by the check', async () => {
    for (const [n, want] of [
      [UNKNOWN, 'trunk-default'],
      [BLACKLISTED, 'reject'],
      [BANNED, 'reject'],
    ] as const) {
      const r = await call(s.base, `/v1/route?number=${n}&direction=in&format=text`);
      expect(r.status, r.text).toBe(200);
      expect(r.text, n).toBe(want);
    }
  });
});

describe('open mode', () => {
  let o: Served;
  beforeAll(async () => {
    o = await startStoreServer({ trustThreshold: 4 });
  });
  afterAll(async () => {
    await o?.close();
  });

  it('works without any auth header, against the global lists', async () => {
    await call(o.base, '/v1/blacklists/spam/numbers', { body: { numbers: [BLACKLISTED] } });
    expect((await call(o.base, `/v1/check?number=${BLACKLISTED}`)).json).toMatchObject({
      decision: 'block',
      reasons: ['blacklist:spam'],
      threshold: 4,
    });
    const text = await call(o.base, `/v1/check?number=${UNKNOWN}&format=text`);
    expect(text.text).toBe('allow');
  });
});

/** One FastAGI call as Asterisk makes it: the header block, then `200 result=1` to every command. */
function agiCheck(port: number, number: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const vars: Record<string, string> = {};
    let rest = '';
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setEncoding('utf8');
    socket.on('connect', () =>
      socket.write(
        [
          'agi_network: yes',
          'agi_network_script: check',
          'agi_request: agi://127.0.0.1/check',
          `agi_arg_1: ${number}`,
        ]
          .map((l) => l + '\n')
          .join('') + '\n',
      ),
    );
    socket.on('data', (text: string) => {
      rest += text;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        const m = /^SET VARIABLE "?([A-Z_]+)"? "?([^"]*)"?$/.exec(line);
        if (m) vars[m[1]!] = m[2]!;
        socket.write('200 result=1\n');
      }
    });
    socket.on('close', () => resolve(vars));
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the AGI call did not end'));
    }, 10_000);
  });
}

describe('numinfo serve gives the check to FastAGI', () => {
  it('a number blacklisted over HTTP is blocked in the check script', async () => {
    assertBuilt();
    const agiPort = await freePort();
    const { child, base } = await startServe({
      NUMINFO_AGI_PORT: String(agiPort),
      NUMINFO_AGI_HOST: '127.0.0.1',
      NUMINFO_DATA_DIR: tempDir('check-agi'),
    });
    try {
      expect(await agiCheck(agiPort, BLACKLISTED)).toMatchObject({
        NUMINFO_DECISION: 'allow',
        NUMINFO_TRUST: '5.00',
      });
      const add = await call(base, '/v1/blacklists/spam/numbers', { body: { numbers: [BLACKLISTED] } });
      expect(add.status).toBe(200);
      expect(await agiCheck(agiPort, BLACKLISTED)).toMatchObject({ NUMINFO_DECISION: 'block' });
    } finally {
      await stopChild(child);
    }
  });
});
