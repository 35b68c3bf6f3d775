/**
 * Imports the real registry files kept beside the repository in ../shared/registry (see SOURCES.md
 * there; they are never copied into the repository) and checks exact row counts and answers. When
 * the folder is absent the whole file is skipped, with a message saying so.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSourceFolder, repoRoot } from '../../test/helpers/registryFixtures.js';
import type { Territory } from '../core/types.js';
import type { FileReport } from './registryCsv.js';
import { RegistryIndex } from './registryIndex.js';
import { importRegistry, type ImportResult } from './registryImport.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';

// NUMINFO_REAL_REGISTRY points elsewhere (or at nothing, to see the skip).
const registryRoot = path.resolve(repoRoot, process.env.NUMINFO_REAL_REGISTRY ?? '../shared/registry');
const exists = existsSync(path.join(registryRoot, 'combined'));

if (!exists) {
  console.warn(
    `[realRegistry.test] SKIPPED: the real-registry tests need ${registryRoot}/combined/ ` +
      '(the shared registry test data beside the repository), and it does not exist here.',
  );
}

type Enc = FileReport['encoding'];
const H6 = '6 columns, header';
const N6 = '6 columns, no header';
const H8 = '8 columns, header';

/** Per folder: [file, encoding, layout, accepted rows] (from SOURCES.md; none rejected). */
const FOLDERS: Record<string, [string, Enc, string, number][]> = {
  combined: [
    ['DEF-9xx.csv', 'utf-8-bom', H8, 17059],
    ['Kody_ABC-3kh.csv', 'utf-8', N6, 57581],
    ['Kody_ABC-4kh.csv', 'utf-8', N6, 244598],
    ['Kody_ABC-8kh.csv', 'utf-8', N6, 75626],
  ],
  '2026-08': [['DEF-9xx.csv', 'utf-8-bom', H8, 17059]],
  '2026-04': [['DEF-9xx.csv', 'utf-8-bom', H8, 16629]],
  '2021-04-rossvyaz-6col': [
    ['Kody_ABC-3kh.csv', 'utf-8', N6, 57581],
    ['Kody_ABC-4kh.csv', 'utf-8', N6, 244598],
    ['Kody_ABC-8kh.csv', 'utf-8', N6, 75626],
    ['Kody_DEF-9kh.csv', 'utf-8', N6, 8048],
  ],
  '2020-05-rossvyaz-6col': [
    ['Kody_ABC-3kh.csv', 'utf-8', H6, 59407],
    ['Kody_ABC-4kh.csv', 'utf-8', H6, 234094],
    ['Kody_ABC-8kh.csv', 'utf-8', H6, 71159],
    ['Kody_DEF-9kh.csv', 'utf-8', H6, 7659],
  ],
  'legacy-2020': [['DEF-9xx.csv', 'utf-8', H6, 7931]],
  'legacy-2014': [
    ['Kody_ABC-3kh.csv', 'windows-1251', H6, 19702],
    ['Kody_ABC-8kh.csv', 'windows-1251', H6, 49344],
    ['Kody_DEF-9kh.csv', 'windows-1251', H6, 66002],
  ],
  'legacy-2014-crlf': [
    ['Kody_ABC-8kh.csv', 'windows-1251', H6, 49605],
    ['Kody_DEF-9kh.csv', 'windows-1251', H6, 65909],
  ],
  'new-format-excerpts': [
    ['ABC-3xx.excerpt.csv', 'utf-8', H8, 12],
    ['ABC-8xx.excerpt.csv', 'utf-8', H8, 16],
  ],
};

/** Text that names a subject of the federation by its type, or one that the registry spells whole. */
function looksLikeSubject(raw: string): boolean {
  return (
    /област|обл\.|край|республик|автономн|\sао$|\sао\s|саха|якути|югра/i.test(raw) &&
    !/федеральн|российская федерация/i.test(raw)
  );
}

const imported = new Map<string, ImportResult>();
function load(folder: string): ImportResult {
  let r = imported.get(folder);
  if (!r) {
    r = importRegistry(readSourceFolder(path.join(registryRoot, folder)));
    imported.set(folder, r);
  }
  return r;
}

const indexes = new Map<string, RegistryIndex>();
function indexOf(folder: string): RegistryIndex {
  let index = indexes.get(folder);
  if (!index) {
    index = new RegistryIndex(load(folder).registry);
    indexes.set(folder, index);
  }
  return index;
}

