import { describe, expect, it } from 'vitest';
import type { NuminfoError } from '../../errors.js';
import { parseLang, parseOptFields, tagsList, unitsFor } from './fields.js';

describe('parseOptFields and unitsFor', () => {
  const cases: [string, string[], number][] = [
    ['bans,index,tags_top,unwanted,comments', ['bans', 'index', 'tags_top', 'unwanted', 'comments'], 5],
    ['index', ['index'], 1],
    ['limits', ['limits'], 0],
    ['limits,carrier_region', ['limits', 'carrier_region'], 1],
    [' bans , index ', ['bans', 'index'], 2],
    ['bans,bans,index', ['bans', 'index'], 2],
    ['index,,bans,', ['index', 'bans'], 2],
  ];
  it.each(cases)('%j → %j, %i units', (raw, fields, units) => {
    const parsed = parseOptFields(raw);
    expect(parsed).toEqual(fields);
    expect(unitsFor(parsed)).toBe(units);
  });

  const bad: [string, string][] = [
    [
      'index,rating',
      'opt_fields: unknown field "rating"; known: bans, index, tags_top, unwanted, comments, limits, carrier_region',
    ],
    [
      'INDEX',
      'opt_fields: unknown field "INDEX"; known: bans, index, tags_top, unwanted, comments, limits, carrier_region',
    ],
    [',', 'opt_fields is empty; known: bans, index, tags_top, unwanted, comments, limits, carrier_region'],
  ];
  it.each(bad)('%j is a 400: %s', (raw, message) => {
    expect(() => parseOptFields(raw)).toThrow(message);
    try {
      parseOptFields(raw);
    } catch (e) {
      expect((e as NuminfoError).status).toBe(400);
    }
  });
});

describe('parseLang', () => {
  it.each([
    [undefined, 'en'],
    ['en', 'en'],
    ['ru', 'ru'],
  ] as const)('%j → %s', (raw, lang) => expect(parseLang(raw)).toBe(lang));
  it.each(['RU', 'de', ['ru', 'en']])('%j is a 400', (raw) =>
    expect(() => parseLang(raw)).toThrow('lang must be en (the default) or ru'),
  );
});

describe('tagsList', () => {
  it('orders by the document type order, then id, and names in the language asked', () => {
    const tags = [
      { type: 'EMOTAG', id: 200000, name_ru: 'Нравится', name_en: 'Like' },
      { type: 'CATEGORY', id: 1146, name_ru: 'Услуги', name_en: 'Services' },
      { type: 'CALLER_TYPE', id: 11, name_ru: 'Организация', name_en: 'Organization' },
      { type: 'CATEGORY', id: 1145, name_ru: 'Транспорт', name_en: 'Transport' },
    ] as const;
    expect(tagsList(tags, 'en')).toEqual([
      { type: 'CALLER_TYPE', id: 11, name: 'Organization' },
      { type: 'CATEGORY', id: 1145, name: 'Transport' },
      { type: 'CATEGORY', id: 1146, name: 'Services' },
      { type: 'EMOTAG', id: 200000, name: 'Like' },
    ]);
    expect(tagsList(tags, 'ru').map((t) => t.name)).toEqual([
      'Организация',
      'Транспорт',
      'Услуги',
      'Нравится',
    ]);
  });
});
