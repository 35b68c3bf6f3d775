/**
 * Named blacklists: the deployment's global lists (owner GLOBAL_OWNER) and each API key's own.
 * Entries by hand or from CSV, CSV out, and the membership test the allow/block check asks on
 * every call, cached per number and dropped when the store reports a change to a list.
 */
import { parse } from 'csv-parse/sync';
import { isNuminfoError, NuminfoError } from '../../errors.js';
import type { ListEntry, ListHit, ListSummary, Page, Store, StoreChange } from '../../store/types.js';
import { LruCache } from './lruCache.js';
import { isE164Digits } from './reputationService.js';

/** List names: 1..64 of A-Z a-z 0-9 _ . - (they appear in URLs and in check reasons). */
const LIST_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_LIST_COMMENT = 1000;
/** Entries per `add` call. */
export const MAX_ADD_ENTRIES = 100_000;
/** Lines of one CSV import. */
export const MAX_CSV_LINES = 1_000_000;
export const MAX_ENTRIES_PAGE = 1000;
const EXPORT_PAGE = 10_000;
/** CSV lines normalized between two yields to the event loop. */
const YIELD_EVERY = 5_000;
const DEFAULT_LISTING_CACHE = 100_000;

export const CSV_HEADER = 'number,comment,added_at,added_by';

function badRequest(message: string): never {
  throw new NuminfoError('BAD_REQUEST', message);
}

export function checkListName(list: unknown): asserts list is string {
  if (typeof list !== 'string' || !LIST_NAME.test(list)) {
    badRequest(`list name: expected 1..64 characters of A-Z, a-z, 0-9, _ . -, got ${JSON.stringify(list)}`);
  }
}

function checkComment(comment: unknown, where: string): string {
  if (comment === undefined || comment === null) return '';
  if (typeof comment !== 'string') badRequest(`${where}: expected text`);
  const c = comment.trim();
  if ([...c].length > MAX_LIST_COMMENT) badRequest(`${where}: longer than ${MAX_LIST_COMMENT} characters`);
  return c;
}

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** `;` when the first line has one before any `,` (the Russian Excel export), else `,`. */
function detectDelimiter(csv: string): ',' | ';' {
  let end = csv.indexOf('\n');
  if (end < 0) end = csv.length;
  const first = csv.slice(0, end);
  const semi = first.indexOf(';');
  const comma = first.indexOf(',');
  return semi >= 0 && (comma < 0 || semi < comma) ? ';' : ',';
}

