/**
 * A small registry in the current official layout (UTF-8 with BOM, 8 columns, header), written by the
 * tests themselves so their expectations do not depend on files someone else maintains. Rows are
 * copied from, or modelled on, real registry rows so lookups answer like the real data does.
 */
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HEADER = 'АВС/ DEF;От;До;Емкость;Оператор;Регион;Территория ГАР;ИНН';
export const BOM = '\uFEFF';

export const FILE_NAMES = ['ABC-3xx.csv', 'ABC-4xx.csv', 'ABC-8xx.csv', 'DEF-9xx.csv'] as const;
export type FileName = (typeof FILE_NAMES)[number];

const pad7 = (n: number): string => String(n).padStart(7, '0');

export function row(
  code: number,
  from: number,
  to: number,
  operator: string,
  region: string,
  gar: string,
  inn: string,
): string {
  return [code, pad7(from), pad7(to), to - from + 1, operator, region, gar, inn].join(';');
}

/** File text in the current layout: BOM, header, rows, LF, no final newline (as the registry publishes it). */
export function csvText(rows: readonly string[]): string {
  return BOM + [HEADER, ...rows].join('\n');
}

const RT = 'ПАО "Ростелеком"';
const RT_INN = '7707049388';
const T2 = 'ООО "Т2 Мобайл"';
const T2_INN = '7743895280';
const MTS = 'ПАО "МТС"';
const MTS_INN = '7740000076';
const BEELINE = 'ПАО "ВымпелКом"';
const BEELINE_INN = '7713076301';

export const ABC3_ROWS: readonly string[] = [
  row(
    301,
    2110000,
    2129999,
    RT,
    'г. Улан-Удэ|Республика Бурятия',
    'г. Улан-Удэ|г.о. город Улан-Удэ|Республика Бурятия',
    RT_INN,
  ),
  row(
    301,
    2600000,
    2799999,
    T2,
    'г. Улан-Удэ|Республика Бурятия',
    'г.о. город Улан-Удэ|Республика Бурятия',
    T2_INN,
  ),
  row(
    301,
    3049000,
    3049999,
    'ООО "Байкал Диалог"',
    'пгт. Новый Уоян|р-н Северо-Байкальский|Республика Бурятия',
    'пгт. Новый Уоян|р-н Северо-Байкальский|Республика Бурятия',
    '',
  ),
  row(
    301,
    3051000,
    3052999,
    RT,
    'г. Северобайкальск|Республика Бурятия',
    'г. Северобайкальск|Республика Бурятия',
    RT_INN,
  ),
  row(
    302,
    4569976,
    4569999,
    RT,
    'р-н Краснокаменский|Забайкальский край',
    'Краснокаменский м.о.|Забайкальский край',
    RT_INN,
  ),
];

export const ABC4_ROWS: readonly string[] = [
  row(495, 1000000, 1009999, RT, 'г. Москва', 'Город Москва', RT_INN),
  row(499, 1660018, 1660021, RT, 'г. Москва', 'Город Москва', RT_INN),
  row(499, 1660022, 1673188, 'ПАО "МГТС"', 'г. Москва', 'Город Москва', '7710016640'),
  row(
    401,
    2200000,
    2200999,
    'АО "МТТ"',
    'г. Калининград|Калининградская обл.',
    'г. Калининград|Калининградская область',
    '7705017253',
  ),
];

export const ABC8_ROWS: readonly string[] = [
  row(800, 1000000, 1009999, RT, 'Российская Федерация', 'Российская Федерация', RT_INN),
  row(
    846,
    2316000,
    2316999,
    'ООО "СИПАУТНЭТ"',
    'г. Самара|Самарская обл.',
    'г. Самара|Самарская область',
    '',
  ),
  row(846, 2317000, 2317999, RT, 'г. Самара|Самарская обл.', 'г. Самара|Самарская область', RT_INN),
];

/** 20 rows: 900-0000000…900-1999999 in blocks of 100,000, three operators in turn. */
export const DEF_ROWS: readonly string[] = Array.from({ length: 20 }, (_, k) => {
  const [op, inn, gar] =
    k % 3 === 0
      ? [T2, T2_INN, 'Краснодарский край']
      : k % 3 === 1
        ? [MTS, MTS_INN, 'Ростовская область']
        : [BEELINE, BEELINE_INN, 'Тверская область'];
  return row(900, k * 100_000, k * 100_000 + 99_999, op, '-', gar, inn);
});

export const GOOD_FILES: Readonly<Record<FileName, string>> = {
  'ABC-3xx.csv': csvText(ABC3_ROWS),
  'ABC-4xx.csv': csvText(ABC4_ROWS),
  'ABC-8xx.csv': csvText(ABC8_ROWS),
  'DEF-9xx.csv': csvText(DEF_ROWS),
};

/** What a snapshot of GOOD_FILES must report. */
export const GOOD_COUNTS = {
  rows: 32,
  groups: { '3': 5, '4': 4, '8': 3, '9': 20 },
  /** Ростелеком, Т2, Байкал Диалог, МГТС, МТТ, СИПАУТНЭТ, МТС, ВымпелКом. */
  operators: 8,
} as const;

/** Date every generated file claims (HTTP Last-Modified, file mtime); the snapshot's dataDate follows it. */
export const GOOD_DATE = new Date('2026-08-19T22:16:24Z');
export const GOOD_DATA_DATE = '2026-08-19';

/** Writes the files (GOOD_FILES with `overrides` on top) into `dir`, each with mtime GOOD_DATE. */
export function writeRegistryDir(dir: string, overrides: Partial<Record<FileName, string>> = {}): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const name of FILE_NAMES) {
    const p = join(dir, name);
    writeFileSync(p, overrides[name] ?? GOOD_FILES[name]);
    utimesSync(p, GOOD_DATE, GOOD_DATE);
  }
  return dir;
}
