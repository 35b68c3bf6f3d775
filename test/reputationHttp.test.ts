/**
 * Reports, reputation, comments and the tag dictionary over HTTP: a real server on a real port over
 * a real SQLite store, keys made by the KeyService, driven with fetch.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { NumberService } from '../src/services/numberService.js';
import { removeTempDirs } from './helpers/proc.js';
import { call, expectedIndex, newKey, startStoreServer, type Served } from './helpers/storeServer.js';

const BATCH_LIMIT = 5;
let s: Served;
let admin: string;
let alice: string;
let bob: string;
let carol: string;

beforeAll(async () => {
  s = await startStoreServer({ batchLimit: BATCH_LIMIT });
  admin = await newKey(s, 'moderator', 'admin');
  alice = await newKey(s, 'alice');
  bob = await newKey(s, 'bob');
  carol = await newKey(s, 'carol');
});

afterAll(async () => {
  await s?.close();
  removeTempDirs();
});

const post = (body: unknown, token: string | null): ReturnType<typeof call> =>
  call(s.base, '/v1/reports', { body, token });

interface Rep {
  number: string;
  index: number;
  bans: number;
  complaints: number;
  not_spam: number;
  comments_count: number;
  tags: { categories: { id: number; count: number }[]; callerType: { id: number; count: number } | null };
  explanation: { summary: string; signals: { signal: string; count: number }[] };
}

async function reputation(number: string, token = alice): Promise<Rep> {
  const r = await call(s.base, `/v1/reputation/${encodeURIComponent(number)}`, { token });
  expect(r.status, r.text).toBe(200);
  return r.json as Rep;
}

describe('POST /v1/reports and GET /v1/reputation/{number}', () => {
  const N = '79001234567';

  it('an unknown number has the prior: index 5, nothing counted', async () => {
    const rep = await reputation('+7 900 123-45-67');
    expect(rep).toMatchObject({
      number: N,
      index: 5,
      bans: 0,
      complaints: 0,
      not_spam: 0,
      comments_count: 0,
    });
  });

  it('a client reports a ban: 201, counted, and the reputation shows 1 ban and its index', async () => {
    const r = await post({ number: '8 (900) 123-45-67', kind: 'ban' }, alice);
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ count: 1, results: [{ number: N, counted: true, comment_id: null }] });
    const rep = await reputation('+79001234567');
    expect(rep.bans).toBe(1);
    expect(rep.index).toBe(expectedIndex(1));
    expect(rep.index).toBe(3.33);
    expect(rep.explanation.summary).toBe('1 ban (decayed weight 1.00) lowered the index from 5.00 to 3.33.');
  });

  it('the same key repeating the report changes nothing', async () => {
    const r = await post({ number: N, kind: 'ban' }, alice);
    expect(r.status).toBe(201);
    expect((r.json as { results: { counted: boolean }[] }).results[0]!.counted).toBe(false);
    const rep = await reputation(N, bob);
    expect(rep.bans).toBe(1);
    expect(rep.index).toBe(expectedIndex(1));
  });

  it("a second key's report counts", async () => {
    const r = await post({ reports: [{ number: N, kind: 'ban' }] }, bob);
    expect(r.status).toBe(201);
    const rep = await reputation(N);
    expect(rep.bans).toBe(2);
    expect(rep.index).toBe(expectedIndex(2));
    expect(rep.index).toBe(2.5);
  });

  it('a key changing its stance moves its vote: ban → not_spam', async () => {
    const M = '79001230000';
    await post({ number: M, kind: 'ban' }, alice);
    await post({ number: M, kind: 'complaint' }, bob);
    let rep = await reputation(M);
    expect([rep.bans, rep.complaints, rep.not_spam]).toEqual([1, 1, 0]);
    expect(rep.index).toBe(expectedIndex(1, 1));
    await post({ number: M, kind: 'not_spam' }, alice);
    rep = await reputation(M);
    expect([rep.bans, rep.complaints, rep.not_spam]).toEqual([0, 1, 1]);
    expect(rep.index).toBe(expectedIndex(0, 1, 1));
  });

  it('"block" is a ban and "not-spam" a not_spam mark', async () => {
    const M = '79001231111';
    expect((await post({ number: M, kind: 'block' }, alice)).status).toBe(201);
    expect((await post({ number: M, kind: 'not-spam' }, bob)).status).toBe(201);
    const rep = await reputation(M);
    expect([rep.bans, rep.complaints, rep.not_spam]).toEqual([1, 0, 1]);
    expect(rep.index).toBe(expectedIndex(1, 0, 1));
  });

  it('top tags count distinct reporters per tag, most first', async () => {
    const T = '79005550000';
    const r = await post(
      {
        reports: [
          {
            number: T,
            tags: [
              { type: 'CATEGORY', id: 1135 },
              { type: 'CALLER_TYPE', id: 11 },
            ],
          },
        ],
      },
      alice,
    );
    expect(r.status, r.text).toBe(201);
    await post(
      {
        number: T,
        tags: [
          { type: 'CATEGORY', id: 1135 },
          { type: 'CATEGORY', id: 1130 },
        ],
      },
      bob,
    );
    await post({ number: T, tags: [{ type: 'CATEGORY', id: 1135 }] }, bob); // bob's 1135 counts once
    const rep = await reputation(T);
    expect(rep.tags.categories).toEqual([
      { id: 1135, count: 2 },
      { id: 1130, count: 1 },
    ]);
    expect(rep.tags.callerType).toEqual({ id: 11, count: 1 });
  });

  it('a batch stores every report and answers one result each, in order', async () => {
    const r = await post(
      {
        reports: [
          { number: '79007770001', kind: 'complaint' },
          { number: '+7 900 777-00-02', unwanted: true },
          { number: '79007770001', comment: 'звонят с опросами' },
        ],
      },
      carol,
    );
    expect(r.status, r.text).toBe(201);
    const j = r.json as {
      count: number;
      results: { number: string; counted: boolean; comment_id: number | null }[];
    };
    expect(j.count).toBe(3);
    expect(j.results.map((x) => x.number)).toEqual(['79007770001', '79007770002', '79007770001']);
    expect(j.results[2]!.comment_id).toEqual(expect.any(Number));
    const rep = await reputation('79007770001');
    expect(rep.complaints).toBe(1);
    expect(rep.comments_count).toBe(1);
  });
});

describe('bad input is 400 with a message naming the field, never 5xx', () => {
  const N = '79001112233';
  const cases: [string, unknown, number, string, string][] = [
    ['bad number', { number: 'abc', kind: 'ban' }, 400, 'NOT_A_NUMBER', 'reports[0].number: '],
    ['number missing', { kind: 'ban' }, 400, 'MISSING_PARAMETER', 'reports[0].number is required'],
    ['unknown kind', { number: N, kind: 'spam' }, 400, 'BAD_REQUEST', 'reports[0].kind: '],
    [
      'unknown tag',
      {
        reports: [
          { number: N, kind: 'ban' },
          { number: N, tags: [{ type: 'CATEGORY', id: 99 }] },
        ],
      },
      400,
      'BAD_REQUEST',
      'reports[1].tags[0]: unknown tag CATEGORY/99',
    ],
    [
      'unknown tag type',
      { number: N, tags: [{ type: 'COLOUR', id: 1 }] },
      400,
      'BAD_REQUEST',
      'reports[0].tags[0].type: ',
    ],
    [
      'too long comment',
      { number: N, comment: 'x'.repeat(1001) },
      400,
      'BAD_REQUEST',
      'reports[0].comment: ',
    ],
    ['empty report', { number: N }, 400, 'BAD_REQUEST', 'reports[0]: empty report'],
    ['unknown field', { number: N, knd: 'ban' }, 400, 'BAD_REQUEST', 'reports[0]: unknown field "knd"'],
    ['unwanted not boolean', { number: N, unwanted: 'yes' }, 400, 'BAD_REQUEST', 'reports[0].unwanted '],
    ['reports not a list', { reports: 'x' }, 400, 'BAD_REQUEST', 'reports must be an array'],
    ['empty batch', { reports: [] }, 400, 'BAD_REQUEST', 'reports is empty'],
    ['array body', [{ number: N }], 400, 'BAD_REQUEST', 'body must be a JSON object'],
    [
      'too many reports',
      { reports: Array.from({ length: BATCH_LIMIT + 1 }, () => ({ number: N, kind: 'ban' })) },
      413,
      'BATCH_TOO_LARGE',
      `reports: at most ${BATCH_LIMIT} reports per request, got ${BATCH_LIMIT + 1}`,
    ],
  ];

  it.each(cases)('%s', async (_name, body, status, code, message) => {
    const r = await post(body, alice);
    expect(r.status, r.text).toBe(status);
    const e = (r.json as { error: { code: string; message: string } }).error;
    expect(e.code).toBe(code);
    expect(e.message.startsWith(message), e.message).toBe(true);
  });

  it('an empty body and malformed JSON', async () => {
    const empty = await call(s.base, '/v1/reports', { method: 'POST', body: '', token: alice });
    expect(empty.status).toBe(400);
    expect((empty.json as { error: { message: string } }).error.message).toMatch(/^body is empty/);
    const none = await call(s.base, '/v1/reports', { method: 'POST', token: alice });
    expect(none.status).toBe(400);
    expect((none.json as { error: { message: string } }).error.message).toMatch(/^body is empty/);
    const bad = await call(s.base, '/v1/reports', { body: '{"number": "7900", ', token: alice });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^body is not valid JSON/) },
    });
  });

  it('nothing invalid was stored', async () => {
    expect((await reputation(N)).bans).toBe(0);
  });

  it('a bad number in the path is 400 naming it', async () => {
    const r = await call(s.base, '/v1/reputation/abc', { token: alice });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({
      error: { code: 'NOT_A_NUMBER', message: expect.stringMatching(/^number: /) },
    });
  });

  it('odd inputs on every route: no 5xx', async () => {
    const paths: [string, string, unknown?][] = [
      ['GET', '/v1/reputation/%00'],
      ['GET', '/v1/reputation/' + '9'.repeat(300)],
      ['GET', '/v1/comments/79001234567?limit=-1'],
      ['GET', '/v1/comments/79001234567?offset=abc'],
      ['GET', '/v1/comments/79001234567?limit=1&limit=2'],
      ['POST', '/v1/comments/abc/hide'],
      ['POST', '/v1/comments/99999999999999999999/hide'],
      ['PUT', '/v1/tags/CATEGORY/abc', { name_ru: 'x', name_en: 'x' }],
      ['PUT', '/v1/tags/NOPE/1', { name_ru: 'x', name_en: 'x' }],
      ['PUT', '/v1/tags/CATEGORY/5', { name_ru: '', name_en: 'x' }],
      ['PUT', '/v1/tags/CATEGORY/5', [1]],
      ['DELETE', '/v1/tags/CATEGORY/0'],
      ['GET', '/v1/tags?type=x'],
      ['POST', '/v1/reports', { number: 7.5, kind: 'ban' }],
      ['POST', '/v1/reports', { number: '79001234567', tags: [null] }],
      ['POST', '/v1/reports', { number: '79001234567', tags: [{ type: 'CATEGORY', id: 1.5 }] }],
      ['POST', '/v1/reports', { number: '79001234567', comment: 5 }],
      ['POST', '/v1/reports', null],
    ];
    for (const [method, path, body] of paths) {
      const r = await call(s.base, path, { method, body, token: admin });
      expect(r.status, `${method} ${path}: ${r.text}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(500);
    }
  });
});

describe('comments: paging and moderation', () => {
  const N = '79003334455';
  let ids: number[];

  beforeAll(async () => {
    ids = [];
    for (const [token, text] of [
      [alice, 'first'],
      [bob, 'second'],
      [carol, 'third'],
    ] as const) {
      const r = await post({ number: N, comment: text }, token);
      expect(r.status, r.text).toBe(201);
      ids.push((r.json as { results: { comment_id: number }[] }).results[0]!.comment_id);
    }
  });

  it('pages newest first with the total', async () => {
    const p1 = await call(s.base, `/v1/comments/${N}?limit=2`, { token: alice });
    expect(p1.status).toBe(200);
    expect(p1.json).toMatchObject({ number: N, total: 3, offset: 0, limit: 2 });
    const items1 = (p1.json as { items: { id: number; text: string; hidden: boolean }[] }).items;
    expect(items1.map((c) => c.text)).toEqual(['third', 'second']);
    const p2 = await call(s.base, `/v1/comments/${N}?limit=2&offset=2`, { token: alice });
    const items2 = (p2.json as { items: { text: string; created_at: string }[] }).items;
    expect(items2.map((c) => c.text)).toEqual(['first']);
    expect(items2[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('a client cannot hide a comment: 403', async () => {
    const r = await call(s.base, `/v1/comments/${ids[1]}/hide`, { method: 'POST', token: alice });
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('an admin hides one: it leaves the list and the count', async () => {
    const r = await call(s.base, `/v1/comments/${ids[1]}/hide`, { method: 'POST', token: admin });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ id: ids[1], hidden: true });
    const list = await call(s.base, `/v1/comments/${N}`, { token: bob });
    expect(list.json).toMatchObject({ total: 2 });
    expect((list.json as { items: { text: string }[] }).items.map((c) => c.text)).toEqual(['third', 'first']);
    expect((await reputation(N)).comments_count).toBe(2);
  });

  it('admins see hidden comments with include_hidden=true; clients may not ask', async () => {
    const a = await call(s.base, `/v1/comments/${N}?include_hidden=true`, { token: admin });
    expect(a.json).toMatchObject({ total: 3 });
    const hidden = (a.json as { items: { text: string; hidden: boolean }[] }).items.find((c) => c.hidden);
    expect(hidden?.text).toBe('second');
    const c = await call(s.base, `/v1/comments/${N}?include_hidden=true`, { token: alice });
    expect(c.status).toBe(403);
  });

  it('unhide brings it back; an unknown id is 404', async () => {
    const r = await call(s.base, `/v1/comments/${ids[1]}/unhide`, { method: 'POST', token: admin });
    expect(r.json).toEqual({ id: ids[1], hidden: false });
    expect((await reputation(N)).comments_count).toBe(3);
    const missing = await call(s.base, '/v1/comments/999999/hide', { method: 'POST', token: admin });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { code: 'ITEM_NOT_FOUND' } });
  });
});

describe('the tag dictionary', () => {
  it('lists the seeded default tags, filtered by type', async () => {
    const r = await call(s.base, '/v1/tags?type=CALLER_TYPE', { token: alice });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      count: 2,
      tags: [
        { type: 'CALLER_TYPE', id: 10, name_en: 'Person', name_ru: 'Частное лицо' },
        { type: 'CALLER_TYPE', id: 11, name_en: 'Organization', name_ru: 'Организация' },
      ],
    });
  });

  it('admin adds, renames and deletes a tag; it can be reported while it exists', async () => {
    const put = await call(s.base, '/v1/tags/CATEGORY/1999', {
      method: 'PUT',
      body: { name_ru: 'Лотереи', name_en: 'Lotteries' },
      token: admin,
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual({ type: 'CATEGORY', id: 1999, name_ru: 'Лотереи', name_en: 'Lotteries' });
    const rename = await call(s.base, '/v1/tags/CATEGORY/1999', {
      method: 'PUT',
      body: { name_ru: 'Лотереи и розыгрыши', name_en: 'Lotteries' },
      token: admin,
    });
    expect(rename.status).toBe(200);
    const list = await call(s.base, '/v1/tags?type=CATEGORY', { token: alice });
    expect(
      (list.json as { tags: { id: number; name_ru: string }[] }).tags.find((t) => t.id === 1999),
    ).toMatchObject({
      name_ru: 'Лотереи и розыгрыши',
    });
    const rep = await post({ number: '79008889900', tags: [{ type: 'CATEGORY', id: 1999 }] }, alice);
    expect(rep.status, rep.text).toBe(201);
    const del = await call(s.base, '/v1/tags/CATEGORY/1999', { method: 'DELETE', token: admin });
    expect(del.status).toBe(204);
    const again = await call(s.base, '/v1/tags/CATEGORY/1999', { method: 'DELETE', token: admin });
    expect(again.status).toBe(404);
    expect(again.json).toMatchObject({ error: { code: 'ITEM_NOT_FOUND' } });
    const late = await post({ number: '79008889900', tags: [{ type: 'CATEGORY', id: 1999 }] }, bob);
    expect(late.status).toBe(400);
  });

  it('a client may not edit it: 403', async () => {
    const put = await call(s.base, '/v1/tags/CATEGORY/1998', {
      method: 'PUT',
      body: { name_ru: 'x', name_en: 'x' },
      token: alice,
    });
    expect(put.status).toBe(403);
    expect(put.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const del = await call(s.base, '/v1/tags/CATEGORY/1130', { method: 'DELETE', token: alice });
    expect(del.status).toBe(403);
  });

  it('a bad tag body names the field', async () => {
    const r = await call(s.base, '/v1/tags/CATEGORY/1998', {
      method: 'PUT',
      body: { name_ru: 'x' },
      token: admin,
    });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { message: 'name_en must be a non-empty string' } });
  });
});

describe('keys', () => {
  it('no key is 401, an unknown key is 401', async () => {
    const none = await call(s.base, '/v1/reputation/79001234567');
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const unknown = await call(s.base, '/v1/reputation/79001234567', { token: 'nope' });
    expect(unknown.status).toBe(401);
  });

  it('X-Api-Key and ?key= work as well as Bearer', async () => {
    const h = await call(s.base, '/v1/reputation/79001234567', { headers: { 'x-api-key': alice } });
    expect(h.status).toBe(200);
    const q = await call(s.base, `/v1/reputation/79001234567?key=${encodeURIComponent(alice)}`);
    expect(q.status).toBe(200);
  });
});

describe('quotas', () => {
  it('a report costs one unit each, a malformed request nothing; then 429', async () => {
    const { token } = await s.stores.keys.create({
      name: 'metered',
      role: 'client',
      quota: 3,
      period: 'day',
    });
    const N = '79004445566';
    for (const bad of [
      { number: N, kind: 'spam' },
      { number: N, tags: [{ type: 'CATEGORY', id: 99 }] },
      { number: N },
      { reports: [{ number: N, kind: 'ban' }], extra: 1 },
    ]) {
      expect((await post(bad, token)).status, JSON.stringify(bad)).toBe(400);
    }
    const two = await post(
      {
        reports: [
          { number: N, kind: 'ban' },
          { number: '79004445567', kind: 'ban' },
        ],
      },
      token,
    );
    expect(two.status, two.text).toBe(201);
    const third = await call(s.base, `/v1/reputation/${N}`, { token });
    expect(third.status).toBe(200);
    const over = await post({ number: '79004445568', kind: 'ban' }, token);
    expect(over.status).toBe(429);
    expect(over.json).toMatchObject({ error: { code: 'QUOTA_EXCEEDED' } });
    expect((await reputation('79004445568')).bans).toBe(0);
    expect((await call(s.base, `/v1/check?number=${N}`, { token })).status).toBe(429);
    // Reading the dictionary costs nothing.
    expect((await call(s.base, '/v1/tags', { token })).status).toBe(200);
  });
});

describe('open mode (no keys at all)', () => {
  let o: Served;
  beforeAll(async () => {
    o = await startStoreServer();
  });
  afterAll(async () => {
    await o?.close();
  });

  it('reports and reads without any auth header; each address counts as one reporter', async () => {
    const r = await call(o.base, '/v1/reports', { body: { number: '79001234567', kind: 'ban' } });
    expect(r.status, r.text).toBe(201);
    const again = await call(o.base, '/v1/reports', { body: { number: '79001234567', kind: 'ban' } });
    expect((again.json as { results: { counted: boolean }[] }).results[0]!.counted).toBe(false);
    const rep = await call(o.base, '/v1/reputation/79001234567');
    expect(rep.status).toBe(200);
    expect(rep.json).toMatchObject({ bans: 1, index: expectedIndex(1) });
  });

  it('admin routes too', async () => {
    const put = await call(o.base, '/v1/tags/EMOTAG/200999', {
      method: 'PUT',
      body: { name_ru: 'ок', name_en: 'ok' },
    });
    expect(put.status).toBe(200);
  });
});

describe('a server without a store', () => {
  it('answers the store routes with 503 STORE_UNAVAILABLE and still looks numbers up', async () => {
    const app = buildServer({ service: new NumberService(), config: { batchLimit: 10, logLevel: 'silent' } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      for (const [path, body] of [
        ['/v1/reports', { number: '79001234567', kind: 'ban' }],
        ['/v1/reputation/79001234567', undefined],
        ['/v1/tags', undefined],
        ['/v1/blacklists', undefined],
        ['/v1/check?number=79001234567', undefined],
      ] as const) {
        const r = await call(base, path, { body });
        expect(r.status, path).toBe(503);
        expect(r.json, path).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
      }
      const lookup = await call(base, '/v1/lookup?number=%2B442079460958');
      expect(lookup.status).toBe(200);
      const health = await call(base, '/healthz');
      expect(health.json).toMatchObject({ store: null });
    } finally {
      await app.close();
    }
  });

  it('/healthz names the driver of a server with a store', async () => {
    const h = await call(s.base, '/healthz');
    expect(h.json).toMatchObject({ store: { driver: 'sqlite', ok: true } });
  });
});

describe('docs/openapi.json', () => {
  it('describes every route and method the server registers (keys and Gilraen included)', async () => {
    const doc = JSON.parse(readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const app = buildServer({ service: new NumberService(), config: s.config, stores: s.stores });
    const routes: string[] = [];
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) {
        if (m === 'HEAD') continue;
        routes.push(`${m.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
      }
    });
    await app.ready();
    await app.close();
    const undocumented = routes.filter((r) => {
      const [method, path] = r.split(' ') as [string, string];
      // DaData's other methods exist only to answer 405 as DaData does; the path documents its POST.
      if (path === '/api/v1/clean/phone' && method !== 'post') return false;
      // ignoreTrailingSlash: `/get/` and `/get` are one route, documented once.
      const entry = doc.paths[path] ?? doc.paths[path.endsWith('/') ? path.slice(0, -1) : path + '/'];
      return entry?.[method] === undefined;
    });
    expect(undocumented).toEqual([]);
    for (const path of ['/v1/reports', '/v1/check', '/v1/keys', '/gilraen/v1/index', '/gilraen/v1/number']) {
      expect(
        routes.some((r) => r.endsWith(' ' + path)),
        path,
      ).toBe(true);
    }
  });
});
