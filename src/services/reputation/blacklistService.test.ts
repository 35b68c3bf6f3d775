import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../../test/helpers/proc.js';
import { NuminfoError } from '../../errors.js';
import { NumberService } from '../numberService.js';
import { openStore } from '../../store/openStore.js';
import type { Store } from '../../store/types.js';
import { BlacklistService } from './blacklistService.js';
import { normalizeNumber } from './normalizeNumber.js';

const T0 = Date.UTC(2026, 2, 1, 9, 30, 0);
const numbers = new NumberService(null);
const normalize = (input: string): string => normalizeNumber(numbers, input);

let store: Store;
let svc: BlacklistService;

beforeEach(async () => {
  store = await openStore('', tempDir('blacklist'));
  svc = new BlacklistService(store, { now: () => T0 });
});

afterEach(async () => {
  svc.close();
  await store.close();
});

afterAll(() => removeTempDirs());

async function rejection(p: Promise<unknown>): Promise<NuminfoError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NuminfoError);
    return e as NuminfoError;
  }
  throw new Error('expected a rejection');
}

describe('BlacklistService', () => {
  it('adds, updates, pages, lists and removes entries; global and per-key lists are apart', async () => {
    expect(
      await svc.add(
        '',
        'spam',
        [{ number: '79990000001', comment: 'robot' }, { number: '79990000002' }],
        'admin1',
      ),
    ).toEqual({ added: 2, updated: 0 });
    expect(await svc.add('', 'spam', [{ number: '79990000001', comment: 'robot, daily' }], 'admin1')).toEqual(
      {
        added: 0,
        updated: 1,
      },
    );
    expect(await svc.add('k1', 'spam', [{ number: '79990000003' }], 'k1')).toEqual({ added: 1, updated: 0 });
    const page = await svc.entries('', 'spam', { after: null, limit: 1 });
    expect(page).toEqual({
      total: 2,
      items: [
        {
          list: 'spam',
          owner: '',
          number: '79990000001',
          comment: 'robot, daily',
          added_at: T0,
          added_by: 'admin1',
        },
      ],
    });
    expect(
      (await svc.entries('', 'spam', { after: '79990000001', limit: 10 })).items.map((e) => e.number),
    ).toEqual(['79990000002']);
    expect(await svc.lists(['', 'k1'])).toEqual(
      expect.arrayContaining([
        { list: 'spam', owner: '', count: 2 },
        { list: 'spam', owner: 'k1', count: 1 },
      ]),
    );
    expect(await svc.lists(['k2'])).toEqual([]);
    await svc.remove('', 'spam', '79990000002');
    const e = await rejection(svc.remove('', 'spam', '79990000002'));
    expect([e.code, e.message]).toEqual(['ITEM_NOT_FOUND', '79990000002 is not in the list spam']);
  });

  it.each<[string, () => Promise<unknown>, string]>([
    [
      'a list name with a space',
      () => svc.add('', 'my list', [{ number: '79990000001' }], 'a'),
      'list name: expected 1..64 characters of A-Z, a-z, 0-9, _ . -, got "my list"',
    ],
    [
      'a list name of 65 characters',
      () => svc.entries('', 'x'.repeat(65), { after: null, limit: 10 }),
      `list name: expected 1..64 characters of A-Z, a-z, 0-9, _ . -, got "${'x'.repeat(65)}"`,
    ],
    [
      'a number with +',
      () => svc.add('', 'spam', [{ number: '+79990000001' }], 'a'),
      'entries[0].number: expected E.164 digits (7..15, no +), got "+79990000001"',
    ],
    ['no entries', () => svc.add('', 'spam', [], 'a'), 'entries: expected a list of 1..100000 entries'],
    [
      'a limit of 0',
      () => svc.entries('', 'spam', { after: null, limit: 0 }),
      'limit: expected 1..1000, got 0',
    ],
  ])('%s: BAD_REQUEST', async (_, call, message) => {
    const e = await rejection(call());
    expect([e.code, e.message]).toEqual(['BAD_REQUEST', message]);
  });

  it('caches listings and drops them when an entry changes', async () => {
    expect(await svc.listingsOf('79990000001', [''], null)).toEqual([]);
    await svc.add('', 'spam', [{ number: '79990000001' }], 'a');
    expect(await svc.listingsOf('79990000001', [''], null)).toEqual([{ list: 'spam', owner: '' }]);
    expect(await svc.listingsOf('79990000001', [''], ['fraud'])).toEqual([]);
    await svc.remove('', 'spam', '79990000001');
    expect(await svc.listingsOf('79990000001', [''], null)).toEqual([]);
  });
});

