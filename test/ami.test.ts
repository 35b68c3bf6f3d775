/**
 * The AMI client against a fake Asterisk manager on a real TCP port (test/helpers/fakeAmi.ts): the
 * Setvar actions it writes for each new channel, which events it passes over, and how it survives
 * refused logins, restarts, dead connections and bursts. The registry is built from
 * ../shared/registry/combined when it is there, from the small generated files otherwise.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AmiClient, type AmiClientOptions } from '../src/ami/client.js';
import { importRegistry } from '../src/data/registryImport.js';
import { RegistryIndex } from '../src/data/registryIndex.js';
import { fetchRegistryFiles } from '../src/data/registrySource.js';
import { NumberService } from '../src/services/numberService.js';
import type { Logger } from '../src/services/registryManager.js';
import { BlacklistService } from '../src/services/reputation/blacklistService.js';
import { CheckService } from '../src/services/reputation/checkService.js';
import { ReputationService } from '../src/services/reputation/reputationService.js';
import { Router } from '../src/services/routing/router.js';
import type { Direction, RouteSource } from '../src/services/routing/types.js';
import { openStore } from '../src/store/openStore.js';
import { FakeAmi, type Fields } from './helpers/fakeAmi.js';
import {
  assertBuilt,
  cleanEnv,
  CLI,
  freePort,
  removeTempDirs,
  ROOT,
  SHARED_COMBINED,
  stopChild,
  tempDir,
} from './helpers/proc.js';
import { writeRegistryDir } from './helpers/registryData.js';

let index: RegistryIndex;
let service: NumberService;

beforeAll(async () => {
  const source = existsSync(SHARED_COMBINED) ? SHARED_COMBINED : writeRegistryDir(tempDir('ami-src'));
  index = new RegistryIndex(importRegistry(await fetchRegistryFiles(source)).registry);
  service = new NumberService(index);
});

afterAll(() => removeTempDirs());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Captured extends Logger {
  readonly lines: string[];
}

function captureLog(): Captured {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

/** A fake Asterisk and a client logged in to it (unless the secret is wrong), both closed after the test. */
async function setup(
  opts: Partial<AmiClientOptions> = {},
  fake = new FakeAmi(),
): Promise<{ fake: FakeAmi; client: AmiClient; log: Captured }> {
  const port = await fake.listen();
  const log = captureLog();
  const client = new AmiClient({
    host: '127.0.0.1',
    port,
    username: 'numinfo',
    secret: 'secret',
    service,
    log,
    backoff: { initialMs: 50, maxMs: 400 },
    pingIntervalMs: 200,
    // Long enough that a busy test machine never takes a slow answer for a dead connection.
    responseTimeoutMs: 2000,
    ...opts,
  });
  cleanups.push(() => fake.close());
  cleanups.push(() => client.stop());
  client.start();
  return { fake, client, log };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let uid = 0;
/** A Newchannel event as Asterisk 13+ sends it for an incoming PJSIP call. */
function newchannel(channel: string, number: string, context = 'from-trunk', event = 'Newchannel'): Fields {
  uid++;
  return {
    Event: event,
    Privilege: 'call,all',
    Channel: channel,
    ChannelState: '4',
    ChannelStateDesc: 'Ring',
    CallerIDNum: number,
    CallerIDName: '<unknown>',
    ConnectedLineNum: '<unknown>',
    ConnectedLineName: '<unknown>',
    Language: 'en',
    AccountCode: '',
    Context: context,
    Exten: '74951234567',
    Priority: '1',
    Uniqueid: `1700000000.${channel}`,
    Linkedid: `1700000000.${uid}`,
  };
}

const T2_VARS = [
  ['NUMINFO_OPERATOR', 'ООО "Т2 Мобайл"'],
  ['NUMINFO_OPERATOR_LAT', 'OOO "T2 Mobayl"'],
  ['NUMINFO_REGION', 'Краснодарский край'],
  ['NUMINFO_REGION_CODE', '23'],
  ['NUMINFO_TYPE', 'mobile'],
  ['NUMINFO_PORTED', '0'],
  ['NUMINFO_MNC', ''],
  ['NUMINFO_STATUS', 'OK'],
];

describe('Setvar for new channels', () => {
  it('writes every variable, in order, for each caller', async () => {
    const { fake, client } = await setup();
    await waitFor('login', () => client.state.loggedIn);
    fake.emit(
      newchannel('PJSIP/trunk-00000001', '79000000000'),
      newchannel('PJSIP/trunk-00000002', '+7 (499) 166-30-50'),
      newchannel('PJSIP/trunk-00000003', '78990000000'),
      newchannel('PJSIP/trunk-00000004', '101'),
      newchannel('PJSIP/trunk-00000005', '+442079460958'),
    );
    await waitFor('Setvar', () => fake.setvarTotal() === 40);
    expect(Object.fromEntries(fake.setvars)).toEqual({
      'PJSIP/trunk-00000001': T2_VARS,
      'PJSIP/trunk-00000002': [
        ['NUMINFO_OPERATOR', 'ПАО "МГТС"'],
        ['NUMINFO_OPERATOR_LAT', 'PAO "MGTS"'],
        ['NUMINFO_REGION', 'Москва'],
        ['NUMINFO_REGION_CODE', '77'],
        ['NUMINFO_TYPE', 'fixed'],
        ['NUMINFO_PORTED', '0'],
        ['NUMINFO_MNC', ''],
        ['NUMINFO_STATUS', 'OK'],
      ],
      'PJSIP/trunk-00000003': [
        ['NUMINFO_OPERATOR', ''],
        ['NUMINFO_OPERATOR_LAT', ''],
        ['NUMINFO_REGION', ''],
        ['NUMINFO_REGION_CODE', ''],
        ['NUMINFO_TYPE', 'unknown'],
        ['NUMINFO_PORTED', '0'],
        ['NUMINFO_MNC', ''],
        ['NUMINFO_STATUS', 'NOT_FOUND'],
      ],
      'PJSIP/trunk-00000004': [
        ['NUMINFO_OPERATOR', ''],
        ['NUMINFO_OPERATOR_LAT', ''],
        ['NUMINFO_REGION', ''],
        ['NUMINFO_REGION_CODE', ''],
        ['NUMINFO_TYPE', 'unknown'],
        ['NUMINFO_PORTED', '0'],
        ['NUMINFO_MNC', ''],
        ['NUMINFO_STATUS', 'BAD_NUMBER'],
      ],
      'PJSIP/trunk-00000005': [
        ['NUMINFO_OPERATOR', ''],
        ['NUMINFO_OPERATOR_LAT', ''],
        ['NUMINFO_REGION', ''],
        ['NUMINFO_REGION_CODE', ''],
        ['NUMINFO_TYPE', 'fixed'],
        ['NUMINFO_PORTED', '0'],
        ['NUMINFO_MNC', ''],
        ['NUMINFO_STATUS', 'OK'],
      ],
    });
    // The exact bytes of one action: CRLF lines, Action first, ActionID, then the fields.
    const first = fake.actions.find((a) => a.Action === 'Setvar')!;
    expect(Object.keys(first)).toEqual(['Action', 'ActionID', 'Channel', 'Variable', 'Value']);
    const login = fake.actions.find((a) => a.Action === 'Login')!;
    expect(login).toMatchObject({ Username: 'numinfo', Secret: 'secret', Events: 'call' });
    await waitFor('answers', () => client.state.setvarPending === 0);
    expect(client.state).toMatchObject({
      connected: true,
      loggedIn: true,
      banner: 'Asterisk Call Manager/7.0.3',
      eventsHandled: 5,
      eventsSkipped: 0,
      setvarSent: 40,
      setvarFailed: 0,
      reconnects: 0,
      lastError: null,
    });
  });

  it('shows the operator after porting, with its MNC', async () => {
    const ported = new NumberService(index);
    ported.setOverrides([
      { number: '9000000001', operator: 'ООО "Тест Телеком"', mnc: '77', at: '2026-01-02T00:00:00Z' },
    ]);
    const { fake, client } = await setup({ service: ported });
    await waitFor('login', () => client.state.loggedIn);
    fake.emit(newchannel('SIP/mnp-1', '79000000001'));
    await waitFor('Setvar', () => fake.setvarTotal() === 8);
    expect(fake.setvars.get('SIP/mnp-1')).toEqual([
      ['NUMINFO_OPERATOR', 'ООО "Тест Телеком"'],
      ['NUMINFO_OPERATOR_LAT', 'OOO "Test Telekom"'],
      ['NUMINFO_REGION', 'Краснодарский край'],
      ['NUMINFO_REGION_CODE', '23'],
      ['NUMINFO_TYPE', 'mobile'],
      ['NUMINFO_PORTED', '1'],
      ['NUMINFO_MNC', '77'],
      ['NUMINFO_STATUS', 'OK'],
    ]);
  });

  it('adds NUMINFO_ROUTE, before NUMINFO_STATUS, from the router of the moment', async () => {
    const directions: Direction[] = [];
    let trunk = 't2-trunk';
    const router: RouteSource = {
      route: (r, direction) => {
        directions.push(direction);
        return r.operator?.name === 'ООО "Т2 Мобайл"'
          ? { route: trunk, rule: 't2' }
          : { route: 'default', rule: null };
      },
    };
    const { fake, client } = await setup({ router: () => router });
    await waitFor('login', () => client.state.loggedIn);
    fake.emit(newchannel('SIP/r-1', '79000000000'), newchannel('SIP/r-2', '74991663050'));
    await waitFor('Setvar', () => fake.setvarTotal() === 20);
    expect(fake.setvars.get('SIP/r-1')).toEqual([
      ...T2_VARS.slice(0, 7),
      ['NUMINFO_ROUTE', 't2-trunk'],
      ['NUMINFO_ROUTE_RULE', 't2'],
      T2_VARS[7],
    ]);
    expect(fake.setvars.get('SIP/r-2')?.slice(7)).toEqual([
      ['NUMINFO_ROUTE', 'default'],
      ['NUMINFO_ROUTE_RULE', ''],
      ['NUMINFO_STATUS', 'OK'],
    ]);
    expect(directions).toEqual(['in', 'in']);
    trunk = 't2-reloaded';
    fake.emit(newchannel('SIP/r-3', '79000000000'));
    await waitFor('Setvar', () => fake.setvarTotal() === 30);
    expect(fake.setvars.get('SIP/r-3')?.[7]).toEqual(['NUMINFO_ROUTE', 't2-reloaded']);
  });

  it('sets the lookup variables without a route when the router fails', async () => {
    const router: RouteSource = {
      route: () => {
        throw new Error('rules broken');
      },
    };
    const { fake, client, log } = await setup({ router: () => router });
    await waitFor('login', () => client.state.loggedIn);
    fake.emit(newchannel('SIP/rf-1', '79000000000'));
    await waitFor('Setvar', () => fake.setvarTotal() === 8);
    expect(fake.setvars.get('SIP/rf-1')).toEqual(T2_VARS);
    expect(log.lines).toContain('warn AMI: routing 79000000000 failed: rules broken');
  });

  it('with a checker (a real CheckService): NUMINFO_DECISION, TRUST, REASONS and `decision` rules', async () => {
    const store = await openStore('', tempDir('ami-store'));
    const reputation = new ReputationService(store);
    const blacklists = new BlacklistService(store);
    cleanups.push(async () => {
      reputation.close();
      blacklists.close();
      await store.close();
    });
    await blacklists.add('', 'spam', [{ number: '79000000000' }], 'admin');
    const check = new CheckService(reputation, blacklists, { trustThreshold: 3, blockUnwanted: true });
    const router = Router.fromText(
      'default: trunk\nrules:\n  - { name: spam, when: { decision: block }, route: reject }\n',
    );
    const { fake, client } = await setup({ router: () => router, checker: () => check });
    await waitFor('login', () => client.state.loggedIn);
    fake.emit(newchannel('SIP/c-1', '79000000000'), newchannel('SIP/c-2', '74991663050'));
    await waitFor('Setvar', () => fake.setvarTotal() === 26);
    expect(fake.setvars.get('SIP/c-1')).toEqual([
      ...T2_VARS.slice(0, 7),
      ['NUMINFO_ROUTE', 'reject'],
      ['NUMINFO_ROUTE_RULE', 'spam'],
      ['NUMINFO_DECISION', 'block'],
      ['NUMINFO_TRUST', '5.00'],
      ['NUMINFO_REASONS', 'blacklist:spam'],
      T2_VARS[7],
    ]);
    expect(fake.setvars.get('SIP/c-2')?.slice(7)).toEqual([
      ['NUMINFO_ROUTE', 'trunk'],
      ['NUMINFO_ROUTE_RULE', ''],
      ['NUMINFO_DECISION', 'allow'],
      ['NUMINFO_TRUST', '5.00'],
      ['NUMINFO_REASONS', ''],
      ['NUMINFO_STATUS', 'OK'],
    ]);
  });

  it('looks up only channels in the configured contexts', async () => {
    const { fake, client } = await setup({ contexts: ['from-trunk', ' from-pstn '] });
    await waitFor('login', () => client.state.loggedIn);
    fake.emit(
      newchannel('PJSIP/101-1', '79000000000', 'from-internal'),
      newchannel('PJSIP/pstn-1', '79000000000', 'from-pstn'),
      newchannel('Local/200@x-1;1', '79000000000', ''),
      newchannel('PJSIP/trunk-1', '79000000000', 'from-trunk'),
    );
    await waitFor(
      'Setvar',
      () => fake.setvars.has('PJSIP/trunk-1') && fake.setvars.get('PJSIP/trunk-1')!.length === 8,
    );
    expect([...fake.setvars.keys()]).toEqual(['PJSIP/pstn-1', 'PJSIP/trunk-1']);
    expect(client.state).toMatchObject({ eventsHandled: 2, eventsSkipped: 2 });
  });

  it('passes over channels without a caller number and events of other kinds', async () => {
    const { fake, client } = await setup();
    await waitFor('login', () => client.state.loggedIn);
    fake.emit(
      newchannel('SIP/a-1', ''),
      newchannel('SIP/a-2', '<unknown>'),
      newchannel('SIP/a-3', 'anonymous'),
      { Event: 'Newstate', Channel: 'SIP/a-4', CallerIDNum: '79000000000', Context: 'from-trunk' },
      { Event: 'VarSet', Channel: 'SIP/a-5', Variable: 'X', Value: '1' },
      newchannel('SIP/a-6', '79000000000'),
    );
    await waitFor('Setvar', () => fake.setvarTotal() === 8);
    await sleep(50);
    expect([...fake.setvars.keys()]).toEqual(['SIP/a-6']);
    expect(client.state).toMatchObject({ eventsHandled: 1, eventsSkipped: 3 });
  });

  it('looks the caller up when NewCallerid brings the number later, once per number', async () => {
    const { fake, client } = await setup();
    await waitFor('login', () => client.state.loggedIn);
    fake.emit(
      newchannel('SIP/late-1', '<unknown>'),
      newchannel('SIP/late-1', '79000000000', 'from-trunk', 'NewCallerid'),
      // A name change repeats the number: no second lookup.
      { ...newchannel('SIP/late-1', '79000000000', 'from-trunk', 'NewCallerid'), CallerIDName: 'Ivan' },
      newchannel('SIP/sentinel', '79000000000'),
    );
    await waitFor('Setvar', () => fake.setvars.get('SIP/sentinel')?.length === 8);
    expect(fake.setvars.get('SIP/late-1')).toEqual(T2_VARS);
    expect(client.state).toMatchObject({ eventsHandled: 2, eventsSkipped: 2 });
  });

  it('counts Setvar errors (the call ended first) without stopping', async () => {
    const { fake, client } = await setup();
    fake.goneChannels.add('SIP/gone-1');
    await waitFor('login', () => client.state.loggedIn);
    fake.emit(newchannel('SIP/gone-1', '79000000000'), newchannel('SIP/here-1', '79000000000'));
    await waitFor('answers', () => fake.setvarTotal() === 16 && client.state.setvarPending === 0);
    expect(client.state).toMatchObject({
      setvarSent: 16,
      setvarFailed: 8,
      lastSetvarError: 'No such channel',
      loggedIn: true,
    });
  });

  it('handles a burst of 100 channels without waiting for any answer', async () => {
    const { fake, client } = await setup();
    await waitFor('login', () => client.state.loggedIn);
    fake.holdSetvar = true;
    const events = Array.from({ length: 100 }, (_, i) =>
      newchannel(`PJSIP/burst-${i}`, String(79000000000 + i)),
    );
    fake.emit(...events);
    // Every Setvar arrives while none has been answered: the client never waits for an answer.
    await waitFor('800 Setvar', () => fake.setvarTotal() === 800);
    expect(client.state).toMatchObject({ eventsHandled: 100, setvarSent: 800, setvarPending: 800 });
    fake.release();
    await waitFor('answers', () => client.state.setvarPending === 0);
    expect(client.state.setvarFailed).toBe(0);
    for (let i = 0; i < 100; i++) {
      const vars = fake.setvars.get(`PJSIP/burst-${i}`)!;
      expect(vars.map(([k]) => k)).toEqual(T2_VARS.map(([k]) => k));
      expect(vars[7]).toEqual(['NUMINFO_STATUS', 'OK']);
    }
  });
});

describe('connection', () => {
  it('retries a refused login with growing delays, then logs in once the secret is right', async () => {
    const { fake, client, log } = await setup(
      { secret: 'wrong', backoff: { initialMs: 50, maxMs: 200 } },
      new FakeAmi({ secret: 'right' }),
    );
    await sleep(1000);
    const attempts = fake.logins.length;
    // 50, 100, 200, 200 … ms apart: about 7 in a second, where a loop without delay would make hundreds.
    expect(attempts).toBeGreaterThanOrEqual(4);
    expect(attempts).toBeLessThanOrEqual(9);
    const gaps = fake.logins.slice(1).map((l, i) => l.at - fake.logins[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(40);
    for (const g of gaps.slice(2)) expect(g).toBeGreaterThanOrEqual(180);
    expect(client.state).toMatchObject({ loggedIn: false, loginFailures: attempts });
    expect(client.state.lastError).toMatch(/authentication failed/);
    expect(log.lines.filter((l) => l.startsWith('error ') && /authentication failed/.test(l)).length).toBe(
      attempts,
    );

    fake.secret = 'wrong';
    await waitFor('login', () => client.state.loggedIn, 1000);
    fake.emit(newchannel('SIP/after-1', '79000000000'));
    await waitFor('Setvar', () => fake.setvarTotal() === 8);
  });

  it('reconnects and logs in again after Asterisk restarts', async () => {
    const { fake, client, log } = await setup();
    await waitFor('login', () => client.state.loggedIn);
    fake.emit(newchannel('SIP/before-1', '79000000000'));
    await waitFor('Setvar', () => fake.setvarTotal() === 8);

    // The connection is cut and the port refuses connections for a while.
    await fake.close();
    const port = client.state.port;
    await waitFor('disconnect', () => !client.state.connected);
    await sleep(300);
    expect(client.state.loggedIn).toBe(false);
    const again = new FakeAmi();
    await again.listen(port);
    cleanups.push(() => again.close());
    await waitFor('login again', () => client.state.loggedIn, 2000);
    expect(again.logins).toEqual([{ at: expect.any(Number), ok: true }]);
    expect(client.state.reconnects).toBeGreaterThanOrEqual(2);
    expect(log.lines.some((l) => l.startsWith('warn AMI: lost connection to'))).toBe(true);

    again.emit(newchannel('SIP/after-1', '79000000000'));
    await waitFor('Setvar', () => again.setvarTotal() === 8);
    expect(again.setvars.get('SIP/after-1')).toEqual(T2_VARS);
  });

  it('reconnects when the connection drops while Asterisk keeps running', async () => {
    const { fake, client } = await setup();
    await waitFor('login', () => client.state.loggedIn);
    fake.dropConnections();
    await waitFor('second login', () => fake.logins.length === 2 && client.state.loggedIn);
    expect(client.state.reconnects).toBe(1);
    fake.emit(newchannel('SIP/x-1', '79000000000'));
    await waitFor('Setvar', () => fake.setvarTotal() === 8);
  });

  it('keeps a healthy connection with Ping', async () => {
    const { fake, client } = await setup({ pingIntervalMs: 50 });
    await waitFor('login', () => client.state.loggedIn);
    await sleep(400);
    expect(fake.count('Ping')).toBeGreaterThanOrEqual(3);
    expect(client.state).toMatchObject({ loggedIn: true, reconnects: 0, lastError: null });
  });

  it('finds a connection that stops answering Ping and connects again', async () => {
    const { fake, client } = await setup({ pingIntervalMs: 100, responseTimeoutMs: 150 });
    fake.answerPing = false;
    await waitFor('login', () => client.state.loggedIn);
    await waitFor('second login', () => fake.logins.length >= 2 && client.state.loggedIn, 2000);
    expect(client.state.lastError).toMatch(/keepalive: no answer to Ping within 150 ms/);
    expect(client.state.reconnects).toBeGreaterThanOrEqual(1);
    fake.emit(newchannel('SIP/y-1', '79000000000'));
    await waitFor('Setvar', () => fake.setvarTotal() === 8);
  });

  it('gives up on a peer that sends no banner', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const client = new AmiClient({
      host: '127.0.0.1',
      port,
      username: 'numinfo',
      secret: 'secret',
      service,
      backoff: { initialMs: 50, maxMs: 50 },
      responseTimeoutMs: 100,
    });
    client.start();
    await waitFor('timeout', () => client.state.lastError !== null);
    expect(client.state.lastError).toBe(`no banner from 127.0.0.1:${port} within 100 ms`);
    await client.stop();
    silent.close();
  });

  it('logs off on stop and does not reconnect', async () => {
    const { fake, client, log } = await setup();
    await waitFor('login', () => client.state.loggedIn);
    await client.stop();
    expect(fake.actions.at(-1)?.Action).toBe('Logoff');
    await sleep(200);
    expect(fake.logins.length).toBe(1);
    expect(client.state).toMatchObject({ connected: false, loggedIn: false, reconnects: 0 });
    expect(log.lines.at(-1)).toBe(`info AMI: disconnected from 127.0.0.1:${client.state.port}`);
  });
});

describe('numinfo serve', () => {
  it('runs the client with NUMINFO_AMI_*, shows it in /healthz and logs off on SIGTERM', async () => {
    assertBuilt();
    const fake = new FakeAmi({ username: 'nu', secret: 's3' });
    const amiPort = await fake.listen();
    cleanups.push(() => fake.close());
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: cleanEnv({
        NUMINFO_PORT: String(port),
        NUMINFO_HOST: '127.0.0.1',
        NUMINFO_DATA_DIR: tempDir('ami-serve'),
        NUMINFO_AUTO_UPDATE: '0',
        NUMINFO_LOG_LEVEL: 'silent',
        NUMINFO_AMI_HOST: '127.0.0.1',
        NUMINFO_AMI_PORT: String(amiPort),
        NUMINFO_AMI_USER: 'nu',
        NUMINFO_AMI_SECRET: 's3',
        NUMINFO_AMI_CONTEXTS: 'from-pstn, from-trunk',
      }),
      stdio: 'ignore',
    });
    cleanups.push(() => stopChild(child));
    await waitFor('login', () => fake.sessionCount === 1, 10_000);
    fake.emit(newchannel('PJSIP/internal-1', '79000000000', 'from-internal'));
    fake.emit(newchannel('PJSIP/serve-1', '79000000000'));
    await waitFor('Setvar', () => fake.setvarTotal() === 13);
    // No registry in this data directory, no rules file, an empty store: the default route, an
    // unknown number allowed at trust 5.00, and NO_DATA.
    expect(fake.setvars.get('PJSIP/serve-1')?.slice(-6)).toEqual([
      ['NUMINFO_ROUTE', 'default'],
      ['NUMINFO_ROUTE_RULE', ''],
      ['NUMINFO_DECISION', 'allow'],
      ['NUMINFO_TRUST', '5.00'],
      ['NUMINFO_REASONS', ''],
      ['NUMINFO_STATUS', 'NO_DATA'],
    ]);
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { ami: unknown };
    expect(health.ami).toMatchObject({
      port: amiPort,
      loggedIn: true,
      eventsHandled: 1,
      eventsSkipped: 1,
      setvarSent: 13,
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(fake.actions.at(-1)?.Action).toBe('Logoff');
  });
});
