/**
 * Blacklists over HTTP: add, page, export and import CSV, remove; each key's own lists and the
 * global ones. A real server over a real SQLite store, driven with fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from './helpers/proc.js';
import { call, newKey, startStoreServer, type Served } from './helpers/storeServer.js';

let s: Served;
let admin: string;
let alice: string;
let bob: string;

beforeAll(async () => {
  s = await startStoreServer();
  admin = await newKey(s, 'ops', 'admin');
  alice = await newKey(s, 'alice');
  bob = await newKey(s, 'bob');
});

afterAll(async () => {
  await s?.close();
  removeTempDirs();
});

interface EntryPage {
  list: string;
  scope: string;
  total: number;
  items: { number: string; comment: string; added_at: string; added_by: string }[];
  next_after: string | null;
}

const page = async (path: string, token: string): Promise<EntryPage> => {
  const r = await call(s.base, path, { token });
  expect(r.status, r.text).toBe(200);
  return r.json as EntryPage;
};

describe("a key's own list", () => {
  it('adds numbers in any notation, with and without comments', async () => {
    const r = await call(s.base, '/v1/blacklists/spam/numbers', {
      body: { numbers: ['+7 900 000-00-03', { number: '89000000001', comment: 'robot' }, 79000000002] },
      token: alice,
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ list: 'spam', scope: 'key', added: 3, updated: 0, rejected: [] });
  });

  it('adding an existing number updates its comment', async () => {
    const r = await call(s.base, '/v1/blacklists/spam/numbers', {
      body: { numbers: [{ number: '79000000003', comment: 'again' }] },
      token: alice,
    });
    expect(r.json).toMatchObject({ added: 0, updated: 1 });
  });

  it('pages by number with after/limit', async () => {
    const p1 = await page('/v1/blacklists/spam/numbers?limit=2', alice);
    expect(p1).toMatchObject({ list: 'spam', scope: 'key', total: 3, next_after: '79000000002' });
    expect(p1.items.map((e) => [e.number, e.comment])).toEqual([
      ['79000000001', 'robot'],
      ['79000000002', ''],
    ]);
    const p2 = await page(`/v1/blacklists/spam/numbers?limit=2&after=${p1.next_after}`, alice);
    expect(p2.items.map((e) => [e.number, e.comment])).toEqual([['79000000003', 'again']]);
    expect(p2.next_after).toBeNull();
    const exact = await page('/v1/blacklists/spam/numbers?limit=3', alice);
    expect(exact.next_after).toBeNull();
    expect(exact.items[0]!.added_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('is invisible to another key', async () => {
    const other = await page('/v1/blacklists/spam/numbers', bob);
    expect(other).toMatchObject({ total: 0, items: [] });
    const lists = await call(s.base, '/v1/blacklists', { token: bob });
    expect(lists.json).toEqual({ count: 0, lists: [] });
    const mine = await call(s.base, '/v1/blacklists', { token: alice });
    expect(mine.json).toEqual({ count: 1, lists: [{ name: 'spam', scope: 'key', count: 3 }] });
    const del = await call(s.base, '/v1/blacklists/spam/numbers/79000000001', {
      method: 'DELETE',
      token: bob,
    });
    expect(del.status).toBe(404);
  });

  it('exports CSV with format=csv or Accept: text/csv', async () => {
    const a = await call(s.base, '/v1/blacklists/spam/numbers?format=csv', { token: alice });
    expect(a.status).toBe(200);
    expect(a.type).toMatch(/^text\/csv/);
    const lines = a.text.trimEnd().split('\n');
    expect(lines[0]).toBe('number,comment,added_at,added_by');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      '79000000001,robot',
      '79000000002,',
      '79000000003,again',
    ]);
    const b = await call(s.base, '/v1/blacklists/spam/numbers', {
      token: alice,
      headers: { accept: 'text/csv' },
    });
    expect(b.type).toMatch(/^text\/csv/);
    expect(b.text).toBe(a.text);
  });

  it('imports CSV and reports the rejected lines with their numbers', async () => {
    const csv = [
      'number;comment',
      '+7 (900) 000-00-10;collector',
      'not a number;x',
      '8 900 000 00 11',
      ';no number',
      '79000000001;robot, again',
    ].join('\n');
    const r = await call(s.base, '/v1/blacklists/imported/numbers', {
      body: csv,
      contentType: 'text/csv',
      token: alice,
    });
    expect(r.status, r.text).toBe(200);
    const j = r.json as { added: number; updated: number; rejected: { line: number; reason: string }[] };
    expect(j).toMatchObject({ list: 'imported', scope: 'key', added: 3, updated: 0 });
    expect(j.rejected.map((x) => x.line)).toEqual([3, 5]);
    expect(j.rejected[0]!.reason).toMatch(/not a phone number/);
    expect(j.rejected[1]!.reason).toBe('no number in the first column');
    const p = await page('/v1/blacklists/imported/numbers', alice);
    expect(p.items.map((e) => [e.number, e.comment])).toEqual([
      ['79000000001', 'robot, again'],
      ['79000000010', 'collector'],
      ['79000000011', ''],
    ]);
  });

  it('a CSV sent as curl --data-binary sends it (form label) is imported too', async () => {
    const r = await call(s.base, '/v1/blacklists/curl/numbers', {
      body: '79000000020,from curl\n79000000021\n',
      contentType: 'application/x-www-form-urlencoded',
      token: alice,
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ added: 2, rejected: [] });
  });

  it('removes an entry; removing it again is 404', async () => {
    const del = await call(s.base, '/v1/blacklists/spam/numbers/+79000000002', {
      method: 'DELETE',
      token: alice,
    });
    expect(del.status).toBe(204);
    const again = await call(s.base, '/v1/blacklists/spam/numbers/79000000002', {
      method: 'DELETE',
      token: alice,
    });
    expect(again.status).toBe(404);
    expect(again.json).toMatchObject({ error: { code: 'ITEM_NOT_FOUND' } });
    expect((await page('/v1/blacklists/spam/numbers', alice)).total).toBe(2);
  });
});

describe('global lists', () => {
  it('a client may read them but not write them: 403', async () => {
    const w = await call(s.base, '/v1/blacklists/fraud/numbers?scope=global', {
      body: { numbers: ['79000000005'] },
      token: alice,
    });
    expect(w.status).toBe(403);
    expect(w.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('an admin writes them and every key sees them', async () => {
    const w = await call(s.base, '/v1/blacklists/fraud/numbers?scope=global', {
      body: { numbers: ['79000000005', '79000000006'] },
      token: admin,
    });
    expect(w.status, w.text).toBe(200);
    expect(w.json).toMatchObject({ list: 'fraud', scope: 'global', added: 2 });
    const p = await page('/v1/blacklists/fraud/numbers?scope=global', bob);
    expect(p.items.map((e) => e.number)).toEqual(['79000000005', '79000000006']);
    const lists = await call(s.base, '/v1/blacklists', { token: bob });
    expect(lists.json).toEqual({ count: 1, lists: [{ name: 'fraud', scope: 'global', count: 2 }] });
    const all = await call(s.base, '/v1/blacklists', { token: alice });
    expect(
      (all.json as { lists: { name: string; scope: string }[] }).lists
        .map((l) => `${l.scope}:${l.name}`)
        .sort(),
    ).toEqual(['global:fraud', 'key:curl', 'key:imported', 'key:spam']);
    const onlyGlobal = await call(s.base, '/v1/blacklists?scope=global', { token: alice });
    expect(onlyGlobal.json).toMatchObject({ count: 1 });
  });

  it('a client may not delete from them; an admin may', async () => {
    const c = await call(s.base, '/v1/blacklists/fraud/numbers/79000000005?scope=global', {
      method: 'DELETE',
      token: alice,
    });
    expect(c.status).toBe(403);
    const a = await call(s.base, '/v1/blacklists/fraud/numbers/79000000005?scope=global', {
      method: 'DELETE',
      token: admin,
    });
    expect(a.status).toBe(204);
  });
});

describe('bad input is 400 naming the field', () => {
  const cases: [string, string, unknown, string, string][] = [
    [
      'bad list name',
      '/v1/blacklists/bad%20name/numbers',
      { numbers: ['79000000001'] },
      'BAD_REQUEST',
      'list name: ',
    ],
    [
      'bad number',
      '/v1/blacklists/x/numbers',
      { numbers: ['79000000001', 'abc'] },
      'NOT_A_NUMBER',
      'numbers[1]: ',
    ],
    [
      'bad number field',
      '/v1/blacklists/x/numbers',
      { numbers: [{ number: 'abc' }] },
      'NOT_A_NUMBER',
      'numbers[0].number: ',
    ],
    [
      'comment not text',
      '/v1/blacklists/x/numbers',
      { numbers: [{ number: '79000000001', comment: 1 }] },
      'BAD_REQUEST',
      'numbers[0].comment ',
    ],
    [
      'comment too long',
      '/v1/blacklists/x/numbers',
      { numbers: [{ number: '79000000001', comment: 'x'.repeat(1001) }] },
      'BAD_REQUEST',
      'numbers[0].comment is longer than 1000',
    ],
    ['empty list', '/v1/blacklists/x/numbers', { numbers: [] }, 'BAD_REQUEST', 'numbers is empty'],
    [
      'no numbers field',
      '/v1/blacklists/x/numbers',
      { number: '79000000001' },
      'BAD_REQUEST',
      'body must be',
    ],
    [
      'bad scope',
      '/v1/blacklists/x/numbers?scope=team',
      { numbers: ['79000000001'] },
      'BAD_REQUEST',
      'scope must be',
    ],
  ];
  it.each(cases)('%s', async (_name, path, body, code, message) => {
    const r = await call(s.base, path, { body, token: alice });
    expect(r.status, r.text).toBe(400);
    const e = (r.json as { error: { code: string; message: string } }).error;
    expect(e.code).toBe(code);
    expect(e.message.startsWith(message), e.message).toBe(true);
  });

  it('empty and malformed bodies', async () => {
    const empty = await call(s.base, '/v1/blacklists/x/numbers', { method: 'POST', body: '', token: alice });
    expect(empty.status).toBe(400);
    expect((empty.json as { error: { message: string } }).error.message).toMatch(/^body is empty/);
    const emptyCsv = await call(s.base, '/v1/blacklists/x/numbers', {
      body: '\n',
      contentType: 'text/csv',
      token: alice,
    });
    expect(emptyCsv.status).toBe(400);
    const bad = await call(s.base, '/v1/blacklists/x/numbers', { body: '{"numbers": [', token: alice });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: { message: string } }).error.message).toMatch(/^body is not valid JSON/);
  });

  it('bad paging parameters', async () => {
    for (const q of ['limit=0', 'limit=100000', 'after=abc', 'format=xml', 'limit=a']) {
      const r = await call(s.base, `/v1/blacklists/spam/numbers?${q}`, { token: alice });
      expect(r.status, q).toBe(400);
      expect((r.json as { error: { message: string } }).error.message, q).toMatch(/^(limit|after|format) /);
    }
  });

  it('a bad number to delete is 400 naming it', async () => {
    const r = await call(s.base, '/v1/blacklists/spam/numbers/abc', { method: 'DELETE', token: alice });
    expect(r.status).toBe(400);
    expect((r.json as { error: { message: string } }).error.message).toMatch(/^number: /);
  });

  it('nothing was written by the failed requests', async () => {
    const lists = await call(s.base, '/v1/blacklists?scope=key', { token: alice });
    expect((lists.json as { lists: { name: string }[] }).lists.map((l) => l.name)).toEqual([
      'curl',
      'imported',
      'spam',
    ]);
  });
});

describe('open mode', () => {
  let o: Served;
  beforeAll(async () => {
    o = await startStoreServer();
  });
  afterAll(async () => {
    await o?.close();
  });

  it('every list is global and needs no key', async () => {
    const w = await call(o.base, '/v1/blacklists/spam/numbers', { body: { numbers: ['79000000001'] } });
    expect(w.status, w.text).toBe(200);
    expect(w.json).toMatchObject({ scope: 'global', added: 1 });
    const g = await call(o.base, '/v1/blacklists/spam/numbers?scope=global');
    expect((g.json as EntryPage).items.map((e) => e.number)).toEqual(['79000000001']);
    const lists = await call(o.base, '/v1/blacklists');
    expect(lists.json).toEqual({ count: 1, lists: [{ name: 'spam', scope: 'global', count: 1 }] });
    expect((g.json as EntryPage).items[0]!.added_by).toBe('ip:127.0.0.1');
  });
});