describe.skipIf(!exists)('real registry (../shared/registry)', () => {
  describe.each(Object.entries(FOLDERS))('%s/', (folder, files) => {
    it('every file is read in its layout with no rejects', () => {
      const { registry, reports } = load(folder);
      expect(reports.map((r) => [r.file, r.encoding, r.layout, r.accepted, r.rejectedCount])).toEqual(
        files.map(([file, encoding, layout, rows]) => [file, encoding, layout, rows, 0]),
      );
      const total = files.reduce((n, f) => n + f[3], 0);
      expect(registry.meta.rows).toBe(total);
      expect(registry.meta.overlapsDropped).toBe(0);
    });

    it('no territory names a subject that goes unrecognized, and exclusions are not the region', () => {
      const index = indexOf(folder);
      const missed = new Set<string>();
      const excluded = new Set<string>();
      for (const t of index.territories) {
        if ((t.region?.code ?? null) === null && looksLikeSubject(t.raw)) missed.add(t.raw);
        if (/кроме|исключением/i.test(t.raw) && t.region?.code !== null) excluded.add(t.raw);
      }
      expect([...missed]).toEqual([]);
      expect([...excluded]).toEqual([]);
    });

    it('autonomous okrugs named before their parent oblast are the region', () => {
      const index = indexOf(folder);
      for (const t of index.territories) {
        const regionText = t.raw.split(' / ').at(-1) ?? '';
        if (/ханты/i.test(regionText)) expect(t.region?.codes, t.raw).toContain('86');
        if (/ямало/i.test(regionText)) expect(t.region?.codes, t.raw).toContain('89');
      }
    });
  });

  describe('combined/: answers', () => {
    let index: RegistryIndex;
    beforeAll(() => {
      index = indexOf('combined');
    });

    const at = (code: number, subscriber: number) => {
      const i = index.find(code, subscriber);
      expect(i, `${code}/${subscriber}`).not.toBe(-1);
      return {
        from: index.rangeFrom(i),
        to: index.rangeTo(i),
        operator: index.operatorOf(i),
        territory: index.territoryOf(i),
      };
    };

    it('groups rows by code and has the expected totals', () => {
      expect(index.meta.groups).toEqual({ '3': 57581, '4': 244598, '8': 75626, '9': 17059 });
      expect(index.rangeCount).toBe(394864);
    });

    it('846/2316014: ООО "СИПАУТНЭТ", г. Самара, Самарская область', () => {
      expect(at(846, 2316014)).toEqual({
        from: 2316000,
        to: 2316999,
        operator: { name: 'ООО "СИПАУТНЭТ"', inn: null },
        territory: {
          region: { name: 'Самарская область', code: '63', codes: ['63'] },
          district: null,
          place: { type: 'г', name: 'Самара' },
          location: 'г. Самара, Самарская область',
          raw: 'г. Самара|Самарская обл.',
          timezone: 'Europe/Samara',
        } satisfies Territory,
      });
    });

    it('301/3049901: ООО "Байкал Диалог", пгт. Новый Уоян, р-н Северо-Байкальский, Республика Бурятия', () => {
      expect(at(301, 3049901)).toEqual({
        from: 3049000,
        to: 3049999,
        operator: { name: 'ООО "Байкал Диалог"', inn: null },
        territory: {
          region: { name: 'Республика Бурятия', code: '03', codes: ['03'] },
          district: { type: 'р-н', name: 'Северо-Байкальский' },
          place: { type: 'пгт', name: 'Новый Уоян' },
          location: 'пгт. Новый Уоян, р-н Северо-Байкальский, Республика Бурятия',
          raw: 'пгт. Новый Уоян|р-н Северо-Байкальский|Республика Бурятия',
          timezone: 'Asia/Irkutsk',
        } satisfies Territory,
      });
    });

    it('499/1663050: ПАО "МГТС", Москва', () => {
      expect(at(499, 1663050)).toEqual({
        from: 1660022,
        to: 1673188,
        operator: { name: 'ПАО "МГТС"', inn: '7710016640' },
        territory: {
          region: { name: 'Москва', code: '77', codes: ['77'] },
          district: null,
          place: { type: 'г', name: 'Москва' },
          location: 'г. Москва',
          raw: 'г. Москва',
          timezone: 'Europe/Moscow',
        } satisfies Territory,
      });
    });

    it('900/0000000: Т2 Мобайл, INN 7743895280, Краснодарский край', () => {
      expect(at(900, 0)).toEqual({
        from: 0,
        to: 61999,
        operator: { name: 'ООО "Т2 Мобайл"', inn: '7743895280' },
        territory: {
          region: { name: 'Краснодарский край', code: '23', codes: ['23'] },
          district: null,
          place: null,
          location: 'Краснодарский край',
          raw: '- / Краснодарский край',
          timezone: 'Europe/Moscow',
        } satisfies Territory,
      });
    });

    it('411/5420000: Оймяконский улус keeps MSK+7 (Asia/Ust-Nera)', () => {
      expect(at(411, 5420000).territory).toMatchObject({
        region: { code: '14' },
        district: { type: 'улус', name: 'Оймяконский' },
        timezone: 'Asia/Ust-Nera',
      });
    });

    it.each<[number, number]>([
      [846, 2315999],
      [499, 1673189],
      [301, 3048999],
    ])('%i/%i is a neighbouring range, not the one above', (code, subscriber) => {
      const i = index.find(code, subscriber);
      expect(i).not.toBe(-1);
      expect(index.operatorOf(i).name).not.toMatch(/СИПАУТНЭТ|МГТС|Байкал/);
    });

    it('a snapshot of combined/ decodes to the same registry', () => {
      const reg = load('combined').registry;
      const back = decodeSnapshot(encodeSnapshot(reg));
      expect(back.meta).toEqual(reg.meta);
      expect(back.strings).toEqual(reg.strings);
      for (const key of [
        'operators',
        'territories',
        'codeIndex',
        'from',
        'to',
        'operator',
        'territory',
      ] as const) {
        const a = Buffer.from(back[key].buffer, back[key].byteOffset, back[key].byteLength);
        const b = Buffer.from(reg[key].buffer, reg[key].byteOffset, reg[key].byteLength);
        expect(a.equals(b), key).toBe(true);
      }
    });
  });

  describe('legacy-2014/: the old spellings resolve to subjects', () => {
    // `Улан - Удэ |Республика Бурятия`, `Самара |Самарская область`,
    // `Ханты - Мансийский - Югра АО |Тюменская область` (the okrug, not Tyumen oblast)
    it.each<[number, number, string]>([
      [301, 2110000, '03'],
      [846, 2000000, '63'],
      [900, 3850000, '86'],
    ])('%i/%i → region %s', (code, subscriber, region) => {
      const index = indexOf('legacy-2014');
      const i = index.find(code, subscriber);
      expect(i).not.toBe(-1);
      expect(index.territoryOf(i).region?.code).toBe(region);
    });
  });
});
