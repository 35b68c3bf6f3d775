import { TAG_TYPES, type Tag, type TagType } from '../types.js';

const TYPE_RANK = new Map<string, number>(TAG_TYPES.map((t, i) => [t, i]));

export function typeRank(type: TagType | string): number {
  return TYPE_RANK.get(type) ?? TAG_TYPES.length;
}

/** The dictionary in the order of TAG_TYPES, then id. */
export function sortTags(tags: Tag[]): Tag[] {
  return tags.sort((a, b) => typeRank(a.type) - typeRank(b.type) || a.id - b.id);
}

/** Aggregate tags in the order of TAG_TYPES, then count descending, then id. */
export function sortTagCounts<T extends { type: TagType; id: number; count: number }>(tags: T[]): T[] {
  return tags.sort((a, b) => typeRank(a.type) - typeRank(b.type) || b.count - a.count || a.id - b.id);
}

/** Same (list, owner, number) twice in one call: the later comment wins, counted once. */
export function dedupeEntries<T extends { list: string; owner: string; number: string }>(
  entries: readonly T[],
): T[] {
  const m = new Map<string, T>();
  for (const e of entries) {
    const k = `${e.owner}\u0000${e.list}\u0000${e.number}`;
    m.delete(k);
    m.set(k, e);
  }
  return [...m.values()];
}
