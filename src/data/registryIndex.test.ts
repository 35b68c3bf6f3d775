import { beforeAll, describe, expect, it } from 'vitest';
import { readFixtureSet } from '../../test/helpers/registryFixtures.js';
import { compileRegistry } from './registryBuild.js';
import { RegistryIndex } from './registryIndex.js';
import { importRegistry } from './registryImport.js';

interface Hit {
  from: number;
  to: number;
  operator: string;
  inn: string | null;
  location: string | null;
}

const ROSTELECOM = '7707049388';
const MGTS = '7710016640';

let index: RegistryIndex;

beforeAll(() => {
  index = new RegistryIndex(importRegistry(readFixtureSet('current', new Date('2026-08-19'))).registry);
});

function lookup(code: number, subscriber: number): Hit | null {
  const i = index.find(code, subscriber);
  if (i === -1) return null;
  const op = index.operatorOf(i);
  return {
    from: index.rangeFrom(i),
    to: index.rangeTo(i),
    operator: op.name,
    inn: op.inn,
    location: index.territoryOf(i).location,
  };
}

const hit = (
  from: number,
  to: number,
  operator: string,
  inn: string | null,
  location: string | null,
): Hit => ({
  from,
  to,
  operator,
  inn,
  location,
});

describe('RegistryIndex.find on current/', () => {
  const rtkMoscow = (from: number, to: number): Hit =>
    hit(from, to, 'ПАО "Ростелеком"', ROSTELECOM, 'г. Москва');
  const mgts = (from: number, to: number): Hit => hit(from, to, 'ПАО "МГТС"', MGTS, 'г. Москва');
  const baikal = (from: number, to: number, place: string): Hit =>
    hit(
      from,
      to,
      'ООО "Байкал Диалог"',
      '0317007350',
      `${place}, р-н Северо-Байкальский, Республика Бурятия`,
    );

  it.each<[number, number, Hit | null]>([
    // 499: four adjacent ranges, one of them a single number
    [499, 0, null],
    [499, 1660017, null],
    [499, 1660018, rtkMoscow(1660018, 1660021)],
    [499, 1660021, rtkMoscow(1660018, 1660021)],
    [499, 1660022, mgts(1660022, 1673188)],
    [499, 1663050, mgts(1660022, 1673188)],
    [499, 1673188, mgts(1660022, 1673188)],
    [499, 1673189, rtkMoscow(1673189, 1673189)],
    [499, 1673190, mgts(1673190, 1673614)],
    [499, 1673614, mgts(1673190, 1673614)],
    [499, 1673615, null],
    [499, 9999999, null],
    // 495: from the very first number, then a gap
    [495, 0, mgts(0, 9999)],
    [495, 9999, mgts(0, 9999)],
    [495, 10000, hit(10000, 14999, 'ООО "ТЕЛЕСТОР"', '7701548736', 'г. Москва')],
    [495, 19999, hit(15000, 19999, 'ООО "ПТФ"', '7802775407', 'г. Москва')],
    [495, 20000, null],
    [495, 6439999, null],
    [495, 6440000, hit(6440000, 6449999, 'ООО "ИНТЕРНОД"', '7733808377', 'Москва и Московская область')],
    [495, 6449999, hit(6440000, 6449999, 'ООО "ИНТЕРНОД"', '7733808377', 'Москва и Московская область')],
    [495, 6450000, null],
    // 301: gaps between and after ranges
    [301, 2109999, null],
    [301, 2110000, hit(2110000, 2129999, 'ПАО "Ростелеком"', ROSTELECOM, 'г. Улан-Удэ, Республика Бурятия')],
    [301, 2130000, null],
    [
      301,
      3046699,
      hit(3046000, 3046699, 'ПАО "Ростелеком"', ROSTELECOM, 'р-н Северо-Байкальский, Республика Бурятия'),
    ],
    [301, 3046700, baikal(3046700, 3046999, 'пгт. Нижнеангарск')],
    [301, 3046999, baikal(3046700, 3046999, 'пгт. Нижнеангарск')],
    [301, 3047000, null],
    [301, 3048999, null],
    [301, 3049000, baikal(3049000, 3049999, 'пгт. Новый Уоян')],
    [301, 3049901, baikal(3049000, 3049999, 'пгт. Новый Уоян')],
    [301, 3049999, baikal(3049000, 3049999, 'пгт. Новый Уоян')],
    [301, 3050000, null],
    [
      301,
      3052999,
      hit(3051000, 3052999, 'ПАО "Ростелеком"', ROSTELECOM, 'г. Северобайкальск, Республика Бурятия'),
    ],
    [301, 3053000, null],
    // 846: rows rejected by the parser leave gaps
    [846, 2316014, hit(2316000, 2316999, 'ООО "СИПАУТНЭТ"', '5920032027', 'г. Самара, Самарская область')],
    [846, 2310500, null],
    [846, 2320500, null],
    [846, 2330500, null],
    [846, 6371999, hit(6371500, 6371999, 'ООО "ИНФОЛАДА"', '6320006309', 'г. Тольятти, Самарская область')],
    // 900 and whole-code ranges
    [900, 0, hit(0, 61999, 'ООО "Т2 МОБАЙЛ"', '7743895280', 'Краснодарский край')],
    [900, 61999, hit(0, 61999, 'ООО "Т2 МОБАЙЛ"', '7743895280', 'Краснодарский край')],
    [900, 62000, hit(62000, 62999, 'ООО "Т2 МОБАЙЛ"', '7743895280', 'Ростовская область')],
    [900, 63000, null],
    [916, 0, hit(0, 9999999, 'ПАО "МТС"', '7740000076', 'Москва и Московская область')],
    [916, 9999999, hit(0, 9999999, 'ПАО "МТС"', '7740000076', 'Москва и Московская область')],
    [914, 2500000, hit(2200000, 3099999, 'ПАО "МТС"', '7740000076', 'Республика Саха (Якутия)')],
    // out of range subscriber numbers
    [916, 10000000, null],
    [916, -1, null],
    // codes with no ranges, and codes outside 0..999
    [902, 0, null],
    [497, 1234567, null],
    [84, 2000000, null],
    [0, 0, null],
    [999, 0, null],
    [-1, 0, null],
    [1000, 0, null],
  ])('%i/%i', (code, subscriber, expected) => {
    expect(lookup(code, subscriber)).toEqual(expected);
  });

  it.each<[number, boolean]>([
    [301, true],
    [302, true],
    [303, false],
    [499, true],
    [497, false],
    [869, true],
    [84, false],
    [916, true],
    [999, false],
    [0, false],
    [-1, false],
    [1000, false],
  ])('hasCode(%i) → %s', (code, expected) => {
    expect(index.hasCode(code)).toBe(expected);
  });

  it('exposes counts, version and the Sakha zone of a looked-up range', () => {
    expect(index.rangeCount).toBe(55);
    expect(index.operators).toHaveLength(22);
    expect(index.territories).toHaveLength(39);
    expect(index.dataVersion).toEqual({ version: index.meta.version, date: '2026-08-19' });
    const i = index.find(411, 5422000);
    expect(index.territoryOf(i)).toMatchObject({
      region: { name: 'Республика Саха (Якутия)', code: '14', codes: ['14'] },
      district: { type: 'улус', name: 'Оймяконский' },
      timezone: 'Asia/Ust-Nera',
    });
    expect(Object.isFrozen(index.operatorOf(i))).toBe(true);
    expect(Object.isFrozen(index.territoryOf(i))).toBe(true);
  });

  it('parses each distinct territory once: ranges with the same text share one object', () => {
    expect(index.territoryOf(index.find(499, 1660018))).toBe(index.territoryOf(index.find(495, 0)));
  });
});

