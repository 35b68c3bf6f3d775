/**
 * Two real `numinfo serve` processes on one PostgreSQL schema (same NUMINFO_MASTER_KEY), as a
 * deployment behind a load balancer runs them: what one instance writes, the other answers at once,
 * even for a number whose answer it has cached. Needs a PostgreSQL server (NUMINFO_TEST_PG_URL, set
 * by .ci/run); without one the tests are skipped and say so.
 */
import { type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropFreshSchemas, freshSchemaUrl, pgSkipReason, pgTestUrl } from './helpers/pg.js';
import {
  assertBuilt,
  removeTempDirs,
  runCli,
  stopChild,
  tempDir,
  waitFor,
  startServe,
  type ServeChild,
} from './helpers/proc.js';
import { call } from './helpers/storeServer.js';

const PG = await pgTestUrl();
if (!PG) console.warn(`\n[twoInstances.test] PostgreSQL tests SKIPPED: ${pgSkipReason()}\n`);

const MASTER_KEY = randomBytes(32).toString('hex');
const children: ChildProcess[] = [];

async function serve(store: string): Promise<ServeChild> {
  const served = await startServe({
    NUMINFO_DATA_DIR: tempDir('two-instances'),
    NUMINFO_STORE: store,
    NUMINFO_MASTER_KEY: MASTER_KEY,
  });
  children.push(served.child);
  return served;
}