function countLines(csv: string, max: number): number {
  let n = 0;
  for (let i = csv.indexOf('\n'); i >= 0 && n <= max; i = csv.indexOf('\n', i + 1)) n++;
  return n;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Distinct owner/list queries cached per number. */
const QUERIES_PER_NUMBER = 16;

export class BlacklistService {
  private readonly now: () => number;
  /** number → (owners|lists query → hits). */
  private readonly listings = new LruCache<string, Map<string, readonly ListHit[]>>(DEFAULT_LISTING_CACHE);
  private generation = 0;
  /** Off for a store shared by several instances (see ReputationService). */
  private readonly caching: boolean;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    opts: { now?: () => number; cache?: boolean } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.caching = opts.cache ?? true;
    this.unsubscribe = store.onChange((c) => this.onChange(c));
  }

  private onChange(change: StoreChange): void {
    if (change.kind === 'list') {
      this.generation++;
      if (change.number === null) this.listings.clear();
      else this.listings.delete(change.number);
    } else if (change.kind === 'all') {
      this.generation++;
      this.listings.clear();
    }
  }

  /** Adds entries (E.164 digits) or updates their comments; `by` is who added them. */
  async add(
    owner: string,
    list: string,
    entries: readonly { number: string; comment?: string }[],
    by: string,
  ): Promise<{ added: number; updated: number }> {
    checkListName(list);
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ADD_ENTRIES) {
      badRequest(`entries: expected a list of 1..${MAX_ADD_ENTRIES} entries`);
    }
    const byNumber = new Map<string, Omit<ListEntry, 'added_at'>>();
    entries.forEach((e, i) => {
      const number: unknown = e?.number;
      if (!isE164Digits(number)) {
        badRequest(
          `entries[${i}].number: expected E.164 digits (7..15, no +), got ${JSON.stringify(number)}`,
        );
      }
      const comment = checkComment(e.comment, `entries[${i}].comment`);
      byNumber.set(number, { list, owner, number, comment, added_by: by });
    });
    return this.write([...byNumber.values()]);
  }

  private async write(
    entries: readonly Omit<ListEntry, 'added_at'>[],
  ): Promise<{ added: number; updated: number }> {
    // One call, one transaction: an import that fails half-way (disk full, database gone) stores nothing.
    const added = await this.store.addListEntries(entries, this.now());
    return { added, updated: entries.length - added };
  }

  async remove(owner: string, list: string, number: string): Promise<void> {
    checkListName(list);
    if (!(await this.store.removeListEntry(list, owner, number))) {
      throw new NuminfoError('ITEM_NOT_FOUND', `${number} is not in the list ${list}`);
    }
  }

  async entries(
    owner: string,
    list: string,
    page: { after: string | null; limit: number },
  ): Promise<Page<ListEntry>> {
    checkListName(list);
    if (page.after !== null && !isE164Digits(page.after)) {
      badRequest(
        `after: expected E.164 digits (the last number of the previous page), got ${JSON.stringify(page.after)}`,
      );
    }
    if (!Number.isSafeInteger(page.limit) || page.limit < 1 || page.limit > MAX_ENTRIES_PAGE) {
      badRequest(`limit: expected 1..${MAX_ENTRIES_PAGE}, got ${String(page.limit)}`);
    }
    return this.store.listEntries(list, owner, page);
  }

  async lists(owners: readonly string[]): Promise<ListSummary[]> {
    return this.store.listLists(owners);
  }

  /**
   * Which of the owners' lists (all names, or only `lists`) hold the number. Cached per number; a
   * change to any list entry of the number (here or, through PostgreSQL, elsewhere) drops it.
   */
  async listingsOf(
    number: string,
    owners: readonly string[],
    lists: readonly string[] | null,
  ): Promise<readonly ListHit[]> {
    const query = lists === null ? owners.join('\n') : `${owners.join('\n')}\t${lists.join('\n')}`;
    const byQuery = this.listings.get(number);
    const hit = byQuery?.get(query);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const found = await this.store.findListings(number, owners, lists);
    if (this.caching && generation === this.generation) {
      const map = this.listings.get(number) ?? new Map<string, readonly ListHit[]>();
      // Callers choose `lists` freely: bound the queries kept per number, or one number grows forever.
      if (map.size >= QUERIES_PER_NUMBER) map.clear();
      map.set(query, found);
      this.listings.set(number, map);
    }
    return found;
  }

  /**
   * CSV in: a header row or not (a first row whose first cell has no digit is a header), `,` or `;`
   * between fields, first column a number in any form (normalized with `normalize`), optional second
   * column a comment, further columns ignored. Bad lines are reported with their line numbers and
   * skipped; the good ones are added.
   */
  async importCsv(
    owner: string,
    list: string,
    csv: string,
    by: string,
    normalize: (input: string) => string,
  ): Promise<{ added: number; updated: number; rejected: { line: number; reason: string }[] }> {
    checkListName(list);
    if (typeof csv !== 'string') badRequest('CSV: expected text');
    if (countLines(csv, MAX_CSV_LINES) > MAX_CSV_LINES) {
      badRequest(`CSV: more than ${MAX_CSV_LINES} lines; split the file`);
    }
    let records: { record: string[]; info: { lines: number } }[];
    try {
      records = parse(csv, {
        delimiter: detectDelimiter(csv),
        bom: true,
        info: true,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
        trim: true,
      }) as unknown as { record: string[]; info: { lines: number } }[];
    } catch (e) {
      badRequest(`CSV: ${(e as Error).message}`);
    }
    const rejected: { line: number; reason: string }[] = [];
    const byNumber = new Map<string, Omit<ListEntry, 'added_at'>>();
    for (let i = 0; i < records.length; i++) {
      // A big import must not stall the calls a PBX is waiting on: yield to the event loop now and then.
      if (i > 0 && i % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
      const { record, info } = records[i]!;
      const cell = record[0] ?? '';
      if (i === 0 && !hasDigit(cell)) continue; // the header row
      const line = info.lines;
      if (record.every((f) => f === '')) continue;
      if (cell === '') {
        rejected.push({ line, reason: 'no number in the first column' });
        continue;
      }
      let number: string;
      let comment: string;
      try {
        number = normalize(cell);
        comment = checkComment(record[1], 'comment');
      } catch (e) {
        if (!isNuminfoError(e)) throw e;
        rejected.push({ line, reason: e.message });
        continue;
      }
      byNumber.delete(number); // a repeated number: the later line wins
      byNumber.set(number, { list, owner, number, comment, added_by: by });
    }
    return { ...(await this.write([...byNumber.values()])), rejected };
  }

  /** CSV out: `number,comment,added_at,added_by`, ordered by number, times in ISO 8601. */
  async exportCsv(owner: string, list: string): Promise<string> {
    checkListName(list);
    const lines = [CSV_HEADER];
    let after: string | null = null;
    for (;;) {
      const page: Page<ListEntry> = await this.store.listEntries(list, owner, { after, limit: EXPORT_PAGE });
      for (const e of page.items) {
        lines.push(
          [e.number, csvField(e.comment), new Date(e.added_at).toISOString(), csvField(e.added_by)].join(','),
        );
      }
      const last = page.items.at(-1);
      if (page.items.length < EXPORT_PAGE || last === undefined) break;
      after = last.number;
    }
    return `${lines.join('\n')}\n`;
  }

  close(): void {
    this.unsubscribe();
    this.listings.clear();
  }
}
