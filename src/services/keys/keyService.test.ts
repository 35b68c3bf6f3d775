import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dropFreshSchemas, freshSchemaUrl, pgSkipReason, pgTestUrl } from '../../../test/helpers/pg.js';
import { NuminfoError } from '../../errors.js';
import { openStore } from '../../store/openStore.js';
import type { Store } from '../../store/types.js';
import { KeyService, type Principal } from './keyService.js';
import { keyView } from './keyView.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const hmacSecret = (master: string, token: string): string =>
  createHmac('sha256', master)
    .update('numinfo-signing-secret:' + sha256(token))
    .digest('base64url');

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(
  opts: { legacyKeys?: string; masterKey?: string; dir?: string } = {},
): Promise<{ keys: KeyService; store: Store; dir: string; clock: { t: number } }> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'numinfo-keys-'));
  if (!opts.dir) cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openStore('', dir);
  cleanup.push(() => store.close());
  const clock = { t: T0 };
  const keys = await KeyService.open(store, {
    dataDir: dir,
    masterKey: opts.masterKey ?? '',
    legacyKeys: opts.legacyKeys ?? '',
    now: () => clock.t,
  });
  cleanup.push(() => keys.close());
  return { keys, store, dir, clock };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof NuminfoError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('KeyService: open mode', () => {
  it('is open with an empty store and no config keys; the open principal is an admin by address', async () => {
    const { keys } = await setup();
    expect(await keys.isOpen()).toBe(true);
    expect(keys.openPrincipal('10.0.0.7')).toStrictEqual({
      keyId: null,
      reporter: 'ip:10.0.0.7',
      owner: '',
      role: 'admin',
      name: 'open mode',
      open: true,
    });
    expect(await keys.authenticate('ni_000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')).toBeNull();
  });

  it('closes with the first key, and stays closed when it is revoked', async () => {
    const { keys } = await setup();
    expect(await keys.isOpen()).toBe(true);
    const k = await keys.create({ name: 'first', role: 'client', quota: null, period: 'none' });
    expect(await keys.isOpen()).toBe(false);
    await keys.revoke(k.id);
    expect(await keys.isOpen()).toBe(false);
  });

  it('is closed by config keys alone', async () => {
    const { keys } = await setup({ legacyKeys: 'KEY' });
    expect(await keys.isOpen()).toBe(false);
  });
});