async function createKey(
  store: string,
  name: string,
  role: 'admin' | 'client',
): Promise<{ token: string; secret: string }> {
  const r = await runCli(['keys', 'create', '--name', name, '--role', role, '--json'], {
    env: { NUMINFO_STORE: store, NUMINFO_MASTER_KEY: MASTER_KEY, NUMINFO_DATA_DIR: tempDir('two-keys') },
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { token: string; secret: string };
}

/**
 * Reputation and blacklist reads go through to PostgreSQL, so the very next read on the other
 * instance shows a committed change (`atOnce`). The tag dictionary and keys are cached and dropped by
 * PostgreSQL NOTIFY, which arrives a moment after the writer's COMMIT: those are checked with `soon`,
 * within PROPAGATION_MS (a missed invalidation would keep the stale answer for good).
 */
const PROPAGATION_MS = 2000;

async function soon(
  base: string,
  path: string,
  token: string,
  want: (a: Awaited<ReturnType<typeof call>>) => boolean,
) {
  return waitFor(
    `${path} on ${base} to show the change`,
    async () => {
      const r = await call(base, path, { token });
      return want(r) ? r : undefined;
    },
    PROPAGATION_MS,
    10,
  );
}

async function atOnce(
  base: string,
  path: string,
  token: string,
  want: (a: Awaited<ReturnType<typeof call>>) => boolean,
) {
  const r = await call(base, path, { token });
  expect(want(r), `${path} on ${base} right after the write: ${r.text}`).toBe(true);
  return r;
}

/** The Gilraen signature as its document describes it, written out here independently of the server. */
function gilraenSignature(
  host: string,
  path: string,
  params: Record<string, string>,
  secret: string,
): string {
  const enc = (s: string): string =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const joined = Object.keys(params)
    .sort()
    .map((k) => `${enc(k)}=${enc(params[k]!)}`)
    .join('&');
  return createHash('sha256').update(`GET${host}${path}${joined}${secret}`).digest('hex');
}

describe.skipIf(!PG)('two instances on one PostgreSQL schema', () => {
  let a: ServeChild;
  let b: ServeChild;
  let admin: string;
  let alice: { token: string; secret: string };
  let bob: string;

  beforeAll(async () => {
    assertBuilt();
    const store = freshSchemaUrl(PG!);
    admin = (await createKey(store, 'ops', 'admin')).token;
    alice = await createKey(store, 'alice', 'client');
    bob = (await createKey(store, 'bob', 'client')).token;
    [a, b] = await Promise.all([serve(store), serve(store)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => stopChild(c)));
    await dropFreshSchemas();
    removeTempDirs();
  });

  it('both report a PostgreSQL store', async () => {
    for (const i of [a, b]) {
      expect((await call(i.base, '/healthz')).json).toMatchObject({
        store: { driver: 'postgres', ok: true },
      });
    }
  });

  it('reports on A show on B at once, though B had the number cached', async () => {
    const n = '79002223344';
    // B reads first, so its caches hold "nothing known".
    expect((await call(b.base, `/v1/reputation/${n}`, { token: bob })).json).toMatchObject({
      bans: 0,
      index: 5,
    });
    expect((await call(b.base, `/v1/check?number=${n}&format=text`, { token: bob })).text).toBe('allow');
    const r1 = await call(a.base, '/v1/reports', { body: { number: n, kind: 'ban' }, token: alice.token });
    expect(r1.status, r1.text).toBe(201);
    const rep = await atOnce(
      b.base,
      `/v1/reputation/${n}`,
      bob,
      (r) => (r.json as { bans: number }).bans === 1,
    );
    expect(rep.json).toMatchObject({ bans: 1, index: 3.33 });
    const r2 = await call(a.base, '/v1/reports', { body: { number: n, kind: 'ban' }, token: bob });
    expect(r2.status, r2.text).toBe(201);
    const check = await atOnce(
      b.base,
      `/v1/check?number=${n}`,
      alice.token,
      (r) => (r.json as { trust: number }).trust === 2.5,
    );
    expect(check.json).toMatchObject({ decision: 'block', trust: 2.5, reasons: ['trust 2.50 < 3.00'] });
  });

  it('a blacklist entry added on B blocks on A at once', async () => {
    const n = '79002225566';
    expect((await call(a.base, `/v1/check?number=${n}&format=text`, { token: bob })).text).toBe('allow');
    expect((await call(a.base, `/v1/check?number=${n}&format=text`, { token: alice.token })).text).toBe(
      'allow',
    );
    const g = await call(b.base, '/v1/blacklists/spam/numbers?scope=global', {
      body: { numbers: [n] },
      token: admin,
    });
    expect(g.status, g.text).toBe(200);
    const blocked = await atOnce(a.base, `/v1/check?number=${n}`, bob, (r) => r.text.includes('"block"'));
    expect(blocked.json).toMatchObject({ decision: 'block', reasons: ['blacklist:spam'] });
    const m = '79002227788';
    expect((await call(a.base, `/v1/check?number=${m}&format=text`, { token: alice.token })).text).toBe(
      'allow',
    );
    const own = await call(b.base, '/v1/blacklists/mine/numbers', {
      body: { numbers: [m] },
      token: alice.token,
    });
    expect(own.status, own.text).toBe(200);
    const mine = await atOnce(a.base, `/v1/check?number=${m}`, alice.token, (r) =>
      r.text.includes('"block"'),
    );
    expect(mine.json).toMatchObject({ decision: 'block', reasons: ['blacklist:mine@key'] });
    expect((await call(a.base, `/v1/check?number=${m}&format=text`, { token: bob })).text).toBe('allow');
    const del = await call(a.base, `/v1/blacklists/spam/numbers/${n}?scope=global`, {
      method: 'DELETE',
      token: admin,
    });
    expect(del.status).toBe(204);
    await atOnce(b.base, `/v1/check?number=${n}&format=text`, bob, (r) => r.text === 'allow');
  });

  it('a tag added on A is known to B at once', async () => {
    expect((await call(b.base, '/v1/tags?type=EMOTAG', { token: bob })).status).toBe(200);
    const put = await call(a.base, '/v1/tags/EMOTAG/200777', {
      method: 'PUT',
      body: { name_ru: 'Вежливый', name_en: 'Polite' },
      token: admin,
    });
    expect(put.status, put.text).toBe(200);
    const list = await soon(b.base, '/v1/tags?type=EMOTAG', bob, (r) => r.text.includes('200777'));
    expect((list.json as { tags: { id: number }[] }).tags.map((t) => t.id)).toContain(200777);
    const rep = await call(b.base, '/v1/reports', {
      body: { number: '79002229900', tags: [{ type: 'EMOTAG', id: 200777 }] },
      token: bob,
    });
    expect(rep.status, rep.text).toBe(201);
  });

  it("a key's signing secret (from the shared master key) verifies on either instance", async () => {
    const n = '79002223344';
    for (const i of [a, b]) {
      const params = { key: alice.token, number: n, timestamp: String(Math.floor(Date.now() / 1000)) };
      const host = `127.0.0.1:${i.port}`;
      const signature = gilraenSignature(host, '/gilraen/v1/bans', params, alice.secret);
      const r = await call(i.base, `/gilraen/v1/bans?${new URLSearchParams({ ...params, signature })}`);
      expect(r.status, r.text).toBe(200);
      expect(r.json).toMatchObject({ status_code: 0, data: { bans: 2 } });
    }
  });

  it('a signed request accepted by A is refused as a replay by B', async () => {
    // Behind a load balancer both instances see one host name; signed without the port, both accept it.
    const params = {
      key: alice.token,
      number: '79002223344',
      timestamp: String(Math.floor(Date.now() / 1000)),
    };
    const signature = gilraenSignature('127.0.0.1', '/gilraen/v1/bans', params, alice.secret);
    const query = `/gilraen/v1/bans?${new URLSearchParams({ ...params, signature })}`;
    expect((await call(a.base, query)).status).toBe(200);
    const replay = await fetch(b.base + query);
    expect(replay.status).toBe(419);
    expect(replay.headers.get('x-numinfo-reason')).toBe(
      'this signature was already used: sign every request with a fresh timestamp',
    );
    expect(await replay.json()).toEqual({
      status_code: '419',
      status: 'signature error',
      message: 'signature failed verification',
      data: '',
    });
  });

  it('a key revoked on A is refused by B at once, though B knew it', async () => {
    const created = await call(a.base, '/v1/keys', { body: { name: 'temp', role: 'client' }, token: admin });
    expect(created.status, created.text).toBe(201);
    const { id, token } = created.json as { id: string; token: string };
    expect((await call(b.base, '/v1/tags', { token })).status).toBe(200);
    const revoke = await call(a.base, `/v1/keys/${id}`, { method: 'DELETE', token: admin });
    expect(revoke.status, revoke.text).toBeLessThan(300);
    await soon(b.base, '/v1/tags', token, (r) => r.status === 401);
  });
});
