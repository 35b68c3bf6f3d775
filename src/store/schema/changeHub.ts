import type { ListEntry, StoreChange } from '../types.js';

/** The listeners of one store. A throwing listener must not fail the write that already committed. */
export class ChangeHub {
  private readonly listeners = new Set<(change: StoreChange) => void>();

  subscribe(listener: (change: StoreChange) => void): () => void {
    const own = (c: StoreChange): void => listener(c);
    this.listeners.add(own);
    return () => {
      this.listeners.delete(own);
    };
  }

  emit(changes: readonly StoreChange[]): void {
    for (const change of changes)
      for (const l of this.listeners) {
        try {
          l(change);
        } catch (e) {
          process.emitWarning(`numinfo store: an onChange listener threw: ${String(e)}`);
        }
      }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** Past this many numbers of one list in one call, one change with `number: null` stands for them all. */
const PER_NUMBER_LIMIT = 20;

/** Changes for a batch of list entries: per number for small batches, per list for large ones. */
export function listChanges(entries: readonly Pick<ListEntry, 'list' | 'owner' | 'number'>[]): StoreChange[] {
  const groups = new Map<string, { list: string; owner: string; numbers: Set<string> }>();
  for (const e of entries) {
    const k = `${e.owner}\u0000${e.list}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { list: e.list, owner: e.owner, numbers: new Set() }));
    g.numbers.add(e.number);
  }
  const out: StoreChange[] = [];
  for (const g of groups.values()) {
    if (g.numbers.size > PER_NUMBER_LIMIT)
      out.push({ kind: 'list', list: g.list, owner: g.owner, number: null });
    else for (const n of g.numbers) out.push({ kind: 'list', list: g.list, owner: g.owner, number: n });
  }
  return out;
}

/** Distinct 'number' changes for the numbers of a batch, in first-seen order. */
export function numberChanges(numbers: Iterable<string>): StoreChange[] {
  const out: StoreChange[] = [];
  for (const number of new Set(numbers)) out.push({ kind: 'number', number });
  return out;
}