describe('KeyService: create and authenticate', () => {
  it('issues ni_<id>_<32 base62>, stores only its sha256, derives the secret from master.key', async () => {
    const { keys, store, dir } = await setup();
    const k = await keys.create({ name: ' billing ', role: 'client', quota: 100, period: 'month' });
    expect(k.id).toMatch(/^[0-9a-f]{12}$/);
    expect(k.token).toMatch(new RegExp(`^ni_${k.id}_[0-9A-Za-z]{32}$`));
    const master = readFileSync(join(dir, 'master.key'), 'utf8').trim();
    expect(master).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(k.secret).toBe(hmacSecret(master, k.token));
    expect(k.record).toStrictEqual({
      id: k.id,
      token_hash: sha256(k.token),
      name: 'billing',
      role: 'client',
      created_at: T0,
      revoked_at: null,
      quota: 100,
      quota_period: 'month',
      quota_used: 0,
      quota_window_start: Date.UTC(2025, 0, 1),
    });
    const stored = JSON.stringify(await store.listKeys());
    expect(stored).not.toContain(k.token);
    expect(stored).not.toContain(k.secret);
    expect(keyView(k.record, T0 + 40 * DAY)).toStrictEqual({
      id: k.id,
      name: 'billing',
      role: 'client',
      created_at: '2025-01-15T12:00:00.000Z',
      revoked_at: null,
      quota: 100,
      period: 'month',
      used: 0,
      period_start: '2025-02-01T00:00:00.000Z',
    });
  });

  it('authenticates the token to its key; wrong, truncated and revoked tokens to null', async () => {
    const { keys } = await setup();
    const k = await keys.create({ name: 'pbx', role: 'admin', quota: null, period: 'none' });
    const p = await keys.authenticate(k.token);
    expect(p).toStrictEqual({
      keyId: k.id,
      reporter: k.id,
      owner: k.id,
      role: 'admin',
      name: 'pbx',
      open: false,
    });
    expect(keys.secretFor(p!)).toBe(k.secret);
    expect(await keys.authenticate(k.token)).toBe(p); // cached
    expect(await keys.authenticate(k.token.slice(0, -1))).toBeNull();
    expect(await keys.authenticate(k.token + 'x')).toBeNull();
    expect(await keys.authenticate('')).toBeNull();
    expect(await keys.authenticate('x'.repeat(10_000))).toBeNull();
    await keys.revoke(k.id);
    expect(await keys.authenticate(k.token)).toBeNull();
  });

  it('the same master key gives the same secrets; NUMINFO_MASTER_KEY set to the file content too', async () => {
    const a = await setup();
    const k = await a.keys.create({ name: 'x', role: 'client', quota: null, period: 'none' });
    const master = readFileSync(join(a.dir, 'master.key'), 'utf8').trim();
    a.keys.close();
    const again = await KeyService.open(a.store, { dataDir: a.dir, masterKey: '', legacyKeys: '' });
    cleanup.push(() => again.close());
    expect(again.secretFor((await again.authenticate(k.token))!)).toBe(k.secret);
    const configured = await KeyService.open(a.store, {
      dataDir: '/nonexistent',
      masterKey: master,
      legacyKeys: '',
    });
    cleanup.push(() => configured.close());
    expect(configured.secretFor((await configured.authenticate(k.token))!)).toBe(k.secret);
    const other = await KeyService.open(a.store, {
      dataDir: a.dir,
      masterKey: 'another-master-key-0123456789',
      legacyKeys: '',
    });
    cleanup.push(() => other.close());
    expect(other.secretFor((await other.authenticate(k.token))!)).toBe(
      hmacSecret('another-master-key-0123456789', k.token),
    );
  });

  it('refuses a configured master key shorter than 16 characters', async () => {
    const { keys } = await setup({ masterKey: 'short' });
    expect(await codeOf(keys.create({ name: 'x', role: 'client', quota: null, period: 'none' }))).toBe(
      'CONFIG_INVALID: masterKey: must be at least 16 characters (e.g. `openssl rand -hex 32`)',
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an empty name', { name: '  ' }, 'BAD_REQUEST: name: give the key a name (who or what uses it)'],
    ['a long name', { name: 'n'.repeat(101) }, 'BAD_REQUEST: name: at most 100 characters'],
    ['a control character', { name: 'a\nb' }, 'BAD_REQUEST: name: no control characters'],
    ['an unknown role', { role: 'root' }, 'BAD_REQUEST: role: expected admin or client, got "root"'],
    [
      'a negative quota',
      { quota: -1 },
      'BAD_REQUEST: quota: expected a whole number ≥ 0, or null for unlimited, got -1',
    ],
    [
      'a fractional quota',
      { quota: 1.5 },
      'BAD_REQUEST: quota: expected a whole number ≥ 0, or null for unlimited, got 1.5',
    ],
    ['an unknown period', { period: 'week' }, 'BAD_REQUEST: period: expected none, day or month, got "week"'],
  ])('create with %s → BAD_REQUEST', async (_name, change, expected) => {
    const { keys, store } = await setup();
    const opts = { name: 'ok', role: 'client', quota: null, period: 'none', ...change } as Parameters<
      KeyService['create']
    >[0];
    expect(await codeOf(keys.create(opts))).toBe(expected);
    expect(await store.listKeys()).toStrictEqual([]);
  });

  it('revoke and setQuota name what is missing', async () => {
    const { keys } = await setup({ legacyKeys: 'KEY' });
    const k = await keys.create({ name: 'x', role: 'client', quota: null, period: 'none' });
    expect(await codeOf(keys.revoke('0123456789ab'))).toBe(
      'ITEM_NOT_FOUND: no API key with id "0123456789ab"',
    );
    expect(await codeOf(keys.revoke('nonsense'))).toBe('ITEM_NOT_FOUND: no API key with id "nonsense"');
    expect(await codeOf(keys.setQuota('0123456789ab', 5, 'day'))).toBe(
      'ITEM_NOT_FOUND: no API key with id "0123456789ab"',
    );
    const cfg = 'cfg:' + sha256('KEY').slice(0, 8);
    expect(await codeOf(keys.revoke(cfg))).toBe(
      `ITEM_NOT_FOUND: API key ${cfg} comes from the apiKeys config (NUMINFO_API_KEYS): change it there`,
    );
    await keys.revoke(k.id);
    expect(await codeOf(keys.revoke(k.id))).toBe(
      `ITEM_NOT_FOUND: API key ${k.id} was already revoked at 2025-01-15T12:00:00.000Z`,
    );
  });

  it('a change made through another store connection (another process) shows after the cache TTL', async () => {
    const a = await setup();
    const k = await a.keys.create({ name: 'x', role: 'client', quota: null, period: 'none' });
    expect(await a.keys.authenticate(k.token)).not.toBeNull();
    const b = await setup({ dir: a.dir });
    await b.keys.revoke(k.id);
    expect(await a.keys.authenticate(k.token)).not.toBeNull();
    a.clock.t += 5000;
    expect(await a.keys.authenticate(k.token)).toBeNull();
  });
});

describe('KeyService: config keys (apiKeys)', () => {
  it('are admins with ids from their token hash, their configured secret, and DaData secret rules', async () => {
    const { keys } = await setup({ legacyKeys: 'KEY:SECRET, TOK' });
    const p = (await keys.authenticate('KEY'))!;
    const id = 'cfg:' + sha256('KEY').slice(0, 8);
    expect(p).toStrictEqual({
      keyId: id,
      reporter: id,
      owner: id,
      role: 'admin',
      name: 'apiKeys config',
      open: false,
    });
    const t = (await keys.authenticate('TOK'))!;
    expect(t.keyId).toBe('cfg:' + sha256('TOK').slice(0, 8));
    expect(await keys.authenticate('key')).toBeNull();
    expect(keys.secretFor(p)).toBe('SECRET');
    expect(keys.secretFor(t)).toBe('');
    const table: [Principal, string | undefined, boolean, boolean][] = [
      [p, 'SECRET', true, true],
      [p, 'WRONG', true, false],
      [p, undefined, true, false],
      [p, undefined, false, true],
      [p, 'WRONG', false, false],
      [t, 'anything', true, true],
      [t, undefined, true, false],
      [t, undefined, false, true],
    ];
    for (const [who, secret, required, ok] of table)
      expect(keys.checkSecret(who, secret, required), `${who.keyId} ${secret} ${required}`).toBe(ok);
    expect(await keys.spend(p, 1000)).toStrictEqual({ ok: true, remaining: null });
    expect(await keys.remaining(p)).toBeNull();
  });

  it('a stored key checks X-Secret against its derived secret', async () => {
    const { keys } = await setup();
    const k = await keys.create({ name: 'x', role: 'client', quota: null, period: 'none' });
    const p = (await keys.authenticate(k.token))!;
    expect(keys.checkSecret(p, k.secret, true)).toBe(true);
    expect(keys.checkSecret(p, k.secret + 'x', true)).toBe(false);
    expect(keys.checkSecret(p, undefined, true)).toBe(false);
    expect(keys.checkSecret(keys.openPrincipal('1.2.3.4'), undefined, true)).toBe(true);
  });
});

describe('KeyService: quotas', () => {
  it('spends until the quota is used up, then refuses without spending', async () => {
    const { keys, store } = await setup();
    const k = await keys.create({ name: 'q', role: 'client', quota: 3, period: 'none' });
    const p = (await keys.authenticate(k.token))!;
    expect(await keys.remaining(p)).toBe(3);
    expect(await keys.spend(p, 1)).toStrictEqual({ ok: true, remaining: 2 });
    expect(await keys.spend(p, 3)).toStrictEqual({ ok: false, remaining: 2 });
    expect(await keys.spend(p, 2)).toStrictEqual({ ok: true, remaining: 0 });
    expect(await keys.spend(p, 1)).toStrictEqual({ ok: false, remaining: 0 });
    expect(await keys.remaining(p)).toBe(0);
    expect((await store.getKey(k.id))!.quota_used).toBe(3);
  });

  it('a daily quota starts again at midnight UTC', async () => {
    const { keys, clock } = await setup();
    const k = await keys.create({ name: 'q', role: 'client', quota: 2, period: 'day' });
    let p = (await keys.authenticate(k.token))!;
    expect(await keys.spend(p, 2)).toStrictEqual({ ok: true, remaining: 0 });
    expect(await keys.spend(p, 1)).toStrictEqual({ ok: false, remaining: 0 });
    clock.t = Date.UTC(2025, 0, 16, 0, 0, 0);
    p = (await keys.authenticate(k.token))!;
    expect(await keys.remaining(p)).toBe(2);
    expect(await keys.spend(p, 1)).toStrictEqual({ ok: true, remaining: 1 });
  });

  it('setQuota changes the limit and starts a new period; unlimited keys never write to the store', async () => {
    const { keys, store } = await setup();
    const k = await keys.create({ name: 'q', role: 'client', quota: 1, period: 'month' });
    let p = (await keys.authenticate(k.token))!;
    expect(await keys.spend(p, 1)).toStrictEqual({ ok: true, remaining: 0 });
    await keys.setQuota(k.id, 10, 'month');
    p = (await keys.authenticate(k.token))!;
    expect(await keys.spend(p, 4)).toStrictEqual({ ok: true, remaining: 6 });
    await keys.setQuota(k.id, null, 'none');
    p = (await keys.authenticate(k.token))!;
    for (let i = 0; i < 50; i++) expect(await keys.spend(p, 1)).toStrictEqual({ ok: true, remaining: null });
    expect(await keys.remaining(p)).toBeNull();
    // The store counts units even for unlimited keys when asked to: 0 shows it was never asked.
    expect((await store.getKey(k.id))!.quota_used).toBe(0);
  });

  it('the open principal spends nothing', async () => {
    const { keys } = await setup();
    expect(await keys.spend(keys.openPrincipal('::1'), 5)).toStrictEqual({ ok: true, remaining: null });
  });
});

const PG = await pgTestUrl();
if (!PG) console.warn(`KeyService PostgreSQL tests skipped: ${pgSkipReason()}`);

describe.skipIf(!PG)('KeyService on PostgreSQL, two instances', () => {
  afterAll(dropFreshSchemas);
  const MASTER = 'shared-master-key-for-both-instances';

  async function instance(url: string): Promise<KeyService> {
    const store = await openStore(url, '/nonexistent');
    cleanup.push(() => store.close());
    // A long TTL: whatever the other instance changes must arrive by notification.
    const keys = await KeyService.open(store, {
      dataDir: '/nonexistent',
      masterKey: MASTER,
      legacyKeys: '',
      cacheTtlMs: 600_000,
    });
    cleanup.push(() => keys.close());
    return keys;
  }

  it('sees keys, revocations and the end of open mode made by the other instance, and shares quotas', async () => {
    const url = freshSchemaUrl(PG!);
    const a = await instance(url);
    const b = await instance(url);
    expect(await b.isOpen()).toBe(true);
    const k = await a.create({ name: 'shared', role: 'client', quota: 3, period: 'none' });
    await waitUntil(async () => (await b.isOpen()) === false);
    const pb = (await b.authenticate(k.token))!;
    expect(pb.keyId).toBe(k.id);
    expect(b.secretFor(pb)).toBe(k.secret);
    const pa = (await a.authenticate(k.token))!;
    const spends = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a.spend(pa, 1) : b.spend(pb, 1))),
    );
    expect(spends.filter((s) => s.ok)).toHaveLength(3);
    expect(await a.remaining(pa)).toBe(0);
    await a.revoke(k.id);
    await waitUntil(async () => (await b.authenticate(k.token)) === null);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