describe('RegistryIndex.find at the ends of the code table', () => {
  const reg = compileRegistry(
    [
      { code: 0, from: 0, to: 0, operator: 'А', inn: null, region: 'Р', gar: null },
      { code: 999, from: 9999999, to: 9999999, operator: 'Б', inn: null, region: 'Р', gar: null },
      { code: 500, from: 5, to: 5, operator: 'В', inn: null, region: 'Р', gar: null },
      { code: 500, from: 7, to: 9, operator: 'В', inn: null, region: 'Р', gar: null },
    ],
    [],
    '2026-08-19',
  );
  const idx = new RegistryIndex(reg);

  it.each<[number, number, number]>([
    [0, 0, 0],
    [0, 1, -1],
    [999, 9999999, 3],
    [999, 9999998, -1],
    [500, 4, -1],
    [500, 5, 1],
    [500, 6, -1],
    [500, 7, 2],
    [500, 9, 2],
    [500, 10, -1],
    [499, 5, -1],
    [501, 5, -1],
  ])('%i/%i → %i', (code, subscriber, expected) => {
    expect(idx.find(code, subscriber)).toBe(expected);
  });

  it('an empty registry finds nothing', () => {
    const empty = new RegistryIndex(compileRegistry([], [], '2026-08-19'));
    expect(empty.rangeCount).toBe(0);
    expect(empty.find(900, 0)).toBe(-1);
    expect(empty.hasCode(900)).toBe(false);
  });
});
