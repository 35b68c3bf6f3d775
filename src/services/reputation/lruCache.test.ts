import { describe, expect, it } from 'vitest';
import { LruCache } from './lruCache.js';

describe('LruCache', () => {
  it('forgets the least recently used entry past its capacity', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the youngest
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c'), c.size]).toEqual([1, undefined, 3, 2]);
    c.set('a', 10); // an update does not grow it
    expect([c.get('a'), c.size]).toEqual([10, 2]);
    c.delete('a');
    expect([c.get('a'), c.size]).toEqual([undefined, 1]);
    c.clear();
    expect(c.size).toBe(0);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new LruCache(0)).toThrow('cache capacity 0 < 1');
  });
});
