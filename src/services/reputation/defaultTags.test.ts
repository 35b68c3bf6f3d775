import { describe, expect, it } from 'vitest';
import { TAG_TYPES } from '../../store/types.js';
import { DEFAULT_TAGS } from './defaultTags.js';

const RANGES = {
  CALLER_TYPE: [10, 19],
  CATEGORY: [1100, 1199],
  SUBCATEGORY: [10000, 10099],
  CALL_REASON: [100000, 100099],
  EMOTAG: [200000, 200099],
} as const;

describe('DEFAULT_TAGS', () => {
  it('has unique (type, id) pairs, Gilraen-like id ranges and both names', () => {
    const keys = new Set(DEFAULT_TAGS.map((t) => `${t.type}/${t.id}`));
    expect(keys.size).toBe(DEFAULT_TAGS.length);
    for (const t of DEFAULT_TAGS) {
      const [lo, hi] = RANGES[t.type];
      expect(t.id, `${t.type}/${t.id}`).toBeGreaterThanOrEqual(lo);
      expect(t.id, `${t.type}/${t.id}`).toBeLessThanOrEqual(hi);
      expect(t.name_en.trim()).not.toBe('');
      expect(t.name_ru).toMatch(/[А-Яа-яЁё]/);
    }
    expect(new Set(DEFAULT_TAGS.map((t) => t.type))).toEqual(new Set(TAG_TYPES));
  });

  it.each([
    ['CALLER_TYPE', 10, 'Person', 'Частное лицо'],
    ['CALLER_TYPE', 11, 'Organization', 'Организация'],
    ['CATEGORY', 1145, 'Transport', 'Транспорт'],
    ['SUBCATEGORY', 10041, 'Taxi', 'Такси'],
    ['CALL_REASON', 100009, 'SPAM', 'Спам'],
    ['EMOTAG', 200000, 'Like', 'Нравится'],
  ])('the Gilraen example %s/%i is %s', (type, id, en, ru) => {
    expect(DEFAULT_TAGS.find((t) => t.type === type && t.id === id)).toStrictEqual({
      type,
      id,
      name_en: en,
      name_ru: ru,
    });
  });
});