describe('CSV', () => {
  it('imports with a header, `;`, numbers in any form, and reports bad lines by number', async () => {
    const csv = [
      'Телефон;Комментарий',
      '8 (999) 000-00-01;звонит ночью',
      '+7 999 000-00-02;',
      '',
      'abc;not a number',
      '123;too short',
      '9990000003',
      ';no number',
      '89990000001;повтор: последняя строка выигрывает',
    ].join('\r\n');
    expect(await svc.importCsv('', 'spam', csv, 'admin1', normalize)).toEqual({
      added: 3,
      updated: 0,
      rejected: [
        { line: 5, reason: 'the input is not a phone number: "abc"' },
        { line: 6, reason: 'too few digits for a phone number: "123"' },
        { line: 8, reason: 'no number in the first column' },
      ],
    });
    expect(await svc.exportCsv('', 'spam')).toBe(
      [
        'number,comment,added_at,added_by',
        '79990000001,повтор: последняя строка выигрывает,2026-03-01T09:30:00.000Z,admin1',
        '79990000002,,2026-03-01T09:30:00.000Z,admin1',
        '79990000003,,2026-03-01T09:30:00.000Z,admin1',
        '',
      ].join('\n'),
    );
  });

  it('imports without a header, `,` with quoted comments, and round-trips its own export', async () => {
    const csv = '79990000001,"robot, says ""hello"""\n442079460958,London\n';
    expect(await svc.importCsv('k1', 'mine', csv, 'k1', normalize)).toEqual({
      added: 2,
      updated: 0,
      rejected: [],
    });
    const out = await svc.exportCsv('k1', 'mine');
    expect(out).toBe(
      [
        'number,comment,added_at,added_by',
        '442079460958,London,2026-03-01T09:30:00.000Z,k1',
        '79990000001,"robot, says ""hello""",2026-03-01T09:30:00.000Z,k1',
        '',
      ].join('\n'),
    );
    expect(await svc.importCsv('k1', 'copy', out, 'k1', normalize)).toEqual({
      added: 2,
      updated: 0,
      rejected: [],
    });
    expect(await svc.importCsv('k1', 'copy', out, 'k1', normalize)).toEqual({
      added: 0,
      updated: 2,
      rejected: [],
    });
    expect((await svc.entries('k1', 'copy', { after: null, limit: 10 })).items.map((e) => e.comment)).toEqual(
      ['London', 'robot, says "hello"'],
    );
  });

  it('imports 12,000 lines, rejecting the bad ones by line, and lets other work run meanwhile', async () => {
    const lines = ['number,comment'];
    for (let i = 0; i < 12_000; i++)
      lines.push(i % 1000 === 999 ? `bad${i},x` : `+7999${String(i).padStart(7, '0')},n${i}`);
    let ranDuringImport = false;
    const importing = svc.importCsv('', 'big', lines.join('\n'), 'admin1', normalize);
    setImmediate(() => (ranDuringImport = true));
    const result = await importing;
    expect(result.added).toBe(11_988);
    expect(result.rejected).toHaveLength(12);
    // Line 1 is the header, so item i is on line i + 2.
    expect(result.rejected[0]).toEqual({ line: 1001, reason: 'the input is not a phone number: "bad999"' });
    expect((await svc.lists([''])).find((l) => l.list === 'big')?.count).toBe(11_988);
    expect(ranDuringImport).toBe(true);
  });

  it('exports an unknown list as the header alone', async () => {
    expect(await svc.exportCsv('', 'none')).toBe('number,comment,added_at,added_by\n');
  });
});
